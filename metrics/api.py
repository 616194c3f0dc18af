"""The metrics public API: indicator sets, comparisons, trends, breakdowns, attention items."""

from __future__ import annotations

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
    fy_of,
    latest_complete_quarter,
    month_start,
    monthly,
    previous,
    quarter_of,
    quarterly,
    year_earlier,
)
from core.returns import DROP_IN_SERVICES, RETURNS
from metrics import disclosure
from metrics.catalogue import CATALOGUE, by_id
from metrics.completeness import assess, covered_months, return_grid
from metrics.compute import EXTRA_BREAKDOWNS, Calculator, Tables, compute_raw, tables_for
from metrics.results import BreakdownCell, IndicatorResult, IndicatorSet
from metrics.stats import wilson
from metrics.targets import all_targets, rag
from storage.repository import end_of_day, read_coverage, read_return

ALL_IDS: tuple[str, ...] = tuple(i.id for i in CATALOGUE)
# Indicators whose figures add up across periods (a quarter's = the sum of its months'): in a public
# series a single suppressed month could be worked out from its quarter or year.
ADDITIVE: frozenset[str] = frozenset({"ENG-05", "HLT-03", "HLT-04", "DEN-02", "RHB-02", "SAF-02", "WKF-01",
                                      "SUP-01", "CJS-01", "VOI-01"})
FIGURES = ("numerator", "denominator", "value", "lower_ci", "upper_ci")


def _as_of_dt(as_of: date | None):
    if isinstance(as_of, datetime):  # an exact stored instant (naive UTC): a meeting's figures as they stood
        return as_of
    return end_of_day(as_of) if as_of else None


def _check_ids(ids: list[str] | tuple[str, ...] | None) -> list[str]:
    if ids is None:
        return list(ALL_IDS)
    unknown = [i for i in ids if i not in ALL_IDS]
    if unknown:
        raise KeyError(f"unknown indicator IDs: {', '.join(unknown)}")
    return [i for i in ALL_IDS if i in set(ids)]


@dataclass
class _Evaluation:
    periods: list[Period]
    figures: pd.DataFrame  # p, id, unit, polarity, numerator, denominator, value, lower_ci, upper_ci, women,
    #                        suppressed, status, missing, target, rag
    cells: pd.DataFrame  # p, id, category, value, suppressed
    threshold: int


