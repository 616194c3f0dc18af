"""Disclosure control over all public outputs together: a year's publication against an analyst's sums."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import metrics
from core.periods import Period, parse, standard_periods
from metrics import disclosure
from storage.repository import read_published
from tests.metrics import attacker, dataset

NEED = disclosure.protection(5)  # 3: a hidden figure must range over at least 4 values, like 1 to 4


# --------------------------------------------------------------------------- the engine on small tables


def _table(values, hidden, sums, known=None):
    n = len(values)
    return disclosure.Table(
        keys=list(range(n)),
        value=np.array(values, float),
        hidden=np.array(hidden),
        known=np.zeros(n, bool) if known is None else np.array(known),
        lower=np.ones(n),
        together=np.arange(n),
        sums=sums,
    )


def test_one_hidden_month_of_a_shown_quarter_hides_the_smallest_other():
    t = _table([25, 10, 3, 12], [False, False, True, False], [(0, [1, 2, 3])])
    v = disclosure.secure(t, threshold=5)
    assert v.safe and t.hidden.tolist() == [False, True, True, False]
    assert all(hi - lo >= NEED for _, lo, hi in disclosure.attack(t))


def test_hidden_cells_that_could_only_be_ones_are_found_out_and_fixed():
    # 1 + 1 hidden beside a shown total: each must be 1. The attacker sees it; another cell goes.
    t = _table([22, 1, 1, 20], [False, True, True, False], [(0, [1, 2, 3])])
    assert [(lo, hi) for _, lo, hi in disclosure.attack(t)] == [(1, 1), (1, 1)]
    disclosure.secure(t, threshold=5)
    assert t.hidden.tolist() == [False, True, True, True]
    assert all(hi - lo >= NEED for _, lo, hi in disclosure.attack(t))


def test_a_known_figure_never_protects_another_and_the_verdict_says_so():
    # the only other figure is known to everyone (e.g. not reported), so the hidden 3 cannot be protected
    t = _table([3, 3, 0], [True, False, False], [(1, [0, 2])], known=[False, True, True])
    v = disclosure.secure(t, threshold=5)
    assert not v.safe


def test_protection_follows_the_threshold(monkeypatch):
    assert disclosure.protection() == 3
    # 4 and 3 hidden beside 20 and the quarter's 27: each ranges over 1 to 6, enough at 5 ...
    t = _table([27, 4, 3, 20], [False, True, True, False], [(0, [1, 2, 3])])
    disclosure.secure(t)
    assert t.hidden.tolist() == [False, True, True, False]
    monkeypatch.setenv("OUTCOMES_SUPPRESSION_THRESHOLD", "10")
    assert disclosure.protection() == 8
    # ... but not at 10, which needs a range as wide as 1 to 9
    t = _table([27, 4, 3, 20], [False, True, True, False], [(0, [1, 2, 3])])
    disclosure.secure(t)
    assert t.hidden.sum() == 3


@st.composite
def years(draw):
    """A random year of one count with a breakdown: 12 months x k categories, every sum of a publication."""
    k = draw(st.integers(1, 4))
    months = np.array(
        draw(st.lists(st.lists(st.integers(0, 12), min_size=k, max_size=k), min_size=12, max_size=12)), float
    )
    rows = list(months) + [months[3 * q : 3 * q + 3].sum(0) for q in range(4)]
    rows += [months[:6].sum(0), months[:9].sum(0), months.sum(0)]
    grid = np.array(rows)  # 19 periods x k cells
    totals = grid.sum(1)
    values = np.concatenate([totals, grid.ravel()])
    cell = lambda p, c: 19 + p * k + c  # noqa: E731
    sums = [(p, [cell(p, c) for c in range(k)]) for p in range(19)] if k > 1 else [(p, [cell(p, 0)]) for p in range(19)]
    for idx in [lambda p: p] + [lambda p, c=c: cell(p, c) for c in range(k)]:
        sums += [(idx(12 + q), [idx(3 * q + j) for j in range(3)]) for q in range(4)]
        sums += [
            (idx(16), [idx(12), idx(13)]),
            (idx(17), [idx(12), idx(13), idx(14)]),
            (idx(18), [idx(12 + q) for q in range(4)]),
        ]
    t = draw(st.integers(5, 10))
    return values, sums, t


@settings(max_examples=25, deadline=None)
@given(years())
def test_property_a_random_year_leaves_nothing_recoverable(year):
    values, sums, t = year
    table = _table(values, disclosure.is_small(values, t), sums)
    v = disclosure.secure(table, threshold=t)
    assert v.safe
    shown = ~table.hidden
    assert not (disclosure.is_small(values, t) & shown).any(), "a small figure is shown"
    assert not (table.hidden & (values == 0)).any(), "a zero is hidden"
    # The analyst's own program (not the product's): every hidden figure ranges over the protection.
    known = {("", str(i), "x", "value"): (None if table.hidden[i] else values[i]) for i in range(len(values))}
    name = lambda i: ("", str(i), "x", "value")  # noqa: E731
    got = attacker.ranges(known, [(name(a), [name(b) for b in bs]) for a, bs in sums])
    assert all(hi - lo >= disclosure.protection(t) - 1e-6 for lo, hi in got.values()), got


# --------------------------------------------------------------------------- the sample's year, end to end


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    """The realistic sample (April 2025 to October 2026), loaded through the loader."""
    from sample_data.build import build_sample
    from storage.db import get_engine

    base = tmp_path_factory.mktemp("sample")
    url = f"sqlite:///{base / 'sample.db'}"
    build_sample(db_url=url, out_dir=base / "files")
    eng = get_engine(url)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


def test_the_sample_year_leaves_nothing_recoverable_from_all_public_figures(sample_engine, caplog):
    caplog.set_level("INFO", logger="outcomes.disclosure")
    out = attacker.found_out(sample_engine, 2025, need=NEED)
    assert out == {}, f"figures worked out from the public year: {list(out.items())[:8]}"
    verdicts = [r.getMessage() for r in caplog.records if "financial year 2025-26" in r.getMessage()]
    assert verdicts and ": safe;" in verdicts[0] and "data version" in verdicts[0]
    assert not any(re.search(r"P\d{4}", m) for m in verdicts)  # no references in the log


def test_the_sample_year_current_status_figures_give_away_no_breakdown_cell(sample_engine):
    """E.g. women in a hostel = HSG-01's denominator - its numerator - the other unsafe accommodations."""
    out = attacker.status_found_out(sample_engine, 2025, need=NEED)
    assert out == {}, f"worked out from one period's figures: {list(out.items())[:8]}"


