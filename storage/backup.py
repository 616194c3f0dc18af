"""Backups and restores of the whole database.

PostgreSQL: ``pg_dump -Fc`` and ``pg_restore`` (the client binaries of the
server's major version when installed, else the newest found, else PATH).
SQLite: the online backup API of the ``sqlite3`` module, safe while the app
runs. A backup holds personal data: it is written readable by its owner only.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from storage.db import database_url, get_engine, upgrade
from storage.repository import audit


class BackupError(Exception):
    """A backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    sha256: str


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


# --------------------------------------------------------------------------- PostgreSQL


def _server_major(engine: sa.Engine) -> int:
    with engine.connect() as c:
        return int(c.exec_driver_sql("SHOW server_version_num").scalar()) // 10000


def pg_client(tool: str, engine: sa.Engine) -> str:
    """The path of ``pg_dump``/``pg_restore`` fit for the server behind ``engine``."""
    major = _server_major(engine)
    exact = Path(f"/usr/lib/postgresql/{major}/bin/{tool}")
    if exact.exists():
        return str(exact)
    newer = []
    for p in Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"):
        try:
            if float(p.parent.parent.name) >= major:
                newer.append((float(p.parent.parent.name), p))
        except ValueError:
            continue
    if newer:
        return str(max(newer)[1])
    found = shutil.which(tool)
    if found:
        return found
    raise BackupError(
        f"{tool} was not found: install the PostgreSQL {major} client (Debian package postgresql-client-{major})."
    )


def _libpq(url: sa.URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    res = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if res.returncode:
        detail = (res.stderr or res.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {' / '.join(detail[-3:]) or f'exit status {res.returncode}'}")


# --------------------------------------------------------------------------- public API


def backup(*, db: str | None = None, out: Path) -> BackupResult:
    """Write a consistent backup of the database at ``db`` to ``out`` (replaced atomically)."""
    url = sa.make_url(database_url(db))
    engine = get_engine(url.render_as_string(hide_password=False))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    tmp.unlink(missing_ok=True)
    # Recorded first, so the backup carries its own entry.
    audit(engine, username=_actor(), role="system", action="backup", detail={"file_name": out.name})
    old_umask = os.umask(0o077)
    try:
        if engine.dialect.name == "postgresql":
            uri, env = _libpq(url)
            _run(
                [
                    pg_client("pg_dump", engine),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={tmp}",
                    f"--dbname={uri}",
                ],
                env,
                "pg_dump",
            )
        elif engine.dialect.name == "sqlite":
            _sqlite_copy(sqlite3.connect(_sqlite_path(url), timeout=60), sqlite3.connect(tmp))
        else:
            raise BackupError(f"backups of {engine.dialect.name} databases are not supported")
        os.replace(tmp, out)
    finally:
        os.umask(old_umask)
        tmp.unlink(missing_ok=True)
    return BackupResult(out, out.stat().st_size, _sha256(out))


def _sqlite_copy(src: sqlite3.Connection, dst: sqlite3.Connection) -> None:
    """Copy a whole SQLite database with its online backup API (consistent while others write)."""
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def restore(*, db: str | None = None, file: Path) -> BackupResult:
    """Replace the contents of the database at ``db`` with the backup ``file``, then migrate it to head.

    Stop the app first: open sessions would otherwise hold locks or stale caches.
    """
    file = Path(file)
    if not file.is_file():
        raise BackupError(f"backup file {file} does not exist")
    url = sa.make_url(database_url(db))
    engine = get_engine(url.render_as_string(hide_password=False))
    digest = _sha256(file)
    if engine.dialect.name == "postgresql":
        if file.read_bytes()[:5] != b"PGDMP":
            raise BackupError(f"{file.name} is not a PostgreSQL custom-format backup (pg_dump -Fc)")
        engine.dispose()
        uri, env = _libpq(url)
        _run(
            [
                pg_client("pg_restore", engine),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={uri}",
                str(file),
            ],
            env,
            "pg_restore",
        )
    elif engine.dialect.name == "sqlite":
        with file.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{file.name} is not an SQLite backup")
        engine.dispose()
        target = _sqlite_path(url)
        _sqlite_copy(sqlite3.connect(f"file:{file}?mode=ro", uri=True), sqlite3.connect(target, timeout=60))
    else:
        raise BackupError(f"restores into {engine.dialect.name} databases are not supported")
    engine.dispose()
    upgrade(engine)
    audit(engine, username=_actor(), role="system", action="restore", detail={"file_name": file.name, "sha256": digest})
    return BackupResult(file, file.stat().st_size, digest)


def _sqlite_path(url: sa.URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return url.database
