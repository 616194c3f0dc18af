"""What every export is built from: one indicator set, its comparison and its monthly trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

import metrics
from core.periods import Period
from metrics.catalogue import CATALOGUE, THEMES
from metrics.results import IndicatorSet
from storage.repository import end_of_day, read_coverage, utcnow

# Months of history in the trend sheet and charts: enough for two years and a quarter.
TREND_MONTHS = 27


@dataclass(frozen=True)
class ReportData:
    """Everything an export shows. A public one holds only disclosure-controlled figures."""

    period: Period
    public: bool
    threshold: int
    as_of: date | None
    data_as_at: datetime | None  # when the newest submission counted was loaded (naive UTC)
    generated_at: datetime
    indicators: IndicatorSet
    comparison: pd.DataFrame  # metrics.compare
    trend: pd.DataFrame  # metrics.trend, monthly
    # The public set and comparison, which the draft wording is written from in both versions.
    public_indicators: IndicatorSet
    public_comparison: pd.DataFrame

    @property
    def marking(self) -> str:
        return "PUBLIC" if self.public else "RESTRICTED"

    def comparison_row(self, indicator_id: str, *, public: bool = False) -> dict | None:
        frame = self.public_comparison if public else self.comparison
        rows = frame[frame["id"] == indicator_id] if not frame.empty else frame
        return None if rows.empty else rows.iloc[0].to_dict()


def gather(*, engine: sa.Engine, period: Period, public: bool, as_of: date | None = None) -> ReportData:
    """Compute what an export needs. Public data comes only from the public metrics calls, which protect
    every public figure over all public outputs together (``metrics.disclosure``); nothing is hidden here."""
    indicators = metrics.compute_indicators(engine=engine, period=period, public=public, as_of=as_of)
    comparison = metrics.compare(engine=engine, period=period, public=public, as_of=as_of)
    if public:
        public_indicators, public_comparison = indicators, comparison
    else:
        public_indicators = metrics.compute_indicators(engine=engine, period=period, public=True, as_of=as_of)
        public_comparison = metrics.compare(engine=engine, period=period, public=True, as_of=as_of)
    periods = metrics.trend_periods(engine=engine, freq="month", end=period.end, as_of=as_of)[-TREND_MONTHS:]
    trend = metrics.trend(engine=engine, periods=periods, public=public, as_of=as_of)
    cov = read_coverage(engine, as_of=end_of_day(as_of) if as_of else None)
    data_as_at = None if cov.empty else cov["loaded_at"].max().to_pydatetime()
    return ReportData(period=period, public=public, threshold=int(indicators.threshold), as_of=as_of,
                      data_as_at=data_as_at, generated_at=utcnow(), indicators=indicators, comparison=comparison,
                      trend=trend, public_indicators=public_indicators, public_comparison=public_comparison)


def indicator_frame(data: ReportData) -> pd.DataFrame:
    """The tidy indicator table of every export: one row per indicator, in catalogue order."""
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
