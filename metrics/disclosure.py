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

Across outputs (spec section 5: nothing recoverable from all public outputs together): public figures exist
for standard periods only (``check_published``), and the additive figures of a financial year's whole
publication are protected together (``secure``): every month, quarter, year to date and the year, every
breakdown cell, with the sums between them that the catalogue declares (``Indicator.adds``). Before they
leave, an attacker's linear program (``attack``) confirms no hidden figure can be narrowed below the
protection the threshold implies (``protection``); where one can, more is hidden and the check runs again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd

from core import settings
from core.periods import Period, is_standard
from metrics.catalogue import CATALOGUE, linked
from metrics.results import BreakdownCell, IndicatorResult, IndicatorSet

MINIMUM_THRESHOLD = 5
log = logging.getLogger("outcomes.disclosure")


FIGURES = ("numerator", "denominator", "value", "lower_ci", "upper_ci")
PUBLISHED_PERIODS = (
    "a month, a financial-year quarter (Q1 is April to June), the year to date at the end of "
    "September or of December, or a financial year (April to March)"
)


class NotPublished(ValueError):
    """A public request for a period that published figures are not given for."""


def check_published(period: Period) -> None:
    """Refuse a public request for anything but a standard period, naming the periods available."""
    if not is_standard(period):
        raise NotPublished(
            f"Published figures are given only for {PUBLISHED_PERIODS}; "
            f"not for {period.label()}. Choose one of those periods."
        )


def threshold_value(threshold: int | None = None) -> int:
    """The threshold in force: the configured one (or the one given), never below 5."""
    return max(MINIMUM_THRESHOLD, int(threshold) if threshold is not None else settings.suppression_threshold())


def small_range(threshold: int | None = None) -> str:
    """The counts suppressed, in words for a sentence: "1 to 4" at the default threshold."""
    return f"1 to {threshold_value(threshold) - 1}"


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


def protect_percent(
    *, numerator, denominator, value, lower_ci=None, upper_ci=None, threshold: int | None = None
) -> Protected:
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
        | ((unit == "percent") & (is_small(num, threshold) | is_small(den, threshold) | is_small(den - num, threshold)))
        | ((unit == "mean") & is_small(women, threshold))
    )
    f.loc[sup, list(FIGURES)] = np.nan
    f.loc[unit == "mean", ["numerator", "denominator"]] = np.nan
    f["suppressed"] = sup
    return f.drop(columns=["women"], errors="ignore")


def protect_breakdown(
    *,
    cells: list[BreakdownCell],
    total: float | int | None,
    threshold: int | None = None,
    linked: tuple[tuple[str, ...], ...] = (),
) -> tuple[list[BreakdownCell], bool]:
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
            out = [
                i
                for i in out
                if not any(
                    i in g and not any(sup[j] for j in g if j != i) and not candidates([j for j in g if j != i])
                    for g in groups
                )
            ]
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


