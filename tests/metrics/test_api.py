"""Every indicator on the hand-built dataset, worked out by hand; as-of, corrections, comparisons, trends."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest

import metrics
from core.periods import Period, month, parse, quarter
from tests.metrics import dataset

APRIL = parse("2026-04")
# Period end 30 April 2026: current status window 29 Jan 2026 (end - 91) .. 30 Apr;
# last 12 months 1 May 2025 (end - 364) .. 30 Apr 2026.
assert APRIL.end - timedelta(days=91) == date(2026, 1, 29)
assert APRIL.end - timedelta(days=364) == date(2025, 5, 1)


def _wilson(o: float, n: float) -> tuple[float, float]:
    """Written out independently of metrics.stats, from indicators spec section 3."""
    z = 1.959964
    p = o / n
    root = z * math.sqrt(z * z + 4 * o * (1 - p))
    return ((2 * o + z * z - root) / (2 * (n + z * z)) * 100, (2 * o + z * z + root) / (2 * (n + z * z)) * 100)


# id: (numerator, denominator, value) -- the arithmetic, from tests/metrics/dataset.py
GOLDEN = {
    # cohort in April: attendance P0001, P0002, P0003, P0004, P0005; outreach with a person P0006, P0001 -> 6
    "ENG-01": (6, None, 6),
    # new: P0003, P0004, P0006. Not new: P0001/P0002 attended 26 March, P0005 had outreach 14 Feb -> 3
    "ENG-02": (3, None, 3),
    # >= 3 distinct sessions: P0001 (2, 9, 16 Apr), P0002 (2, 9, 16, 23 Apr) -> 2 / 6
    "ENG-03": (2, 6, 2 / 6 * 100),
    # (session, woman) pairs: 3 + 4 + 2 + 1 + 1 = 11; sessions 2, 9, 16, 23, 30 Apr = 5 -> 11 / 5
    "ENG-04": (11, 5, 2.2),
    # outreach rows with no person dated in April: 3, 12, 20 April (14 Feb is outside) -> 3
    "ENG-05": (3, None, 3),
    # STI screen 1 May 2025..30 Apr 2026, engaged: P0001 (2 Apr 26), P0002 (1 May 25, day 364);
    # not P0003 (30 Apr 25, day 365), P0004 (contraception), P0009 (not engaged) -> 2 / 6
    "HLT-01": (2, 6, 2 / 6 * 100),
    # mental health in April, engaged: P0003 (twice, once counted), P0006; not P0010 (not engaged),
    # not P0004 (30 March) -> 2 / 6
    "HLT-02": (2, 6, 2 / 6 * 100),
    # nurse prescriber rows in April: 2, 9, 16, 23 April -> 4 (31 March outside)
    "HLT-03": (4, None, 4),
    # referral to breast/cervical screening in April: P0001 cervical (2 Apr), P0002 breast (9 Apr) -> 2
    "HLT-04": (2, None, 2),
    # dental 1 May 2025..30 Apr 2026, engaged: P0005 (20 Nov 25), P0006 (22 Apr 26); P0002's 15 Apr 25 too old
    "DEN-01": (2, 6, 2 / 6 * 100),
    # nurse prescriber with reason oral_health in April: P0002, P0007 -> 2
    "DEN-02": (2, None, 2),
    # current treatment, engaged, in_treatment Y: P0001 (15 Apr), P0002 (29 Jan = exactly 91 days);
    # P0003's 28 Jan row is 92 days old (stale); P0004 is N -> 2 / 6
    "DRG-01": (2, 6, 2 / 6 * 100),
    # current stage ready/referred, engaged or not: P0001 ready, P0002 referred, P0010 ready -> 3
    "RHB-01": (3, None, 3),
    # first-ever admitted/completed in April: P0008 (5 Apr); P0009's first was 1 Dec 25; P0003's 28 Jan -> 1
    "RHB-02": (1, None, 1),
    # women with a current status: P0001, P0002, P0004, P0008, P0009, P0010 -> 6
    "RHB-03": (6, None, 6),
    # none/indirect then direct: P0001 (5 Mar none -> 5 Apr supervised), P0003 (10 Jan none -> 12 Apr
    # living_with), P0007 (2 Apr indirect -> 25 Apr unsupervised); P0011's previous review is blank -> 3
    "FAM-01": (3, None, 3),
    # current review, has children Y: P0001 supervised, P0002 indirect, P0003 living_with, P0007 unsupervised,
    # P0011 supervised (P0004 stale, P0006 N, P0008 blank) -> 4 / 5
    "FAM-02": (4, 5, 80.0),
    # known accommodation: P0001 temporary, P0002 rough, P0007 rough, P0008 supported, P0011 settled
    # (P0003 blank, P0006 unknown, P0004 stale) -> safe 3 / 5
    "HSG-01": (3, 5, 60.0),
    # rough sleeping: P0002, P0007 -> 2
    "HSG-02": (2, None, 2),
    # working status recorded: P0001 reduced, P0002 active, P0006 stopped, P0007 active, P0008 reduced -> 3 / 5
    "EXT-01": (3, 5, 60.0),
    # latest row in April: P0001 high/N, P0002 high/Y, P0003 low (out), P0007 high/Y; P0009 in March -> 2 / 3
    "SAF-01": (2, 3, 2 / 3 * 100),
    # police month April 2026: 4 (March's 7 is outside)
    "SAF-02": (4, None, 4),
    # 6 / (6 + 2)
    "CJS-01": (6, 8, 75.0),
    # 12 + 3 + 5 (28 March outside) -> 20
    "WKF-01": (20, None, 20),
    # hairdressing or arts_crafts in April: P0001, P0002 -> 2 / 6
    "WID-01": (2, 6, 2 / 6 * 100),
    # condoms in April: 100 + 50 (leaflets and March excluded) -> 150
    "SUP-01": (150, None, 150),
    # feel_heard answered in April: 5, 4, 3, 2, 4 (one blank) -> 4 or 5: 3 / 5
    "VOI-01": (3, 5, 60.0),
}

BREAKDOWNS = {
    "HLT-03": {"skin_infection": 1, "oral_health": 2, "not_recorded": 1},
    "RHB-03": {"ready": 2, "referred": 1, "not_recorded": 1, "admitted": 1, "completed": 1},
    "WKF-01": {"police": 12, "probation": 3, "health": 5},
}


@pytest.fixture(scope="module")
def april(golden_engine):
    return metrics.compute_indicators(engine=golden_engine, period=APRIL, public=False)


@pytest.mark.parametrize("ind_id", list(GOLDEN))
def test_golden_values(april, ind_id):
    r = april.by_id(ind_id)
    num, den, value = GOLDEN[ind_id]
    assert r.numerator == num
    assert r.denominator == den
    assert r.value == pytest.approx(value, rel=1e-12)
    assert r.suppressed is False


def test_every_indicator_is_in_the_golden_table(april):
    assert [r.id for r in april.results] == [i.id for i in metrics.CATALOGUE] == list(GOLDEN)


@pytest.mark.parametrize("ind_id", [i for i, g in GOLDEN.items() if metrics.catalogue.by_id(i).unit == "percent"])
def test_percent_cis_are_wilson(april, ind_id):
    num, den, _ = GOLDEN[ind_id]
    lo, hi = _wilson(num, den)
    r = april.by_id(ind_id)
    assert r.lower_ci == pytest.approx(lo, rel=1e-9) and r.upper_ci == pytest.approx(hi, rel=1e-9)
    assert r.lower_ci < r.value < r.upper_ci


def test_counts_and_means_carry_no_ci(april):
    for r in april.results:
        if r.unit != "percent":
            assert r.lower_ci is None and r.upper_ci is None


def test_two_of_six_interval_by_hand(april):
    # O=2, n=6: (4 + 3.8415 -/+ 1.96*sqrt(3.8415 + 5.3333)) / (2 * 9.8415) -> 9.68% .. 70.00%
    r = april.by_id("ENG-03")
    assert r.lower_ci == pytest.approx(9.677, abs=1e-3)
    assert r.upper_ci == pytest.approx(70.001, abs=1e-3)


@pytest.mark.parametrize("ind_id", list(BREAKDOWNS))
def test_golden_breakdowns(april, ind_id):
    cells = {c.category: c.value for c in april.by_id(ind_id).breakdown}
    assert cells == BREAKDOWNS[ind_id]
    assert sum(cells.values()) == april.by_id(ind_id).value


def test_other_indicators_have_no_breakdown(april):
    assert all(not r.breakdown for r in april.results if r.id not in BREAKDOWNS)


def test_completeness_with_a_nil_return_and_a_missing_return(april):
    # vineyard sent a nil outreach return for April: covered, so ENG-01 is complete
    assert april.by_id("ENG-01").status == "complete"
    # vineyard sent no supplies return for April: incomplete, computed from aspirations' rows
    sup = april.by_id("SUP-01")
    assert (sup.status, sup.missing, sup.value) == ("incomplete", ["vineyard/supplies/2026-04"], 150)
    assert [r.id for r in april.results if r.status != "complete"] == ["SUP-01"]


def test_month_with_nothing_submitted_is_not_reported(golden_engine):
    may = metrics.compute_indicators(engine=golden_engine, period=parse("2026-05"), public=False)
    for r in may.results:
        assert r.status == "not_reported"
        assert (r.value, r.numerator, r.denominator, r.lower_ci, r.upper_ci) == (None,) * 5
        assert r.breakdown == [] and r.rag is None
    eng03 = may.by_id("ENG-03")
    assert sorted(eng03.missing) == sorted(
        f"{s}/2026-05" for s in ["aspirations/attendance", "aspirations/outreach", "vineyard/outreach"]
    )


def test_partly_covered_period_is_incomplete(golden_engine):
    # March..April: vineyard/outreach covered only April, the drug service both months
    s = metrics.compute_indicators(
        engine=golden_engine, period=Period(date(2026, 3, 1), APRIL.end), public=False, ids=["ENG-01", "RHB-01"]
    )
    eng = s.by_id("ENG-01")
    assert eng.status == "incomplete"
    assert sorted(eng.missing) == ["aspirations/outreach/2026-03", "vineyard/outreach/2026-03"]
    assert s.by_id("RHB-01").status == "complete"


def test_partial_months_count_as_months_of_the_period(golden_engine):
    s = metrics.compute_indicators(
        engine=golden_engine, period=Period(date(2026, 4, 20), date(2026, 5, 3)), public=False, ids=["SAF-02"]
    )
    assert s.by_id("SAF-02").missing == ["police/police_monthly/2026-05"]
    assert s.by_id("SAF-02").status == "incomplete"


def test_zero_denominator_is_null_not_zero(golden_engine):
    # 1-7 March 2026: no attendance or outreach -> ENG-01 = 0 and every share of it has no value
    s = metrics.compute_indicators(
        engine=golden_engine, period=Period(date(2026, 3, 1), date(2026, 3, 7)), public=False
    )
    assert s.by_id("ENG-01").value == 0
    for i in ("ENG-03", "DRG-01", "WID-01"):  # their own sources covered March
        r = s.by_id(i)
        assert r.denominator == 0 and r.value is None and r.lower_ci is None
    assert s.by_id("ENG-04").value is None  # a mean over no sessions
    assert s.by_id("WKF-01").value == 0  # reported, no course in 1-7 March: zero, not null
    assert s.by_id("ENG-05").status == "not_reported"  # no outreach return covers March


def test_status_exactly_91_days_old_counts_and_92_is_stale(golden_engine):
    # P0002's only treatment row in the window is 29 Jan (91 days before 30 Apr): she is 'referred'.
    # P0003's 28 Jan row is 92 days old: no current status, so she is not in RHB-03 at all.
    s = metrics.compute_indicators(engine=golden_engine, period=APRIL, public=False, ids=["RHB-03"])
    assert {c.category: c.value for c in s.by_id("RHB-03").breakdown}.get("referred") == 1
    # A day later (period ending 1 May) P0002's row is 92 days old and drops out
    later = metrics.compute_indicators(
        engine=golden_engine, period=Period(date(2026, 4, 2), date(2026, 5, 1)), public=False, ids=["RHB-03", "RHB-01"]
    )
    assert "referred" not in {c.category for c in later.by_id("RHB-03").breakdown}
    assert later.by_id("RHB-01").value == 2  # P0001, P0010


def test_blank_on_the_latest_row_is_unknown_even_if_older_row_had_it(golden_engine):
    # P0004: 10 Mar 'considering', 10 Apr blank -> not_recorded, not considering
    s = metrics.compute_indicators(engine=golden_engine, period=APRIL, public=False, ids=["RHB-03"])
    assert "considering" not in {c.category for c in s.by_id("RHB-03").breakdown}


def test_new_woman_in_the_period(golden_engine):
    # In March P0001 and P0002 attended for the first time held: both new; in April they are not
    s = metrics.compute_indicators(
        engine=golden_engine, period=parse("2026-03"), public=False, ids=["ENG-01", "ENG-02"]
    )
    assert (s.by_id("ENG-01").value, s.by_id("ENG-02").value) == (2, 2)


def test_correction_and_as_of(built):
    dataset.correct_attendance(built)
    # Now: P0004's only April contact is gone -> 5 engaged; new women P0003, P0006
    now = metrics.compute_indicators(engine=built, period=APRIL, public=False, ids=["ENG-01", "ENG-02", "ENG-04"])
    assert (now.by_id("ENG-01").value, now.by_id("ENG-02").value) == (5, 2)
    assert now.by_id("ENG-04").value == pytest.approx(10 / 4)  # 10 pairs over 2, 9, 16, 23 Apr
    # As the data stood on 15 May (before the correction of 20 May): the original figures
    before = metrics.compute_indicators(
        engine=built, period=APRIL, public=False, as_of=date(2026, 5, 15), ids=["ENG-01", "ENG-02"]
    )
    assert (before.by_id("ENG-01").value, before.by_id("ENG-02").value) == (6, 3)
    on_the_day = metrics.compute_indicators(
        engine=built, period=APRIL, public=False, as_of=date(2026, 5, 20), ids=["ENG-01"]
    )
    assert on_the_day.by_id("ENG-01").value == 5


def test_as_of_before_anything_was_loaded_is_not_reported(golden_engine):
    s = metrics.compute_indicators(engine=golden_engine, period=APRIL, public=False, as_of=date(2026, 5, 9))
    assert {r.status for r in s.results} == {"not_reported"}


def test_unknown_id_is_refused(golden_engine):
    with pytest.raises(KeyError):
        metrics.compute_indicators(engine=golden_engine, period=APRIL, public=False, ids=["XXX-99"])


def test_targets_and_rag(april):
    # the tests' targets (tests/metrics/conftest.py), year 2026-27 holds 30 April 2026: HLT-01 65 -> 33.3 red;
    # FAM-02 40 -> 80 green; HSG-02 target 5 (lower is better) -> 2 green; ENG-05 has no target
    assert (april.by_id("HLT-01").target, april.by_id("HLT-01").rag) == (65.0, "red")
    assert april.by_id("FAM-02").rag == "green"
    assert april.by_id("HSG-02").rag == "green"
    assert (april.by_id("ENG-05").target, april.by_id("ENG-05").rag) == (None, None)


def test_target_year_is_the_one_holding_the_period_end(golden_engine):
    # 1 March .. 30 April 2026 ends in 2026-27: HLT-01's 2026-27 target (65), not the default (50)
    s = metrics.compute_indicators(
        engine=golden_engine, period=Period(date(2026, 3, 1), APRIL.end), public=False, ids=["HLT-01"]
    )
    assert s.by_id("HLT-01").target == 65.0
    march = metrics.compute_indicators(engine=golden_engine, period=parse("2026-03"), public=False, ids=["HLT-01"])
    assert march.by_id("HLT-01").target == 50.0


def test_database_target_overrides_and_amber(built):
    from metrics.targets import set_target

    set_target(engine=built, financial_year=2026, indicator_id="FAM-02", value=88, set_by="test")
    s = metrics.compute_indicators(engine=built, period=APRIL, public=False, ids=["FAM-02"])
    # 80 against 88: short by 8, within 10% of 88 (8.8) -> amber
    assert (s.by_id("FAM-02").target, s.by_id("FAM-02").rag) == (88.0, "amber")


def test_public_set_suppresses_small_figures(golden_engine):
    pub = metrics.compute_indicators(engine=golden_engine, period=APRIL, public=True)
    assert pub.public and pub.threshold == 5
    # ENG-01 = 6 is shown; ENG-02 = 3 is suppressed; ENG-03 2/6 suppressed on its numerator
    assert pub.by_id("ENG-01").value == 6
    assert (pub.by_id("ENG-02").value, pub.by_id("ENG-02").suppressed) == (None, True)
    e3 = pub.by_id("ENG-03")
    assert (e3.value, e3.numerator, e3.denominator, e3.lower_ci, e3.upper_ci, e3.rag) == (None,) * 6
    # SUP-01 = 150 shown; CJS-01 6/8: complement 2 -> suppressed
    assert pub.by_id("SUP-01").value == 150 and pub.by_id("CJS-01").suppressed
    # ENG-04's mean rests on 5 women: shown, but never its parts
    e4 = pub.by_id("ENG-04")
    assert (e4.value, e4.numerator, e4.denominator) == (2.2, None, None)
    # WKF-01: probation 3 suppressed, so the smallest other non-zero cell (health 5) too; police 12 shown
    cells = {c.category: (c.value, c.suppressed) for c in pub.by_id("WKF-01").breakdown}
    assert cells == {"police": (12, False), "probation": (None, True), "health": (None, True)}
    assert pub.by_id("WKF-01").value == 20


def test_public_json_has_no_small_count_anywhere(golden_engine):
    pub = metrics.compute_indicators(engine=golden_engine, period=APRIL, public=True).to_json()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k not in ("lower_ci", "upper_ci", "target") and not (k == "value" and isinstance(v, float)):
                    yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)
        elif isinstance(x, int) and not isinstance(x, bool):
            yield x

    assert not [v for v in walk(pub["indicators"]) if 1 <= v <= 4]


def test_json_shape(april):
    j = april.to_json()
    assert set(j) == {"period", "public", "indicators"}
    assert j["period"] == {"start": "2026-04-01", "end": "2026-04-30"}
    keys = {
        "id",
        "name",
        "unit",
        "polarity",
        "numerator",
        "denominator",
        "value",
        "lower_ci",
        "upper_ci",
        "suppressed",
        "status",
        "missing",
        "target",
        "rag",
        "breakdown",
    }
    assert all(set(i) == keys for i in j["indicators"])
    assert j["indicators"][0]["unit"] == "count" and j["indicators"][0]["polarity"] == "up"
    frame = april.to_frame()
    assert len(frame) == 27 and "breakdown" not in frame.columns


@pytest.mark.parametrize("public", [False, True])
def test_trend_matches_single_periods(golden_engine, public):
    periods = [month(2026, m) for m in (1, 2, 3, 4)]
    t = metrics.trend(engine=golden_engine, periods=periods, public=public)
    assert len(t) == 27 * 4
    for p in (periods[2], periods[3]):
        single = metrics.compute_indicators(engine=golden_engine, period=p, public=public)
        for r in single.results:
            row = t[(t["id"] == r.id) & (t["period_start"] == p.start)].iloc[0]
            if bool(row["suppressed"]) and not r.suppressed:  # hidden more in a series, never less
                assert public and r.id in metrics.api.ADDITIVE, r.id
                continue
            assert (None if row["value"] != row["value"] else row["value"]) == (
                None if r.value is None else pytest.approx(r.value)
            ), r.id
            assert row["status"] == r.status and bool(row["suppressed"]) == r.suppressed


def test_trend_reads_each_return_once(golden_engine, monkeypatch):
    import metrics.compute as compute

    calls = []
    real = compute.read_return
    monkeypatch.setattr(compute, "read_return", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    compute.SHARED.clear()
    metrics.api.PUBLICATIONS.clear()  # public figures come from the years' publications, computed once
    metrics.trend(engine=golden_engine, periods=[month(2026, m) for m in range(1, 5)], public=True)
    assert sorted(calls) == sorted(set(calls)) and len(calls) == 10
    # The next request in the process (same data version) reads nothing again.
    metrics.compare(engine=golden_engine, period=APRIL, public=True)
    metrics.attention(engine=golden_engine, period=APRIL, public=True)
    assert len(calls) == 10


def test_shared_tables_follow_the_data_version(built, monkeypatch):
    """A file accepted after a table was cached is in the very next figures (the version changed)."""
    import metrics.compute as compute
    from tests.metrics import dataset

    before = metrics.compute_indicators(engine=built, period=APRIL, public=False).by_id("ENG-01")
    calls = []
    real = compute.read_return
    monkeypatch.setattr(compute, "read_return", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    assert metrics.compute_indicators(engine=built, period=APRIL, public=False).by_id("ENG-01") == before
    assert calls == []  # same data version: nothing read again
    # A correction: April's drop-in register now holds two women only.
    dataset.submit(
        built,
        "aspirations",
        "2026-04",
        {"attendance": (dataset.ATT, [("2026-04-02", "P0001", None), ("2026-04-09", "P0099", None)])},
    )
    after = metrics.compute_indicators(engine=built, period=APRIL, public=False).by_id("ENG-01")
    assert "attendance" in calls
    assert after.value != before.value


def test_trend_breakdown_and_periods(golden_engine):
    periods = metrics.trend_periods(engine=golden_engine, freq="month", end=APRIL.end)
    assert periods[0] == month(2025, 4) and periods[-1] == APRIL  # first submission: April 2025
    q = metrics.trend_periods(engine=golden_engine, freq="quarter", end=APRIL.end)
    assert q[0] == quarter(2025, 1) and q[-1] == quarter(2026, 1)
    tb = metrics.trend_breakdown(engine=golden_engine, periods=[APRIL], public=False, id="HSG-01")
    # current accommodation in April: temporary, rough x2, not_recorded (P0003), unknown, supported, settled
    assert dict(zip(tb["category"], tb["value"], strict=True)) == {
        "temporary": 1,
        "rough_sleeping": 2,
        "not_recorded": 1,
        "unknown": 1,
        "supported": 1,
        "settled": 1,
    }
    stages = metrics.trend_breakdown(engine=golden_engine, periods=[APRIL], public=True, id="RHB-03")
    assert stages["suppressed"].all() and stages["value"].isna().all()  # every stage 1-2 women


def test_compare(golden_engine):
    c = metrics.compare(engine=golden_engine, period=APRIL, public=False).set_index("id")
    # March: P0001 and P0002 engaged -> April 6, change +4, better
    assert (c.loc["ENG-01", "previous_value"], c.loc["ENG-01", "change_previous"]) == (2, 4)
    assert c.loc["ENG-01", "direction_previous"] == "better"
    assert pd.isna(c.loc["ENG-01", "year_ago_value"])  # April 2025: not reported
    assert c.loc["HLT-03", "direction_previous"] == "no_judgement"  # 1 in March, 4 in April, no polarity
    assert c.loc["ENG-01", "previous_period"] == "March 2026"
    pub = metrics.compare(engine=golden_engine, period=APRIL, public=True).set_index("id")
    assert pd.isna(pub.loc["ENG-01", "previous_value"])  # 2 is suppressed, so no change is shown
    assert pd.isna(pub.loc["ENG-01", "change_previous"]) and pd.isna(pub.loc["ENG-01", "direction_previous"])


def test_weekly_attendance_and_service_mix(golden_engine):
    w = metrics.weekly_attendance(engine=golden_engine, start=APRIL.start, end=APRIL.end, public=False)
    assert list(w.to_numpy()) == [3, 3, 3, 1, 1]  # 2, 9, 16, 23, 30 April
    assert metrics.weekly_attendance(engine=golden_engine, start=APRIL.start, end=APRIL.end, public=True).isna().all()
    # March: one session (26 March, 2 women): suppressed
    march = metrics.weekly_attendance(engine=golden_engine, start=date(2026, 3, 1), end=APRIL.end, public=True)
    assert len(march) == 6 and march.isna().all()
    mix = metrics.service_mix(engine=golden_engine, period=APRIL, public=False).set_index("category")
    assert mix.loc["hairdressing", "value"] == 1 and mix.loc["food", "value"] == 1 and mix.loc["dental", "value"] == 0
    pub = metrics.service_mix(engine=golden_engine, period=APRIL, public=True).set_index("category")
    assert pub["suppressed"].sum() >= 2 and pub.loc["dental", "value"] == 0


def test_default_period():
    assert metrics.default_period(today=date(2026, 8, 3)) == quarter(2026, 1)


def test_attention(golden_engine):
    exact = {(i.kind, i.indicator_id) for i in metrics.attention(engine=golden_engine, period=APRIL, public=False)}
    assert ("red_rag", "HLT-01") in exact
    items = metrics.attention(engine=golden_engine, period=APRIL, public=True)
    kinds = {(i.kind, i.indicator_id) for i in items}
    # in public HLT-01 (2 of 6) is suppressed, so its RAG is withheld too; ENG-01 (6 against 60) is red
    assert ("red_rag", "HLT-01") not in kinds and ("red_rag", "ENG-01") in kinds
    assert any(i.kind == "missing_return" and "supplies" in i.message.lower() for i in items)
    assert all(not any(ch.isdigit() for ch in i.message.replace("2026", "")) for i in items)


@pytest.mark.parametrize("period", [APRIL, parse("2026-27-Q1"), parse("2026-03")], ids=str)
@pytest.mark.parametrize("public", [False, True])
def test_the_overview_from_one_evaluation_equals_the_separate_answers(golden_engine, period, public):
    # The meeting overview evaluates every period it needs at once; each answer must be exactly the
    # separate call's, disclosure control included.
    ov = metrics.overview(engine=golden_engine, period=period, public=public)
    assert ov.indicators == metrics.compute_indicators(engine=golden_engine, period=period, public=public)
    pd.testing.assert_frame_equal(ov.comparisons, metrics.compare(engine=golden_engine, period=period, public=public))
    assert ov.attention == metrics.attention(engine=golden_engine, period=period, public=public)
    assert ov.attention  # the golden data has something to say for each period tried


def test_extra_breakdowns(golden_engine):
    ws = metrics.trend_breakdown(engine=golden_engine, periods=[APRIL], public=False, id="EXT-01")
    # current working status: reduced P0001 P0008, active P0002 P0007, stopped P0006, blank P0003 P0011
    assert dict(zip(ws["category"], ws["value"], strict=True)) == {
        "reduced": 2,
        "active": 2,
        "stopped": 1,
        "not_recorded": 2,
    }
    sv = metrics.trend_breakdown(engine=golden_engine, periods=[APRIL], public=False, id="services")
    assert dict(zip(sv["category"], sv["value"], strict=True)) == {
        "hairdressing": 1,
        "food": 1,
        "arts_crafts": 1,
        "sexual_health": 1,
    }
    # May: no key-work return -> no accommodation cells at all (not reported, not zero)
    assert metrics.trend_breakdown(
        engine=golden_engine, periods=[parse("2026-05")], public=False, id="accommodation"
    ).empty
    with pytest.raises(KeyError):
        metrics.trend_breakdown(engine=golden_engine, periods=[APRIL], public=False, id="ENG-01")


@pytest.mark.parametrize("period", [APRIL, parse("2026-27-Q1"), parse("2026-03")])
def test_the_public_computation_hides_at_least_what_apply_to_set_hides(golden_engine, period):
    """Output by output the rules are ``apply_to_set``'s; the year's publication may hide more, never less,
    and whatever it shows is the exact figure."""
    exact = metrics.compute_indicators(engine=golden_engine, period=period, public=False)
    alone = metrics.disclosure.apply_to_set(indicator_set=exact).to_json()["indicators"]
    public = metrics.compute_indicators(engine=golden_engine, period=period, public=True).to_json()["indicators"]
    for a, p in zip(alone, public, strict=True):
        assert p["suppressed"] or not a["suppressed"], p["id"]
        if not p["suppressed"]:
            assert p["value"] == a["value"] and p["numerator"] == a["numerator"], p["id"]
        for ca, cp in zip(a["breakdown"], p["breakdown"], strict=True):
            assert cp["suppressed"] or (not ca["suppressed"] and cp["value"] == ca["value"]), (p["id"], cp)


def test_kerb_crawling_by_month_and_published(golden_engine):
    both = Period(date(2026, 3, 1), date(2026, 4, 30))
    exact = metrics.kerb_crawling(engine=golden_engine, period=both, public=False)
    assert exact["value"].tolist() == [1, 0] and not exact["suppressed"].any()
    # March's single action is a small number; April's zero is shown.
    march = metrics.kerb_crawling(engine=golden_engine, period=parse("2026-03"), public=True)
    assert march["suppressed"].tolist() == [True] and pd.isna(march["value"][0])
    april = metrics.kerb_crawling(engine=golden_engine, period=APRIL, public=True)
    assert april["suppressed"].tolist() == [False] and april["value"][0] == 0
    with pytest.raises(metrics.disclosure.NotPublished):  # two months are not a standard period
        metrics.kerb_crawling(engine=golden_engine, period=both, public=True)


def test_compare_judges_by_intervals(golden_engine, monkeypatch):
    c = metrics.compare(engine=golden_engine, period=APRIL, public=False).set_index("id")
    # ENG-01: 6 women, Byar's 95% limits 2.2 to 13.1, against a target of 60: worse
    assert c.loc["ENG-01", "judged_target"] == "worse"
    # HLT-01: 2 of 6 (Wilson 9.7% to 70.0%) against 65%: the target lies inside the interval: similar
    assert c.loc["HLT-01", "judged_target"] == "similar"
    # HLT-04: 2 against 0 a year earlier: the intervals (0.24..7.2 and 0..3.7) overlap: similar
    assert c.loc["HLT-04", "judged_year_ago"] == "similar"
    assert pd.isna(c.loc["ENG-01", "judged_year_ago"])  # April 2025 was not reported
    assert set(c["confidence"]) == {95.0}
    pub = metrics.compare(engine=golden_engine, period=APRIL, public=True).set_index("id")
    assert pd.isna(pub.loc["HLT-01", "judged_target"])  # suppressed: no judgement that could hint at it
    monkeypatch.setenv("OUTCOMES_CONFIDENCE", "99.8")
    assert set(metrics.compare(engine=golden_engine, period=APRIL, public=False)["confidence"]) == {99.8}


def test_trend_markers_say_why_they_cannot_be_calculated(golden_engine):
    m = metrics.trend_markers(engine=golden_engine, end=APRIL.end, public=False)
    assert len(m) == 2 * len(metrics.CATALOGUE) and set(m["freq"]) == {"month", "quarter"}
    by = m.set_index(["id", "freq"])
    assert by.loc[("ENG-01", "month"), "marker"] == "cannot_be_calculated"
    assert "not reported" in by.loc[("ENG-01", "month"), "reason"]
    assert "overlap" in by.loc[("HLT-01", "quarter"), "reason"]
    assert by.loc[("RHB-03", "month"), "words"].startswith("Cannot be calculated: a breakdown")


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    """A year and a half of synthetic returns (the page tests' database)."""
    from storage.db import ensure_schema, get_engine
    from tests.pages import sample_db

    url = f"sqlite:///{tmp_path_factory.mktemp('sample') / 'sample.db'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUTCOMES_TODAY", "2026-11-20")
        sample_db.build(url)
    eng = ensure_schema(url)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


