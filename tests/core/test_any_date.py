"""The product on awkward days of the calendar: the sample story, the returns grid, what is owed, the default
period and the pages, each with the clock fixed to the day (``OUTCOMES_TODAY``).

Year end and the day after, the 15th and 16th of a month (the deadline), a leap day, the two Sundays the clocks
change, and a day two years after the suite's own sample ends. Each day builds its own sample through the real
loader, as ``make run`` would on that day.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from core import clock
from core import periods as P
from metrics.api import default_period
from metrics.completeness import return_grid
from tests.conftest import SUITE_TODAY
from tests.pages.conftest import TEST_SECRET, USERS, all_text, signed_in
from ui import navigation

DAYS = {
    "year end": "2027-03-31",
    "new financial year": "2027-04-01",
    "due date": "2026-12-15T23:30",
    "day after the due date": "2026-12-16T00:30",
    "leap day": "2028-02-29",
    "clocks go forward": "2027-03-28",
    "clocks go back": "2026-10-25",
    "two years on": P.add_months(date.fromisoformat(SUITE_TODAY), 24).isoformat(),
}


@pytest.fixture(scope="module", params=list(DAYS), ids=list(DAYS))
def day(request, tmp_path_factory):
    """The clock fixed to the day, and the sample built that day (as ``make run`` would)."""
    from sample_data.build import build_sample

    mp = pytest.MonkeyPatch()
    mp.setenv("OUTCOMES_TODAY", DAYS[request.param])
    url = f"sqlite:///{tmp_path_factory.mktemp('day') / 'outcomes.db'}"
    summary = build_sample(db_url=url)
    yield {"fixed": DAYS[request.param], "today": clock.today(), "now": clock.utcnow(), "url": url, "summary": summary}
    mp.undo()


@pytest.fixture
def app(day, monkeypatch):
    """Factory: a run AppTest of a page, signed in as a demo role, on the day's sample."""
    monkeypatch.setenv("OUTCOMES_TODAY", day["fixed"])
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", day["url"])
    monkeypatch.setenv("OUTCOMES_SAMPLE", "1")
    monkeypatch.setenv("OUTCOMES_COOKIE_SECRET", TEST_SECRET)

    def open_page(role: str, key: str):
        at = signed_in(USERS[role])
        at.run()
        page = navigation.page(key)
        if not page.default:
            at.switch_page(page.file).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return open_page


def test_the_story_ends_with_the_last_complete_month_and_keeps_its_shape(day):
    s = day["summary"]
    months = s.world.months
    assert months[-1] == P.last_complete_month(day["today"]).start
    assert len(months) == 19 and s.world.women == 50
    assert not s.unexpected, [f.name for f in s.unexpected]
    assert s.statuses["rejected"] == 1  # the refused file, resent fixed
    assert {f.kind for f in s.files} >= {"nil", "superseded", "correction", "refused"}
    assert max(datetime.fromisoformat(f.loaded_at) for f in s.files) <= day["now"]  # nothing from the future
    facts = s.world.facts
    assert facts.missing_month == months[8] and facts.corrected_month == months[7]
    assert len(facts.restart_women) == 3
    assert months[0] < facts.dental_start <= months[12]


def test_the_returns_grid_shows_the_missing_and_late_returns_and_what_is_owed(day):
    import sqlalchemy as sa

    today = day["today"]
    engine = sa.create_engine(day["url"])
    end = P.last_complete_month(today).end
    grid = return_grid(engine=engine, start=P.add_months(P.month_start(end), -11), end=end, today=today)
    states = set(grid["state"])
    assert {"on_time", "late", "missing"} <= states
    missing = grid[grid["state"] == "missing"]
    assert (missing["due"] < today).all()
    assert day["summary"].world.facts.missing_month in set(missing[missing["partner"] == "vineyard"]["month"])
    # nothing is owed before its due date: the last month's returns are in, or not yet due
    last = grid[grid["month"] == P.month_start(end)]
    assert set(last["state"]) <= {"on_time", "nil_return", "not_yet_due"}
    if today <= P.due_date(end):
        assert "late" not in set(last["state"])
    engine.dispose()


def test_the_default_period_is_the_latest_complete_quarter(day):
    p = default_period(today=day["today"])
    assert p.end < day["today"] and p == P.latest_complete_quarter(day["today"])
    assert P.as_quarter(p) is not None


def test_the_meeting_overview_has_figures(app, day):
    at = app("commissioner", "overview")
    tiles = [m.value for m in at.markdown if 'class="tile"' in m.value]
    assert len(tiles) == 8
    values = [re.search(r'class="tile-value">([^<]*)<', t).group(1) for t in tiles]
    # figures (or a suppression sign for the commissioner), never "not reported"
    assert all(re.search(r"\d", v) or v == "*" for v in values), values
    assert sum(bool(re.search(r"\d", v)) for v in values) >= 5, values
    quarter = P.latest_complete_quarter(day["today"])
    assert f"{quarter.start:%B}" in all_text(at) or P.fy_label(P.as_quarter(quarter)[0]) in all_text(at)


def test_the_returns_page_shows_missing_and_late_cells_in_view(app):
    at = app("chair", "returns")
    grid = at.dataframe[0].value.to_csv()
    assert "✗ Missing" in grid and "Late" in grid
