"""The database URL, migrations from empty to head on both engines, and the upgrade command."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from storage.db import HEAD_REVISION, MIGRATIONS, alembic_config, database_url, ensure_schema, get_engine
from storage.schema import metadata
from tests.conftest import ROOT


def _head() -> str:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def _check_migrated(url: str) -> None:
    eng = sa.create_engine(url)
    try:
        insp = sa.inspect(eng)
        tables = set(insp.get_table_names())
        assert {t.name for t in metadata.sorted_tables} <= tables
        for t in metadata.sorted_tables:  # every column the code expects, on this engine
            assert {c["name"] for c in insp.get_columns(t.name)} == {c.name for c in t.columns}, t.name
        with eng.connect() as c:
            assert c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == _head()
    finally:
        eng.dispose()


def test_head_is_the_process_changes_migration():
    assert _head() == "0006"


@pytest.mark.parametrize("which", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_database_at_0005_upgrades_to_0006_keeping_its_rows(request, tmp_path, which):
    """0006 adds the process_changes table to a database in use, which keeps its rows."""
    from datetime import date

    from alembic import command

    from storage import process_changes
    from storage.repository import audit, read_audit

    url = f"sqlite:///{tmp_path / 'at5.db'}" if which == "sqlite" else request.getfixturevalue("pg_empty_url")
    command.upgrade(alembic_config(url), "0005")
    eng = sa.create_engine(url)
    try:
        assert "process_changes" not in sa.inspect(eng).get_table_names()
        audit(eng, username="ann", role="admin", action="login", detail={})
        eng.dispose()
        command.upgrade(alembic_config(url), "head")
        assert "process_changes" in sa.inspect(eng).get_table_names()
        with eng.connect() as c:
            assert c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0006"
        assert len(read_audit(eng, action="login")) == 1
        cid = process_changes.add_change(
            eng, changed_on=date(2026, 1, 12), reason="Drop-in moved", applies_to=["attendance"], by=("ann", "admin")
        )
        assert [c["id"] for c in process_changes.list_changes(eng)] == [cid]
        command.downgrade(alembic_config(url), "0005")
        assert "process_changes" not in sa.inspect(eng).get_table_names()
    finally:
        eng.dispose()


def test_the_quick_head_check_knows_the_latest_migration():
    """``HEAD_REVISION`` lets a process skip importing alembic; it must name the real head."""
    assert HEAD_REVISION == _head()


def test_an_old_database_is_still_migrated(tmp_path):
    """A database at an older revision is not mistaken for an up-to-date one, and every later migration runs."""
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    ensure_schema(url).dispose()
    get_engine.cache_clear()
    _check_migrated(url)
    eng = sa.create_engine(url)
    with eng.connect() as c:  # the 0002 triggers are there
        names = {r[0] for r in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    eng.dispose()
    assert {"audit_log_no_update", "audit_log_no_delete"} <= names


def test_database_url_prefers_the_argument_then_the_environment(monkeypatch):
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", "postgresql+psycopg://app@db.example/outcomes")
    assert database_url() == "postgresql+psycopg://app@db.example/outcomes"
    assert database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_empty_sqlite_database_migrates_to_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    ensure_schema(url).dispose()
    get_engine.cache_clear()
    _check_migrated(url)


def test_empty_postgresql_database_migrates_to_head(pg_empty_url):
    eng = sa.create_engine(pg_empty_url)
    with eng.connect() as c:
        assert sa.inspect(c).get_table_names() == []
    eng.dispose()
    ensure_schema(pg_empty_url).dispose()
    _check_migrated(pg_empty_url)
    # Running it again is harmless.
    ensure_schema(pg_empty_url).dispose()
    _check_migrated(pg_empty_url)


def test_downgrade_to_base_and_back_on_postgresql(pg_empty_url):
    from alembic import command

    cfg = alembic_config(pg_empty_url)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    eng = sa.create_engine(pg_empty_url)
    with eng.connect() as c:
        assert set(sa.inspect(c).get_table_names()) <= {"alembic_version"}
    eng.dispose()
    command.upgrade(cfg, "head")
    _check_migrated(pg_empty_url)


def test_upgrade_command_on_postgresql_and_sqlite(pg_empty_url, tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'cli.db'}"
    for url in (pg_empty_url, sqlite_url):
        res = subprocess.run(
            [sys.executable, "-m", "storage", "upgrade", "--db", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert res.returncode == 0, res.stderr
        assert "latest version" in res.stdout
        _check_migrated(url)


def test_upgrade_command_reads_the_environment(pg_empty_url):
    env = {"OUTCOMES_DATABASE_URL": pg_empty_url, "PATH": "/usr/bin:/bin"}
    res = subprocess.run(
        [sys.executable, "-m", "storage", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr
    _check_migrated(pg_empty_url)


@pytest.mark.parametrize("which", ["sqlite", "postgresql"])
def test_several_processes_migrating_a_new_database_at_once_all_succeed(request, tmp_path, which):
    url = f"sqlite:///{tmp_path / 'race.db'}" if which == "sqlite" else request.getfixturevalue("pg_empty_url")
    code = (
        f"import sys; from storage.db import ensure_schema; sys.stdin.readline(); ensure_schema({url!r}); print('done')"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for p in procs:  # imports done by now or soon; release them together
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0 and out.strip() == "done", err[-2000:]
    _check_migrated(url)
