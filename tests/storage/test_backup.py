"""Backups and restores give back identical rows (and identical indicators), on both engines."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from storage.backup import BackupError, backup, restore
from storage.db import get_engine
from storage.repository import audit, read_audit
from tests.conftest import ROOT
from tests.storage._tools import sha_for, snapshot, store


def _fill(engine) -> None:
    store(engine, sha=sha_for("a"), partner="aspirations", period="2026-04", rows=400, seed=1)
    store(engine, sha=sha_for("b"), partner="aspirations", period="2026-04", rows=350, seed=2)  # a correction
    store(engine, sha=sha_for("c"), partner="vineyard", period="2026-05", rows=120, seed=3)
    audit(engine, username="ann", role="admin", action="login", detail={})
    _fill_meeting_loop(engine)
    _fill_process_changes(engine)


def _fill_process_changes(engine) -> None:
    """Two process changes an administrator recorded (one for every chart, one for chosen charts)."""
    from datetime import date

    from storage import process_changes

    by = ("ann", "admin")
    process_changes.add_change(
        engine, changed_on=date(2025, 4, 1), reason="Dental service started", applies_to=["DEN-01", "DEN-02"], by=by
    )
    process_changes.add_change(engine, changed_on=date(2026, 1, 12), reason="Drop-in moved", applies_to=None, by=by)


def _fill_meeting_loop(engine) -> None:
    """A meeting with commentary, an action and its note, a decision and a sign-off (the meeting loop's tables)."""
    from datetime import date, datetime

    from core.periods import parse
    from storage import meetings

    by, q1 = ("chair", "chair"), parse("2026-27-Q1")
    mid = meetings.create_meeting(
        engine, held_on=date(2026, 7, 20), period=q1, data_version=(3, 0), data_as_of=datetime(2026, 7, 20, 9), by=by
    )
    meetings.add_commentary(engine, indicator_id="ENG-01", period=q1, text="Why it fell", partner=None, by=by)
    aid = meetings.raise_action(
        engine,
        meeting_id=mid,
        text="Ask why",
        indicator_ids=["ENG-01"],
        owner_partner="aspirations",
        owner_role=None,
        due_on=date(2026, 9, 1),
        by=by,
    )
    meetings.update_action(engine, action_id=aid, status="done", note="Asked", noted_on=date(2026, 8, 1), by=by)
    meetings.record_decision(
        engine, meeting_id=mid, decided_on=date(2026, 7, 20), text="Agreed", indicator_ids=[], by=by
    )
    meetings.store_signoff(engine, period=q1, data_version=(3, 0), figures={"exact": {}}, by=by)


def _other_database(request, backend: str, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    cluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database(template="template0")
    request.addfinalizer(lambda: cluster.drop_database(name))
    return cluster.url(name)


def _without_restore_entry(snap: dict) -> dict:
    out = dict(snap)
    out["audit_log"] = [r for r in snap["audit_log"] if r[4] != "restore"]
    return out


def _indicators(engine) -> str:
    from core.periods import parse
    from metrics import compute_indicators

    result = compute_indicators(engine=engine, period=parse("2026-27-Q1"), public=False)
    return json.dumps(result.to_json(), sort_keys=True, default=str)


def test_backup_then_restore_into_an_empty_database_gives_identical_rows(request, engine, backend, tmp_path):
    _fill(engine)
    out = tmp_path / "backups" / "outcomes.backup"
    res = backup(db=engine.url.render_as_string(hide_password=False), out=out)
    assert out.exists() and res.size_bytes == out.stat().st_size and len(res.sha256) == 64
    assert stat.S_IMODE(out.stat().st_mode) & 0o077 == 0  # holds personal data: owner only
    original = snapshot(engine)
    assert read_audit(engine, action="backup").detail.iloc[0] == {"file_name": "outcomes.backup"}

    target = _other_database(request, backend, tmp_path)
    restore(db=target, file=out)
    restored_engine = get_engine(target)
    restored = snapshot(restored_engine)
    assert _without_restore_entry(restored) == original
    for table in ("meetings", "commentary", "actions", "action_notes", "decisions", "signoffs"):
        assert len(restored[table]) == 1, table  # the meeting loop comes back too
    assert len(restored["process_changes"]) == 2  # and the SPC charts' process changes
    assert read_audit(restored_engine, action="restore").detail.iloc[0]["sha256"] == res.sha256
    assert _indicators(restored_engine) == _indicators(engine)
    restored_engine.dispose()


def test_restore_over_changed_data_brings_back_the_backup(engine, tmp_path):
    _fill(engine)
    url = engine.url.render_as_string(hide_password=False)
    backup(db=url, out=tmp_path / "b.backup")
    original = snapshot(engine)
    store(engine, sha=sha_for("later"), partner="aspirations", period="2026-04", rows=90, seed=9)
    audit(engine, username="bob", role="admin", action="upload", detail={})
    assert snapshot(engine) != original

    restore(db=url, file=tmp_path / "b.backup")
    assert _without_restore_entry(snapshot(get_engine(url))) == original


def test_restoring_something_that_is_not_a_backup_fails_clearly(engine, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    url = engine.url.render_as_string(hide_password=False)
    with pytest.raises(BackupError, match="is not a"):
        restore(db=url, file=bogus)
    with pytest.raises(BackupError, match="does not exist"):
        restore(db=url, file=tmp_path / "missing.backup")


def test_backup_and_restore_commands(request, engine, backend, tmp_path):
    _fill(engine)
    url = engine.url.render_as_string(hide_password=False)
    out = tmp_path / "cli.backup"
    env = {**os.environ, "OUTCOMES_DATABASE_URL": "sqlite:////nonexistent/never-used.db"}
    run = dict(cwd=ROOT, capture_output=True, text=True, timeout=180, env=env)
    res = subprocess.run([sys.executable, "-m", "storage", "backup", "--db", url, "--out", str(out)], **run)
    assert res.returncode == 0, res.stderr
    assert "backup of" in res.stdout and str(out) in res.stdout
    original = snapshot(engine)  # the backup logged itself before dumping

    target = _other_database(request, backend, tmp_path)
    res = subprocess.run([sys.executable, "-m", "storage", "restore", "--db", target, "--file", str(out)], **run)
    assert res.returncode == 0, res.stderr
    assert _without_restore_entry(snapshot(get_engine(target))) == original


def test_restore_command_reports_a_missing_file_plainly(engine, capsys, tmp_path):
    from storage.__main__ import run

    url = engine.url.render_as_string(hide_password=False)
    assert run(["restore", "--db", url, "--file", str(tmp_path / "missing.backup")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: backup file") and "Traceback" not in err