def test_every_public_output_shows_the_same_pattern(sample_engine):
    q2 = parse("2025-26-Q2")
    months = standard_periods(2025)[:12]
    trend = metrics.trend(engine=sample_engine, periods=months, public=True)
    for p in months:
        alone = metrics.compute_indicators(engine=sample_engine, period=p, public=True)
        rows = trend[trend["period_start"] == p.start].set_index("id")
        for r in alone.results:
            assert bool(rows.loc[r.id, "suppressed"]) == r.suppressed, (p.code(), r.id)
    cmp = metrics.compare(engine=sample_engine, period=parse("2025-26-Q3"), public=True).set_index("id")
    q2_set = metrics.compute_indicators(engine=sample_engine, period=q2, public=True)
    for r in q2_set.results:
        prev = cmp.loc[r.id, "previous_value"]
        assert (r.value is None and pd.isna(prev)) or prev == r.value, r.id
    cells = metrics.trend_breakdown(engine=sample_engine, periods=[q2], public=True, id="HLT-03")
    hlt03 = {c.category: c for c in q2_set.by_id("HLT-03").breakdown}
    for c in cells.itertuples():
        assert bool(c.suppressed) == hlt03[c.category].suppressed


def test_public_sessions_keep_one_pattern_whatever_the_window(sample_engine):
    a = metrics.weekly_attendance(engine=sample_engine, start=date(2025, 7, 1), end=date(2026, 6, 30), public=True)
    b = metrics.weekly_attendance(engine=sample_engine, start=date(2025, 10, 1), end=date(2026, 9, 30), public=True)
    both = a.index.intersection(b.index)
    assert len(both) > 30
    assert (a[both].isna() == b[both].isna()).all()
    exact = metrics.weekly_attendance(engine=sample_engine, start=date(2025, 7, 1), end=date(2026, 6, 30), public=False)
    assert not (disclosure.is_small(exact.to_numpy()) & a.notna().to_numpy()).any()


