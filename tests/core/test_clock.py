"""The product's one clock: OUTCOMES_TODAY fixes it, time is UK local time, and nothing else reads the wall clock."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta

import pytest

from core import clock
from core import periods as P
from core.settings import PROJECT_ROOT

# Calls that read the wall clock. Only core/clock.py may make them.
_WALL_CLOCK = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("Timestamp", "now"),
    ("Timestamp", "today"),
    ("time", "time"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def _product_files():
    for path in PROJECT_ROOT.rglob("*.py"):
        top = path.relative_to(PROJECT_ROOT).parts[0]
        if top in {"tests", ".venv", ".ci"} or path == PROJECT_ROOT / "core" / "clock.py":
            continue
        yield path


def _wall_clock_calls(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (name, node.func.attr) in _WALL_CLOCK:
                found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return found


def test_no_module_reads_the_wall_clock_itself():
    offenders = [
        f"{p.relative_to(PROJECT_ROOT)}:{line}: {call}"
        for p in _product_files()
        for line, call in _wall_clock_calls(ast.parse(p.read_text()))
    ]
    assert not offenders, "ask core.clock instead:\n" + "\n".join(offenders)


def test_the_scan_finds_a_wall_clock_call():
    """The check above would notice one (it is not vacuous)."""
    src = "import datetime as dt\nfrom datetime import date\nx = date.today()\ny = dt.datetime.now()\n"
    assert [c for _, c in _wall_clock_calls(ast.parse(src))] == ["date.today()", "datetime.now()"]


def test_a_fixed_date_keeps_the_real_time_of_day(monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2027-03-31")
    assert clock.today() == date(2027, 3, 31)
    first = clock.now()
    assert first.tzinfo is not None and first.tzinfo.key == "Europe/London"
    assert clock.now() >= first  # time still passes, so sign-ins still expire


def test_a_fixed_instant_is_frozen_in_local_time(monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-07-15T23:30")
    assert clock.now() == clock.now()
    assert clock.today() == date(2026, 7, 15)
    assert clock.utcnow() == datetime(2026, 7, 15, 22, 30)  # British Summer Time
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-12-15T23:30")
    assert clock.utcnow() == datetime(2026, 12, 15, 23, 30)  # Greenwich Mean Time


def test_unset_it_follows_the_real_clock(monkeypatch):
    monkeypatch.delenv("OUTCOMES_TODAY")
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_a_malformed_date_says_what_is_wanted(monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "next tuesday")
    with pytest.raises(ValueError, match=r"OUTCOMES_TODAY must be a date \(2026-11-20\)"):
        clock.today()


@pytest.mark.parametrize(
    ("day", "utc"),
    [
        (date(2026, 10, 15), datetime(2026, 10, 15, 22, 59, 59, 999999)),  # BST
        (date(2026, 12, 15), datetime(2026, 12, 15, 23, 59, 59, 999999)),  # GMT
        (date(2027, 3, 28), datetime(2027, 3, 28, 22, 59, 59, 999999)),  # the clocks went forward that morning
        (date(2026, 10, 25), datetime(2026, 10, 25, 23, 59, 59, 999999)),  # and back
    ],
)
def test_end_of_day_is_local_midnight(day, utc):
    assert clock.end_of_day(day) == utc


def test_stored_times_read_back_as_local():
    assert clock.local(datetime(2026, 7, 1, 12, 0)).hour == 13
    assert clock.local(datetime(2026, 1, 1, 12, 0)).hour == 12


@pytest.mark.parametrize(
    ("today", "quarter", "fy"),
    [
        (date(2027, 3, 31), P.quarter(2026, 3), 2026),  # the last day of the year: Q4 is not over
        (date(2027, 4, 1), P.quarter(2026, 4), 2027),  # the first day of the next
        (date(2028, 2, 29), P.quarter(2027, 3), 2027),  # a leap day
        (date(2028, 3, 1), P.quarter(2027, 3), 2027),
    ],
)
def test_financial_years_and_quarters_follow_1_april(today, quarter, fy):
    assert P.latest_complete_quarter(today) == quarter
    assert P.fy_of(today) == fy


def test_the_year_to_date_across_a_leap_day():
    fy = P.financial_year(2027)
    assert fy.end == date(2028, 3, 31)
    assert len(fy.months()) == 12
    assert P.month(2028, 2).end == date(2028, 2, 29)
    assert P.due_date(date(2028, 1, 1)) == date(2028, 2, 15)
    assert P.due_date(date(2028, 2, 29)) == date(2028, 3, 15)


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2026, 12, 1), date(2026, 11, 1)),
        (date(2027, 1, 31), date(2026, 12, 1)),
        (date(2028, 3, 1), date(2028, 2, 1)),
    ],
)
def test_the_last_complete_month(today, month):
    assert P.last_complete_month(today).start == month
