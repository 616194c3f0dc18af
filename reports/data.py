"""What every export is built from: the period's indicator set, the sets it is compared with, and the trends."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

import metrics
from core.periods import Period, financial_year, fy_of, previous, quarterly, year_earlier
from metrics.api import ADDITIVE
from metrics.catalogue import CATALOGUE, THEMES
from metrics.results import IndicatorResult, IndicatorSet
from storage.repository import end_of_day, read_coverage, utcnow

# Months of history in the trend sheet and charts: enough for two years and a quarter.
TREND_MONTHS = 27
# Quarters of history drawn for an indicator whose target is for a whole period (a count over the period).
TREND_QUARTERS = 9
_FIGURE_COLUMNS = ["numerator", "denominator", "value", "lower_ci", "upper_ci", "rag"]
# The figures each indicator is shown beside, by their key in ReportData.sets.
COMPARED = ("previous", "year_ago", "ytd", "ytd_year_ago")


def year_to_date(p: Period) -> Period:
    """From the start of the financial year holding ``p``'s end to ``p``'s end."""
    return Period(financial_year(fy_of(p.end)).start, p.end)


def comparison_periods(p: Period) -> dict[str, Period]:
    """The period and what it is compared with: previous, a year earlier, year to date and that a year earlier."""
    ytd = year_to_date(p)
    return {"period": p, "previous": previous(p), "year_ago": year_earlier(p), "ytd": ytd,
            "ytd_year_ago": year_earlier(ytd)}


@dataclass(frozen=True)
class ReportData:
    """Everything an export shows. A public one holds only disclosure-controlled figures.

    ``sets`` holds the version's indicator sets by key (``period`` and each of ``COMPARED``);
    ``public_sets`` the public ones, which every sentence is written from in both versions.
    """

    period: Period
    public: bool
    threshold: int
    as_of: date | None
    data_as_at: datetime | None  # when the newest submission counted was loaded (naive UTC)
    generated_at: datetime
    sets: dict[str, IndicatorSet]
    public_sets: dict[str, IndicatorSet]
    trend: pd.DataFrame  # metrics.trend, monthly
    public_trend: pd.DataFrame  # the public monthly trend (the same frame in a public export)
    quarterly: pd.DataFrame = field(default_factory=pd.DataFrame)  # metrics.trend by quarter, period totals only
    first_month: date | None = None  # the first month any data is held for (where a series starts)

    @property
    def indicators(self) -> IndicatorSet:
        return self.sets["period"]

    @property
    def public_indicators(self) -> IndicatorSet:
        return self.public_sets["period"]

    @property
    def marking(self) -> str:
        return "PUBLIC" if self.public else "RESTRICTED"

    def figure(self, key: str, indicator_id: str, *, public: bool = False) -> IndicatorResult | None:
        """The indicator's result in the set ``key`` ('period', 'previous', ...), or None when there is none."""
        s = (self.public_sets if public else self.sets).get(key)
        if s is None:
            return None
        try:
            return s.by_id(indicator_id)
        except KeyError:
            return None


