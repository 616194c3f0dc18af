"""The metrics public API: indicator sets, comparisons, trends, breakdowns, attention items."""

from __future__ import annotations

import logging
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.partners import partners
from core.periods import (
    Period,
    add_months,
    financial_year,
    fy_label,
    fy_of,
    fy_start,
    is_standard,
    latest_complete_quarter,
    month_start,
    monthly,
    previous,
    quarterly,
    standard_periods,
    year_earlier,
)
from core.returns import DROP_IN_SERVICES, RETURNS
from metrics import disclosure, markers
from metrics.catalogue import BREAKDOWNS, CATALOGUE, Breakdown, breakdown_of, by_id, entry
from metrics.completeness import assess, covered_months, return_grid
from metrics.compute import Calculator, Tables, compute_raw
from metrics.results import BreakdownCell, IndicatorResult, IndicatorSet
from metrics.stats import wilson
from metrics.targets import all_targets, rag
from storage.meetings import latest_signoff_within
from storage.repository import (
    data_version,
    end_of_day,
    read_coverage,
    read_published,
    read_return,
    record_published,
)

ALL_IDS: tuple[str, ...] = tuple(i.id for i in CATALOGUE)
_KEYS = (*ALL_IDS, *(b.id for b in BREAKDOWNS))  # what an evaluation can be asked for
# A year's publication holds every figure and every breakdown whose cells add up (to figures it protects
# with them); cells that add up to nothing (services) are protected output by output when asked for.
_PUBLISHED = tuple(k for k in _KEYS if k in ALL_IDS or entry(k).adds.cells)
log = logging.getLogger("outcomes.disclosure")


def _as_of_dt(as_of: date | None):
    if isinstance(as_of, datetime):  # an exact stored instant (naive UTC): a meeting's figures as they stood
        return as_of
    return end_of_day(as_of) if as_of else None


def _check_ids(ids: list[str] | tuple[str, ...] | None) -> list[str]:
    """The indicators (all for None) and page breakdowns asked for, in catalogue order; a breakdown brings
    the indicator it is read with (whose status says whether it was reported)."""
    if ids is None:
        return list(ALL_IDS)
    unknown = [i for i in ids if i not in _KEYS]
    if unknown:
        raise KeyError(f"unknown indicator IDs: {', '.join(unknown)}")
    asked = {*ids, *(entry(i).of for i in ids if isinstance(entry(i), Breakdown))}
    return [i for i in _KEYS if i in asked]


@dataclass
class _Evaluation:
    periods: list[Period]
    figures: pd.DataFrame  # p, id, unit, polarity, numerator, denominator, value, lower_ci, upper_ci, women,
    #                        suppressed, status, missing, target, rag
    cells: pd.DataFrame  # p, id, category, value, suppressed
    threshold: int
    # Exact evaluations only: the figures and cells as computed, even where not reported (the sums a reader
    # can write down hold for these).
    computed: pd.DataFrame | None = None
    computed_cells: pd.DataFrame | None = None


def _evaluate(
    *,
    engine: sa.Engine,
    periods: list[Period],
    public: bool,
    as_of: date | None,
    ids: list[str] | tuple[str, ...] | None,
    tables: Tables | None = None,
) -> _Evaluation:
    """Every requested indicator and page breakdown for every period: exact, or public (cut from each
    financial year's protected publication; a period that is not standard has none: all null)."""
    if public:
        return _published(engine=engine, periods=periods, as_of=as_of, ids=ids, tables=tables)
    return _exact(engine=engine, periods=periods, as_of=as_of, ids=ids, tables=tables)


def _exact(
    *,
    engine: sa.Engine,
    periods: list[Period],
    as_of: date | None,
    ids: list[str] | tuple[str, ...] | None,
    tables: Tables | None = None,
) -> _Evaluation:
    """Exact figures, in named steps over the long frame: compute, completeness, intervals, targets, RAG."""
    wanted = _check_ids(ids)
    figures, cells = _compute(wanted, engine=engine, periods=periods, as_of=_as_of_dt(as_of), tables=tables)
    _completeness(figures, engine=engine, periods=periods, as_of=_as_of_dt(as_of))
    computed, computed_cells = figures[["p", "id", "numerator", "denominator", "value", "status"]].copy(), cells.copy()
    cells = _withhold_not_reported(figures, cells)
    _intervals(figures)
    _targets(figures, engine=engine, periods=periods)
    figures["suppressed"], cells = False, cells.assign(suppressed=False)
    _rag(figures)
    return _Evaluation(
        periods,
        figures.reset_index(drop=True),
        cells.reset_index(drop=True),
        disclosure.threshold_value(),
        computed=computed.reset_index(drop=True),
        computed_cells=computed_cells.reset_index(drop=True),
    )


