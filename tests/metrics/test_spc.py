"""XmR charts the Making Data Count way: limits, each rule, variation and assurance."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from metrics import spc
from metrics.spc import ProcessChange, xmr
from storage.users import User

# NHSRplotthedots (nhs-r-community), tests/testthat/_snaps/ptd_spc.md "it returns expected values": its
# 20-point example is R's set.seed(123); rnorm(20), dated 2020-01-02 onwards. Published: mean_col 0.1416238,
# lpl -3.01138, upl 3.294627, no point outside the limits, relative_to_mean -1,-1,1,-1,-1,1,1,-1,-1,-1,1,1,1,-1,-1..
RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]


def _series(values, freq="MS"):
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), freq=freq))


def test_nhsrplotthedots_published_vector():
    r = xmr(values=pd.Series(RNORM_123, index=pd.date_range("2020-01-02", periods=20)), polarity="up")
    assert r.mean == pytest.approx(0.1416238, abs=5e-8)
    assert r.lower == pytest.approx(-3.01138, abs=5e-6)
    assert r.upper == pytest.approx(3.294627, abs=5e-7)
    side = np.sign(r.frame["value"] - r.mean).astype(int).tolist()[:15]
    assert side == [-1, -1, 1, -1, -1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1]
    assert not r.frame["special_cause"].any()
    assert r.variation == "common_cause" and r.variation_label.startswith("Common cause")
    assert r.frame["moving_range"].iloc[1] == pytest.approx(abs(-0.23017749 + 0.56047565))
    assert np.isnan(r.frame["moving_range"].iloc[0])


def test_point_outside_limits():
    # 12 points alternating 5, 6 then 12: mean 78/13 = 6; moving ranges 11 x 1 and 6 -> 17/12;
    # limits 6 -/+ 2.66 x 17/12 = 2.232 .. 9.768
    r = xmr(values=_series([5, 6] * 6 + [12]), polarity="up", screen=False)
    assert (r.mean, r.lower, r.upper) == pytest.approx((6.0, 6 - 2.66 * 17 / 12, 6 + 2.66 * 17 / 12))
    # screened (the default): the range of 6 is at least 3.267 x 17/12, so it is left out: 6 -/+ 2.66 x 1
    screened = xmr(values=_series([5, 6] * 6 + [12]), polarity="up")
    assert (screened.lower, screened.upper) == pytest.approx((6 - 2.66, 6 + 2.66))
    last = r.frame.iloc[-1]
    assert last["special_cause"] and last["rule"] == "outside_limits" and last["cause"] == "improvement"
    assert r.frame["special_cause"].sum() == 1
    assert r.variation == "improvement"
    assert xmr(values=_series([5, 6] * 6 + [12]), polarity="down").variation == "concern"
    assert xmr(values=_series([5, 6] * 6 + [12]), polarity="none").variation == "neither"


def test_run_of_seven_on_one_side():
    # mean 33.8/15 = 2.2533; limits -0.616..5.122 (nothing outside). The 3.0 at index 7 and the seven
    # points 2.5/2.6 after it are all above the mean: a run of 8, every point in it flagged.
    v = [1, 3, 1, 3, 1, 3, 1, 3, 2.5, 2.6, 2.5, 2.6, 2.5, 2.6, 2.5]
    r = xmr(values=_series(v), polarity="up")
    assert r.mean == pytest.approx(33.8 / 15)
    flagged = r.frame.index[r.frame["special_cause"]].tolist()
    assert flagged == list(range(7, 15))
    assert set(r.frame.loc[flagged, "rule"]) == {"run"}
    assert r.variation == "improvement"
    # six on one side is not a run
    # six on one side is not a run: mean 30.3/15 = 2.02, the six 2.5/2.6 points sit between two 1s
    r6 = xmr(values=_series([1, 3, 1, 3, 1, 3, 1, 1, 2.5, 2.6, 2.5, 2.6, 2.5, 2.6, 1]), polarity="up")
    assert r6.mean == pytest.approx(2.02)
    assert not r6.frame["special_cause"].any()


def test_trend_of_seven():
    # alternating 5, 6 then 4.0 rising by 0.3 to 5.8 (7 points, 6 rises). Mean 89.3/17 = 5.2529,
    # mean moving range 12.8/16 = 0.8, limits 3.125..7.381: only the trend rule fires.
    v = [5, 6] * 5 + [4.0, 4.3, 4.6, 4.9, 5.2, 5.5, 5.8]
    r = xmr(values=_series(v), polarity="down")
    assert r.upper == pytest.approx(89.3 / 17 + 2.66 * 0.8)
    flagged = r.frame.index[r.frame["special_cause"]].tolist()
    assert flagged == list(range(10, 17))
    assert set(r.frame.loc[flagged, "rule"]) == {"trend"}
    # rising is concern when lower is better -- even for the points below the mean
    assert set(r.frame.loc[flagged, "cause"]) == {"concern"}
    # an equal value breaks a trend
    flat = xmr(values=_series([5, 6] * 5 + [4.0, 4.3, 4.6, 4.6, 5.2, 5.5, 5.8]), polarity="up")
    assert not (flat.frame["rule"] == "trend").any()


def test_two_of_three_beyond_two_sigma():
    # mean 127.4/22 = 5.7909; mean moving range 23/21 = 1.0952; upper 8.7042; 2 sigma line 7.7331:
    # 8.5 and 8.4 are beyond 2 sigma (not beyond the limit) on the same side
    v = [5, 6] * 8 + [8.5, 8.4, 5.5, 6, 5, 6]
    r = xmr(values=_series(v), polarity="down")
    assert r.upper == pytest.approx(127.4 / 22 + 2.66 * 23 / 21)
    flagged = r.frame.index[r.frame["special_cause"]].tolist()
    assert flagged == [16, 17]
    assert set(r.frame.loc[flagged, "rule"]) == {"two_of_three"}
    assert set(r.frame.loc[flagged, "cause"]) == {"concern"}
    assert r.variation == "common_cause"  # the latest point is not special


def test_assurance():
    v = [50, 52, 48, 51, 49, 50, 52, 48, 50, 51]
    r = xmr(values=_series(v), polarity="up", target=30)
    assert r.lower > 30 and r.assurance == "pass"
    assert xmr(values=_series(v), polarity="up", target=70).assurance == "fail"
    assert xmr(values=_series(v), polarity="up", target=50).assurance == "hit_or_miss"
    assert xmr(values=_series(v), polarity="down", target=70).assurance == "pass"
    assert xmr(values=_series(v), polarity="down", target=30).assurance == "fail"
    assert xmr(values=_series(v), polarity="up").assurance is None
    assert xmr(values=_series(v), polarity="none", target=50).assurance is None
    assert "consistently" in r.assurance_label


def test_missing_values_keep_their_place_and_gaps_drop_the_moving_ranges_beside_them():
    # As NHSRplotthedots: the ranges 6 -> gap and gap -> 5 are dropped (not bridged as 6 -> 5), so the mean
    # moving range is that of 5-6, 5-6, 6-5 = 1 (bridging would add |5-6| = 1 too; use values that differ)
    v = [5, 6, np.nan, 9, 8, 9]
    r = xmr(values=_series(v), polarity="up", screen=False)
    assert r.mean == pytest.approx(37 / 5) and r.points == 5
    mr = r.frame["moving_range"]
    assert np.isnan(mr.iloc[2]) and np.isnan(mr.iloc[3]) and mr.iloc[4] == pytest.approx(1)
    assert r.upper == pytest.approx(37 / 5 + 2.66 * 1.0)  # bridged: (1 + 3 + 1 + 1) / 4 = 1.5
    assert len(r.frame) == 6 and r.frame["cause"].iloc[2] is None


def test_too_few_points():
    r = xmr(values=_series([5.0]), polarity="up")
    assert r.upper is None and r.variation == "common_cause"
    for values in ([], [np.nan, np.nan], [np.nan, 3.0, np.nan]):
        r = xmr(values=_series(values).astype(float), polarity="up", target=3)
        assert r.upper is None and r.assurance is None and not r.frame["special_cause"].any()


# --- The NHSRplotthedots test cases, re-expressed as data (tests/testthat, release 0.2.0) -------------------
# test-ptd_calculate_point_type.R "ptd_seven_point_one_side_mean" with "ptd_part_of_seven_trend": the side of
# the mean of each point -> the points that are part of a run of seven.
RUN_CASES = [
    ([], []),
    ([1] * 6, []),
    ([1] * 6 + [-1], []),
    ([1] * 8 + [-1], list(range(8))),
    ([-1] * 8 + [1], list(range(8))),
]


@pytest.mark.parametrize(("side", "flagged"), RUN_CASES)
def test_package_run_cases(side, flagged):
    assert np.flatnonzero(spc.rule_run(np.array(side, dtype=float))).tolist() == flagged


# "ptd_seven_point_trend" with "ptd_part_of_seven_trend": values -> points in a trend, and its way
TREND_CASES = [
    (list(range(1, 7)), [], 0),
    ([1, 2, 3, 3, 4, 5, 6], [], 0),
    (list(range(1, 8)), list(range(7)), 1),
    ([2, *range(1, 8), 3], list(range(1, 8)), 1),
    (list(range(7, 0, -1)), list(range(7)), -1),
    ([2, *range(7, 0, -1), 3], list(range(1, 8)), -1),
]


@pytest.mark.parametrize(("values", "flagged", "way"), TREND_CASES)
def test_package_trend_cases(values, flagged, way):
    flags, direction = spc.rule_trend(np.array(values, dtype=float))
    assert np.flatnonzero(flags).tolist() == flagged
    assert set(direction[flags].tolist()) <= {way}


# "ptd_two_in_three" with "ptd_part_of_two_in_three", and "... when points are on opposite sides of the mean"
# (the package's issue 143): close to a limit, side of the mean -> points flagged.
TWO_OF_THREE_CASES = [
    ([1, 0, 1], [1, 1, 1], [0, 2]),
    ([0, 1, 1], [1, 1, 1], [1, 2]),
    ([1, 1, 0], [1, 1, 1], [0, 1]),
    ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [2, 4]),
    ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [2, 3]),
    ([1, 0, 0, 1], [1] * 4, []),
    ([1, 0, 0, 1, 1], [1] * 5, [3, 4]),
    ([1, 0, 1], [1, -1, 1], []),
    ([0, 1, 1], [1, -1, 1], []),
    ([1, 1, 0], [1, -1, 1], []),
    ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], []),
    ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], []),
]


@pytest.mark.parametrize(("close", "side", "flagged"), TWO_OF_THREE_CASES)
def test_package_two_of_three_cases(close, side, flagged):
    got = spc.rule_two_of_three(np.array(close, dtype=bool), np.array(side, dtype=float))
    assert np.flatnonzero(got).tolist() == flagged


def test_package_label_priority():
    # "ptd_special_cause_type works as expected": y = 1..8, sides + + + + - - - -, a trend at points 1-2,
    # a run at 3-4, two-of-three at 5, outside at 6-7 -> trend (increasing) x2, run above x2, 2-in-3 below,
    # below the lower limit x2, common cause.
    side = np.array([1, 1, 1, 1, -1, -1, -1, -1], dtype=float)
    trend, way = spc.rule_trend(np.arange(1, 9, dtype=float))  # every point rises
    rule, direction = spc.classify(
        outside=[0, 0, 0, 0, 0, 1, 1, 0],
        trend=[1, 1, 0, 0, 0, 0, 0, 0],
        two_of_three=[0, 0, 0, 0, 1, 0, 0, 0],
        run=[0, 0, 1, 1, 0, 0, 0, 0],
        side=side,
        trend_direction=way,
    )
    assert rule.tolist() == ["trend", "trend", "run", "run", "two_of_three", "outside_limits", "outside_limits", ""]
    assert direction.tolist()[:7] == [1, 1, 1, 1, -1, -1, -1]
    # every rule also set: outside wins, then trend, then two-of-three, then run
    rule, _ = spc.classify(
        outside=[1, 0, 0, 0],
        trend=[1, 1, 0, 0],
        two_of_three=[1, 1, 1, 0],
        run=[1, 1, 1, 1],
        side=[1, 1, 1, 1],
        trend_direction=[1, 1, 0, 0],
    )
    assert rule.tolist() == ["outside_limits", "trend", "two_of_three", "run"]


def test_seven_rising_points_below_the_mean_are_a_trend_not_a_run():
    # A trend outranks a run: rising points below the mean are improvement when higher is better.
    v = [10, 12] * 6 + [3, 3.5, 4, 4.5, 5, 5.5, 6]
    r = xmr(values=_series(v), polarity="up", screen=False)
    tail = r.frame.iloc[-7:]
    assert (tail["value"] < r.mean).all()
    assert set(tail["rule"]) <= {"trend", "outside_limits"} and "trend" in set(tail["rule"])
    assert set(tail.loc[tail["rule"] == "trend", "cause"]) == {"improvement"}


def test_package_two_of_three_on_opposite_sides_through_the_chart():
    # test-ptd_spc_standard.R: 1, -1 alternating (16 points), the last two 5.5 and -5.5 -> common cause
    v = [1, -1] * 8
    v[14], v[15] = 5.5, -5.5
    r = xmr(values=pd.Series(v, index=pd.date_range("2020-01-02", periods=16)), polarity="up")
    assert not r.frame["special_cause"].iloc[-2:].any()
    # the example: 1, 0, 1 close to a limit on sides +, -, + flags nothing
    assert not spc.rule_two_of_three(np.array([1, 0, 1], bool), np.array([1, -1, 1.0])).any()


def test_points_beyond_a_limit_do_not_count_towards_two_of_three():
    # Limits from the first 20 points (0, 1 alternating): mean 0.5, mean moving range 1, upper limit 3.16,
    # two sigma 2.27. Then 5 (outside), 2.5 (close), 0.6: only one point of the window is close to the limit.
    base = [0, 1] * 10
    r = xmr(values=_series([*base, 5, 2.5, 0.6]), polarity="up", screen=False, fix_after=20)
    assert (r.mean, r.upper) == pytest.approx((0.5, 0.5 + 2.66))
    assert r.frame["rule"].iloc[-3] == "outside_limits"
    assert r.frame["rule"].iloc[-2] is None and r.frame["rule"].iloc[-1] is None
    # two close points on the same side do signal
    r2 = xmr(values=_series([*base, 2.5, 0.6, 2.6]), polarity="up", screen=False, fix_after=20)
    assert r2.frame["rule"].iloc[-3:].tolist() == ["two_of_three", None, "two_of_three"]


# test-ptd_spc_standard.R / _snaps/ptd_spc_standard.md: rnorm(20) of set.seed(123) with point 15 set to 10
R2 = [*RNORM_123[:14], 10.0, *RNORM_123[15:]]
LIMIT_CASES = [
    ("r1, screened", RNORM_123, True, 0.1416238, -3.01138, 3.294627),
    ("r2, screened", R2, True, 0.6694159, -2.383666, 3.722497),
    ("r3, not screened", R2, False, 0.6694159, -4.596625, 5.935457),
]


@pytest.mark.parametrize(("name", "values", "screen", "mean", "lower", "upper"), LIMIT_CASES)
def test_package_limits_with_and_without_screening(name, values, screen, mean, lower, upper):
    r = xmr(values=pd.Series(values, index=pd.date_range("2020-01-02", periods=20)), polarity="up", screen=screen)
    assert (r.mean, r.lower, r.upper) == pytest.approx((mean, lower, upper), abs=5e-7), name


def test_screening_is_the_default_and_a_setting_turns_it_off(monkeypatch):
    s = pd.Series(R2, index=pd.date_range("2020-01-02", periods=20))
    assert xmr(values=s, polarity="up").lower == pytest.approx(-2.383666, abs=5e-7)
    assert xmr(values=s, polarity="up").frame["screened"].sum() == 2  # the ranges into and out of the 10
    monkeypatch.setenv("OUTCOMES_SPC_SCREEN_OUTLIERS", "0")
    assert xmr(values=s, polarity="up").lower == pytest.approx(-4.596625, abs=5e-7)


@pytest.mark.parametrize(("screen", "upper", "mean", "lower"), [(True, 4.6, 1.94, -0.72), (False, 6.95, 1.94, -3.06)])
def test_package_deviations_vignette(screen, upper, mean, lower):
    # vignettes/deviations.Rmd: 1, 2, 1, 2, 10, then 1, 2 alternating (18 points): the captions' limits; the 10 is
    # the one special-cause point (improvement) either way
    data = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]
    r = xmr(values=pd.Series(data, index=pd.date_range("2021-03-22", periods=18)), polarity="up", screen=screen)
    assert (round(r.upper, 2), round(r.mean, 2), round(r.lower, 2)) == (upper, mean, lower)
    assert r.frame.index[r.frame["special_cause"]].tolist() == [4]
    assert r.frame["cause"].iloc[4] == "improvement"


# test-ptd_calculate_assurance_type.R: (lower, upper) with target 4
ASSURANCE_CASES = [
    (1, 3, "up", "fail"),
    (5, 7, "up", "pass"),
    (1, 5, "up", "hit_or_miss"),
    (1, 3, "down", "pass"),
    (5, 7, "down", "fail"),
    (1, 5, "down", "hit_or_miss"),
    (1, 3, "none", None),
    (4, 7, "up", "hit_or_miss"),
    (1, 4, "up", "hit_or_miss"),
    (4, 7, "down", "hit_or_miss"),  # on a limit
]


@pytest.mark.parametrize(("lower", "upper", "polarity", "expected"), ASSURANCE_CASES)
def test_package_assurance_cases(lower, upper, polarity, expected):
    assert spc.assurance(lower=lower, upper=upper, target=4, polarity=polarity) == expected


def test_a_target_exactly_on_a_limit_is_hit_or_miss_on_the_chart():
    v = [50, 52, 48, 51, 49, 50, 52, 48, 50, 51, 49, 50]
    r = xmr(values=_series(v), polarity="up")
    assert xmr(values=_series(v), polarity="up", target=r.lower).assurance == "hit_or_miss"
    assert xmr(values=_series(v), polarity="up", target=r.lower - 1e-9).assurance == "pass"


# test-ptd_add_short_group_warnings.R: 11 points warn, 12 do not; a short period after a change warns
@pytest.mark.parametrize(("n", "warns"), [(11, True), (12, False), (20, False), (2, True)])
def test_package_short_series_warning(n, warns):
    r = xmr(values=_series(RNORM_123[:n]), polarity="up")
    assert (r.warning is not None) is warns
    if warns:
        assert "trial limits" in r.warning


def test_short_period_after_a_process_change_warns():
    s = _series(RNORM_123)  # monthly from January 2024
    r = xmr(values=s, polarity="up", changes=[ProcessChange(date(2025, 4, 1), "drop-in moved")])
    assert [p.points for p in r.periods] == [15, 5]
    assert r.warning is not None


def test_package_rebase_limits_match_the_facet_summary():
    # test-ptd_spc.R summary snapshot: the 20 points in two groups of 10 have means 0.0746 and 0.209,
    # limits -2.60 .. 2.75 and -3.28 .. 3.70; rebasing at point 11 gives the same two periods.
    s = pd.Series(RNORM_123, index=pd.date_range("2020-01-02", periods=20))
    change = ProcessChange(date(2020, 1, 12), "dental service started")
    r = xmr(values=s, polarity="up", changes=[change])
    assert r.frame["period"].tolist() == [0] * 10 + [1] * 10
    got = [(round(p.mean, 4), round(p.lower, 2), round(p.upper, 2)) for p in r.periods]
    assert got == [(0.0746, -2.60, 2.75), (0.2086, -3.28, 3.70)]
    assert r.changes == [change] and r.periods[1].start == pd.Timestamp("2020-01-12")
    assert (r.mean, r.lower, r.upper) == (r.periods[1].mean, r.periods[1].lower, r.periods[1].upper)
    # a change dated between points starts at the next point; one before the first point changes nothing
    r_mid = xmr(values=_series(RNORM_123), polarity="up", changes=[ProcessChange(date(2024, 10, 15), "moved")])
    assert r_mid.frame["period"].tolist() == [0] * 10 + [1] * 10
    r_before = xmr(values=s, polarity="up", changes=[ProcessChange(date(2019, 1, 1), "older")])
    assert r_before.changes == [] and r_before.lower == pytest.approx(-3.01138, abs=5e-6)


def test_rules_do_not_run_across_a_process_change():
    # 4 points above the mean before the change and 4 after would be a run of 8 without it
    v = [1, 5] * 5 + [4.5] * 4 + [4.5] * 4 + [3, 7] * 5
    plain = xmr(values=_series(v), polarity="up", screen=False)
    assert (plain.frame["rule"] == "run").any()
    split = xmr(
        values=_series(v), polarity="up", screen=False, changes=[ProcessChange(date(2025, 3, 1), "new service")]
    )
    assert not (split.frame["rule"] == "run").any()


def test_fixed_baseline_takes_the_limits_from_the_first_points():
    # "setting fix_after_n_points changes the calculations": limits from the first 12 points only
    s = pd.Series(RNORM_123, index=pd.date_range("2020-01-02", periods=20))
    fixed = xmr(values=s, polarity="up", fix_after=12)
    first = np.array(RNORM_123[:12])
    amr = np.abs(np.diff(first)).mean()
    assert fixed.mean == pytest.approx(first.mean())
    assert (fixed.lower, fixed.upper) == pytest.approx((first.mean() - 2.66 * amr, first.mean() + 2.66 * amr))
    assert fixed.lower != pytest.approx(-3.01138, abs=1e-3)
    with pytest.raises(ValueError):
        xmr(values=s, polarity="up", fix_after=11)


def test_fixed_baseline_setting(monkeypatch):
    s = pd.Series(RNORM_123, index=pd.date_range("2020-01-02", periods=20))
    monkeypatch.setenv("OUTCOMES_SPC_BASELINE_POINTS", "12")
    assert xmr(values=s, polarity="up").mean == pytest.approx(np.mean(RNORM_123[:12]))
    monkeypatch.setenv("OUTCOMES_SPC_BASELINE_POINTS", "5")
    with pytest.raises(ValueError, match="12 or more"):
        xmr(values=s, polarity="up")


ADMIN = User("ann", "admin", None, True)


def test_process_changes_are_read_from_the_database_for_their_charts(engine, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")
    spc.record_process_change(
        engine, ADMIN, changed_on=date(2025, 9, 1), reason="Dental service started", applies_to=["DEN-01"]
    )
    moved = spc.record_process_change(
        engine, ADMIN, changed_on=date(2025, 3, 3), reason="  Drop-in moved   to a new building ", applies_to=None
    )
    assert spc.process_changes("DEN-01", engine=engine) == [
        ProcessChange(date(2025, 3, 3), "Drop-in moved to a new building"),
        ProcessChange(date(2025, 9, 1), "Dental service started"),
    ]
    assert spc.process_changes("attendance", engine=engine) == [
        ProcessChange(date(2025, 3, 3), "Drop-in moved to a new building")
    ]
    spc.remove_process_change(engine, ADMIN, change_id=moved)
    assert spc.process_changes("attendance", engine=engine) == []


@pytest.mark.parametrize(
    "reason, kind",
    [
        ("Moved after P0042 asked", "reference"),
        ("Call 07700 900123 about it", "phone"),
        ("Ask jo@example.org", "email"),
        ("Moved to SS1 2AB", "postcode"),
        ("DOB 12/03/1985 changed", "birth_date"),
        ("NHS 943 476 5919 moved", "nhs"),
    ],
)
def test_a_reason_that_looks_personal_is_refused_without_repeating_it(engine, monkeypatch, reason, kind):
    from core.personal import KIND_TEXT

    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")
    with pytest.raises(spc.ProcessChangeRefused) as exc:
        spc.record_process_change(engine, ADMIN, changed_on=date(2025, 9, 1), reason=reason, applies_to=None)
    message = str(exc.value)
    assert message.startswith("The reason was not saved") and KIND_TEXT[kind] in message
    assert not any(part in message for part in reason.split() if any(ch.isdigit() for ch in part) or "@" in part)
    assert spc.recorded_changes(engine) == []


def test_process_changes_are_checked_and_only_an_administrator_records_them(engine, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")
    ok = dict(changed_on=date(2025, 9, 1), reason="Dental service started", applies_to=["DEN-01"])
    for role in ("chair", "commissioner", "author", "partner"):
        with pytest.raises(PermissionError):
            spc.record_process_change(engine, User("x", role, None, True), **ok)
    with pytest.raises(spc.ProcessChangeRefused, match="120 characters"):
        spc.record_process_change(engine, ADMIN, **{**ok, "reason": "x" * 121})
    with pytest.raises(spc.ProcessChangeRefused, match="Write the reason"):
        spc.record_process_change(engine, ADMIN, **{**ok, "reason": "  "})
    with pytest.raises(spc.ProcessChangeRefused, match="future"):
        spc.record_process_change(engine, ADMIN, **{**ok, "changed_on": date(2026, 11, 21)})
    with pytest.raises(spc.ProcessChangeRefused, match="No such chart: ENG-99"):
        spc.record_process_change(engine, ADMIN, **{**ok, "applies_to": ["ENG-99"]})
    with pytest.raises(spc.ProcessChangeRefused, match="Choose the charts"):
        spc.record_process_change(engine, ADMIN, **{**ok, "applies_to": []})
    assert spc.recorded_changes(engine) == []
    cid = spc.record_process_change(engine, ADMIN, **ok)
    with pytest.raises(PermissionError):
        spc.remove_process_change(engine, User("c", "chair", None, True), change_id=cid)
    assert len(spc.recorded_changes(engine)) == 1


def test_each_chart_takes_the_changes_recorded_for_it_or_for_every_chart():
    recorded = [
        {"changed_on": date(2025, 4, 1), "reason": "r", "applies_to": ["DEN-02"]},
        {"changed_on": date(2025, 6, 1), "reason": "s", "applies_to": None},
    ]
    assert spc.changes_for(recorded, "DEN-02") == [
        ProcessChange(date(2025, 4, 1), "r"),
        ProcessChange(date(2025, 6, 1), "s"),
    ]
    assert spc.changes_for(recorded, "attendance") == [ProcessChange(date(2025, 6, 1), "s")]
