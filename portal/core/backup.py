"""Backup and restore of the whole database.

SQLite: the online backup API (sqlite3.Connection.backup), so a backup can be
taken while the portal runs and is a consistent snapshot; a restore copies the
backup back into the live database in one step.

PostgreSQL: pg_dump in its custom format. A restore replays the dump with
psql in ONE transaction that first empties the public schema: it either puts
the whole backup back or changes nothing.

The client tools must be at least the server's major version (pg_dump refuses
newer servers); check_postgres_tools() says which versions it found.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3

# Fixed argument lists, never a shell.
import subprocess  # nosec B404
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy.engine import Engine, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message is Dutch."""


@dataclass
class BackupReport:
    path: Path
    size: int
    method: str

    def summary(self) -> str:
        size = f"{self.size:,}".replace(",", ".")
        return f"{self.path} ({size} bytes, {self.method})"


# -- SQLite --------------------------------------------------------------------

def _sqlite_backup(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(target)
        try:
            cast(sqlite3.Connection, raw.driver_connection).backup(dest)
            # One self-contained file (no -wal/-shm beside it).
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        raw.close()


def _sqlite_restore(engine: Engine, source: Path) -> None:
    with source.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{source} is geen SQLite-back-up.")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError(f"{source} is beschadigd (quick_check faalt).")
        engine.dispose()  # nothing in the pool holds old pages
        raw = engine.raw_connection()
        try:
            src.backup(cast(sqlite3.Connection, raw.driver_connection))
        finally:
            raw.close()
    finally:
        src.close()
    engine.dispose()


# -- PostgreSQL ----------------------------------------------------------------

def _tool(name: str) -> str:
    override = os.environ.get(f"PORTAL_{name.upper()}")
    path = override or shutil.which(name)
    if not path:
        raise BackupError(f"{name} niet gevonden. Installeer de PostgreSQL-client "
                          f"(apt-get install postgresql-client) of zet PORTAL_{name.upper()}.")
    return path


def _pg_env(engine: Engine) -> dict[str, str]:
    url = make_url(engine.url)
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    done = subprocess.run(command, env=env, capture_output=True, check=False,  # nosec B603
                          timeout=3600, **kwargs)
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace") if isinstance(done.stderr, bytes) else done.stderr
        raise BackupError(f"{Path(command[0]).name} faalde: {stderr.strip()[-2000:]}")
    return done


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise BackupError(f"Onbekende versie: {version_text!r}")
    return int(match.group(1))


def check_postgres_tools(engine: Engine) -> dict[str, int]:
    """The major versions of the server and the client tools; raises when a
    tool is older than the server."""
    with engine.connect() as conn:
        server = cast("tuple[int, ...]", conn.dialect.server_version_info)[0]  # set once connected
    versions = {"server": server}
    for name in ("pg_dump", "pg_restore", "psql"):
        out = _run([_tool(name), "--version"], dict(os.environ), text=True).stdout
        versions[name] = _major(out.split("(PostgreSQL)")[-1])
        if versions[name] < server:
            raise BackupError(f"{name} {versions[name]} is ouder dan de databaseserver ({server}); "
                              f"installeer de client van versie {server} of nieuwer.")
    return versions


def _pg_backup(engine: Engine, target: Path) -> None:
    check_postgres_tools(engine)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
          f"--file={target}"], _pg_env(engine))


def _pg_restore(engine: Engine, source: Path) -> None:
    with source.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{source} is geen back-up van pg_dump (custom format).")
    check_postgres_tools(engine)
    env = _pg_env(engine)
    script = _run([_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(source)],
                  env).stdout
    preamble = b"DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n"
    engine.dispose()
    _run([_tool("psql"), "--no-psqlrc", "--quiet", "--single-transaction",
          "--set=ON_ERROR_STOP=1", "--file=-"], env, input=preamble + script)
    engine.dispose()


# -- Public API ----------------------------------------------------------------

def backup(engine: Engine, path: str | Path) -> BackupReport:
    """Write a consistent copy of the database to `path` (replaced atomically)."""
    target = Path(path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    dialect = engine.dialect.name
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if dialect == "sqlite":
            tmp.unlink()  # sqlite3 creates it
            _sqlite_backup(engine, tmp)
            method = "SQLite online backup"
        elif dialect == "postgresql":
            _pg_backup(engine, tmp)
            method = "pg_dump, custom format"
        else:
            raise BackupError(f"Back-up van {dialect} wordt niet ondersteund.")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupReport(target, target.stat().st_size, method)


def restore(engine: Engine, path: str | Path) -> None:
    """Replace everything in the database by the backup at `path`."""
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"Back-up niet gevonden: {source}")
    dialect = engine.dialect.name
    if dialect == "sqlite":
        _sqlite_restore(engine, source)
    elif dialect == "postgresql":
        _pg_restore(engine, source)
    else:
        raise BackupError(f"Terugzetten naar {dialect} wordt niet ondersteund.")
