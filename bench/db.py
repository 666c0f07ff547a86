"""The benchmark's databases on the PostgreSQL of scripts/test-services.sh: create, clone, drop.

``python -m bench.db ensure URL`` creates the database of URL if it is missing. Benchmarks that write
(the import, the reminder sweep, the load test's logins) run on a clone made with ``CREATE DATABASE ...
TEMPLATE``, a file copy that takes seconds, so the seeded database stays as seeded and every run of
``make bench`` starts from the same data.
"""

import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin(url: str) -> psycopg.Connection:
    """A connection to the maintenance database with the same role (it has CREATEDB)."""
    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def ensure(url: str) -> bool:
    """Create the database if missing; True when it was created."""
    name = database_name(url)
    with _admin(url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def drop(url: str) -> None:
    with _admin(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database_name(url))))


def clone(url: str, name: str, *, attempts: int = 30) -> str:
    """A fresh copy of the database of ``url`` named ``name``; returns its URL.

    The template must have no other session; autovacuum may hold one for a moment, so retry."""
    source = database_name(url)
    target = with_database(url, name)
    drop(target)
    with _admin(url) as conn:
        for attempt in range(attempts):
            try:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(source))
                )
                return target
            except psycopg.errors.ObjectInUse:
                if attempt == attempts - 1:
                    raise
                time.sleep(1)
    return target


def server_version(url: str) -> str:
    with _admin(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


if __name__ == "__main__":
    command, database_url = sys.argv[1], sys.argv[2]
    if command == "ensure":
        print(f"数据库 {database_name(database_url)}：{'已创建' if ensure(database_url) else '已存在'}")
    elif command == "drop":
        drop(database_url)
    else:
        sys.exit(f"usage: python -m bench.db ensure|drop DATABASE_URL (not {command!r})")
