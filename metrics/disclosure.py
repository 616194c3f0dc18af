"""Disclosure control (indicators spec section 5): THE functions every public figure goes through.

- A count from 1 to threshold-1 is suppressed (value None); 0 is shown.
- A percent is suppressed when its numerator, denominator or denominator - numerator is from 1 to
  threshold-1; its CIs, numerator and denominator are then hidden too.
- A mean (ENG-04) is suppressed when the distinct women behind it number 1 to threshold-1; its
  numerator and denominator (attendances, sessions) are never published, only the mean.
- In a breakdown shown with its total: if exactly one cell is suppressed the smallest other non-zero cell
  is suppressed too; if the suppressed cells could only be all ones (their sum equals their number) one
  more cell is suppressed, and if none is left the total is suppressed.
The threshold comes from ``core.settings.suppression_threshold()`` and is never below 5.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core import settings
from core.periods import Period
from metrics.results import BreakdownCell, IndicatorResult, IndicatorSet

MINIMUM_THRESHOLD = 5

# Breakdown cells (or sums of cells) that other published figures show: breakdown -> groups of categories.
LINKED: dict[str, tuple[tuple[str, ...], ...]] = {
    "HLT-03": (("oral_health",),),  # DEN-02
    "RHB-03": (("ready", "referred"),),  # RHB-01
    "accommodation": (("rough_sleeping",), ("temporary", "supported", "settled")),  # HSG-02, HSG-01 numerator
    "working_status": (("active",), ("reduced", "stopped")),  # EXT-01 denominator - numerator, numerator
}
FIGURES = ("numerator", "denominator", "value", "lower_ci", "upper_ci")


def threshold_value(threshold: int | None = None) -> int:
    """The threshold in force: the configured one (or the one given), never below 5."""
    return max(MINIMUM_THRESHOLD, int(threshold) if threshold is not None else settings.suppression_threshold())


def is_small(x, threshold: int | None = None):
    """True where 1 <= x < threshold (array or scalar); missing values are not small."""
    t = threshold_value(threshold)
    if x is None or isinstance(x, int | float | np.integer | np.floating):
        return x is not None and bool(np.isfinite(x)) and 1 <= x < t
    if isinstance(x, np.ndarray) and x.dtype.kind in "fiu":
        a = x.astype(float)
    else:
        a = pd.to_numeric(pd.Series(np.atleast_1d(x), dtype="object"), errors="coerce").to_numpy(float)
    with np.errstate(invalid="ignore"):
        out = np.isfinite(a) & (a >= 1) & (a < t)
    return bool(out[0]) if np.ndim(x) == 0 else out


@dataclass(frozen=True)
class Protected:
    numerator: float | None
    denominator: float | None
    value: float | None
    lower_ci: float | None
    upper_ci: float | None
    suppressed: bool


def protect_count(*, value, threshold: int | None = None) -> tuple[float | int | None, bool]:
    """(value or None, suppressed) for a count."""
    if is_small(value, threshold):
        return None, True
    return value, False


def protect_percent(*, numerator, denominator, value, lower_ci=None, upper_ci=None,
                    threshold: int | None = None) -> Protected:
    """A percent with its CIs, suppressed on a small numerator, denominator or complement."""
    complement = None if numerator is None or denominator is None else denominator - numerator
    if is_small(numerator, threshold) or is_small(denominator, threshold) or is_small(complement, threshold):
        return Protected(None, None, None, None, None, True)
    return Protected(numerator, denominator, value, lower_ci, upper_ci, False)


def protect_mean(*, value, women, threshold: int | None = None) -> Protected:
    """A mean: suppressed when the distinct women behind it are few; parts never published."""
    if is_small(women, threshold):
        return Protected(None, None, None, None, None, True)
    return Protected(None, None, value, None, None, False)


def protect_frame(*, frame: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """Vectorised protection of a long frame with columns unit, numerator, denominator, value, lower_ci,
    upper_ci and women (dropped). Adds ``suppressed``; suppressed figures become NaN."""
    f = frame.copy()
    unit = f["unit"].to_numpy()
    num, den = f["numerator"].to_numpy(float), f["denominator"].to_numpy(float)
    women = f["women"].to_numpy(float) if "women" in f else np.full(len(f), np.nan)
    count_like = np.isin(unit, ["count", "breakdown"])
    sup = (
        (count_like & (is_small(f["value"].to_numpy(float), threshold) | is_small(num, threshold)))
        | ((unit == "percent") & (is_small(num, threshold) | is_small(den, threshold)
                                  | is_small(den - num, threshold)))
        | ((unit == "mean") & is_small(women, threshold))
    )
    f.loc[sup, list(FIGURES)] = np.nan
    f.loc[unit == "mean", ["numerator", "denominator"]] = np.nan
    f["suppressed"] = sup
    return f.drop(columns=["women"], errors="ignore")


def protect_breakdown(*, cells: list[BreakdownCell], total: float | int | None, threshold: int | None = None,
                      linked: tuple[tuple[str, ...], ...] = ()) -> tuple[list[BreakdownCell], bool]:
    """Protected cells of a breakdown shown with ``total``, and whether the total must be suppressed too.

    ``linked``: groups of categories whose sum is published elsewhere (e.g. RHB-01 = ready + referred;
    DEN-02 = HLT-03's oral_health cell). A one-category group is never chosen for secondary suppression
    (its value is shown elsewhere); a group with exactly one suppressed cell gets a second one from the
    same group, so the other figure cannot undo the suppression.
    """
    values = [c.value for c in cells]
    sup = [bool(is_small(v, threshold)) for v in values]
    index = {c.category: i for i, c in enumerate(cells)}
    shown_elsewhere = {index[g[0]] for g in linked if len(g) == 1 and g[0] in index}
    groups = [[index[c] for c in g if c in index] for g in linked if len(g) > 1]
    total_suppressed = bool(is_small(total, threshold))

    def candidates(among=None) -> list[int]:
        pool = range(len(values)) if among is None else among
        out = [i for i in pool if not sup[i] and i not in shown_elsewhere and values[i] is not None and values[i] > 0]
        if among is None:  # never pick a cell that would be the only hidden one of a published sum
            out = [i for i in out if not any(i in g and not any(sup[j] for j in g if j != i)
                                             and not candidates([j for j in g if j != i]) for g in groups)]
        return sorted(out, key=lambda i: values[i])

    changed = True
    while changed and not total_suppressed:
        changed = False
        k = sum(sup)
        ones = k >= 2 and sum(values[i] for i in range(len(values)) if sup[i]) == k  # could only be all ones
        if k == 1 or ones:  # one suppressed cell = total - the others
            rest = candidates()
            if not rest:
                total_suppressed = True
                break
            sup[rest[0]] = changed = True
            continue
        for g in groups:
            hidden = [i for i in g if sup[i]]
            if len(hidden) == 1:
                rest = candidates(g)
                if rest:
                    sup[rest[0]] = changed = True
                elif not is_small(values[hidden[0]], threshold):
                    total_suppressed = True  # the published sum would give it away
    if total_suppressed:
        sup = [bool(v) and v > 0 for v in values]  # with no total, every non-zero cell goes
    out = [BreakdownCell(c.category, None if s else c.value, s) for c, s in zip(cells, sup, strict=True)]
    return out, total_suppressed


def protect_series_by_groups(*, values: np.ndarray, groups: list[np.ndarray], threshold: int | None = None,
                             suppressed: np.ndarray | None = None) -> np.ndarray:
    """Suppression flags for a series whose sums over each group (index arrays) can be worked out elsewhere.

    Primary: values 1 to threshold-1 (and any already ``suppressed``). Then, until nothing changes, a group with exactly one suppressed
    value, or whose suppressed values could only all be 1, loses its smallest other non-zero value.
    Used for session-by-session attendance, whose monthly or quarterly sums follow from ENG-04's mean.
    """
    v = np.asarray(values, dtype=float)
    sup = np.asarray(is_small(v, threshold), dtype=bool).copy() if len(v) else np.zeros(0, dtype=bool)
    if suppressed is not None:
        sup |= np.asarray(suppressed, dtype=bool)
    v = np.nan_to_num(v, nan=0.0)  # a value not shown at all (not reported) is never a candidate
    changed = True
    while changed:
        changed = False
        for g in groups:
            k = int(sup[g].sum())
            if k == 0 or (k >= 2 and v[g][sup[g]].sum() > k):
                continue
            free = g[~sup[g] & (v[g] > 0)]
            if len(free):
                sup[free[np.argmin(v[free])]] = True
                changed = True
    return sup


def protect_cells_frame(*, cells: pd.DataFrame, totals: pd.DataFrame, threshold: int | None = None,
                        keys: tuple[str, ...] = ("p", "id")) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``protect_breakdown`` to every (period, indicator) group of a long cell frame.

    ``totals`` has ``keys`` and ``total``. Returns (protected cells with ``suppressed``, keys whose total
    must be suppressed as well).
    """
    out, hide = [], []
    tot = totals.set_index(list(keys))["total"].to_dict() if len(totals) else {}
    for key, g in cells.groupby(list(keys), sort=False):
        cl = [BreakdownCell(str(c), v, False) for c, v in zip(g["category"], g["value"], strict=True)]
        ind_id = key[list(keys).index("id")] if isinstance(key, tuple) and "id" in keys else None
        prot, hide_total = protect_breakdown(cells=cl, total=tot.get(key), threshold=threshold,
                                             linked=LINKED.get(ind_id, ()))
        out.append(g.assign(value=[c.value for c in prot], suppressed=[c.suppressed for c in prot]))
        if hide_total:
            hide.append(dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)))
    cells_out = pd.concat(out, ignore_index=True) if out else cells.assign(suppressed=pd.Series(dtype=bool))
    return cells_out, pd.DataFrame(hide, columns=list(keys))