def _evaluate(*, engine: sa.Engine, periods: list[Period], public: bool, as_of: date | None,
              ids: list[str] | tuple[str, ...] | None, extra: str | None = None, tables: Tables | None = None,
              series: bool = False) -> _Evaluation:
    """Every requested indicator for every period: one read of each return, then vectorised by period."""
    wanted = _check_ids(ids)
    threshold = disclosure.threshold_value()
    as_dt = _as_of_dt(as_of)
    if tables is None:
        tables = Tables(engine=engine, as_of=as_dt, end=max(p.end for p in periods) if periods else None,
                        start=min(p.start for p in periods) if periods else None)
        tables.prefetch(tables_for(wanted))
    calc = Calculator(tables=tables, periods=periods)
    raw, cells = compute_raw(calc=calc, ids=wanted)
    if extra is not None:
        cells = EXTRA_BREAKDOWNS[extra](calc).assign(id=extra)
    ind = {i: by_id(i) for i in wanted}
    raw["unit"] = raw["id"].map(lambda i: ind[i].unit)
    raw["polarity"] = raw["id"].map(lambda i: ind[i].polarity)

    covered = covered_months(read_coverage(engine, as_of=as_dt))
    assessed = [assess(indicator=ind[i], period=periods[p], covered=covered)
                for p, i in zip(raw["p"], raw["id"], strict=True)]
    raw["status"] = [a[0] for a in assessed]
    raw["missing"] = [a[1] for a in assessed]
    not_rep = raw["status"].to_numpy() == "not_reported"
    raw.loc[not_rep, ["numerator", "denominator", "value", "women"]] = np.nan

    pct = raw["unit"].to_numpy() == "percent"
    lo, hi = wilson(numerator=raw["numerator"].to_numpy(float), denominator=raw["denominator"].to_numpy(float))
    raw["lower_ci"] = np.where(pct, lo, np.nan)
    raw["upper_ci"] = np.where(pct, hi, np.nan)

    fys = [fy_of(p.end) for p in periods]
    targets = all_targets(engine=engine, financial_years=fys) if periods else {}
    raw["target"] = [targets[fys[p]].get(i, np.nan) for p, i in zip(raw["p"], raw["id"], strict=True)]

    # Breakdowns of indicators that were not reported are empty.
    if len(cells):
        status_of = raw.set_index(["p", "id"])["status"]
        if extra is None:
            keep = [status_of.get((p, i)) != "not_reported" for p, i in zip(cells["p"], cells["id"], strict=True)]
            cells = cells[np.asarray(keep, dtype=bool)]
    cells = cells.assign(suppressed=False)

    if public:
        exact = raw
        totals = raw[["p", "id", "value"]].rename(columns={"value": "total"})
        if extra is not None:
            totals = cells.groupby(["p", "id"], as_index=False)["value"].sum().rename(columns={"value": "total"})
            if extra == "services":  # a woman may use several services: the total is the women attending
                totals["total"] = np.inf
        raw = disclosure.protect_frame(frame=raw, threshold=threshold)
        if len(cells):
            cells, hide = disclosure.protect_cells_frame(cells=cells, totals=totals, threshold=threshold)
            if len(hide) and extra is None:
                idx = raw.set_index(["p", "id"]).index.isin(list(hide.itertuples(index=False, name=None)))
                raw.loc[idx, list(FIGURES)] = np.nan
                raw.loc[idx, "suppressed"] = True
        if series and len(periods) > 1:
            raw = protect_across_periods(exact=exact, protected=raw, periods=periods, threshold=threshold)
    else:
        raw["suppressed"] = False
    raw["rag"] = rag(value=raw["value"].to_numpy(float), target=raw["target"].to_numpy(float),
                     polarity=raw["polarity"].to_numpy(object))
    return _Evaluation(periods, raw.reset_index(drop=True), cells.reset_index(drop=True), threshold)


def protect_across_periods(*, exact: pd.DataFrame, protected: pd.DataFrame, periods: list[Period],
                           threshold: int) -> pd.DataFrame:
    """Secondary suppression along a public series of additive indicators.

    Periods are grouped by financial-year quarter and by financial year; in each group no
    additive indicator may have exactly one suppressed period (or only suppressed periods that could all be
    1), so no suppressed month can be worked out from a quarter or year shown elsewhere.
    """
    keys = [[quarter_of(p.start).code() for p in periods], [fy_of(p.start) for p in periods]]
    groups = [np.flatnonzero(np.asarray(k, dtype=object) == g) for k in keys for g in dict.fromkeys(k)]
    groups = [g for g in groups if len(g) > 1]
    if not groups:
        return protected
    out = protected.copy()
    ids = out["id"].to_numpy()
    for ind_id in ADDITIVE & set(ids):
        rows = np.flatnonzero(ids == ind_id)
        rows = rows[np.argsort(out["p"].to_numpy()[rows])]
        if len(rows) != len(periods):
            continue
        basis_col = "denominator" if by_id(ind_id).unit == "percent" else "value"
        basis = exact[basis_col].to_numpy(float)[rows]
        flags = out["suppressed"].to_numpy(bool)[rows]
        new = disclosure.protect_series_by_groups(values=basis, groups=groups, threshold=threshold,
                                                  suppressed=flags)
        hide = rows[new & ~flags]
        if len(hide):
            out.loc[out.index[hide], list(FIGURES)] = np.nan
            out.loc[out.index[hide], "suppressed"] = True
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
    bd = [BreakdownCell(str(c.category), _num(c.value, integer=True), bool(c.suppressed))
          for c in cells.itertuples(index=False)]
    return IndicatorResult(
        id=ind.id, name=ind.name, unit=ind.unit, polarity=ind.polarity,
        numerator=_num(row.numerator, integer=True), denominator=_num(row.denominator, integer=True),
        value=_num(row.value, integer=whole), lower_ci=_num(row.lower_ci), upper_ci=_num(row.upper_ci),
        suppressed=bool(row.suppressed), status=row.status, missing=list(row.missing),
        target=_num(row.target), rag=row.rag if isinstance(row.rag, str) else None, breakdown=bd,
        women=_num(getattr(row, "women", None), integer=True),
    )


