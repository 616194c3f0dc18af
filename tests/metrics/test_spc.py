"""XmR charts the Making Data Count way: limits, each rule, variation and assurance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.spc import xmr

# NHSRplotthedots (nhs-r-community), tests/testthat/_snaps/ptd_spc.md "it returns expected values": its
# 20-point example is R's set.seed(123); rnorm(20), dated 2020-01-02 onwards. Published: mean_col 0.1416238,
# lpl -3.01138, upl 3.294627, no point outside the limits, relative_to_mean -1,-1,1,-1,-1,1,1,-1,-1,-1,1,1,1,-1,-1..
RNORM_123 = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499, 0.46091621,
             -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383, 0.40077145, 0.11068272,
             -0.55584113, 1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141]


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
    r = xmr(values=_series([5, 6] * 6 + [12]), polarity="up")
    assert (r.mean, r.lower, r.upper) == pytest.approx((6.0, 6 - 2.66 * 17 / 12, 6 + 2.66 * 17 / 12))
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


def test_missing_values_keep_their_place_and_are_left_out():
    v = [5, 6, np.nan, 5, 6, 5]
    r = xmr(values=_series(v), polarity="up")
    assert r.mean == pytest.approx(27 / 5) and r.points == 5
    assert np.isnan(r.frame["moving_range"].iloc[2]) and r.frame["moving_range"].iloc[3] == pytest.approx(1)
    assert len(r.frame) == 6 and r.frame["cause"].iloc[2] is None


def test_too_few_points():
    r = xmr(values=_series([5.0]), polarity="up")
    assert r.upper is None and r.variation == "common_cause"
