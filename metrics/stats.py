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


def wilson_one(*, numerator: float | None, denominator: float | None, z: float = Z95) -> tuple[float | None, float | None]:
    """Percent Wilson limits for one numerator and denominator (None when undefined)."""
    if numerator is None or denominator is None or not denominator:
        return None, None
    lo, hi = wilson(numerator=[numerator], denominator=[denominator], z=z)
    return float(lo[0]), float(hi[0])
