"""Statistical process control the NHS "Making Data Count" way: XmR charts, rules, variation and assurance.

- centre line: the mean; process limits: mean ± 2.66 × mean moving range (no clipping at zero);
- special cause rules: a point outside the limits; a run of 7 or more points on one side of the mean
  (a point on the mean breaks a run); a trend of 7 or more points each rising (or each falling) from
  the last (an equal value breaks a trend); two of three points in a row beyond 2 sigma
  (2/3 of the way to a limit) on the same side;
- a special-cause point is improvement or concern by the indicator's polarity: above the mean (or, for
  a trend, rising) is improvement when higher is better; 'neither' for indicators without a direction;
- variation (the icon) is read from the latest point; assurance compares the limits with the target.
Missing values (suppressed or not reported) are left out of the calculation and keep their place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

LIMIT_FACTOR = 2.66
RUN_LENGTH = 7
TREND_LENGTH = 7

VARIATION_LABELS = {
    "common_cause": "Common cause variation: no significant change",
    "improvement": "Special cause variation: improvement",
    "concern": "Special cause variation: concern",
    "neither": "Special cause variation: a change that is neither better nor worse",
}
ASSURANCE_LABELS = {
    "pass": "The target will consistently be met",
    "fail": "The target will consistently not be met unless something changes",
    "hit_or_miss": "The target may or may not be met (hit and miss)",
}


@dataclass
class SPCResult:
    frame: pd.DataFrame  # date, value, mean, upper, lower, moving_range, special_cause, cause, rule
    mean: float | None
    upper: float | None
    lower: float | None
    variation: str
    assurance: str | None
    points: int

    @property
    def variation_label(self) -> str:
        return VARIATION_LABELS[self.variation]

    @property
    def assurance_label(self) -> str | None:
        return ASSURANCE_LABELS.get(self.assurance) if self.assurance else None


def _runs(flags_key: np.ndarray, min_len: int) -> np.ndarray:
    """Mark positions belonging to runs of equal, non-zero ``flags_key`` at least ``min_len`` long."""
    n = len(flags_key)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    change = np.concatenate([[True], flags_key[1:] != flags_key[:-1]])
    group = np.cumsum(change)
    sizes = np.bincount(group)
    out = (sizes[group] >= min_len) & (flags_key != 0)
    return out


def _two_of_three(beyond: np.ndarray) -> np.ndarray:
    """Points beyond 2 sigma that sit in a window of three with at least two beyond on the same side."""
    n = len(beyond)
    out = np.zeros(n, dtype=bool)
    if n < 3:
        return out
    windows = np.lib.stride_tricks.sliding_window_view(beyond.astype(int), 3)
    hit = windows.sum(axis=1) >= 2
    for offset in range(3):
        out[offset:offset + len(hit)] |= hit & beyond[offset:offset + len(hit)]
    return out


def xmr(*, values: pd.Series, polarity: str, target: float | None = None) -> SPCResult:
    """An XmR chart of ``values`` (index: dates, sorted) for an indicator of ``polarity`` ('up'|'down'|'none')."""
    s = pd.Series(values, dtype=float)
    present = s.dropna()
    x = present.to_numpy(float)
    n = len(x)
    frame = pd.DataFrame({"date": list(s.index), "value": s.to_numpy(float)})
    for col in ("mean", "upper", "lower", "moving_range"):
        frame[col] = np.nan
    frame["special_cause"] = False
    frame["cause"] = None
    frame["rule"] = None
    if n < 2:
        return SPCResult(frame, float(x[0]) if n else None, None, None, "common_cause", None, n)

    mean = float(x.mean())
    mr = np.abs(np.diff(x))
    amr = float(mr.mean())
    upper, lower = mean + LIMIT_FACTOR * amr, mean - LIMIT_FACTOR * amr
    two_sigma = 2 / 3 * LIMIT_FACTOR * amr

    side = np.sign(x - mean)
    outside = (x > upper) | (x < lower)
    run = _runs(side, RUN_LENGTH)
    step = np.sign(np.diff(x))
    trend_steps = _runs(step, TREND_LENGTH - 1)  # 7 points = 6 steps the same way
    trend = np.zeros(n, dtype=bool)
    trend[1:] |= trend_steps
    trend[:-1] |= trend_steps
    trend_dir = np.zeros(n)
    k = np.flatnonzero(trend_steps)
    trend_dir[k] = step[k]
    trend_dir[k + 1] = step[k]
    high = _two_of_three(x > mean + two_sigma)
    low = _two_of_three(x < mean - two_sigma)
    two3 = high | low

    special = outside | run | trend | two3
    rule = np.select([outside, two3, run, trend], ["outside_limits", "two_of_three", "run", "trend"], default="")
    # Direction of each special point: its side of the mean, or for a trend-only point, the trend's way.
    direction = np.where(trend & ~(outside | run | two3), trend_dir, side)
    if polarity == "none":
        cause = np.where(special, "neither", None)
    else:
        good = 1 if polarity == "up" else -1
        cause = np.where(special, np.where(direction == good, "improvement", "concern"), None)

    pos = np.flatnonzero(s.notna().to_numpy())
    frame.loc[:, "mean"] = mean
    frame.loc[:, "upper"] = upper
    frame.loc[:, "lower"] = lower
    frame.loc[pos[1:], "moving_range"] = mr
    frame.loc[pos, "special_cause"] = special
    frame["cause"] = frame["cause"].astype(object)
    frame["rule"] = frame["rule"].astype(object)
    frame.loc[pos, "cause"] = cause
    frame.loc[pos, "rule"] = np.where(rule == "", None, rule)

    variation = str(cause[-1]) if special[-1] else "common_cause"
    assurance = None
    if target is not None and np.isfinite(target) and polarity in ("up", "down"):
        meets_all = lower >= target if polarity == "up" else upper <= target
        misses_all = upper < target if polarity == "up" else lower > target
        assurance = "pass" if meets_all else "fail" if misses_all else "hit_or_miss"
    return SPCResult(frame, mean, upper, lower, variation, assurance, n)
