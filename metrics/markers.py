"""Fingertips' markers: is a trend really moving, and is a figure better, similar or worse than another?

Trend marker (OHID Fingertips, "Trend markers" technical guidance): the five most recent points; a weighted
regression of the value on time, each point weighted by 1 / SE² with SE = (upper − lower 95% limit) ÷ 3.92;
the trend is significant when χ² = (slope ÷ its SE)² exceeds 9.5495 (99.8%, one degree of freedom) and the
slope keeps its sign when each point in turn is left out. Then "increasing" or "decreasing", "and getting
better/worse" by the indicator's polarity; otherwise "no significant change"; or "cannot be calculated",
with the reason.

Comparisons (Fingertips' overlapping-interval comparers): against a target, "similar" when the target lies
within the figure's interval; against the same period a year earlier, "similar" when the two intervals
overlap; otherwise better or worse by polarity (higher or lower without one). The level is 95% by default,
99.8% by ``OUTCOMES_CONFIDENCE``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import settings
from metrics.stats import Z95, limits, z_for

POINTS = 5
CHI2_998 = 9.549536  # χ² with one degree of freedom at 99.8%
SE_FROM_95 = 3.92  # width of a 95% interval in standard errors (2 × 1.96)
# Figures over overlapping windows (each month's covers the 12 months before it): not independent periods,
# which the Fingertips test needs.
OVERLAPPING: frozenset[str] = frozenset({"HLT-01", "DEN-01"})

TREND_WORDS = {
    "increasing_better": "Increasing and getting better",
    "increasing_worse": "Increasing and getting worse",
    "decreasing_better": "Decreasing and getting better",
    "decreasing_worse": "Decreasing and getting worse",
    "increasing": "Increasing",
    "decreasing": "Decreasing",
    "no_change": "No significant change",
    "cannot_be_calculated": "Cannot be calculated",
}
FREQ_WORDS = {"month": "months", "quarter": "quarters"}


@dataclass(frozen=True)
class TrendMarker:
    marker: str  # a key of TREND_WORDS
    reason: str | None = None  # why it cannot be calculated
    chi_square: float | None = None
    slope: float | None = None  # per period, in the indicator's unit
    points: int = 0

    @property
    def words(self) -> str:
        base = TREND_WORDS[self.marker]
        return f"{base}: {self.reason}" if self.reason else base


def confidence_level() -> float:
    """The level of the comparisons' intervals (``OUTCOMES_CONFIDENCE``: 95 or 99.8)."""
    try:
        level = float(settings.get("OUTCOMES_CONFIDENCE"))
        z_for(level)  # refuses any other level
    except ValueError:
        raise ValueError("OUTCOMES_CONFIDENCE must be 95 or 99.8") from None
    return level


def weighted_trend(values, lower, upper) -> tuple[float, float, bool]:
    """Slope, χ² and whether every leave-one-out slope has the full slope's sign, for points at t = 1, 2, ..."""
    y = np.asarray(values, float)
    se = (np.asarray(upper, float) - np.asarray(lower, float)) / SE_FROM_95
    w = 1 / se**2
    t = np.arange(1, len(y) + 1, dtype=float)

    def fit(keep: np.ndarray) -> tuple[float, float]:
        s1, s2, s3 = w[keep].sum(), (w * t * y)[keep].sum(), (w * t)[keep].sum()
        s4, s5 = (w * y)[keep].sum(), (w * t * t)[keep].sum()
        det = s1 * s5 - s3 * s3
        return (s1 * s2 - s3 * s4) / det, np.sqrt(s1 / det)

    slope, se_slope = fit(np.ones(len(y), dtype=bool))
    signs = {np.sign(slope) < 0}
    for j in range(len(y)):
        keep = np.arange(len(y)) != j
        signs.add(fit(keep)[0] < 0)  # as Fingertips: a slope of 0 counts with the rising ones
    return float(slope), float((slope / se_slope) ** 2), len(signs) == 1


