#!/usr/bin/env python
"""Django's command-line utility for partyreview."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.base")
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as exc:
        # An unreachable database is a configuration problem: say which setting, not a traceback.
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        sys.stderr.write(f"配置错误 (configuration error): 无法连接数据库，请检查 DATABASE_URL: {first_line}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
