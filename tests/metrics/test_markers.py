"""Fingertips' trend markers and interval comparisons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics import markers
from metrics.markers import against_earlier, against_target, trend_marker, weighted_trend
from metrics.stats import wilson

# Series from the test suite of Fingertips' own trend-marker calculator (ukhsa-collaboration/fingertips-open,
# PholioVisualisationWS AnalysisTest "WhenUsingTrendMarkerCalculator"): numerators, denominators and the marker
# Fingertips gives them.
FINGERTIPS_CASES = [
    ("TrendData_1 (iid 20301)", [621, 599, 556, 535, 447], [3454, 3195, 3256, 3227, 3121], "decreasing"),
    ("TrendData_2", [2157, 2090, 2194, 2134.81, 2094], [3454, 3195, 3256, 3152, 3062], "increasing"),
    ("TrendData_3 (iid 1172)", [8116, 8145, 8222, 8506, 8728], [91530, 91773, 92088, 92238, 92665.89], "increasing"),
    ("TrendData_5 (iid 10101)", [5405, 5500, 5435, 5480, 5315], [18095, 18170, 18005, 17890, 17860], "no_change"),
    (
        "TrendData_5a (iid 10101)",
        [22435, 22445, 21365, 20955, 19055],
        [65880, 67900, 68705, 69835, 70910],
        "decreasing",
    ),
]


def _frame(num, den, *, unit="percent", suppressed=None, status=None):
    num, den = np.asarray(num, float), np.asarray(den, float)
    value = num / den * 100 if unit == "percent" else num / den if unit == "mean" else num
    return pd.DataFrame(
        {
            "numerator": num,
            "denominator": den,
            "value": value,
            "suppressed": suppressed or [False] * len(num),
            "status": status or ["complete"] * len(num),
        }
    )


@pytest.mark.parametrize(("name", "num", "den", "expected"), FINGERTIPS_CASES)
def test_fingertips_cases(name, num, den, expected):
    got = trend_marker(_frame(num, den), indicator_id="X", unit="percent", polarity="none")
    assert got.marker == expected, name
    assert got.points == 5 and got.chi_square is not None


def test_the_weighted_regression_agrees_with_numpy_weighted_least_squares():
    num, den = np.array([621, 599, 556, 535, 447.0]), np.array([3454, 3195, 3256, 3227, 3121.0])
    lo, hi = wilson(numerator=num, denominator=den)
    y = num / den * 100
    se = (hi - lo) / 3.92
    coef, cov = np.polyfit(np.arange(1, 6), y, 1, w=1 / se, cov="unscaled")
    slope, chi2, steady = weighted_trend(y, lo, hi)
    assert slope == pytest.approx(coef[0]) and chi2 == pytest.approx(coef[0] ** 2 / cov[0, 0])
    assert chi2 > markers.CHI2_998 and steady


def test_polarity_words():
    rising = _frame([621, 599, 556, 535, 447][::-1], [3454, 3195, 3256, 3227, 3121][::-1])
    falling = _frame([621, 599, 556, 535, 447], [3454, 3195, 3256, 3227, 3121])
    cases = [
        (rising, "up", "Increasing and getting better"),
        (rising, "down", "Increasing and getting worse"),
        (falling, "up", "Decreasing and getting worse"),
        (falling, "down", "Decreasing and getting better"),
        (rising, "none", "Increasing"),
        (falling, "none", "Decreasing"),
    ]
    for frame, polarity, words in cases:
        assert trend_marker(frame, indicator_id="X", unit="percent", polarity=polarity).words == words


def test_an_outlier_that_makes_the_trend_is_not_a_trend():
    # falling gently, then one high last point: the full slope rises and chi-squared is far above 9.5495, but
    # leaving the last point out the slope falls, so the slopes are not all of one sign: no significant change
    spike = _frame([310, 305, 300, 295, 520], [1000] * 5)
    lo, hi = wilson(numerator=spike["numerator"], denominator=spike["denominator"])
    slope, chi2, steady = weighted_trend(spike["value"], lo, hi)
    assert slope > 0 and chi2 > markers.CHI2_998 and not steady
    without_last, _, _ = weighted_trend(spike["value"][:4], lo[:4], hi[:4])
    assert without_last < 0
    assert trend_marker(spike, indicator_id="X", unit="percent", polarity="up").marker == "no_change"


def test_counts_and_means_use_poisson_intervals():
    counts = _frame([40, 52, 61, 75, 90], [np.nan] * 5, unit="count")
    got = trend_marker(counts, indicator_id="X", unit="count", polarity="up")
    assert got.marker == "increasing_better"
    flat = _frame([40, 43, 38, 41, 42], [np.nan] * 5, unit="count")
    assert trend_marker(flat, indicator_id="X", unit="count", polarity="up").marker == "no_change"
    means = _frame([200, 210, 190, 150, 120], [10] * 5, unit="mean")
    assert trend_marker(means, indicator_id="X", unit="mean", polarity="up").marker == "decreasing_worse"


@pytest.mark.parametrize(
    ("frame", "kwargs", "reason"),
    [
        (_frame([5, 6, 7, 8], [10] * 4), {}, "fewer than 5 months"),
        (_frame([5, 6, 7, 8, 9], [10] * 5, suppressed=[False, False, True, False, False]), {}, "hidden"),
        (_frame([5, 6, 7, 8, 9], [10] * 5, status=["complete"] * 4 + ["not_reported"]), {}, "not reported"),
        (_frame([5, 6, 7, 8, 9], [10] * 5, status=["incomplete"] + ["complete"] * 4), {}, "incomplete"),
        (_frame([5, 6, 7, 8, 9], [10] * 5), {"indicator_id": "HLT-01"}, "overlap"),
        (_frame([5, 6, 7, 8, 9], [10] * 5), {"unit": "breakdown"}, "breakdown"),
        (
            _frame([5, 6, 7, 8, 9], [10] * 5).assign(numerator=np.nan, denominator=np.nan),
            {"unit": "mean"},
            "not published",
        ),
    ],
)
def test_cannot_be_calculated_says_why(frame, kwargs, reason):
    args = {"indicator_id": "X", "unit": "percent", "polarity": "up", **kwargs}
    got = trend_marker(frame, **args)
    assert got.marker == "cannot_be_calculated"
    assert reason in got.reason and got.words.startswith("Cannot be calculated: ")


def test_only_the_last_five_points_count():
    # an older hidden point does not matter; older points do not change the marker
    f = _frame(
        [1, 2, 621, 599, 556, 535, 447],
        [10, 10, 3454, 3195, 3256, 3227, 3121],
        suppressed=[True, False, False, False, False, False, False],
    )
    assert trend_marker(f, indicator_id="X", unit="percent", polarity="up").marker == "decreasing_worse"


def test_against_target():
    assert against_target(value=60, lower=55, upper=65, target=62, polarity="up") == "similar"
    assert against_target(value=60, lower=55, upper=65, target=50, polarity="up") == "better"
    assert against_target(value=60, lower=55, upper=65, target=70, polarity="up") == "worse"
    assert against_target(value=60, lower=55, upper=65, target=70, polarity="down") == "better"
    assert against_target(value=60, lower=55, upper=65, target=65, polarity="up") == "similar"  # on the limit
    assert against_target(value=60, lower=55, upper=65, target=None, polarity="up") is None
    assert against_target(value=60, lower=None, upper=None, target=50, polarity="up") is None
    assert against_target(value=60, lower=55, upper=65, target=50, polarity="none") is None


def test_against_earlier_overlapping_intervals():
    assert (
        against_earlier(value=60, lower=55, upper=65, earlier=50, earlier_lower=45, earlier_upper=55, polarity="up")
        == "similar"
    )  # touching intervals overlap
    assert (
        against_earlier(value=60, lower=56, upper=65, earlier=50, earlier_lower=45, earlier_upper=55, polarity="up")
        == "better"
    )
    assert (
        against_earlier(value=60, lower=56, upper=65, earlier=50, earlier_lower=45, earlier_upper=55, polarity="down")
        == "worse"
    )
    assert (
        against_earlier(value=40, lower=35, upper=44, earlier=50, earlier_lower=45, earlier_upper=55, polarity="none")
        == "lower"
    )
    assert (
        against_earlier(
            value=40, lower=35, upper=44, earlier=None, earlier_lower=None, earlier_upper=None, polarity="up"
        )
        is None
    )


def test_confidence_level_setting(monkeypatch):
    assert markers.confidence_level() == 95
    monkeypatch.setenv("OUTCOMES_CONFIDENCE", "99.8")
    assert markers.confidence_level() == 99.8
    for bad in ("90", "ninety-five"):
        monkeypatch.setenv("OUTCOMES_CONFIDENCE", bad)
        with pytest.raises(ValueError, match="OUTCOMES_CONFIDENCE must be 95 or 99.8"):
            markers.confidence_level()


def test_the_level_can_turn_better_into_similar():
    # 20 against a target of 11: Byar's 95% limits 12.2 to 30.9 (better); 99.8% limits 9.9 to 35.7 (similar)
    for level, expected in ((95, "better"), (99.8, "similar")):
        lo, hi = markers.judge_figures(unit=["count"], value=[20], numerator=[20], denominator=[np.nan], level=level)
        assert against_target(value=20, lower=lo[0], upper=hi[0], target=11, polarity="up") == expected
    lo, hi = markers.judge_figures(
        unit=["count", "percent"], value=[np.nan, 50], numerator=[np.nan, 5], denominator=[np.nan, 10], level=95
    )
    assert np.isnan(lo[0]) and lo[1] == pytest.approx(23.659309, rel=1e-5)


def test_markers_for_a_trend_frame():
    t = pd.concat(
        [
            _frame(n, d).assign(id="ENG-03", period_start=pd.date_range("2025-01-01", periods=5, freq="MS"))
            for n, d in [([621, 599, 556, 535, 447], [3454, 3195, 3256, 3227, 3121])]
        ]
    )
    t = t.iloc[::-1]  # any order: sorted by period
    got = markers.markers_for(t, freq="quarter")
    assert got.to_dict("records")[0]["marker"] == "decreasing_worse"
    assert list(got.columns) == markers.MARKER_COLUMNS and got["freq"].tolist() == ["quarter"]