# --------------------------------------------------------------------------- the two examples, by name


def _feedback(engine, months: dict[str, tuple[int, int]]):
    """Feedback answers: month -> (answered, of them 4 or 5)."""
    for m, (answered, yes) in months.items():
        day = f"{m}-10"
        rows = [(day, None, 5 if i < yes else 2, None, None) for i in range(answered)]
        dataset.submit(engine, "aspirations", m, {"feedback": (dataset.FB, rows)})


def test_women_who_feel_heard_in_q2_cannot_be_worked_out_from_q1_and_the_year_to_date(engine):
    # Q1: 20 of 27 (74.1%); Q2: 13 of 14 (one woman who did not feel heard); year to date 33 of 41.
    _feedback(
        engine,
        {
            "2026-04": (9, 7),
            "2026-05": (9, 6),
            "2026-06": (9, 7),
            "2026-07": (5, 5),
            "2026-08": (5, 4),
            "2026-09": (4, 4),
        },
    )
    pub = {
        p: metrics.compute_indicators(engine=engine, period=parse(p), public=True).by_id("VOI-01")
        for p in ("2026-27-Q1", "2026-27-Q2")
    }
    ytd = metrics.compute_indicators(
        engine=engine, period=Period(date(2026, 4, 1), date(2026, 9, 30)), public=True
    ).by_id("VOI-01")
    assert pub["2026-27-Q2"].suppressed
    assert pub["2026-27-Q1"].suppressed or ytd.suppressed, "Q2 = year to date - Q1"
    assert attacker.found_out(engine, 2026, need=NEED) == {}


def _nurse(engine, months: dict[str, int]):
    """Nurse prescriber consultations: month -> oral health ones (with 6 skin and 3 wound care each month)."""
    for m, oral in months.items():
        rows = [
            (f"{m}-0{1 + i % 9}", "P0001", "nurse_prescriber", "consultation", reason, None)
            for i, reason in enumerate(["oral_health"] * oral + ["skin_infection"] * 6 + ["wound_care"] * 3)
        ]
        dataset.submit(engine, "nurse_prescriber", m, {"health_contacts": (dataset.HC, rows)})


def test_oral_health_quarters_hidden_are_not_given_away_by_the_year_to_date_or_the_breakdown(engine):
    _nurse(engine, {"2026-04": 2, "2026-05": 1, "2026-06": 1, "2026-07": 2, "2026-08": 1, "2026-09": 1})
    q = {
        p: metrics.compute_indicators(engine=engine, period=parse(p), public=True) for p in ("2026-27-Q1", "2026-27-Q2")
    }
    ytd = metrics.compute_indicators(engine=engine, period=Period(date(2026, 4, 1), date(2026, 9, 30)), public=True)
    assert q["2026-27-Q1"].by_id("DEN-02").suppressed and q["2026-27-Q2"].by_id("DEN-02").suppressed
    assert ytd.by_id("DEN-02").suppressed, "8 over two quarters hidden as 1 to 4 gives each away as 4"
    for s in (*q.values(), ytd):  # the same figure in the nurse prescriber's breakdown is hidden too
        oral = next(c for c in s.by_id("HLT-03").breakdown if c.category == "oral_health")
        assert oral.suppressed == s.by_id("DEN-02").suppressed
    assert attacker.found_out(engine, 2026, need=NEED) == {}


# --------------------------------------------------------------------------- over time


