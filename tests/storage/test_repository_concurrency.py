"""Loads from separate processes at the same instant: nothing lost, nothing counted twice (both engines)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from storage import schema
from storage.repository import read_return
from tests.conftest import ROOT
from tests.storage._tools import attendance_frame, sha_for

ROWS = 3_000


def _start_together(db_url: str, jobs: list[dict]) -> list[dict]:
    """Run one storing process per job, release them all at once, return each one's JSON result."""
    procs = []
    for j in jobs:
        cmd = [
            sys.executable,
            "-m",
            "tests.storage._tools",
            "store",
            "--db",
            db_url,
            "--sha",
            j["sha"],
            "--partner",
            j["partner"],
            "--period",
            j["period"],
            "--rows",
            str(j["rows"]),
            "--seed",
            str(j["seed"]),
            "--wait",
        ]
        procs.append(
            subprocess.Popen(
                cmd, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "READY", p.stderr.read()
        for p in procs:  # all ready: let them go
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=180)
            assert p.returncode == 0, err[-2000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()


def _count(engine, table) -> int:
    with engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_partners_uploading_at_once_lose_nothing(engine, db_url):
    partners = ["aspirations", "vineyard", "nhs_sexual_health", "police"]
    jobs = [dict(sha=sha_for(p), partner=p, period="2026-04", rows=ROWS + i, seed=i) for i, p in enumerate(partners)]
    results = _start_together(db_url, jobs)

    assert [r["status"] for r in results] == ["accepted"] * 4
    assert len({r["submission_id"] for r in results}) == 4
    held = read_return(engine, "attendance")
    assert held.groupby("partner").size().to_dict() == {p: ROWS + i for i, p in enumerate(partners)}
    for j in jobs:  # every row each partner sent, exactly as sent
        sent = attendance_frame(period=j["period"], rows=j["rows"], seed=j["seed"])
        got = held[held.partner == j["partner"]]
        assert sorted(zip(got.session_date, got.person_id, strict=True)) == sorted(
            zip(sent.session_date, sent.person_id, strict=True)
        )
    assert _count(engine, schema.submissions) == 4
    assert _count(engine, schema.archived_files) == 4


def test_same_file_sent_twice_at_the_same_instant_loads_once(engine, db_url):
    job = dict(sha=sha_for("same file"), partner="aspirations", period="2026-04", rows=ROWS, seed=7)
    results = _start_together(db_url, [job] * 4)

    statuses = sorted(r["status"] for r in results)
    assert statuses == ["accepted", "duplicate", "duplicate", "duplicate"]
    assert len({r["submission_id"] for r in results}) == 1
    assert len(read_return(engine, "attendance")) == ROWS
    assert _count(engine, schema.submissions) == 1
    assert _count(engine, schema.submission_sheets) == 1


def test_two_corrections_for_the_same_period_at_once_leave_exactly_one_current(engine, db_url):
    jobs = [
        dict(sha=sha_for(f"correction {i}"), partner="aspirations", period="2026-05", rows=ROWS + 100 * i, seed=10 + i)
        for i in range(3)
    ]
    results = _start_together(db_url, jobs)

    assert [r["status"] for r in results] == ["accepted"] * 3
    current = read_return(engine, "attendance")
    # Loads were serialised: the last one's rows are current, the others' kept as history.
    assert len(current) in {j["rows"] for j in jobs}
    t = schema.return_tables["attendance"]
    with engine.connect() as c:
        current_subs = c.execute(sa.select(t.c.submission_id).distinct().where(t.c.superseded_at.is_(None))).all()
        total = c.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
    assert len(current_subs) == 1
    assert total == sum(j["rows"] for j in jobs)
    # Exactly two loads replaced something, and together they replaced what the others had stored.
    replaced = sorted(r["replaced"]["attendance"] for r in results)
    assert replaced[0] == 0 and sum(replaced) == total - len(current)


def test_write_transaction_takes_the_write_lock_at_begin_on_sqlite(tmp_path):
    """A second writer waits at BEGIN (no 'database is locked' upgrade failure later)."""
    import sqlite3

    from storage.db import ensure_schema, get_engine, write_transaction

    url = f"sqlite:///{tmp_path / 'lock.db'}"
    eng = ensure_schema(url)
    try:
        with write_transaction(eng):
            other = sqlite3.connect(tmp_path / "lock.db", timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
    finally:
        eng.dispose()
        get_engine.cache_clear()


def test_write_transaction_holds_the_advisory_lock_on_postgresql(pg_url):
    from storage.db import _LOAD_LOCK_KEY, get_engine, write_transaction

    eng = get_engine(pg_url)
    try:
        with write_transaction(eng):
            with eng.connect() as other:
                got = other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOAD_LOCK_KEY}).scalar()
            assert got is False
        with eng.connect() as other:
            assert other.execute(sa.text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _LOAD_LOCK_KEY}).scalar()
    finally:
        eng.dispose()
