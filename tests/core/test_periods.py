"""Reporting periods: the standard periods published figures are given for, and periods a person types:
outside the data's plausible range they are refused with a plain message."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from core import periods
from core.periods import Period, financial_year, parse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text",
    ["9999-12", "1999-12", "1900-01", "9999-10000-Q1", "2000-01-01..9999-12-31", "1999-12-31..2000-01-31", "2028-01"],
)
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
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_loaders",
            "ingest",
            str(path),
            "--partner",
            "aspirations",
            "--period",
            "9999-12",
            "--dry-run",
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    assert "outside the range of our data" in res.stderr


def test_standard_periods_of_a_financial_year():
    from core.periods import is_standard, standard_periods, year_to_date

    got = standard_periods(2026)
    assert len(got) == 19 and got[0] == parse("2026-04") and got[11] == parse("2027-03")
    assert got[12:16] == [parse(f"2026-27-Q{q}") for q in (1, 2, 3, 4)]
    assert got[16:] == [year_to_date(2026, 2), year_to_date(2026, 3), financial_year(2026)]
    assert year_to_date(2026, 2) == Period(date(2026, 4, 1), date(2026, 9, 30))
    assert all(is_standard(p) for p in got)
    assert not is_standard(Period(date(2026, 4, 8), date(2026, 6, 30)))  # a quarter less its first week
    assert not is_standard(Period(date(2026, 3, 1), date(2026, 4, 30)))  # two months
    assert not is_standard(Period(date(2026, 1, 1), date(2026, 12, 31)))  # a calendar year
