"""The default sample builds through the real loader: every file accepted, every row where it should be."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from core.returns import DIRECT_CONTACT
from storage import repository

ROOT = Path(__file__).resolve().parents[2]
# One full build (about 190 files through the real loader) shared by the module.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from sample_data.build import build_sample
    from storage.db import get_engine

    base = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{base / 'sample.db'}"
    summary = build_sample(db_url=url, out_dir=base / "files")
    engine = get_engine(url)
    yield summary, engine
    engine.dispose()
    get_engine.cache_clear()


def test_every_file_is_accepted_with_the_period_in_its_name(built):
    summary, _ = built
    assert summary.files
    assert summary.unexpected == []
    for f in summary.files:
        assert f.status == f.expected_status, (f.name, f.errors[:3])
        assert f.loaded_period == f.period, f.name
        if f.kind != "refused":
            assert f.loaded_rows == f.rows, f.name
    assert summary.accepted == len(summary.files) - 1


def test_the_deliberately_wrong_file_is_refused_saying_where_without_echoing_references(built):
    summary, engine = built
    wrong = next(f for f in summary.files if f.kind == "refused")
    assert wrong.status == "rejected"
    assert [e["column"] for e in wrong.errors] == ["Risk level"]
    assert not re.search(r"P\d{4}|p\d{1,4}", str(wrong.errors))
    refusals = repository.list_refusals(engine)
    assert list(refusals["file_name"]) == [wrong.name]
    assert sorted(p.name for p in summary.out_dir.iterdir()) == sorted(f.name for f in summary.files)


def test_database_holds_exactly_the_generated_rows(built):
    summary, engine = built
    held = repository.row_counts(engine)
    assert held == {k: summary.rows.get(k, 0) for k in held}
    assert summary.total_rows > 3000


def test_submissions_are_loaded_by_the_partner_at_realistic_times(built):
    summary, engine = built
    subs, _ = repository.list_submissions(engine)
    assert len(subs) == summary.accepted
    assert set(subs["loaded_by"]) == {f"sample:{p}" for p in subs["partner"]}
    planned = {f.name: f.loaded_at for f in summary.files}
    for name, at in zip(subs["file_name"], subs["loaded_at"], strict=True):
        assert pd.Timestamp(at) == pd.Timestamp(planned[name])


def test_missing_month_nil_return_and_late_returns_show_in_coverage(built):
    summary, engine = built
    facts = summary.world.facts
    cov = repository.read_coverage(engine)
    vineyard = cov[cov["partner"] == "vineyard"]
    missing = pd.Timestamp(facts.missing_month)
    assert not ((vineyard["period_start"] <= missing) & (vineyard["period_end"] >= missing)).any()
    nil = cov[(cov["partner"] == "dental") & (cov["period_end"] < pd.Timestamp(facts.dental_start))]
    assert len(nil) == 1 and nil["rows"].iloc[0] == 0
    due = (cov["period_end"] + pd.offsets.MonthBegin(1)) + pd.Timedelta(days=14)
    late = cov["loaded_at"].dt.normalize() > due
    assert 0 < late.sum() < 0.15 * len(cov)


def test_correction_replaces_the_first_file_and_history_is_kept(built):
    summary, engine = built
    first = next(f for f in summary.files if f.kind == "superseded")
    fixed = next(f for f in summary.files if f.kind == "correction")
    start = pd.Timestamp(first.period.split("-")[0] + "-" + first.period.split("-")[1] + "-01").date()
    end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
    between = datetime.fromisoformat(first.loaded_at) + timedelta(days=1)
    before = repository.read_return(engine, "attendance", as_of=between, start=start, end=end)
    now = repository.read_return(engine, "attendance", start=start, end=end)
    assert len(before) == first.rows["attendance"]
    assert len(now) == fixed.rows["attendance"] > len(before)
    assert pd.Timestamp(summary.world.facts.corrected_session) in set(now["session_date"])
    assert pd.Timestamp(summary.world.facts.corrected_session) not in set(before["session_date"])


def test_story_facts_hold_in_the_database(built):
    summary, engine = built
    facts = summary.world.facts
    k = repository.read_return(engine, "keywork_review").sort_values(["person_id", "review_date"])
    prev = k.groupby("person_id")["child_contact"].shift()
    restarted = set(k.loc[prev.isin(["none", "indirect"]) & k["child_contact"].isin(DIRECT_CONTACT), "person_id"])
    assert restarted == set(facts.restart_women) and len(restarted) == 3
    hc = repository.read_return(engine, "health_contacts")
    dental = hc[hc["service"] == "dental"]
    assert len(dental) > 0 and (dental["contact_date"] >= pd.Timestamp(facts.dental_start)).all()
    # References written 'p42' or ' P042 ' in the files are held in the one agreed form.
    for name in ("attendance", "keywork_review", "safeguarding", "outreach"):
        ids = repository.read_return(engine, name)["person_id"].dropna()
        assert ids.map(lambda v: bool(re.fullmatch(r"P\d{4}", v))).all(), name
    # Labels in the files ('Rough sleeping') are held as codes.
    assert "rough_sleeping" in set(k["accommodation"].dropna())


def test_the_story_records_its_process_change_as_an_administrator_would(built):
    """The dental service's start rebases the dental charts: recorded in the database, with its reason."""
    from metrics import spc
    from storage.repository import read_audit

    summary, engine = built
    start = summary.world.facts.dental_start
    assert [(c["changed_on"], c["reason"], c["applies_to"]) for c in spc.recorded_changes(engine)] == [
        (start, "Dental service started at the drop-in", ["DEN-01", "DEN-02"])
    ]
    assert spc.process_changes("DEN-02", engine=engine) == [
        spc.ProcessChange(start, "Dental service started at the drop-in")
    ]
    assert spc.process_changes("attendance", engine=engine) == []
    assert len(read_audit(engine, action="process_change_added")) == 1


def test_demo_accounts_are_created_when_the_users_module_offers_them(built):
    from storage import users

    _, engine = built
    assert len(users.list_users(engine)) > 0


def test_build_command_prints_a_summary(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "sample_data",
            "build",
            "--db",
            url,
            "--out",
            str(tmp_path / "f"),
            "--women",
            "12",
            "--months",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert re.search(r"Loaded \d+ sample files", res.stdout)
    assert "accepted" in res.stdout and "rejected" not in res.stdout


def test_ensure_rebuilds_a_sample_from_an_earlier_month_and_keeps_a_current_one(tmp_path, monkeypatch, capsys):
    """``make run`` calls ``ensure``: opened in a later month, the demo moves on to that month's story."""
    from sample_data.__main__ import main
    from sample_data.build import sample_end

    url = f"sqlite:///{tmp_path / 'data' / 'outcomes.db'}"
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")
    assert main(["ensure", "--db", url]) == 0
    assert "Built the sample database." in capsys.readouterr().out
    assert sample_end(url) == date(2026, 10, 1)
    assert main(["ensure", "--db", url]) == 0
    assert "current (returns to October 2026)" in capsys.readouterr().out
    monkeypatch.setenv("OUTCOMES_TODAY", "2027-02-03")
    assert main(["ensure", "--db", url]) == 0
    assert "(it ended with October 2026)" in capsys.readouterr().out
    assert sample_end(url) == date(2027, 1, 1)
