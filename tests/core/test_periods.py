"""Periods a person types: outside the data's plausible range they are refused with a plain message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core import periods

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["9999-12", "1999-12", "1900-01", "9999-10000-Q1", "2000-01-01..9999-12-31",
                                  "1999-12-31..2000-01-31", "2028-01"])
def test_periods_outside_the_plausible_range_are_refused(text, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")
    with pytest.raises(periods.PeriodError, match="outside the range of our data.*January 2000 and December 2027"):
        periods.parse(text)


@pytest.mark.parametrize("text", ["2000-01", "2026-04", "2026-27-Q1", "2027-12", "2026-04-01..2026-06-30"])
def test_periods_within_it_are_read(text, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")
    assert periods.parse(text).start.year >= 2000


def test_a_file_named_for_an_impossible_period_has_no_period_from_its_name(monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")
    assert periods.from_filename("attendance_9999-12.xlsx") is None


def test_the_command_line_refuses_9999_12_without_a_traceback(tmp_path):
    path = tmp_path / "attendance.csv"
    path.write_text("session_date,person_id\n01/04/2026,P0001\n")
    res = subprocess.run([sys.executable, "-m", "data_loaders", "ingest", str(path), "--partner", "aspirations",
                          "--period", "9999-12", "--dry-run", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "outside the range of our data" in res.stderr
