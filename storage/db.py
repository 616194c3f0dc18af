"""The engine, the database URL, transactions that are safe under concurrency, migrations."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

from core import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# One lock for every load: loads are rare, and serialising them makes
# "replace the partner's rows in the period" safe on PostgreSQL too.
_LOAD_LOCK_KEY = 7_041_2026
_MIGRATION_LOCK_KEY = 7_041_2027


def database_url(db: str | None = None) -> str:
    """``--db``, else ``OUTCOMES_DATABASE_URL``, else the embedded SQLite file."""
    return db or settings.get("OUTCOMES_DATABASE_URL")


def _sqlite_setup(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy, not pysqlite, say when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A writer takes the write lock at BEGIN, so two loads never
        # deadlock upgrading a read lock.
        immediate = conn.get_execution_options().get("write_lock", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=16)
def get_engine(url: str | None = None) -> sa.Engine:
    """One engine per URL per process."""
    url = database_url(url)
    u = sa.make_url(url)
    kwargs: dict = {"future": True}
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 60, "check_same_thread": False}
        engine = sa.create_engine(url, **kwargs)
        _sqlite_setup(engine)
    else:
        kwargs["pool_pre_ping"] = True
        engine = sa.create_engine(url, **kwargs)
    return engine


@contextlib.contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the load lock: all or nothing, one writer at a time."""
    with engine.connect().execution_options(write_lock=True) as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOAD_LOCK_KEY})
            yield conn


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


# The latest migration, known without importing alembic (0.3 s a process); a test keeps it in step
# with storage/migrations/versions.
HEAD_REVISION = "0006"


def _stamped_at_head(engine: sa.Engine) -> bool:
    """Whether the database says it is at ``HEAD_REVISION``: one query, no alembic."""
    with engine.connect() as conn:
        try:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD_REVISION]
        except sa.exc.DBAPIError:  # no table yet: a new database
            conn.rollback()
            return False


def _at_head(conn: sa.Connection) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory(str(MIGRATIONS)).get_heads())
    return set(MigrationContext.configure(conn).get_current_heads()) == heads


def upgrade(engine: sa.Engine) -> None:
    """Create or upgrade the schema to the latest migration.

    Safe when several processes start at once on a new database: one migrates
    while the others wait for it (PostgreSQL advisory lock; SQLite write lock
    taken at BEGIN), then find the schema up to date.
    """
    if _stamped_at_head(engine):
        return
    from alembic import command

    with engine.connect() as conn:
        if _at_head(conn):
            return
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect().execution_options(write_lock=True) as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


def ensure_schema(url: str | None = None) -> sa.Engine:
    """The engine for ``url``, its schema migrated to the latest version."""
    engine = get_engine(url)
    upgrade(engine)
    return engine
