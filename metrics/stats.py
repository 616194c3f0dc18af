"""Confidence intervals: the Wilson score interval used by OHID's Fingertips."""

from __future__ import annotations

import numpy as np
import pandas as pd

Z95 = 1.959964


def wilson(*, numerator, denominator, z: float = Z95, multiplier: float = 100.0) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper Wilson limits (percent by default) for arrays of numerators and denominators.

    A missing or zero denominator, or a missing numerator, gives NaN limits.
    """
    o = pd.to_numeric(pd.Series(np.atleast_1d(numerator), dtype="object"), errors="coerce").to_numpy(float)
    n = pd.to_numeric(pd.Series(np.atleast_1d(denominator), dtype="object"), errors="coerce").to_numpy(float)
    ok = np.isfinite(o) & np.isfinite(n) & (n > 0)
    o_, n_ = np.where(ok, o, 0.0), np.where(ok, n, 1.0)
    p = o_ / n_
    z2 = z * z
    root = z * np.sqrt(np.clip(z2 + 4 * o_ * (1 - p), 0, None))
    den = 2 * (n_ + z2)
    lower = (2 * o_ + z2 - root) / den * multiplier
    upper = (2 * o_ + z2 + root) / den * multiplier
    return np.where(ok, lower, np.nan), np.where(ok, upper, np.nan)


def wilson_one(
    *, numerator: float | None, denominator: float | None, z: float = Z95
) -> tuple[float | None, float | None]:
    """Percent Wilson limits for one numerator and denominator (None when undefined)."""
    if numerator is None or denominator is None or not denominator:
        return None, None
    lo, hi = wilson(numerator=[numerator], denominator=[denominator], z=z)
    return float(lo[0]), float(hi[0])


Z998 = 3.090232  # two-sided 99.8%
Z_FOR_LEVEL = {95.0: Z95, 99.8: Z998}


def z_for(level: float) -> float:
    """The z of a two-sided confidence level: 95 or 99.8 (the two levels Fingertips uses)."""
    try:
        return Z_FOR_LEVEL[float(level)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"confidence level must be 95 or 99.8, not {level!r}") from None


def byars(*, count, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Byar's approximation to the exact Poisson limits of counts, as PHE's methods use for counts and rates.

    A count of 0 has lower limit 0; a lower limit the approximation makes negative (small counts at 99.8%)
    is NaN, as in PHEindicatormethods' test data. A missing or negative count gives NaN limits.
    """
    o = pd.to_numeric(pd.Series(np.atleast_1d(count), dtype="object"), errors="coerce").to_numpy(float)
    ok = np.isfinite(o) & (o >= 0)
    o_ = np.where(ok, o, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = o_ * (1 - 1 / (9 * o_) - z / (3 * np.sqrt(o_))) ** 3
    low = np.where(o_ == 0, 0.0, np.where(low < 0, np.nan, low))
    up = (o_ + 1) * (1 - 1 / (9 * (o_ + 1)) + z / (3 * np.sqrt(o_ + 1))) ** 3
    return np.where(ok, low, np.nan), np.where(ok, up, np.nan)


def limits(*, unit: str, numerator, denominator, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits of figures of one unit: Wilson for percents, Byar's for counts, and for a mean
    (events per session) Byar's limits of the events divided by the sessions. NaN where undefined."""
    if unit == "percent":
        return wilson(numerator=numerator, denominator=denominator, z=z)
    lo, hi = byars(count=numerator, z=z)
    lo = np.where(np.isnan(lo) & np.isfinite(hi), 0.0, lo)  # a count cannot be below 0
    if unit == "count":
        return lo, hi
    if unit == "mean":
        d = pd.to_numeric(pd.Series(np.atleast_1d(denominator), dtype="object"), errors="coerce").to_numpy(float)
        ok = np.isfinite(d) & (d > 0)
        d_ = np.where(ok, d, 1.0)
        return np.where(ok, lo / d_, np.nan), np.where(ok, hi / d_, np.nan)
    n = len(np.atleast_1d(numerator))
    return np.full(n, np.nan), np.full(n, np.nan)