def gather(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> ReportData:
    """Compute what an export needs. Public data comes only from the public metrics calls.

    Each compared period is computed on its own (as ``metrics.compare`` does), so every figure equals the
    one the pages show for that period.
    """
    from reports.wording import PERIOD_TOTAL

    periods = comparison_periods(period)

    def sets_for(pub: bool, keys=tuple(periods)) -> dict[str, IndicatorSet]:
        out: dict[str, IndicatorSet] = {}
        for key, p in ((k, periods[k]) for k in keys):
            out[key] = next((s for k, s in out.items() if periods[k] == p), None) or \
                metrics.compute_indicators(engine=engine, period=p, public=pub, as_of=as_of)
        return out

    held = metrics.trend_periods(engine=engine, freq="month", end=period.end, as_of=as_of)
    months = held[-TREND_MONTHS:]

    def public_trend() -> pd.DataFrame:
        t = metrics.trend(engine=engine, periods=months, public=True, as_of=as_of)
        return protect_months_against_totals(t, totals=[period, periods["previous"], periods["year_ago"]])

    pub_trend = public_trend()
    trend = pub_trend if public else metrics.trend(engine=engine, periods=months, public=False, as_of=as_of)
    # The restricted version's sentences need no public figure for the same period a year earlier.
    wanted = tuple(periods) if public else tuple(k for k in periods if k != "year_ago")
    public_sets = hide_totals_revealing_months(sets_for(True, wanted), trend=pub_trend, periods=periods)
    sets = public_sets if public else sets_for(False)
    # Targets of counts over a period are for the whole period: their charts are drawn by quarter.
    targeted = [r.id for r in sets["period"].results if r.id in PERIOD_TOTAL and r.target is not None]
    quarters = quarterly(months[0].start, period.end)[-TREND_QUARTERS:] if months and targeted else []
    quarters = [q for q in quarters if q.end <= period.end]
    quarterly_trend = metrics.trend(engine=engine, periods=quarters, public=public, as_of=as_of, ids=targeted) \
        if quarters else pd.DataFrame()
    cov = read_coverage(engine, as_of=end_of_day(as_of) if as_of else None)
    data_as_at = None if cov.empty else cov["loaded_at"].max().to_pydatetime()
    return ReportData(period=period, public=public, threshold=int(sets["period"].threshold), as_of=as_of,
                      data_as_at=data_as_at, generated_at=utcnow(), sets=sets, public_sets=public_sets,
                      trend=trend, public_trend=pub_trend, quarterly=quarterly_trend,
                      first_month=held[0].start if held else None)


def hide_totals_revealing_months(sets: dict[str, IndicatorSet], *, trend: pd.DataFrame,
                                 periods: dict[str, Period]) -> dict[str, IndicatorSet]:
    """Public year-to-date totals of summed counts, only where they reveal no hidden month.

    A year to date is the sum of its months, and holds the period and often the previous
    one: with one of them hidden, the total minus the shown parts would give it away. So a
    summed count's year to date is published only when every month in it is shown in the
    public trend (then it adds nothing that could be worked out); otherwise it is hidden.
    """
    out = dict(sets)
    for key in ("ytd", "ytd_year_ago"):
        p = periods[key]
        if key not in sets or p in (periods["period"], periods["previous"], periods["year_ago"]):
            continue
        inside = trend[(pd.to_datetime(trend["period_start"]) >= pd.Timestamp(p.start))
                       & (pd.to_datetime(trend["period_end"]) <= pd.Timestamp(p.end))] if len(trend) else trend
        hidden = set(inside.loc[inside["suppressed"].astype(bool), "id"]) if len(inside) else set()
        results = [replace(r, numerator=None, denominator=None, value=None, lower_ci=None, upper_ci=None, rag=None,
                           suppressed=True, breakdown=[])
                   if r.id in ADDITIVE and r.id in hidden and r.value is not None else r
                   for r in sets[key].results]
        out[key] = replace(sets[key], results=results)
    return out


def protect_months_against_totals(trend: pd.DataFrame, *, totals: list[Period]) -> pd.DataFrame:
    """Hide a second month where exactly one month inside a published period total is suppressed.

    A public export shows the period's figure (and the previous and year-earlier
    figures in its comparison) beside the monthly trend. For a summed count,
    one hidden month could be worked out as the total minus the other months,
    so, as for a breakdown shown with its total, the smallest other non-zero
    month is hidden too.
    """
    if trend.empty:
        return trend
    out = trend.copy()
    starts = pd.to_datetime(out["period_start"])
    ends = pd.to_datetime(out["period_end"])
    size = out["denominator"].where(out["denominator"].notna(), out["value"])
    for p in totals:
        inside = (starts >= pd.Timestamp(p.start)) & (ends <= pd.Timestamp(p.end))
        sub = out[inside]
        hidden = sub.groupby("id")["suppressed"].sum()
        for ind in hidden[hidden == 1].index:
            candidates = size[inside & (out["id"] == ind) & ~out["suppressed"].astype(bool) & (size.fillna(0) > 0)]
            if candidates.empty:
                continue
            idx = candidates.astype(float).idxmin()
            out.loc[idx, "suppressed"] = True
            out.loc[idx, [c for c in _FIGURE_COLUMNS if c in out]] = None
    return out


def indicator_frame(data: ReportData) -> pd.DataFrame:
    """The period's indicators: one row per indicator, in catalogue order."""
    by_id = {i.id: i for i in CATALOGUE}
    theme_label = dict(THEMES)
    rows = []
    for r in data.indicators.results:
        ind = by_id.get(r.id)
        rows.append({
            "theme": theme_label.get(ind.theme, ind.theme) if ind else "",
            "id": r.id, "name": r.name, "unit": r.unit, "polarity": r.polarity,
            "period_start": data.period.start, "period_end": data.period.end,
            "numerator": r.numerator, "denominator": r.denominator, "value": r.value,
            "lower_ci": r.lower_ci, "upper_ci": r.upper_ci, "suppressed": bool(r.suppressed), "status": r.status,
            "rag": r.rag, "target": r.target, "missing": "; ".join(sorted(r.missing)),
        })
    return pd.DataFrame(rows)


def breakdown_frame(data: ReportData) -> pd.DataFrame:
    """Breakdown cells of every breakdown indicator, tidy."""
    rows = [{"id": r.id, "category": c.category, "value": c.value, "suppressed": bool(c.suppressed)}
            for r in data.indicators.results for c in r.breakdown]
    return pd.DataFrame(rows, columns=["id", "category", "value", "suppressed"])
