"""Retention deletes old archived files and replaced rows, keeps current rows, and audits counts only."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from storage import schema
from storage.repository import archived_file, read_audit, read_return, utcnow
from storage.retention import apply_retention
from tests.conftest import ROOT
from tests.storage._tools import sha_for, snapshot

OLD = datetime(2018, 4, 30, 12)
NOW = utcnow().replace(microsecond=0)  # the command counts back from the real now


def _load_history(engine):
    from core.periods import parse
    from storage.repository import SheetRows, store_submission
    from tests.storage._tools import attendance_frame

    def load(label, period, rows, at):
        return store_submission(
            engine,
            sha256=sha_for(label),
            file_name=f"{label}.xlsx",
            partner="aspirations",
            period=parse(period),
            loaded_by="test",
            content=label.encode(),
            loaded_at=at,
            warnings=[],
            sheets=[SheetRows("Attendance", "attendance", attendance_frame(period=period, rows=rows, seed=len(label)))],
        )

    a = load("2018 first", "2018-04", 40, OLD)  # superseded in 2018: old history
    b = load("2018 correction", "2018-04", 30, OLD + timedelta(days=1))  # still current
    c = load("2026 first", "2026-04", 20, NOW - timedelta(days=30))  # superseded recently: kept
    d = load("2026 correction", "2026-04", 10, NOW - timedelta(days=1))
    return a, b, c, d


def test_old_archives_and_old_replaced_rows_are_deleted_and_audited(engine):
    a, b, c, d = _load_history(engine)
    current_before = read_return(engine, "attendance")

    res = apply_retention(engine, days=365, now=NOW, username="ops")

    assert res.archived_files == 2 and res.superseded_rows == {"attendance": 40}
    assert archived_file(engine, a.submission_id) is None and archived_file(engine, b.submission_id) is None
    assert archived_file(engine, c.submission_id) == b"2026 first"
    # The current figures are untouched; recent history still answers "as the data stood".
    assert read_return(engine, "attendance").equals(current_before)
    assert len(read_return(engine, "attendance", as_of=NOW - timedelta(days=2))) == 30 + 20
    t = schema.return_tables["attendance"]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() == 30 + 20 + 10
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.submissions)).scalar_one() == 4

    log = read_audit(engine, username="ops")
    deletes = log[log.action == "retention_delete"]
    assert sorted((d["table"], d["rows"]) for d in deletes.detail) == [("archived_files", 2), ("r_attendance", 40)]
    (run,) = log[log.action == "retention_run"].detail
    assert run["rows_deleted"] == 42 and run["days"] == 365
    # Counts, never content: no reference, file name or date of a woman's row appears in the log.
    text = json.dumps(list(log.detail))
    assert "P0" not in text and "2018 first" not in text


def test_dry_run_and_a_second_run_change_nothing(engine):
    _load_history(engine)
    before = snapshot(engine)
    res = apply_retention(engine, days=365, now=NOW, dry_run=True)
    assert res.total == 42
    assert snapshot(engine) == before

    apply_retention(engine, days=365, now=NOW)
    after_first = snapshot(engine)
    again = apply_retention(engine, days=365, now=NOW)
    assert again.total == 0
    second = snapshot(engine)
    assert {k: v for k, v in second.items() if k != "audit_log"} == {
        k: v for k, v in after_first.items() if k != "audit_log"
    }
    assert len(second["audit_log"]) == len(after_first["audit_log"]) + 1  # the run itself is logged


def test_retention_period_comes_from_the_setting(engine, monkeypatch):
    _load_history(engine)
    monkeypatch.setenv("OUTCOMES_RETENTION_DAYS", "100000")
    assert apply_retention(engine, now=NOW).total == 0
    monkeypatch.setenv("OUTCOMES_RETENTION_DAYS", "365")
    assert apply_retention(engine, now=NOW).total == 42


def test_a_retention_period_under_one_day_is_refused(engine):
    with pytest.raises(ValueError, match="at least 1 day"):
        apply_retention(engine, days=0)


def test_retention_command(engine, db_url):
    _load_history(engine)
    # Days counted back from today: the 2018 history is older than 2 years, the 2026 loads are not.
    res = subprocess.run(
        [sys.executable, "-m", "storage", "retention", "--days", "730", "--db", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "deleted 2 archived files, 40 replaced attendance rows" in res.stdout
    assert read_audit(engine, action="retention_run").detail.iloc[0]["rows_deleted"] == 42