def test_a_published_year_stays_safe_as_months_are_added_and_corrected(engine):
    """Hidden stays hidden; and an analyst holding both versions learns nothing either did not say."""
    _nurse(engine, {"2026-04": 2, "2026-05": 7, "2026-06": 9})
    first, exact_first = attacker.collect(engine, 2026, tag="v1")
    recorded = read_published(engine, financial_year=2026)
    assert any(h for h, _ in recorded.values()) and any(not h for h, _ in recorded.values())
    # July arrives, and May is corrected (a consultation recorded twice): 6 oral health, not 7.
    _nurse(engine, {"2026-07": 3})
    dataset.submit(
        engine,
        "nurse_prescriber",
        "2026-05",
        {
            "health_contacts": (
                dataset.HC,
                [
                    ("2026-05-02", "P0001", "nurse_prescriber", "consultation", r, None)
                    for r in ["oral_health"] * 6 + ["skin_infection"] * 6 + ["wound_care"] * 3
                ],
            )
        },
        tag="fix",
    )
    second, exact_second = attacker.collect(engine, 2026, tag="v2")
    for k, v in first.items():
        if v is None:
            assert second[("v2", *k[1:])] is None, f"{k} was hidden and is now shown"
    # The analyst with both: a figure whose value did not change is the same unknown in both.
    same = {("v2", *k[1:]): k for k, v in exact_first.items() if exact_second.get(("v2", *k[1:])) == v}
    equations = attacker.sums(2026, set(first), "v1") + attacker.sums(2026, set(second), "v2")
    got = attacker.ranges({**first, **second}, equations, same=same)
    narrow = {k: r for k, r in got.items() if r[1] - r[0] < NEED - 1e-6}
    assert narrow == {}, narrow


# --------------------------------------------------------------------------- what a public viewer may ask for


def test_public_requests_for_other_periods_are_refused_naming_the_standard_ones(golden_engine):
    week_off = Period(date(2026, 4, 8), date(2026, 6, 30))  # a quarter less its first week
    for call in (
        lambda: metrics.compute_indicators(engine=golden_engine, period=week_off, public=True),
        lambda: metrics.compare(engine=golden_engine, period=week_off, public=True),
        lambda: metrics.overview(engine=golden_engine, period=week_off, public=True),
        lambda: metrics.trend(engine=golden_engine, periods=[week_off], public=True),
    ):
        with pytest.raises(disclosure.NotPublished, match="financial-year quarter") as exc:
            call()
        assert "8 April 2026 to 30 June 2026" in str(exc.value)
    # Restricted users keep custom dates; the standard periods are all published.
    assert metrics.compute_indicators(engine=golden_engine, period=week_off, public=False).by_id("ENG-01").value
    for p in standard_periods(2026):
        disclosure.check_published(p)
    ytd = metrics.compare(engine=golden_engine, period=Period(date(2026, 4, 1), date(2026, 9, 30)), public=True)
    assert ytd["previous_value"].isna().all()  # the six months before a year to date are not published


def test_raising_the_threshold_to_ten_hides_more_and_says_so(built, monkeypatch):
    at5 = metrics.compute_indicators(engine=built, period=parse("2026-04"), public=True)
    assert at5.by_id("ENG-01").value == 6  # six women engaged in April
    assert disclosure.small_range() == "1 to 4"
    monkeypatch.setenv("OUTCOMES_SUPPRESSION_THRESHOLD", "10")
    at10 = metrics.compute_indicators(engine=built, period=parse("2026-04"), public=True)
    assert at10.threshold == 10
    assert at10.by_id("ENG-01").suppressed and at10.by_id("ENG-01").value is None
    for r in at10.to_json()["indicators"]:
        for v in [r["numerator"], r["denominator"], *(c["value"] for c in r["breakdown"])] + (
            [r["value"]] if r["unit"] in ("count", "breakdown") else []
        ):
            assert v is None or not 1 <= v <= 9, (r["id"], v)
    assert disclosure.small_range() == "1 to 9"