def compute_indicators(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None,
                       ids: list[str] | None = None) -> IndicatorSet:
    """Every indicator (or ``ids``) for one period; public sets are disclosure-controlled."""
    ev = _evaluate(engine=engine, periods=[period], public=public, as_of=as_of, ids=ids)
    return _indicator_set(ev, 0, public=public, as_of=as_of)


def _indicator_set(ev: _Evaluation, p: int, *, public: bool, as_of: date | None) -> IndicatorSet:
    """The indicator set of ``ev.periods[p]``."""
    figures, cells = ev.figures[ev.figures["p"] == p], ev.cells[ev.cells["p"] == p] if len(ev.cells) else ev.cells
    by_key = {k: g for k, g in cells.groupby("id")} if len(cells) else {}
    empty = cells.iloc[0:0]
    results = [_result(row, by_key.get(row.id, empty)) for row in figures.itertuples(index=False)]
    return IndicatorSet(period=ev.periods[p], public=public, as_of=as_of, threshold=ev.threshold, results=results)


TREND_COLUMNS = ["id", "period_start", "period_end", "period_label", "numerator", "denominator", "value",
                 "lower_ci", "upper_ci", "suppressed", "status", "target", "rag", "missing"]


def trend(*, engine: sa.Engine, periods: list[Period], public: bool, as_of: date | None = None,
          ids: list[str] | None = None) -> pd.DataFrame:
    """Tidy long frame: one row per indicator and period, every period from one read of each return."""
    if not periods:
        return pd.DataFrame(columns=TREND_COLUMNS)
    ev = _evaluate(engine=engine, periods=list(periods), public=public, as_of=as_of, ids=ids, series=True)
    f = ev.figures
    p = f["p"].to_numpy()
    f = f.assign(period_start=[periods[i].start for i in p], period_end=[periods[i].end for i in p],
                 period_label=[periods[i].label() for i in p])
    f = f.assign(_order=f["id"].map(ALL_IDS.index)).sort_values(["_order", "period_start"], kind="stable")
    return f[TREND_COLUMNS].reset_index(drop=True)


# Breakdowns the pages need beyond the three in the spec: id -> extra breakdown name
EXTRA_FOR: dict[str, str] = {
    "HSG-01": "accommodation", "HSG-02": "accommodation", "accommodation": "accommodation",
    "EXT-01": "working_status", "working_status": "working_status", "services": "services",
}
_STATUS_FROM = {"accommodation": "HSG-01", "working_status": "EXT-01", "services": "ENG-04"}