def trend_marker(
    series: pd.DataFrame, *, indicator_id: str, unit: str, polarity: str, freq: str = "month"
) -> TrendMarker:
    """The trend marker of one indicator's series (rows in period order, with ``numerator``, ``denominator``,
    ``value``, ``suppressed`` and ``status``, as ``metrics.trend`` gives them; public series come protected).

    A hidden figure among the last five means no marker ("cannot be calculated"): a marker worked out from
    it could hint at the hidden number.
    """
    if unit == "breakdown":
        return TrendMarker("cannot_be_calculated", "a breakdown has no single figure to follow")
    if indicator_id in OVERLAPPING:
        return TrendMarker("cannot_be_calculated", "each figure covers the 12 months before it, so the periods overlap")
    last = series.tail(POINTS)
    n = len(last)
    if n < POINTS:
        return TrendMarker(
            "cannot_be_calculated", f"fewer than {POINTS} {FREQ_WORDS.get(freq, 'periods')} of figures", points=n
        )
    if last["suppressed"].fillna(False).astype(bool).any():
        return TrendMarker(
            "cannot_be_calculated", "a figure among the last five is hidden to protect small numbers", points=n
        )
    status = last["status"].astype(str)
    if (status == "not_reported").any() or last["value"].isna().any():
        return TrendMarker("cannot_be_calculated", "a figure among the last five was not reported", points=n)
    if (status == "incomplete").any():
        return TrendMarker(
            "cannot_be_calculated", "a figure among the last five is incomplete (a return is missing)", points=n
        )
    basis = last["value"] if unit == "count" else last["numerator"]
    lo, hi = limits(unit=unit, numerator=basis.to_numpy(float), denominator=last["denominator"].to_numpy(float), z=Z95)
    if not (np.isfinite(lo).all() and np.isfinite(hi).all() and (hi > lo).all()):
        return TrendMarker(
            "cannot_be_calculated",
            "the figures behind the last five are not published"
            if basis.isna().any()
            else "the figures have no confidence interval",
            points=n,
        )
    slope, chi2, steady = weighted_trend(last["value"].to_numpy(float), lo, hi)
    if not (chi2 > CHI2_998 and steady):
        return TrendMarker("no_change", chi_square=chi2, slope=slope, points=n)
    way = "increasing" if slope > 0 else "decreasing"
    if polarity in ("up", "down"):
        better = (slope > 0) == (polarity == "up")
        way = f"{way}_{'better' if better else 'worse'}"
    return TrendMarker(way, chi_square=chi2, slope=slope, points=n)


def _judge(now: float, other: float, polarity: str) -> str:
    if polarity in ("up", "down"):
        return "better" if (now > other) == (polarity == "up") else "worse"
    return "higher" if now > other else "lower"


def against_target(*, value, lower, upper, target, polarity: str) -> str | None:
    """Better, similar or worse than a target: similar when the target lies within the figure's interval."""
    vals = [value, lower, upper, target]
    if polarity not in ("up", "down") or any(v is None or not np.isfinite(float(v)) for v in vals):
        return None
    if lower <= target <= upper:
        return "similar"
    return _judge(value, target, polarity)


def against_earlier(*, value, lower, upper, earlier, earlier_lower, earlier_upper, polarity: str) -> str | None:
    """Better, similar or worse than an earlier figure: similar when the two intervals overlap."""
    vals = [value, lower, upper, earlier, earlier_lower, earlier_upper]
    if any(v is None or not np.isfinite(float(v)) for v in vals):
        return None
    overlap = earlier_lower <= upper if earlier > value else lower <= earlier_upper
    if overlap:
        return "similar"
    return _judge(value, earlier, polarity)


def markers_for(trend: pd.DataFrame, *, freq: str) -> pd.DataFrame:
    """The trend marker of every indicator in a ``metrics.trend`` frame: id, freq, marker, words, reason,
    chi_square, slope, points."""
    from metrics.catalogue import by_id

    rows = []
    for ind_id, part in trend.groupby("id", sort=False):
        ind = by_id(str(ind_id))
        m = trend_marker(
            part.sort_values("period_start"), indicator_id=ind.id, unit=ind.unit, polarity=ind.polarity, freq=freq
        )
        rows.append(
            {
                "id": ind.id,
                "freq": freq,
                "marker": m.marker,
                "words": m.words,
                "reason": m.reason,
                "chi_square": m.chi_square,
                "slope": m.slope,
                "points": m.points,
            }
        )
    return pd.DataFrame(rows, columns=MARKER_COLUMNS)


MARKER_COLUMNS = ["id", "freq", "marker", "words", "reason", "chi_square", "slope", "points"]


def judge_figures(*, unit, value, numerator, denominator, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The intervals of figures at ``level`` for judging: the count itself for counts, else the numerator."""
    unit = np.asarray(unit, dtype=object)
    value, numerator = np.asarray(value, float), np.asarray(numerator, float)
    denominator = np.asarray(denominator, float)
    lo, hi = np.full(len(unit), np.nan), np.full(len(unit), np.nan)
    z = z_for(level)
    for u in ("percent", "count", "mean"):
        m = unit == u
        if m.any():
            basis = value[m] if u == "count" else numerator[m]
            lo[m], hi[m] = limits(unit=u, numerator=basis, denominator=denominator[m], z=z)
    ok = np.isfinite(value)
    return np.where(ok, lo, np.nan), np.where(ok, hi, np.nan)