def protect_cells_frame(
    *, cells: pd.DataFrame, totals: pd.DataFrame, threshold: int | None = None, keys: tuple[str, ...] = ("p", "id")
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``protect_breakdown`` to every (period, indicator) group of a long cell frame.

    ``totals`` has ``keys`` and ``total``. Returns (protected cells with ``suppressed``, keys whose total
    must be suppressed as well).
    """
    out, hide = [], []
    tot = totals.set_index(list(keys))["total"].to_dict() if len(totals) else {}
    for key, g in cells.groupby(list(keys), sort=False):
        cl = [BreakdownCell(str(c), v, False) for c, v in zip(g["category"], g["value"], strict=True)]
        ind_id = key[list(keys).index("id")] if isinstance(key, tuple) and "id" in keys else None
        prot, hide_total = protect_breakdown(cells=cl, total=tot.get(key), threshold=threshold, linked=linked(ind_id))
        out.append(g.assign(value=[c.value for c in prot], suppressed=[c.suppressed for c in prot]))
        if hide_total:
            hide.append(dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)))
    cells_out = pd.concat(out, ignore_index=True) if out else cells.assign(suppressed=pd.Series(dtype=bool))
    return cells_out, pd.DataFrame(hide, columns=list(keys))


def protect_result(*, result: IndicatorResult, threshold: int | None = None) -> IndicatorResult:
    """One indicator result made fit for a public viewer (RAG withheld when the value is suppressed)."""
    if result.status == "not_reported":
        return replace(
            result,
            numerator=None,
            denominator=None,
            value=None,
            lower_ci=None,
            upper_ci=None,
            suppressed=False,
            rag=None,
            breakdown=[],
            women=None,
        )
    if result.unit == "percent":
        p = protect_percent(
            numerator=result.numerator,
            denominator=result.denominator,
            value=result.value,
            lower_ci=result.lower_ci,
            upper_ci=result.upper_ci,
            threshold=threshold,
        )
    elif result.unit == "mean":
        # Without the women behind it, fall back on the attendances (never fewer than the women).
        women = result.women if result.women is not None else result.numerator
        p = protect_mean(value=result.value, women=women, threshold=threshold)
    else:
        v, s = protect_count(value=result.value, threshold=threshold)
        p = Protected(None if s else result.numerator, None, v, None, None, s)
    breakdown = result.breakdown
    if breakdown:
        breakdown, hide_total = protect_breakdown(
            cells=breakdown, total=result.value, threshold=threshold, linked=linked(result.id)
        )
        if hide_total:
            p = Protected(None, None, None, None, None, True)
    return replace(
        result,
        numerator=p.numerator,
        denominator=p.denominator,
        value=p.value,
        lower_ci=p.lower_ci,
        upper_ci=p.upper_ci,
        suppressed=p.suppressed,
        rag=None if p.suppressed else result.rag,
        breakdown=breakdown,
        women=None,
    )


def apply_to_set(*, indicator_set: IndicatorSet, threshold: int | None = None) -> IndicatorSet:
    """A public copy of an exact indicator set."""
    t = threshold_value(threshold)
    return IndicatorSet(
        period=indicator_set.period,
        public=True,
        as_of=indicator_set.as_of,
        threshold=t,
        results=[protect_result(result=r, threshold=t) for r in indicator_set.results],
    )


# ---------------------------------------------------------------------------------------------------------------
# Protection over a whole publication: additive figures, their sums, and the attacker's linear program.


def protection(threshold: int | None = None) -> int:
    """How far apart a hidden figure's least and greatest possible values must stay: as wide as the
    suppression sign's own range (1 to threshold - 1), so solving the sums says no more than the sign."""
    return threshold_value(threshold) - 2


@dataclass
class Table:
    """The additive figures of one publication block: each cell's exact value, whether it is hidden, and the
    sums between cells that any reader can write down.

    ``known`` cells are not shown but known to anyone (a figure not reported: nothing is held), so they are
    never hidden to protect another. ``lower`` is the least value a hidden cell can have as a reader sees it
    (1 for a hidden count, since 0 is shown). Cells with the same ``together`` number are hidden together
    (a percent's numerator and denominator). ``sums``: value[total] = sum of value[parts]; ``at_most``:
    value[a] <= value[b] (a numerator and its denominator).
    """

    keys: list
    value: np.ndarray
    hidden: np.ndarray
    known: np.ndarray
    lower: np.ndarray
    together: np.ndarray
    sums: list[tuple[int, list[int]]] = field(default_factory=list)
    at_most: list[tuple[int, int]] = field(default_factory=list)
    programs: int = 0  # linear programs solved on this table so far

    def hide(self, i: int) -> None:
        self.hidden[self.together == self.together[i]] = True

    def can_hide(self) -> np.ndarray:
        """Cells that could be hidden to protect another: shown, not known anyway, and not zero."""
        return ~self.hidden & ~self.known & (self.value > 0)


@dataclass
class Verdict:
    """What the attacker's check found for a publication."""

    safe: bool = True
    hidden: int = 0
    primary: int = 0
    checked: int = 0
    programs: int = 0
    rounds: int = 0
    narrowest: float = float("inf")
    seconds: float = 0.0

    def add(self, other: Verdict) -> None:
        self.safe &= other.safe
        for k in ("hidden", "primary", "checked", "programs", "rounds", "seconds"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.narrowest = min(self.narrowest, other.narrowest)


def _objectives(t: Table) -> list[tuple[np.ndarray, np.ndarray]]:
    """What the attacker tries to pin down: every hidden cell, and each hidden numerator's complement."""
    out = [(np.array([i]), np.array([1.0])) for i in np.flatnonzero(t.hidden)]
    out += [(np.array([b, a]), np.array([1.0, -1.0])) for a, b in t.at_most if t.hidden[a] or t.hidden[b]]
    return out


def _matrix(rows, rhs, *, keep, local, width):
    """The rows ``keep`` over one component's own columns (None when there are none). Dense: a component
    has at most a few hundred cells, and SciPy checks a dense matrix much faster than a sparse one."""
    if not keep:
        return None, None
    a = np.zeros((len(keep), width))
    for n, k in enumerate(keep):
        np.add.at(a[n], local[rows[k][0]], rows[k][1])
    return a, np.array([rhs[k] for k in keep])


def _components(n: int, rows: list[np.ndarray]) -> np.ndarray:
    """A component number for each of ``n`` hidden cells, cells sharing a row being in one component."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for cols in rows:
        for c in cols[1:]:
            parent[root(int(c))] = root(int(cols[0]))
    return np.array([root(i) for i in range(n)])


def _solve(t: Table, c: np.ndarray, *, a_ub, b_ub, a_eq, b_eq, bounds) -> np.ndarray | None:
    """Minimise c·x over the component: the point found, or None."""
    from scipy.optimize import linprog

    t.programs += 1
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    return res.x if res.status == 0 else None


def attack(t: Table, *, need: float | None = None, only: set | None = None) -> list[tuple[np.ndarray, float, float]]:  # noqa: C901
    """Solve the sums as an analyst would: for each objective (its cells), the least and greatest value it can
    have given every shown figure, by linear programming (SciPy's HiGHS): one program for each bound, over the
    objective's component (the hidden cells linked to it by sums).

    Every hidden cell is capped at the table's whole sum plus the threshold: a bound that reaches the cap
    stands for "unbounded" (the cap only ever narrows a range, so it never makes a figure look safer).
    With ``need``, a few probe programs per component first find feasible points far apart; an objective
    they already show to range over ``need`` or more gets those (proven) bounds instead of its own two
    programs. ``only``: the objectives (tuples of cells) to check; all by default.
    """
    n = len(t.value)
    hid = np.flatnonzero(t.hidden)
    if not len(hid):
        return []
    col = -np.ones(n, dtype=int)
    col[hid] = np.arange(len(hid))
    shown = ~t.hidden
    eq_rows, eq_b, ub_rows, ub_b = [], [], [], []
    for total, parts in t.sums:
        idx = np.array([total, *parts])
        coef = np.array([1.0] + [-1.0] * len(parts))
        if not t.hidden[idx].any():
            continue
        eq_rows.append((col[idx[~shown[idx]]], coef[~shown[idx]]))
        eq_b.append(-float(coef[shown[idx]] @ t.value[idx[shown[idx]]]))
    for a, b in t.at_most:
        idx, coef = np.array([a, b]), np.array([1.0, -1.0])
        if not t.hidden[idx].any():
            continue
        ub_rows.append((col[idx[~shown[idx]]], coef[~shown[idx]]))
        ub_b.append(-float(coef[shown[idx]] @ t.value[idx[shown[idx]]]))
    comp = _components(len(hid), [cols for cols, _ in eq_rows + ub_rows])
    cap = float(t.value.sum()) + threshold_value() + 1.0
    objectives = [o for o in _objectives(t) if only is None or tuple(o[0].tolist()) in only]
    by_comp: dict[int, list[int]] = {}
    for k, (cells, _) in enumerate(objectives):
        by_comp.setdefault(int(comp[col[cells[0]]]), []).append(k)
    out: list[tuple[np.ndarray, float, float] | None] = [None] * len(objectives)
    rng = np.random.default_rng(0)
    for root_, ks in by_comp.items():
        members = np.flatnonzero(comp == root_)
        m = len(members)
        local = -np.ones(len(hid), dtype=int)
        local[members] = np.arange(m)
        keep_eq = [k for k, (cols, _) in enumerate(eq_rows) if len(cols) and comp[cols[0]] == root_]
        keep_ub = [k for k, (cols, _) in enumerate(ub_rows) if len(cols) and comp[cols[0]] == root_]
        a_eq, b_eq = _matrix(eq_rows, eq_b, keep=keep_eq, local=local, width=m)
        a_ub, b_ub = _matrix(ub_rows, ub_b, keep=keep_ub, local=local, width=m)
        bounds = np.column_stack([t.lower[hid[members]], np.full(m, cap)])
        solve = partial(_solve, t, a_ub=a_ub, b_ub=b_ub, a_eq=a_eq, b_eq=b_eq, bounds=bounds)

        coef = {}
        for k in ks:
            cells, cf = objectives[k]
            c = np.zeros(m)
            np.add.at(c, local[col[cells]], cf)
            coef[k] = c
        # Every answer found is a feasible point: a spread over ``need`` between any two proves a figure safe,
        # so each program's answer is kept and tried on the figures after it.
        points = [t.value[hid[members]]]  # the true values are one
        if need is not None and len(ks) > 2:
            for d in (np.ones(m), *(rng.choice([-1.0, 1.0], m) for _ in range(PROBES - 1))):
                points += [x for x in (solve(d), solve(-d)) if x is not None]
        for k in ks:
            c = coef[k]
            true = float(objectives[k][1] @ t.value[objectives[k][0]])
            ends = []
            for sign in (-1.0, 1.0):  # the greatest value, then the least
                at = np.array(points) @ c
                if need is not None and at.max() - at.min() >= need:
                    break
                x = solve(sign * c)
                if x is not None:
                    points.append(x)
                # The true values always satisfy the sums: a program without an answer counts as found out.
                ends.append(true if x is None else float(c @ x))
            else:
                out[k] = (objectives[k][0], ends[1], ends[0])
                continue
            at = np.array(points) @ c
            out[k] = (objectives[k][0], float(at.min()), float(at.max()))
    return out  # type: ignore[return-value]


def _smallest(t: Table, pool) -> int | None:
    cand = [j for j in dict.fromkeys(pool) if t.can_hide()[j]]
    return min(cand, key=lambda j: (t.value[j], j)) if cand else None


def _hide_where_alone(t: Table) -> None:
    """The cheap rule first: a sum with exactly one hidden cell gives it away, so hide the smallest other."""
    changed = True
    while changed:
        changed = False
        for total, parts in t.sums:
            cells = [total, *parts]
            if sum(bool(t.hidden[j]) for j in cells) == 1:
                j = _smallest(t, cells)
                if j is not None:
                    t.hide(j)
                    changed = True


MAX_ROUNDS = 50
PROBES = 2  # pairs of probe programs per component: each gives two feasible points far apart


def secure(t: Table, *, threshold: int | None = None) -> Verdict:
    """Secondary suppression over a publication block until the attacker's check finds nothing narrowed.

    Hides as little as it can: the smallest shown cell that shares a sum with a figure found out. When no
    such cell is left, every cell that can be hidden is; if even that leaves a figure found out (only known
    figures around it), the verdict is unsafe and the caller withholds the block.
    """
    started = time.perf_counter()
    need = protection(threshold)
    v = Verdict(primary=int(t.hidden.sum()))
    _hide_where_alone(t)
    member = {}
    for total, parts in t.sums:
        for j in (total, *parts):
            member.setdefault(j, []).extend([total, *parts])
    # Hiding more only ever widens a range (a fixed figure becomes a free one), so a figure once shown to be
    # safe stays safe: later rounds check only the figures found out and the newly hidden ones.
    safe: set = set()
    for _ in range(MAX_ROUNDS):
        v.rounds += 1
        pending = {tuple(cells.tolist()) for cells, _ in _objectives(t)} - safe
        found = attack(t, need=need, only=pending)
        narrow = [(cells, hi - lo) for cells, lo, hi in found if hi - lo < need - 1e-6]
        safe |= {tuple(cells.tolist()) for cells, lo, hi in found if hi - lo >= need - 1e-6}
        if found:
            v.narrowest = min(v.narrowest, min(hi - lo for _, lo, hi in found))
        if not narrow:
            break
        log.debug("round %d: %d of %d found out", v.rounds, len(narrow), len(found))
        picked: set[int] = set()
        for cells, _ in narrow:
            mates = [k for c in cells for k in member.get(int(c), [])]
            if picked & set(mates):  # a figure beside it was just hidden: check again before hiding more
                continue
            j = _smallest(t, mates)
            if j is not None:
                t.hide(j)
                picked.add(j)
        if not picked:
            if not t.can_hide().any():
                v.safe = False
                break
            for j in np.flatnonzero(t.can_hide()):
                t.hide(j)
        _hide_where_alone(t)
    else:
        v.safe = False
    v.checked = len(safe)
    v.hidden = int(t.hidden.sum())
    v.programs = t.programs
    v.seconds = time.perf_counter() - started
    return v


@dataclass(frozen=True)
class YearSlots:
    """Where each standard period of one financial year sits in an evaluation (its ``p``)."""

    months: tuple[int, ...]  # April .. March
    quarters: tuple[int, ...]  # Q1 .. Q4
    ytd2: int  # April to September
    ytd3: int  # April to December
    year: int

    def sums(self) -> list[tuple[int, list[int]]]:
        """Which period is the sum of which others (for any additive figure)."""
        m, q = self.months, self.quarters
        return [
            *((q[k], list(m[3 * k : 3 * k + 3])) for k in range(4)),
            (self.ytd2, [q[0], q[1]]),
            (self.ytd3, [q[0], q[1], q[2]]),
            (self.year, list(q)),
        ]

    @property
    def all(self) -> tuple[int, ...]:
        return (*self.months, *self.quarters, self.ytd2, self.ytd3, self.year)


def _blocks() -> list[list[str]]:
    """Indicators whose additive figures are linked, grouped (DEN-02 goes with HLT-03, whose cell it is)."""
    adding = [i for i in CATALOGUE if i.adds.over_time]
    ids = {i.id for i in adding}
    group = {i.id: i.id for i in adding}
    for ind in adding:
        for part in ind.adds.parts:
            if part.breakdown in ids:
                old, new = group[ind.id], group[part.breakdown]
                group = {k: (new if g == old else g) for k, g in group.items()}
    out: dict[str, list[str]] = {}
    for ind in adding:
        out.setdefault(group[ind.id], []).append(ind.id)
    return list(out.values())


def figure_key(period_code: str, key: tuple) -> str:
    """A table cell's name as recorded (``published_figures``): '2026-27-Q1|HLT-03|cell|oral_health'."""
    return "|".join([period_code, *map(str, key[1:])])


def year_table(
    *,
    exact: pd.DataFrame,
    hidden: pd.DataFrame,
    cells_exact: pd.DataFrame,
    cells_hidden: pd.DataFrame,
    slots: YearSlots,
    ids: list[str],
    codes: dict[int, str] | None = None,
    prior: dict[str, tuple[bool, float | None]] | None = None,
) -> Table:
    """The additive figures of ``ids`` over one financial year's standard periods, as a ``Table``.

    ``exact``: p, id, numerator, denominator, value, status (values as computed, even where not reported);
    ``hidden``: p, id, suppressed after the output-by-output rules; ``cells_exact``: p, id, category, value;
    ``cells_hidden``: p, id, category, suppressed. ``prior``: what earlier publications of the year showed
    (``figure_key`` -> hidden, value; ``codes`` names each period): a figure hidden before stays hidden, and
    one shown before with the same value is known to every reader, so it cannot protect another.
    """
    by = {i.id: i for i in CATALOGUE}
    wanted = set(slots.all)
    rows = exact[exact["p"].isin(slots.all) & exact["id"].isin(ids)]
    ex = {(p, i): r for p, i, r in zip(rows["p"], rows["id"], rows.to_dict("records"), strict=True)}
    sup = {
        (p, i): bool(s)
        for p, i, s in zip(hidden["p"], hidden["id"], hidden["suppressed"], strict=True)
        if p in wanted and i in ids
    }
    mine = (
        cells_exact[cells_exact["id"].isin(ids) & cells_exact["p"].isin(slots.all)] if len(cells_exact) else cells_exact
    )
    cx = (
        {(p, i, str(c)): v for p, i, c, v in zip(mine["p"], mine["id"], mine["category"], mine["value"], strict=True)}
        if len(mine)
        else {}
    )
    shown = cells_hidden[cells_hidden["id"].isin(ids)] if len(cells_hidden) else cells_hidden
    ch = (
        {
            (p, i, str(c)): bool(s)
            for p, i, c, s in zip(shown["p"], shown["id"], shown["category"], shown["suppressed"], strict=True)
        }
        if len(shown)
        else {}
    )
    keys, value, hid, known, lower, together = [], [], [], [], [], []
    at: dict[tuple, int] = {}

    def add(key, v, h, k, lo, grp):
        at[key] = len(keys)
        keys.append(key)
        v = 0.0 if v is None or pd.isna(v) else float(v)
        before = (prior or {}).get(figure_key(codes[key[0]], key)) if codes else None
        value.append(v)
        kept = before is not None and before[0] and not h  # hidden before, whatever it is now (even 0)
        hid.append(bool(h) or kept)
        known.append(bool(k) or (before is not None and not before[0] and before[1] == v and not h))
        lower.append(0.0 if kept else lo)
        together.append(grp)

    group_of: dict[tuple, int] = {}
    cats: dict[str, list[str]] = {}
    for i in ids:
        ind = by[i]
        if ind.adds.cells:
            cats[i] = sorted({c for (_, j, c) in cx if j == i})
        for p in slots.all:
            row = ex[(p, i)]
            not_rep = row["status"] == "not_reported"
            grp = group_of.setdefault((p, i), len(group_of))
            for f in ind.adds.over_time or ("value",):
                lo = 0.0 if f == "numerator" else 1.0
                add((p, i, f), row[f], sup.get((p, i), False), not_rep, lo, grp)
            for c in cats.get(i, []):
                v = cx.get((p, i, c), 0.0)
                shown_zero = (p, i, c) not in cx
                add(
                    (p, i, "cell", c),
                    v,
                    ch.get((p, i, c), False),
                    not_rep or shown_zero,
                    1.0,
                    group_of.setdefault((p, i, c), len(group_of)),
                )
    sums: list[tuple[int, list[int]]] = []
    at_most: list[tuple[int, int]] = []
    for i in ids:
        ind = by[i]
        figs = list(ind.adds.over_time) + [("cell", c) for c in cats.get(i, [])]
        for f in figs:
            tail = f if isinstance(f, tuple) else (f,)
            sums += [(at[(total, i, *tail)], [at[(p, i, *tail)] for p in parts]) for total, parts in slots.sums()]
        for p in slots.all:
            if cats.get(i):
                sums.append((at[(p, i, "value")], [at[(p, i, "cell", c)] for c in cats[i]]))
            if "numerator" in ind.adds.over_time and "denominator" in ind.adds.over_time:
                at_most.append((at[(p, i, "numerator")], at[(p, i, "denominator")]))
            for part in ind.adds.parts:
                if part.breakdown in ids:
                    cells = [
                        at[(p, part.breakdown, "cell", c)]
                        for c in part.categories
                        if (p, part.breakdown, "cell", c) in at
                    ]
                    sums.append((at[(p, i, part.figure)], cells))
    return Table(
        keys=keys,
        value=np.array(value),
        hidden=np.array(hid, dtype=bool),
        known=np.array(known, dtype=bool),
        lower=np.array(lower),
        together=np.array(together),
        sums=sums,
        at_most=at_most,
    )


def protect_year(
    *,
    exact: pd.DataFrame,
    figures: pd.DataFrame,
    cells_exact: pd.DataFrame,
    cells: pd.DataFrame,
    slots: YearSlots,
    threshold: int | None = None,
    codes: dict[int, str] | None = None,
    prior: dict[str, tuple[bool, float | None]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Verdict, dict[str, tuple[bool, float | None]]]:
    """One financial year's publication protected as a whole: ``figures`` and ``cells`` (already protected
    output by output) with every additive figure's secondary suppression worked out over the year and checked
    by ``attack``. A block the check cannot make safe is withheld whole (every figure of its indicators for
    the year hidden). ``codes`` and ``prior``: see ``year_table``. Returns the figures, the cells, the
    verdict and what this publication shows (``figure_key`` -> hidden, value), to record.
    """
    figures, cells = figures.copy(), cells.copy()
    verdict = Verdict()
    shows: dict[str, tuple[bool, float | None]] = {}
    for ids in _blocks():
        present = [i for i in ids if ((figures["id"] == i) & figures["p"].isin(slots.all)).sum() == len(slots.all)]
        if not present:
            continue
        t = year_table(
            exact=exact,
            hidden=figures,
            cells_exact=cells_exact,
            cells_hidden=cells,
            slots=slots,
            ids=present,
            codes=codes,
            prior=prior,
        )
        v = secure(t, threshold=threshold)
        log.debug("block %s: %d cells, %s", ",".join(present), len(t.value), v)
        verdict.add(v)
        hide_all = not v.safe
        gone = [k for k, h, val in zip(t.keys, t.hidden, t.value, strict=True) if h or (hide_all and val > 0)]
        if codes:
            lost = set(gone)
            shows.update(
                {
                    figure_key(codes[k[0]], k): (k in lost, None if k in lost else float(val))
                    for k, known, val in zip(t.keys, t.known, t.value, strict=True)
                    if k in lost or not known
                }
            )
        _hide(figures, cells, gone)
    return figures, cells, verdict, shows


def protect_sessions(
    *, values: np.ndarray, periods_of: list[np.ndarray], shown: list[bool], threshold: int | None = None
) -> tuple[np.ndarray, Verdict]:
    """Suppression flags for one financial year's drop-in sessions (women at each), whose sum over a standard
    period anyone can work out where ENG-04's mean is shown (the mean times the number of sessions).

    ``periods_of``: the sessions of each standard period; ``shown``: whether that period's mean is published.
    Primary: sessions with 1 to threshold - 1 women; then ``secure`` hides more until nothing is narrowed.
    """
    v = np.asarray(values, dtype=float)
    n = len(v)
    groups = [(np.asarray(g), s) for g, s in zip(periods_of, shown, strict=True) if len(g)]
    totals = np.array([v[g].sum() for g, _ in groups])
    shown_totals = np.array([s for _, s in groups], dtype=bool)
    t = Table(
        keys=[("session", i) for i in range(n)] + [("period", k) for k in range(len(groups))],
        value=np.concatenate([v, totals]),
        hidden=np.concatenate(
            [np.asarray(is_small(v, threshold), dtype=bool) if n else np.zeros(0, bool), ~shown_totals]
        ),
        known=np.concatenate([np.zeros(n, dtype=bool), shown_totals]),
        lower=np.ones(n + len(groups)),
        together=np.arange(n + len(groups)),
        sums=[(n + k, [int(i) for i in g]) for k, (g, _) in enumerate(groups)],
    )
    verdict = secure(t, threshold=threshold)
    hidden = t.hidden[:n] | ((v > 0) if not verdict.safe else False)
    return hidden, verdict


def protect_status(
    *,
    exact: pd.DataFrame,
    figures: pd.DataFrame,
    cells_exact: pd.DataFrame,
    cells: pd.DataFrame,
    periods: list[int],
    threshold: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, Verdict]:
    """The figures that are sums of current-status breakdown cells, protected period by period.

    They do not add up across periods, but within one they do (the catalogue's ``parts``: HSG-01's numerator
    and denominator are sums of accommodation cells, HSG-02 one of them, EXT-01 of the working-status cells,
    RHB-01 of the rehab pathway's; RHB-03's value is the sum of its cells). For each period the same
    attacker's check runs over those sums, and more cells (or the figure) are hidden until nothing is
    narrowed. ``cells`` holds every breakdown (id = indicator or extra breakdown name)."""
    figures, cells = figures.copy(), cells.copy()
    verdict = Verdict()
    over_time = {i.id for i in CATALOGUE if i.adds.over_time}
    linked = [(ind, part) for ind in CATALOGUE for part in ind.adds.parts if part.breakdown not in over_time]
    with_cells = [i.id for i in CATALOGUE if i.adds.cells and i.id not in over_time]
    ex = exact.set_index(["p", "id"])
    sup = figures.set_index(["p", "id"])["suppressed"]
    cx = cells_exact.groupby(["p", "id", "category"])["value"].sum()
    ch = cells.set_index(["p", "id", cells["category"].astype(str)])["suppressed"]
    for p in periods:
        keys, value, hid, known, lower, together, sums, at_most = [], [], [], [], [], [], [], []
        at: dict[tuple, int] = {}

        def add(
            key, v, h, k, lo, grp, keys=keys, value=value, hid=hid, known=known, lower=lower, together=together, at=at
        ):
            at[key] = len(keys)
            keys.append(key)
            value.append(0.0 if v is None or pd.isna(v) else float(v))
            hid.append(bool(h))
            known.append(bool(k))
            lower.append(lo)
            together.append(grp)

        breakdowns = {part.breakdown for _, part in linked} | set(with_cells)
        for b in sorted(breakdowns):
            for c in sorted(c for (q, i, c) in cx.index if q == p and i == b):
                add((p, b, "cell", c), cx[(p, b, c)], ch.get((p, b, c), False), False, 1.0, len(keys))
        for ind in dict.fromkeys(i for i, _ in linked):
            if (p, ind.id) not in ex.index:
                continue
            row = ex.loc[(p, ind.id)]
            not_rep = row["status"] == "not_reported"
            grp = ("figure", p, ind.id)
            if ind.unit == "percent":
                add((p, ind.id, "numerator"), row["numerator"], sup[(p, ind.id)], not_rep, 0.0, grp)
                add((p, ind.id, "denominator"), row["denominator"], sup[(p, ind.id)], not_rep, 1.0, grp)
                comp = (row["denominator"] or 0) - (row["numerator"] or 0)
                add((p, ind.id, "complement"), comp, sup[(p, ind.id)], not_rep, 0.0, grp)
                sums.append(
                    (at[(p, ind.id, "denominator")], [at[(p, ind.id, "numerator")], at[(p, ind.id, "complement")]])
                )
                at_most.append((at[(p, ind.id, "numerator")], at[(p, ind.id, "denominator")]))
            else:
                add((p, ind.id, "value"), row["value"], sup[(p, ind.id)], not_rep, 1.0, grp)
        for b in with_cells:
            if (p, b) in ex.index:
                add(
                    (p, b, "value"),
                    ex.loc[(p, b)]["value"],
                    sup[(p, b)],
                    ex.loc[(p, b)]["status"] == "not_reported",
                    1.0,
                    ("figure", p, b),
                )
                sums.append((at[(p, b, "value")], [at[k] for k in at if k[:3] == (p, b, "cell")]))
        for ind, part in linked:
            if (p, ind.id, part.figure) in at:
                sums.append(
                    (
                        at[(p, ind.id, part.figure)],
                        [
                            at[(p, part.breakdown, "cell", c)]
                            for c in part.categories
                            if (p, part.breakdown, "cell", c) in at
                        ],
                    )
                )
        if not keys:
            continue
        grp_ids = {g: n for n, g in enumerate(dict.fromkeys(together))}
        t = Table(
            keys=keys,
            value=np.array(value),
            hidden=np.array(hid, dtype=bool),
            known=np.array(known, dtype=bool),
            lower=np.array(lower),
            together=np.array([grp_ids[g] for g in together]),
            sums=sums,
            at_most=at_most,
        )
        v = secure(t, threshold=threshold)
        verdict.add(v)
        gone = [k for k, h, val in zip(t.keys, t.hidden, t.value, strict=True) if h or (not v.safe and val > 0)]
        _hide(figures, cells, gone)
    return figures, cells, verdict


def _hide(figures: pd.DataFrame, cells: pd.DataFrame, gone: list[tuple]) -> None:
    """Suppress, in place, the figures and breakdown cells named by their keys (p, id, kind[, category])."""
    cell_keys = {(k[0], k[1], k[3]) for k in gone if k[2] == "cell"}
    fig_keys = {(k[0], k[1]) for k in gone if k[2] != "cell"}
    if cell_keys:
        sel = pd.MultiIndex.from_arrays([cells["p"], cells["id"], cells["category"].astype(str)]).isin(list(cell_keys))
        cells.loc[sel, "value"] = np.nan
        cells.loc[sel, "suppressed"] = True
    if fig_keys:
        sel = pd.MultiIndex.from_arrays([figures["p"], figures["id"]]).isin(list(fig_keys))
        figures.loc[sel, [c for c in FIGURES if c in figures]] = np.nan
        figures.loc[sel, "suppressed"] = True