def trend_breakdown(*, engine: sa.Engine, periods: list[Period], public: bool, as_of: date | None = None,
                    id: str) -> pd.DataFrame:  # noqa: A002 - the contract's name
    """Breakdown cells over time: period_start, period_label, category, value, suppressed.

    ``id``: HLT-03 (reason), RHB-03 (stage), WKF-01 (agency); HSG-01/HSG-02/'accommodation' (women by current
    accommodation); EXT-01/'working_status'; 'services' (women using each drop-in service).
    """
    cols = ["period_start", "period_label", "category", "value", "suppressed"]
    if not periods:
        return pd.DataFrame(columns=cols)
    if id in EXTRA_FOR:
        extra = EXTRA_FOR[id]
        ev = _evaluate(engine=engine, periods=list(periods), public=public, as_of=as_of,
                       ids=[_STATUS_FROM[extra]], extra=extra)
        not_rep = set(ev.figures.loc[ev.figures["status"] == "not_reported", "p"])
        cells = ev.cells[~ev.cells["p"].isin(not_rep)]
    else:
        if by_id(id).breakdown_by is None:
            raise KeyError(f"{id} has no breakdown")
        ev = _evaluate(engine=engine, periods=list(periods), public=public, as_of=as_of, ids=[id])
        cells = ev.cells
    p = cells["p"].to_numpy()
    out = pd.DataFrame({
        "period_start": [periods[i].start for i in p], "period_label": [periods[i].label() for i in p],
        "category": cells["category"].astype(str).to_numpy(), "value": cells["value"].to_numpy(float),
        "suppressed": cells["suppressed"].astype(bool).to_numpy(),
    })
    return out.sort_values(["period_start", "category"]).reset_index(drop=True)


def trend_periods(*, engine: sa.Engine, freq: Literal["month", "quarter"], end: date,
                  as_of: date | None = None) -> list[Period]:
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

    Public comparisons are built only from disclosure-controlled values (a suppressed side gives no change).
    Percent changes are in percentage points.
    """
    prev, year = previous(period), year_earlier(period)
    ev = _evaluate(engine=engine, periods=[period, prev, year], public=public, as_of=as_of, ids=None)
    return _comparisons(ev, (0, 1, 2))


def _comparisons(ev: _Evaluation, at: tuple[int, int, int]) -> pd.DataFrame:
    """``compare`` from an evaluation holding the period, the previous one and a year earlier at ``at``."""
    f = ev.figures
    vals = {k: f[f["p"] == at[k]].set_index("id")["value"] for k in range(3)}
    prev, year = ev.periods[at[1]], ev.periods[at[2]]
    rows = []
    for ind in CATALOGUE:
        now, before, ago = (_num(vals[k].get(ind.id)) for k in range(3))
        ch_p = None if now is None or before is None else now - before
        ch_y = None if now is None or ago is None else now - ago
        rows.append({"id": ind.id, "value": now, "previous_value": before, "year_ago_value": ago,
                     "change_previous": ch_p, "change_year_ago": ch_y,
                     "direction_previous": _direction(ch_p, ind.polarity),
                     "direction_year_ago": _direction(ch_y, ind.polarity),
                     "previous_period": prev.label(), "year_ago_period": year.label()})
    return pd.DataFrame(rows)


def weekly_attendance(*, engine: sa.Engine, start: date, end: date, as_of: date | None = None,
                      public: bool) -> pd.Series:
    """Distinct women at each drop-in session date from ``start`` to ``end``.

    Public: sessions with 1-4 women are suppressed (NaN), and more where needed so that no suppressed
    session can be worked out from a month's, quarter's or the whole range's total (ENG-04's mean times
    the number of sessions gives those totals).
    """
    att = read_return(engine, "attendance", as_of=_as_of_dt(as_of), start=start, end=end)
    s = att.drop_duplicates(["session_date", "person_id"]).groupby("session_date").size().astype(float)
    s.index = pd.DatetimeIndex(s.index, name="session_date")
    s.name = "women"
    if public and len(s):
        idx = s.index
        keys = [idx.to_period("M").astype(str), [quarter_of(d.date()).code() for d in idx], np.zeros(len(s))]
        groups = [np.flatnonzero(np.asarray(k) == g) for k in keys for g in pd.unique(np.asarray(k))]
        s[disclosure.protect_series_by_groups(values=s.to_numpy(), groups=groups)] = np.nan
    return s


def service_mix(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> pd.DataFrame:
    """Women using each drop-in service in the period: category, value, suppressed (every service listed)."""
    ev = _evaluate(engine=engine, periods=[period], public=False, as_of=as_of, ids=["ENG-04"], extra="services")
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
    return pd.DataFrame([{"category": c.category, "value": c.value, "suppressed": c.suppressed} for c in cells],
                        columns=cols)


@dataclass(frozen=True)
class AttentionItem:
    kind: Literal["red_rag", "special_cause", "missing_return", "not_reported"]
    indicator_id: str | None
    message: str


def attention(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> list[AttentionItem]:
    """What needs the group's attention for a period, in plain words (never a suppressed number)."""
    history = _history(period)
    ev = _evaluate(engine=engine, periods=[period, *history], public=public, as_of=as_of, ids=None)
    return _attention(ev, 0, list(range(1, len(history) + 1)), engine=engine, as_of=as_of)