def protect_result(*, result: IndicatorResult, threshold: int | None = None) -> IndicatorResult:
    """One indicator result made fit for a public viewer (RAG withheld when the value is suppressed)."""
    if result.status == "not_reported":
        return replace(result, numerator=None, denominator=None, value=None, lower_ci=None, upper_ci=None,
                       suppressed=False, rag=None, breakdown=[], women=None)
    if result.unit == "percent":
        p = protect_percent(numerator=result.numerator, denominator=result.denominator, value=result.value,
                            lower_ci=result.lower_ci, upper_ci=result.upper_ci, threshold=threshold)
    elif result.unit == "mean":
        # Without the women behind it, fall back on the attendances (never fewer than the women).
        women = result.women if result.women is not None else result.numerator
        p = protect_mean(value=result.value, women=women, threshold=threshold)
    else:
        v, s = protect_count(value=result.value, threshold=threshold)
        p = Protected(None if s else result.numerator, None, v, None, None, s)
    breakdown = result.breakdown
    if breakdown:
        breakdown, hide_total = protect_breakdown(cells=breakdown, total=result.value, threshold=threshold,
                                                  linked=LINKED.get(result.id, ()))
        if hide_total:
            p = Protected(None, None, None, None, None, True)
    return replace(result, numerator=p.numerator, denominator=p.denominator, value=p.value, lower_ci=p.lower_ci,
                   upper_ci=p.upper_ci, suppressed=p.suppressed, rag=None if p.suppressed else result.rag,
                   breakdown=breakdown, women=None)


