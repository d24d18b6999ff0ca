"""A scratch PostgreSQL database, created, migrated and dropped around a benchmark or a crash test.

The ingest worker under test is a separate process (``anjian ingest``) that must see committed data, so these
runs cannot live inside the test suite's transaction; they get a database of their own.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse, urlunparse

__all__ = ["anjian_command", "postgres_server_url", "scratch_database"]


def postgres_server_url() -> str:
    """The PostgreSQL server for scratch databases (``ANJIAN_BENCH_POSTGRES_URL``, else the test one, else local)."""
    return (
        os.environ.get("ANJIAN_BENCH_POSTGRES_URL")
        or os.environ.get("ANJIAN_TEST_POSTGRES_URL")
        or "postgres://postgres@127.0.0.1:5432/postgres"
    )


def _with_db(url: str, name: str) -> str:
    u = urlparse(url)
    return urlunparse(u._replace(path=f"/{name}"))


def anjian_command() -> list[str]:
    """How to run the ``anjian`` console script of this interpreter."""
    exe = Path(sys.executable).with_name("anjian")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "anjian.cli"]


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_with_db(url, "postgres"), autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def scratch_database(prefix: str = "anjian_scratch", server: str | None = None) -> Iterator[str]:
    """Create and migrate a fresh database; yield its URL; drop it afterwards."""
    server = server or postgres_server_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    _admin(server, f'CREATE DATABASE "{name}"')
    url = _with_db(server, name)
    try:
        env = {**os.environ, "ANJIAN_DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "anjian.settings"}
        env.pop("ANJIAN_TEST_DATABASE_URL", None)
        subprocess.run([*anjian_command(), "migrate", "-v0"], env=env, check=True, timeout=600)
        yield url
    finally:
        _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_available(server: str | None = None) -> bool:
    import psycopg

    try:
        with psycopg.connect(_with_db(server or postgres_server_url(), "postgres"), connect_timeout=2):
            return True
    except psycopg.Error:
        return False
