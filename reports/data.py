"""What every export is built from: the period's indicator set, the sets it is compared with, and the trends."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

import metrics
from core.periods import Period, financial_year, fy_of, previous, quarterly, year_earlier
from metrics import meetings
from metrics.disclosure import NotPublished
from metrics.meetings import Revision
from metrics.results import IndicatorResult, IndicatorSet
from metrics.spc import recorded_changes
from storage.repository import end_of_day, read_coverage, utcnow

# Months of history in the trend sheet and charts: enough for two years and a quarter.
TREND_MONTHS = 27
# Quarters of history drawn for an indicator whose target is for a whole period (a count over the period).
TREND_QUARTERS = 9
# The figures each indicator is shown beside, by their key in ReportData.sets.
COMPARED = ("previous", "year_ago", "ytd", "ytd_year_ago")


def year_to_date(p: Period) -> Period:
    """From the start of the financial year holding ``p``'s end to ``p``'s end."""
    return Period(financial_year(fy_of(p.end)).start, p.end)


def comparison_periods(p: Period) -> dict[str, Period]:
    """The period and what it is compared with: previous, a year earlier, year to date and that a year earlier."""
    ytd = year_to_date(p)
    return {
        "period": p,
        "previous": previous(p),
        "year_ago": year_earlier(p),
        "ytd": ytd,
        "ytd_year_ago": year_earlier(ytd),
    }


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
    markers: pd.DataFrame = field(default_factory=pd.DataFrame)  # metrics.trend_markers, in the version's view
    # metrics.compare for the period, in the version's view and in public (the sentences' judgements): the
    # better, similar or worse the pages show, worded, never judged again.
    comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    public_comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    process_changes: list = field(default_factory=list)  # metrics.spc.recorded_changes: the SPC rebasing dates
    # Sign-off (docs/meetings.md): a public export names the sign-off its year's figures rest on (when, and of
    # which period; never who nor a figure); a restricted one the period's own sign-off and, when a file loaded
    # later changed its figures, the revision (each change: signed off, now).
    signoff: dict | None = None  # signed_at, period
    revision: Revision | None = None  # restricted only

    @property
    def indicators(self) -> IndicatorSet:
        return self.sets["period"]

    @property
    def public_indicators(self) -> IndicatorSet:
        return self.public_sets["period"]

    @property
    def marking(self) -> str:
        return "PUBLIC" if self.public else "RESTRICTED"

    def comparison(self, indicator_id: str, *, public: bool = False) -> dict | None:
        """The indicator's row of ``metrics.compare`` for the period (public: the one the sentences word)."""
        frame = self.public_comparisons if public else self.comparisons
        if frame is None or frame.empty:
            return None
        rows = frame[frame["id"] == indicator_id]
        return None if rows.empty else rows.iloc[0].to_dict()

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
    periods = comparison_periods(period)

    def sets_for(pub: bool, keys=tuple(periods)) -> dict[str, IndicatorSet]:
        out: dict[str, IndicatorSet] = {}
        for key, p in ((k, periods[k]) for k in keys):
            try:
                out[key] = next((s for k, s in out.items() if periods[k] == p), None) or metrics.compute_indicators(
                    engine=engine, period=p, public=pub, as_of=as_of
                )
            except NotPublished:  # e.g. the year to date of a single month: no public figure exists for it
                continue
        return out

    held = metrics.trend_periods(engine=engine, freq="month", end=period.end, as_of=as_of)
    months = held[-TREND_MONTHS:]

    pub_trend = metrics.trend(engine=engine, periods=months, public=True, as_of=as_of)
    trend = pub_trend if public else metrics.trend(engine=engine, periods=months, public=False, as_of=as_of)
    # The restricted version's sentences need no public figure for the same period a year earlier.
    wanted = tuple(periods) if public else tuple(k for k in periods if k != "year_ago")
    public_sets = sets_for(True, wanted)
    sets = public_sets if public else sets_for(False)
    if "period" not in public_sets:  # a restricted paper for custom dates: its sentences use its own figures
        public_sets = sets
    # Targets of counts over a period are for the whole period: their charts are drawn by quarter.
    targeted = [
        r.id for r in sets["period"].results if metrics.catalogue.by_id(r.id).period_total and r.target is not None
    ]
    quarters = quarterly(months[0].start, period.end)[-TREND_QUARTERS:] if months and targeted else []
    quarters = [q for q in quarters if q.end <= period.end]
    quarterly_trend = (
        metrics.trend(engine=engine, periods=quarters, public=public, as_of=as_of, ids=targeted)
        if quarters
        else pd.DataFrame()
    )
    # Fingertips' trend markers, worked out from this version's own series (a public one from the protected
    # figures only, so a hidden point makes it "cannot be calculated").
    markers = metrics.trend_markers(engine=engine, end=period.end, public=public, as_of=as_of)
    # Better, similar or worse by the intervals, as the pages show it: the version's own, and the public one
    # that the sentences word (a restricted paper for custom dates has none public: its own serves).
    comparisons = metrics.compare(engine=engine, period=period, public=public, as_of=as_of)
    try:
        public_comparisons = (
            comparisons if public else metrics.compare(engine=engine, period=period, public=True, as_of=as_of)
        )
    except NotPublished:
        public_comparisons = comparisons
    signoff, revision = _signoff_state(engine, period=period, public=public, as_of=as_of, current=sets["period"])
    # A public export's figures stand at its year's sign-off: its data are as at then.
    cov = read_coverage(
        engine, as_of=signoff["signed_at"] if public and signoff else end_of_day(as_of) if as_of else None
    )
    data_as_at = None if cov.empty else cov["loaded_at"].max().to_pydatetime()
    return ReportData(
        period=period,
        public=public,
        threshold=int(sets["period"].threshold),
        as_of=as_of,
        data_as_at=data_as_at,
        generated_at=utcnow(),
        sets=sets,
        public_sets=public_sets,
        trend=trend,
        public_trend=pub_trend,
        quarterly=quarterly_trend,
        first_month=held[0].start if held else None,
        markers=markers,
        comparisons=comparisons,
        public_comparisons=public_comparisons,
        process_changes=recorded_changes(engine),
        signoff=signoff,
        revision=revision,
    )


def _signoff_state(
    engine: sa.Engine, *, period: Period, public: bool, as_of: date | None, current: IndicatorSet
) -> tuple[dict | None, Revision | None]:
    """(the sign-off the export names, the revision since it): see ``ReportData.signoff``."""
    if public:
        return meetings.published_from(engine, period=period, by=end_of_day(as_of) if as_of else None), None
    if as_of is not None:  # a paper as the data stood on a past day: no "since" to speak of
        return None, None
    rev = meetings.revision_of(engine, period=period, current=current)
    return (None, None) if rev is None else ({"signed_at": rev.signoff["signed_at"], "period": period}, rev)


def breakdown_frame(data: ReportData) -> pd.DataFrame:
    """Breakdown cells of every breakdown indicator, tidy."""
    rows = [
        {"id": r.id, "category": c.category, "value": c.value, "suppressed": bool(c.suppressed)}
        for r in data.indicators.results
        for c in r.breakdown
    ]
    return pd.DataFrame(rows, columns=["id", "category", "value", "suppressed"])