def apply_to_set(*, indicator_set: IndicatorSet, threshold: int | None = None) -> IndicatorSet:
    """A public copy of an exact indicator set."""
    t = threshold_value(threshold)
    return IndicatorSet(period=indicator_set.period, public=True, as_of=indicator_set.as_of, threshold=t,
                        results=[protect_result(result=r, threshold=t) for r in indicator_set.results])


def protect_against_totals(trend: pd.DataFrame, *, totals: list[Period]) -> pd.DataFrame:
    """Where exactly one period inside a published total is suppressed, hide the smallest other one too.

    A figure summed over the periods of a trend could otherwise be worked out as the
    total shown on the same page minus the other periods (the rule for a breakdown
    shown with its total, indicators spec section 5).
    """
    if trend.empty:
        return trend
    out = trend.copy()
    starts, ends = pd.to_datetime(out["period_start"]), pd.to_datetime(out["period_end"])
    size = out["denominator"].where(out["denominator"].notna(), out["value"]) if "denominator" in out else out["value"]
    figures_ = [c for c in ("numerator", "denominator", "value", "lower_ci", "upper_ci") if c in out]
    for p in totals:
        inside = (starts >= pd.Timestamp(p.start)) & (ends <= pd.Timestamp(p.end))
        if inside.sum() < 2:
            continue
        hidden = out[inside].groupby("id")["suppressed"].sum()
        for ind in hidden[hidden == 1].index:
            pick = size[inside & (out["id"] == ind) & ~out["suppressed"].astype(bool) & (size.fillna(0) > 0)]
            if not pick.empty:
                idx = pick.astype(float).idxmin()
                out.loc[idx, "suppressed"] = True
                out.loc[idx, figures_] = None
    return out