def test_public_trend_markers_never_use_a_hidden_figure(sample_engine):
    end = parse("2026-27-Q2").end
    exact = metrics.trend_markers(engine=sample_engine, end=end, public=False).set_index(["id", "freq"])
    public = metrics.trend_markers(engine=sample_engine, end=end, public=True).set_index(["id", "freq"])
    assert (exact["marker"] != "cannot_be_calculated").sum() > 30  # the sample data have five whole periods
    hidden = 0
    for freq in ("month", "quarter"):
        periods = metrics.api._last_periods(freq, end, 5)
        assert len(periods) == 5 and periods[-1].end == end
        t = metrics.trend(engine=sample_engine, periods=periods, public=True)
        for ind in metrics.CATALOGUE:
            mine = t[t["id"] == ind.id]
            got = public.loc[(ind.id, freq)]
            if ind.unit == "breakdown" or ind.id in metrics.markers.OVERLAPPING:
                assert got["marker"] == "cannot_be_calculated"
            elif mine["suppressed"].any():
                hidden += 1
                assert got["marker"] == "cannot_be_calculated" and "hidden" in got["reason"]
            elif ind.unit == "mean":  # the sessions behind a public mean are not published
                assert got["marker"] == "cannot_be_calculated" and "not published" in got["reason"]
            else:  # worked out from the same published figures as the restricted marker
                assert got["marker"] == exact.loc[(ind.id, freq), "marker"]
    assert hidden > 0
