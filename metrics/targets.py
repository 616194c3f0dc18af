"""Targets per financial year (configuration, with database overrides on top) and RAG ratings."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core import settings
from core.periods import fy_label
from metrics.catalogue import by_id, ids
from storage.repository import read_targets, write_target

AMBER_MARGIN = 0.10  # amber: misses by no more than 10% of the target


class TargetsError(ValueError):
    """The targets file is not as expected."""


def _fy_key(fy: int) -> str:
    return fy_label(fy)


def config_targets(*, financial_year: int, path: Path | None = None) -> dict[str, float]:
    """Targets from ``config/targets.toml``: the ``[default]`` table, then ``["YYYY-YY"]`` for the year on top."""
    p = Path(path or settings.get("OUTCOMES_TARGETS_FILE"))
    if not p.exists():
        return {}
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TargetsError(f"{p}: not valid TOML ({exc})") from None
    known = set(ids())
    out: dict[str, float] = {}
    for table in ("default", _fy_key(financial_year)):
        for key, value in (data.get(table) or {}).items():
            if key not in known:
                raise TargetsError(f"{p}: [{table}] names {key!r}, which is not an indicator ID")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise TargetsError(f"{p}: [{table}] {key} must be a number")
            out[key] = float(value)
    return out


def targets_for(*, engine: sa.Engine, financial_year: int) -> dict[str, float]:
    """Targets for one financial year (by its starting calendar year): database overrides on top of config."""
    return all_targets(engine=engine, financial_years=[financial_year]).get(financial_year, {})


def all_targets(*, engine: sa.Engine, financial_years: list[int]) -> dict[int, dict[str, float]]:
    """Targets for several financial years from one read of the targets table."""
    db = read_targets(engine)
    out: dict[int, dict[str, float]] = {}
    for fy in dict.fromkeys(financial_years):
        t = config_targets(financial_year=fy)
        mine = db[db["financial_year"] == fy]
        t.update({str(k): float(v) for k, v in zip(mine["indicator_id"], mine["value"], strict=True)})
        out[fy] = t
    return out


def set_target(*, engine: sa.Engine, financial_year: int, indicator_id: str, value: float | None, set_by: str) -> None:
    """Override (or with None, stop overriding) the configured target of one indicator for one year."""
    by_id(indicator_id)  # KeyError for an unknown ID
    if value is not None and not math.isfinite(float(value)):
        raise ValueError("a target must be a finite number")
    write_target(engine, financial_year=financial_year, indicator_id=indicator_id, value=value, set_by=set_by)


def rag(*, value, target, polarity) -> np.ndarray:
    """RAG for arrays (or scalars) of value, target and polarity ('up'|'down'|'none'); None where not rated.

    Green meets the target in the polarity's direction; amber misses by no more than 10% of the target;
    red otherwise; none without a target, a value or a direction.
    """
    v = pd.to_numeric(pd.Series(np.atleast_1d(value), dtype="object"), errors="coerce").to_numpy(float)
    t = pd.to_numeric(pd.Series(np.atleast_1d(target), dtype="object"), errors="coerce").to_numpy(float)
    pol = np.broadcast_to(np.atleast_1d(np.asarray(polarity, dtype=object)), v.shape)
    up, down = pol == "up", pol == "down"
    margin = AMBER_MARGIN * np.abs(t)
    with np.errstate(invalid="ignore"):
        green = (up & (v >= t)) | (down & (v <= t))
        amber = ~green & ((up & (v >= t - margin)) | (down & (v <= t + margin)))
    rated = np.isfinite(v) & np.isfinite(t) & (up | down)
    out = np.where(green, "green", np.where(amber, "amber", "red")).astype(object)
    out[~rated] = None
    return out