def _history(period: Period) -> list[Period]:
    """The last 24 months up to the period end, for special cause variation."""
    return monthly(add_months(month_start(period.end), -23), period.end)


def _attention(ev: _Evaluation, now_at: int, history_at: list[int], *, engine: sa.Engine,
               as_of: date | None) -> list[AttentionItem]:
    """``attention`` from an evaluation holding the period at ``now_at`` and its history at ``history_at``."""
    from metrics.spc import xmr

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
            items.append(AttentionItem("red_rag", ind.id,
                                       f"{ind.name} is short of its target for {period.label()}."))
    where = {p: i for i, p in enumerate(history_at)}
    hist = f[f["p"].isin(history_at)]
    for ind in CATALOGUE:
        h = hist[(hist["id"] == ind.id) & (hist["status"] != "not_reported")]
        h = h.iloc[np.argsort([where[p] for p in h["p"]], kind="stable")]  # in month order
        series = pd.Series(h["value"].to_numpy(float), index=[history[where[p]].start for p in h["p"]]).dropna()
        if len(series) < 8:
            continue
        res = xmr(values=series, polarity=ind.polarity)
        last = res.frame.iloc[-1]
        if bool(last["special_cause"]) and last["cause"] == "concern":
            items.append(AttentionItem("special_cause", ind.id,
                                       f"{ind.name}: the latest month shows special cause variation of concern."))
    grid = return_grid(engine=engine, start=period.start, end=period.end, as_of=as_of)
    names = {p.code: p.name for p in partners().values()}
    for r in grid[grid["state"] == "missing"].itertuples(index=False):
        title = RETURNS[r.return_name].title
        items.append(AttentionItem("missing_return", None,
                                   f"{names.get(r.partner, r.partner)}: no '{title}' return for {r.month:%B %Y}."))
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
    prev, year, history = previous(period), year_earlier(period), _history(period)
    periods = list(dict.fromkeys([period, prev, year, *history]))
    at = {p: i for i, p in enumerate(periods)}
    ev = _evaluate(engine=engine, periods=periods, public=public, as_of=as_of, ids=None)
    return Overview(indicators=_indicator_set(ev, 0, public=public, as_of=as_of),
                    comparisons=_comparisons(ev, (0, at[prev], at[year])),
                    attention=_attention(ev, 0, [at[p] for p in history], engine=engine, as_of=as_of))


def kerb_crawling(*, engine: sa.Engine, period: Period, public: bool) -> pd.DataFrame:
    """Kerb-crawling enforcement actions per month of the period: month, value, suppressed.

    Not an indicator (no total is shown anywhere), so one hidden month cannot be worked out.
    """
    rows = read_return(engine, "police_monthly", start=period.start, end=period.end)
    out = pd.DataFrame({"month": rows["month"], "value": pd.to_numeric(rows["kerb_crawling_actions"],
                                                                        errors="coerce")})
    out = out.groupby("month", as_index=False)["value"].sum(min_count=1).sort_values("month")
    out["suppressed"] = False
    if public:
        small = disclosure.is_small(out["value"].to_numpy(float)) if len(out) else []
        out.loc[small, "value"] = float("nan")
        out.loc[small, "suppressed"] = True
    return out.reset_index(drop=True)
