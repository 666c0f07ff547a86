"""Every setting read from the environment is listed, with a comment, in .env.example."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting_the_settings_module_reads():
    source = (ROOT / "partyreview/settings/base.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""env(?:\(\))?\.(?:str|bool|int|float|list|db|url)\(\s*["']([A-Z0-9_]+)["']""", source))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert read, "the pattern found the settings"
    assert sorted(read - listed) == []


def test_every_entry_in_env_example_has_a_comment_above_it():
    var = re.compile(r"^#?\s*[A-Z0-9_]+=")
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if var.match(line):
            above = lines[index - 1] if index else ""
            assert above.startswith("# ") and not var.match(above), f"no comment above {line!r}"