def _compute(
    wanted: list[str], *, engine: sa.Engine, periods: list[Period], as_of: datetime | None, tables: Tables | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The raw figures and cells (``compute_raw``), every table the request needs read side by side first."""
    if tables is None:
        tables = Tables(
            engine=engine,
            as_of=as_of,
            end=max(p.end for p in periods) if periods else None,
            start=min(p.start for p in periods) if periods else None,
        )
    return compute_raw(calc=Calculator(tables=tables, periods=periods), ids=wanted)


def _completeness(figures: pd.DataFrame, *, engine: sa.Engine, periods: list[Period], as_of: datetime | None) -> None:
    """Each figure's status (complete, incomplete, not_reported) and the returns it misses."""
    covered = covered_months(read_coverage(engine, as_of=as_of))
    assessed = [
        assess(indicator=by_id(i), period=periods[p], covered=covered)
        for p, i in zip(figures["p"], figures["id"], strict=True)
    ]
    figures["status"] = [a[0] for a in assessed]
    figures["missing"] = [a[1] for a in assessed]


def _withhold_not_reported(figures: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """A figure not reported has no values, and an indicator's breakdown then no cells. A page breakdown's
    cells are kept (its figures' protection counts them) and left out where shown (``trend_breakdown``)."""
    gone = figures["status"].to_numpy() == "not_reported"
    figures.loc[gone, ["numerator", "denominator", "value", "women"]] = np.nan
    unreported = set(zip(figures["p"][gone], figures["id"][gone], strict=True))
    return cells[np.array([k not in unreported for k in zip(cells["p"], cells["id"], strict=True)], dtype=bool)]


def _intervals(figures: pd.DataFrame) -> None:
    """Wilson score intervals of the percents."""
    pct = figures["unit"].to_numpy() == "percent"
    lo, hi = wilson(numerator=figures["numerator"].to_numpy(float), denominator=figures["denominator"].to_numpy(float))
    figures["lower_ci"] = np.where(pct, lo, np.nan)
    figures["upper_ci"] = np.where(pct, hi, np.nan)


def _targets(figures: pd.DataFrame, *, engine: sa.Engine, periods: list[Period]) -> None:
    fys = [fy_of(p.end) for p in periods]
    targets = all_targets(engine=engine, financial_years=fys) if periods else {}
    figures["target"] = [targets[fys[p]].get(i, np.nan) for p, i in zip(figures["p"], figures["id"], strict=True)]


def _rag(figures: pd.DataFrame) -> None:
    figures["rag"] = rag(
        value=figures["value"].to_numpy(float),
        target=figures["target"].to_numpy(float),
        polarity=figures["polarity"].to_numpy(object),
    )


def _protect_outputs(ev: _Evaluation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Disclosure control output by output (``disclosure.protect_frame``; each breakdown with its total: an
    indicator's value, the sum of a page breakdown's cells, or none where they do not add up)."""
    figures, cells = ev.figures, ev.cells
    totals = figures[["p", "id", "value"]].rename(columns={"value": "total"})
    pages = cells[[isinstance(entry(i), Breakdown) for i in cells["id"]]] if len(cells) else cells
    if len(pages):
        sums = pages.groupby(["p", "id"], as_index=False, sort=False)["value"].sum().rename(columns={"value": "total"})
        sums.loc[[not entry(i).adds.cells for i in sums["id"]], "total"] = np.inf
        totals = pd.concat([totals, sums], ignore_index=True)
    figures = disclosure.protect_frame(frame=figures, threshold=ev.threshold)
    if len(cells):
        cells, hide = disclosure.protect_cells_frame(cells=cells, totals=totals, threshold=ev.threshold)
        if len(hide):  # (a page breakdown's key names no figure)
            idx = figures.set_index(["p", "id"]).index.isin(list(hide.itertuples(index=False, name=None)))
            figures.loc[idx, list(disclosure.FIGURES)] = np.nan
            figures.loc[idx, "suppressed"] = True
    return figures, cells


@dataclass(frozen=True)
class _Publication:
    """One financial year's public figures for every standard period (``p`` = position in ``periods``)."""

    periods: list[Period]
    figures: pd.DataFrame
    cells: pd.DataFrame
    as_of: date | datetime | None = None  # the data it was made from (``_publication_as_of``)


class _PublicationCache:
    """Publications kept per engine, data version, as-of date, threshold and financial year (a new upload
    changes the data version, so a publication is never served from older data)."""

    def __init__(self, max_years: int = 16) -> None:
        self._lock, self._max = threading.Lock(), max_years
        self._held: weakref.WeakKeyDictionary[sa.Engine, OrderedDict] = weakref.WeakKeyDictionary()

    def get(self, engine: sa.Engine, keys: list[tuple]) -> dict[tuple, _Publication]:
        with self._lock:
            held = self._held.get(engine, {})
            return {k: held[k] for k in keys if k in held}

    def put(self, engine: sa.Engine, got: dict[tuple, _Publication]) -> None:
        with self._lock:
            held = self._held.setdefault(engine, OrderedDict())
            held.update(got)
            while len(held) > self._max:
                held.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


PUBLICATIONS = _PublicationCache()


def _publications(
    *, engine: sa.Engine, fys: list[int], as_of: date | None, tables: Tables | None = None
) -> dict[int, _Publication]:
    """Each financial year's protected publication, worked out once per data version (all the years not held
    are evaluated together, in one evaluation of every figure and added-up breakdown): the output-by-output
    rules, then the year's additive figures (``disclosure.protect_year``), then the current-status sums
    period by period (``disclosure.protect_status``)."""
    at = {fy: _publication_as_of(engine, fy, as_of) for fy in fys}
    if len(set(at.values())) > 1:  # years made from different data (one signed off, one not): one evaluation each
        return {
            fy: pub
            for a in dict.fromkeys(at.values())
            for fy, pub in _publications(engine=engine, fys=[f for f in fys if at[f] == a], as_of=a).items()
        }
    if fys and at[fys[0]] != as_of:
        as_of, tables = at[fys[0]], None  # tables read now would hold later data than the sign-off
    threshold = disclosure.threshold_value()
    version = data_version(engine)
    keys_of = {fy: (version, as_of, threshold, fy) for fy in fys}
    held = {} if tables is not None else PUBLICATIONS.get(engine, list(keys_of.values()))
    out = {fy: held[k] for fy, k in keys_of.items() if k in held}
    missing = [fy for fy in fys if fy not in out]
    if not missing:
        return out
    periods = [p for fy in missing for p in standard_periods(fy)]
    ev = _exact(engine=engine, periods=periods, as_of=as_of, ids=_PUBLISHED, tables=tables)
    figures, cells = _protect_outputs(ev)
    made = {}
    for k, fy in enumerate(missing):
        n = len(standard_periods(fy))
        base = k * n
        slots = disclosure.YearSlots(
            months=tuple(range(base, base + 12)),
            quarters=tuple(range(base + 12, base + 16)),
            ytd2=base + 16,
            ytd3=base + 17,
            year=base + 18,
        )
        codes = {base + j: p.code() for j, p in enumerate(standard_periods(fy))}
        prior = read_published(engine, financial_year=fy) if tables is None else None
        figures, cells, verdict, shows = disclosure.protect_year(
            exact=ev.computed,
            figures=figures,
            cells_exact=ev.computed_cells,
            cells=cells,
            slots=slots,
            threshold=threshold,
            codes=codes,
            prior=prior,
        )
        if tables is None:  # what is served is recorded: a later version never undoes it
            record_published(engine, financial_year=fy, figures={k: s for k, s in shows.items() if prior.get(k) != s})
        figures, cells, status_verdict = disclosure.protect_status(
            exact=ev.computed,
            figures=figures,
            cells_exact=ev.computed_cells,
            cells=cells,
            periods=list(slots.all),
            threshold=threshold,
        )
        verdict.add(status_verdict)
        log.info(
            "disclosure check, financial year %s, data version %s%s: %s; %d additive figures hidden (%d by "
            "the threshold or by an earlier publication), %d checked by %d linear programs in %.2f s",
            fy_label(fy),
            version,
            f", as of {as_of}" if as_of else "",
            "safe" if verdict.safe else "NOT SAFE: the year's additive figures are withheld",
            verdict.hidden,
            verdict.primary,
            verdict.checked,
            verdict.programs,
            verdict.seconds,
        )
        made[fy] = _Publication(
            periods=standard_periods(fy),
            figures=_rows_of(figures, base, n),
            cells=_rows_of(cells, base, n),
            as_of=as_of,
        )
    if tables is None:
        PUBLICATIONS.put(engine, {keys_of[fy]: pub for fy, pub in made.items()})
    return {**out, **made}


def _publication_as_of(engine: sa.Engine, fy: int, as_of: date | None) -> date | datetime | None:
    """The data every public figure of financial year ``fy`` comes from: as they stood at the chair's latest
    sign-off of a period in that year (made by ``as_of`` when given), or ``as_of`` itself (None: the data now)
    for a year not signed off. One data version per year, so no two public figures of a year differ in
    version (docs/meetings.md, "Public figures and sign-off")."""
    so = latest_signoff_within(engine, start=fy_start(fy), end=financial_year(fy).end, by=_as_of_dt(as_of))
    return so["signed_at"] if so else as_of


def _rows_of(frame: pd.DataFrame, base: int, n: int) -> pd.DataFrame:
    """The rows of periods ``base`` .. ``base + n - 1``, renumbered from 0."""
    out = frame[(frame["p"] >= base) & (frame["p"] < base + n)]
    return out.assign(p=out["p"] - base).reset_index(drop=True)


def _published(
    *,
    engine: sa.Engine,
    periods: list[Period],
    as_of: date | None,
    ids: list[str] | tuple[str, ...] | None,
    tables: Tables | None = None,
) -> _Evaluation:
    """Public figures and cells for ``periods``, cut from the financial years' publications; then targets
    and RAG (withheld where the value is)."""
    wanted = _check_ids(ids)
    indicators = [i for i in wanted if i in ALL_IDS]
    fys = sorted({fy_of(p.start) for p in periods if is_standard(p)})
    pubs = _publications(engine=engine, fys=fys, as_of=as_of, tables=tables) if fys else {}
    figures, cells = [], []
    for k, p in enumerate(periods):
        if is_standard(p):
            pub = pubs[fy_of(p.start)]
            j = pub.periods.index(p)
            f = pub.figures[(pub.figures["p"] == j) & pub.figures["id"].isin(wanted)]
            figures.append(f.assign(p=k))
            cells.append(pub.cells[(pub.cells["p"] == j) & pub.cells["id"].isin(wanted)].assign(p=k))
        else:  # not published: every figure null (e.g. the period before a year to date, in a comparison)
            figures.append(
                pd.DataFrame(
                    {
                        "p": k,
                        "id": indicators,
                        "unit": [by_id(i).unit for i in indicators],
                        "polarity": [by_id(i).polarity for i in indicators],
                        **{c: np.nan for c in disclosure.FIGURES},
                        "suppressed": False,
                        "status": "not_reported",
                        "missing": [[] for _ in indicators],
                    }
                )
            )
    f = pd.concat(figures, ignore_index=True)
    f["id"] = pd.Categorical(f["id"], categories=list(ALL_IDS))
    f = f.sort_values(["p", "id"], kind="stable").assign(id=lambda d: d["id"].astype(str)).reset_index(drop=True)
    _targets(f, engine=engine, periods=periods)
    _rag(f)
    alone = [k for k in wanted if k not in _PUBLISHED]
    if alone:  # protected on their own, from the same data as their year's publication
        cells.extend(_protected_alone(alone, engine=engine, periods=periods, pubs=pubs, as_of=as_of, tables=tables))
    c = (
        pd.concat(cells, ignore_index=True)
        if cells
        else pd.DataFrame(columns=["p", "id", "category", "value", "suppressed"])
    )
    return _Evaluation(periods, f, c, disclosure.threshold_value())


def _protected_alone(
    ids: list[str],
    *,
    engine: sa.Engine,
    periods: list[Period],
    pubs: dict[int, _Publication],
    as_of: date | None,
    tables: Tables | None,
) -> list[pd.DataFrame]:
    """The cells of page breakdowns kept out of the publications (drop-in services), protected output by
    output for the standard periods, each year's from the data its publication was made from."""
    groups: dict = {}
    for k, p in enumerate(periods):
        if is_standard(p):
            groups.setdefault(pubs[fy_of(p.start)].as_of, []).append(k)
    out = []
    for at, ks in groups.items():
        ev = _exact(
            engine=engine, periods=[periods[k] for k in ks], as_of=at, ids=ids, tables=tables if at == as_of else None
        )  # tables read now hold later data than a sign-off
        c = _protect_outputs(ev)[1]
        c = c[c["id"].isin(ids).to_numpy()]
        out.append(c.assign(p=[ks[i] for i in c["p"]]))
    return out


def _num(x, *, integer: bool = False):
    """NaN -> None; whole-number counts as int."""
    if x is None or (isinstance(x, float) and not np.isfinite(x)) or pd.isna(x):
        return None
    x = float(x)
    return int(round(x)) if integer else x


def _result(row, cells: pd.DataFrame) -> IndicatorResult:
    ind = by_id(row.id)
    whole = ind.unit in ("count", "breakdown")
    bd = [
        BreakdownCell(str(c.category), _num(c.value, integer=True), bool(c.suppressed))
        for c in cells.itertuples(index=False)
    ]
    return IndicatorResult(
        id=ind.id,
        name=ind.name,
        unit=ind.unit,
        polarity=ind.polarity,
        numerator=_num(row.numerator, integer=True),
        denominator=_num(row.denominator, integer=True),
        value=_num(row.value, integer=whole),
        lower_ci=_num(row.lower_ci),
        upper_ci=_num(row.upper_ci),
        suppressed=bool(row.suppressed),
        status=row.status,
        missing=list(row.missing),
        target=_num(row.target),
        rag=row.rag if isinstance(row.rag, str) else None,
        breakdown=bd,
        women=_num(getattr(row, "women", None), integer=True),
    )


def compute_indicators(
    *, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None, ids: list[str] | None = None
) -> IndicatorSet:
    """Every indicator (or ``ids``) for one period; public sets are disclosure-controlled (standard periods
    only: ``disclosure.NotPublished`` for any other)."""
    _refuse(public, period)
    ev = _evaluate(engine=engine, periods=[period], public=public, as_of=as_of, ids=ids)
    return _indicator_set(ev, 0, public=public, as_of=as_of)


def _refuse(public: bool, *periods: Period) -> None:
    """Public figures exist for standard periods only (``disclosure.check_published``)."""
    if public:
        for p in periods:
            disclosure.check_published(p)


def _indicator_set(ev: _Evaluation, p: int, *, public: bool, as_of: date | None) -> IndicatorSet:
    """The indicator set of ``ev.periods[p]``."""
    figures, cells = ev.figures[ev.figures["p"] == p], ev.cells[ev.cells["p"] == p] if len(ev.cells) else ev.cells
    by_key = {k: g for k, g in cells.groupby("id")} if len(cells) else {}
    empty = cells.iloc[0:0]
    results = [_result(row, by_key.get(row.id, empty)) for row in figures.itertuples(index=False)]
    return IndicatorSet(period=ev.periods[p], public=public, as_of=as_of, threshold=ev.threshold, results=results)


TREND_COLUMNS = [
    "id",
    "period_start",
    "period_end",
    "period_label",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "suppressed",
    "status",
    "target",
    "rag",
    "missing",
]


def trend(
    *, engine: sa.Engine, periods: list[Period], public: bool, as_of: date | None = None, ids: list[str] | None = None
) -> pd.DataFrame:
    """Tidy long frame: one row per indicator and period, every period from one read of each return."""
    if not periods:
        return pd.DataFrame(columns=TREND_COLUMNS)
    _refuse(public, *periods)
    ev = _evaluate(engine=engine, periods=list(periods), public=public, as_of=as_of, ids=ids)
    f = ev.figures
    p = f["p"].to_numpy()
    f = f.assign(
        period_start=[periods[i].start for i in p],
        period_end=[periods[i].end for i in p],
        period_label=[periods[i].label() for i in p],
    )
    f = f.assign(_order=f["id"].map(ALL_IDS.index)).sort_values(["_order", "period_start"], kind="stable")
    return f[TREND_COLUMNS].reset_index(drop=True)


def trend_breakdown(
    *, engine: sa.Engine, periods: list[Period], public: bool, as_of: date | None = None, id: str
) -> pd.DataFrame:  # noqa: A002 - the contract's name
    """Breakdown cells over time: period_start, period_label, category, value, suppressed.

    ``id``: HLT-03 (reason), RHB-03 (stage), WKF-01 (agency); HSG-01/HSG-02/'accommodation' (women by current
    accommodation); EXT-01/'working_status'; 'services' (women using each drop-in service). No cells for a
    period its indicator was not reported for.
    """
    cols = ["period_start", "period_label", "category", "value", "suppressed"]
    if not periods:
        return pd.DataFrame(columns=cols)
    _refuse(public, *periods)
    key = breakdown_of(id)
    ev = _evaluate(engine=engine, periods=list(periods), public=public, as_of=as_of, ids=[key])
    not_rep = set(ev.figures.loc[ev.figures["status"] == "not_reported", "p"])
    cells = ev.cells[(ev.cells["id"] == key) & ~ev.cells["p"].isin(not_rep)]
    p = cells["p"].to_numpy()
    out = pd.DataFrame(
        {
            "period_start": [periods[i].start for i in p],
            "period_label": [periods[i].label() for i in p],
            "category": cells["category"].astype(str).to_numpy(),
            "value": cells["value"].to_numpy(float),
            "suppressed": cells["suppressed"].astype(bool).to_numpy(),
        }
    )
    return out.sort_values(["period_start", "category"]).reset_index(drop=True)


def trend_periods(
    *, engine: sa.Engine, freq: Literal["month", "quarter"], end: date, as_of: date | None = None
) -> list[Period]:
    """Months or financial-year quarters from the first data held (earliest submission period) to ``end``."""
    cov = read_coverage(engine, as_of=_as_of_dt(as_of))
    if cov.empty:
        return []
    first = cov["period_start"].min().date()
    if first > end:
        return []
    if freq == "month":
        return monthly(first, end)
    if freq == "quarter":
        return quarterly(first, end)
    raise ValueError("freq must be 'month' or 'quarter'")


def default_period(*, today: date) -> Period:
    """The latest complete financial-year quarter."""
    return latest_complete_quarter(today)


def _direction(change: float | None, polarity: str) -> str | None:
    if change is None:
        return None
    if polarity == "none":
        return "no_judgement"
    if change == 0:
        return "same"
    return "better" if (change > 0) == (polarity == "up") else "worse"


def compare(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> pd.DataFrame:
    """Each indicator against the previous period and the same period a year earlier.

    Public comparisons are built only from disclosure-controlled values (a suppressed side gives no change;
    so does a previous period that is not a standard one, such as the months before a year to date).
    Percent changes are in percentage points.
    """
    _refuse(public, period)
    prev, year = previous(period), year_earlier(period)
    ev = _evaluate(engine=engine, periods=[period, prev, year], public=public, as_of=as_of, ids=None)
    return _comparisons(ev, (0, 1, 2))


def _comparisons(ev: _Evaluation, at: tuple[int, int, int]) -> pd.DataFrame:
    """``compare`` from an evaluation holding the period, the previous one and a year earlier at ``at``."""
    f = ev.figures
    level = markers.confidence_level()
    lo, hi = markers.judge_figures(
        unit=f["unit"], value=f["value"], numerator=f["numerator"], denominator=f["denominator"], level=level
    )
    f = f.assign(_lo=lo, _hi=hi)
    by = {k: f[f["p"] == at[k]].set_index("id") for k in range(3)}
    prev, year = ev.periods[at[1]], ev.periods[at[2]]
    rows = []
    for ind in CATALOGUE:
        now, before, ago = (_num(by[k]["value"].get(ind.id)) for k in range(3))
        ch_p = None if now is None or before is None else now - before
        ch_y = None if now is None or ago is None else now - ago
        (lo0, hi0), (lo2, hi2) = ((_num(by[k]["_lo"].get(ind.id)), _num(by[k]["_hi"].get(ind.id))) for k in (0, 2))
        target = _num(by[0]["target"].get(ind.id))
        rows.append(
            {
                "id": ind.id,
                "value": now,
                "previous_value": before,
                "year_ago_value": ago,
                "change_previous": ch_p,
                "change_year_ago": ch_y,
                "direction_previous": _direction(ch_p, ind.polarity),
                "direction_year_ago": _direction(ch_y, ind.polarity),
                "previous_period": prev.label(),
                "year_ago_period": year.label(),
                "judged_year_ago": markers.against_earlier(
                    value=now,
                    lower=lo0,
                    upper=hi0,
                    earlier=ago,
                    earlier_lower=lo2,
                    earlier_upper=hi2,
                    polarity=ind.polarity,
                ),
                "judged_target": markers.against_target(
                    value=now, lower=lo0, upper=hi0, target=target, polarity=ind.polarity
                ),
                "confidence": level,
            }
        )
    return pd.DataFrame(rows)


def trend_markers(
    *,
    engine: sa.Engine,
    end: date,
    public: bool,
    as_of: date | None = None,
    ids: list[str] | None = None,
    freqs: tuple[str, ...] = ("month", "quarter"),
) -> pd.DataFrame:
    """Fingertips' trend marker of each indicator's monthly and quarterly series ending by ``end``.

    One row per indicator and frequency (``metrics.markers.MARKER_COLUMNS``), from the last five whole months
    or financial-year quarters ending on or before ``end``. Public markers are worked out from the protected
    series only: a hidden figure among the five gives "cannot be calculated".
    """
    wanted = _check_ids(ids)
    out = []
    for freq in freqs:
        periods = _last_periods(freq, end, markers.POINTS)
        t = trend(engine=engine, periods=periods, public=public, as_of=as_of, ids=wanted)
        out.append(markers.markers_for(t, freq=freq))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=markers.MARKER_COLUMNS)


def _last_periods(freq: str, end: date, n: int) -> list[Period]:
    """The last ``n`` whole months or financial-year quarters ending on or before ``end``."""
    if freq == "month":
        got = monthly(add_months(month_start(end), -n), end)
    elif freq == "quarter":
        got = quarterly(add_months(month_start(end), -3 * (n + 1)), end)
    else:
        raise ValueError("freq must be 'month' or 'quarter'")
    return [p for p in got if p.end <= end][-n:]


def weekly_attendance(
    *, engine: sa.Engine, start: date, end: date, as_of: date | None = None, public: bool
) -> pd.Series:
    """Distinct women at each drop-in session date from ``start`` to ``end``.

    Public: each financial year's sessions are protected once, as a whole (``disclosure.protect_sessions``):
    sessions with 1 to threshold - 1 women are suppressed (NaN), and more where needed so that none can be
    worked out from a standard period's total (ENG-04's mean times its sessions). Every window over the
    year shows the same pattern.
    """
    if not public:
        att = read_return(engine, "attendance", as_of=_as_of_dt(as_of), start=start, end=end)
        return _sessions(att)
    fys = list(range(fy_of(start), fy_of(end) + 1))
    pubs = _publications(engine=engine, fys=fys, as_of=as_of)
    s = pd.concat(
        [
            _sessions(
                read_return(
                    engine,
                    "attendance",
                    as_of=_as_of_dt(pubs[fy].as_of),
                    start=fy_start(fy),
                    end=financial_year(fy).end,
                )
            )
            for fy in fys
        ]
    ).sort_index()
    for fy in fys:
        pub = pubs[fy]
        days = s.index.date
        inside = np.flatnonzero([financial_year(fy).contains(d) for d in days])
        if not len(inside):
            continue
        eng04 = pub.figures[pub.figures["id"] == "ENG-04"].set_index("p")["suppressed"]
        periods_of = [np.flatnonzero([p.contains(days[i]) for i in inside]) for p in pub.periods]
        hidden, verdict = disclosure.protect_sessions(
            values=s.to_numpy()[inside],
            periods_of=periods_of,
            shown=[not bool(eng04.get(j, True)) for j in range(len(pub.periods))],
        )
        log.info(
            "disclosure check, drop-in sessions of %s, data version %s: %s; %d of %d sessions hidden",
            fy_label(fy),
            data_version(engine),
            "safe" if verdict.safe else "NOT SAFE: every session hidden",
            int(hidden.sum()),
            len(inside),
        )
        s.iloc[inside[hidden]] = np.nan
    return s[(s.index >= pd.Timestamp(start)) & (s.index <= pd.Timestamp(end))]


def _sessions(att: pd.DataFrame) -> pd.Series:
    s = att.drop_duplicates(["session_date", "person_id"]).groupby("session_date").size().astype(float)
    s.index = pd.DatetimeIndex(s.index, name="session_date")
    s.name = "women"
    return s


def service_mix(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> pd.DataFrame:
    """Women using each drop-in service in the period: category, value, suppressed (every service listed)."""
    _refuse(public, period)
    if public:  # as the year's other public figures: from the data at its latest sign-off
        as_of = _publication_as_of(engine, fy_of(period.start), as_of)
    ev = _evaluate(engine=engine, periods=[period], public=False, as_of=as_of, ids=["services"])
    cols = ["category", "value", "suppressed"]
    if ev.figures["status"].iloc[0] == "not_reported":
        return pd.DataFrame(columns=cols)
    got = dict(zip(ev.cells["category"], ev.cells["value"], strict=True))
    cells = [BreakdownCell(c, int(got.get(c, 0)), False) for c in DROP_IN_SERVICES]
    cells += [BreakdownCell(c, int(v), False) for c, v in got.items() if c not in DROP_IN_SERVICES]
    if public:
        cells, _ = disclosure.protect_breakdown(cells=cells, total=None)
        # A woman may use several services, so no cell can be worked out from the others; the exact
        # total is not published here. Still, never leave exactly one suppressed cell.
    return pd.DataFrame(
        [{"category": c.category, "value": c.value, "suppressed": c.suppressed} for c in cells], columns=cols
    )


@dataclass(frozen=True)
class AttentionItem:
    kind: Literal["red_rag", "special_cause", "missing_return", "not_reported"]
    indicator_id: str | None
    message: str


def attention(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> list[AttentionItem]:
    """What needs the group's attention for a period, in plain words (never a suppressed number)."""
    _refuse(public, period)
    history = _history(period)
    ev = _evaluate(engine=engine, periods=[period, *history], public=public, as_of=as_of, ids=None)
    return _attention(ev, 0, list(range(1, len(history) + 1)), engine=engine, as_of=as_of)


def _history(period: Period) -> list[Period]:
    """The last 24 months up to the period end, for special cause variation."""
    return monthly(add_months(month_start(period.end), -23), period.end)


def _attention(
    ev: _Evaluation, now_at: int, history_at: list[int], *, engine: sa.Engine, as_of: date | None
) -> list[AttentionItem]:
    """``attention`` from an evaluation holding the period at ``now_at`` and its history at ``history_at``."""
    from metrics.spc import changes_for, recorded_changes, xmr

    recorded = recorded_changes(engine)

    period = ev.periods[now_at]
    history = [ev.periods[i] for i in history_at]
    items: list[AttentionItem] = []
    f = ev.figures
    now = f[f["p"] == now_at]
    for row in now.itertuples(index=False):
        ind = by_id(row.id)
        if row.status == "not_reported":
            items.append(AttentionItem("not_reported", ind.id, f"{ind.name}: not reported for {period.label()}."))
        elif row.rag == "red":
            items.append(AttentionItem("red_rag", ind.id, f"{ind.name} is short of its target for {period.label()}."))
    where = {p: i for i, p in enumerate(history_at)}
    hist = f[f["p"].isin(history_at)]
    for ind in CATALOGUE:
        h = hist[(hist["id"] == ind.id) & (hist["status"] != "not_reported")]
        h = h.iloc[np.argsort([where[p] for p in h["p"]], kind="stable")]  # in month order
        # Gaps (hidden or unreported months) keep their place: the moving ranges beside them are dropped.
        series = pd.Series(h["value"].to_numpy(float), index=[history[where[p]].start for p in h["p"]])
        if series.notna().sum() < 8 or pd.isna(series.iloc[-1]):
            continue
        res = xmr(values=series, polarity=ind.polarity, changes=changes_for(recorded, ind.id))
        last = res.frame.iloc[-1]
        if bool(last["special_cause"]) and last["cause"] == "concern":
            items.append(
                AttentionItem(
                    "special_cause", ind.id, f"{ind.name}: the latest month shows special cause variation of concern."
                )
            )
    grid = return_grid(engine=engine, start=period.start, end=period.end, as_of=as_of)
    names = {p.code: p.name for p in partners().values()}
    for r in grid[grid["state"] == "missing"].itertuples(index=False):
        title = RETURNS[r.return_name].title
        items.append(
            AttentionItem(
                "missing_return", None, f"{names.get(r.partner, r.partner)}: no '{title}' return for {r.month:%B %Y}."
            )
        )
    return items


@dataclass(frozen=True)
class Overview:
    """What the meeting overview shows for one period: every indicator, the comparisons, what needs attention."""

    indicators: IndicatorSet
    comparisons: pd.DataFrame
    attention: list[AttentionItem]


def overview(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> Overview:
    """``compute_indicators``, ``compare`` and ``attention`` for one period, from one evaluation.

    The three ask about overlapping periods (the period itself, the one before, a year earlier and the
    last 24 months); evaluating them together does each period's work once. Each period's figures are
    computed and protected on their own, so every answer equals the separate call's (a test holds that).
    """
    _refuse(public, period)
    prev, year, history = previous(period), year_earlier(period), _history(period)
    periods = list(dict.fromkeys([period, prev, year, *history]))
    at = {p: i for i, p in enumerate(periods)}
    ev = _evaluate(engine=engine, periods=periods, public=public, as_of=as_of, ids=None)
    return Overview(
        indicators=_indicator_set(ev, 0, public=public, as_of=as_of),
        comparisons=_comparisons(ev, (0, at[prev], at[year])),
        attention=_attention(ev, 0, [at[p] for p in history], engine=engine, as_of=as_of),
    )


def kerb_crawling(*, engine: sa.Engine, period: Period, public: bool) -> pd.DataFrame:
    """Kerb-crawling enforcement actions per month of the period: month, value, suppressed.

    Not an indicator (no total is shown anywhere), so one hidden month cannot be worked out.
    """
    _refuse(public, period)
    at = _as_of_dt(_publication_as_of(engine, fy_of(period.start), None)) if public else None
    rows = read_return(engine, "police_monthly", as_of=at, start=period.start, end=period.end)
    out = pd.DataFrame({"month": rows["month"], "value": pd.to_numeric(rows["kerb_crawling_actions"], errors="coerce")})
    out = out.groupby("month", as_index=False)["value"].sum(min_count=1).sort_values("month")
    out["suppressed"] = False
    if public:
        small = disclosure.is_small(out["value"].to_numpy(float)) if len(out) else []
        out.loc[small, "value"] = float("nan")
        out.loc[small, "suppressed"] = True
    return out.reset_index(drop=True)
