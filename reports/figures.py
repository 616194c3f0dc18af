"""The chart of each indicator in an export, drawn for print: the pages' own figure functions, from the
export's data, with alternative text, and a reason where an indicator is better left without a chart."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from charts.figures import breakdown_chart, trend_chart
from charts.report_figures import printable
from core import formatting as fmt
from core.periods import add_months, fy_label, quarter_of
from metrics.catalogue import CATALOGUE
from reports.data import ReportData, breakdown_frame
from reports.summary import few

# A public chart needs at least this many published months of the last twelve; fewer says why instead.
MIN_SHOWN_MONTHS = 6
RECENT_MONTHS = 12
# Months at the start of the data left out of "first time" series: everyone seen then looks new.
FIRST_MONTHS = 3


@dataclass
class Charts:
    """The figures to draw, their alternative text, why some indicators have none, and notes for the pack."""

    figures: dict[str, go.Figure] = field(default_factory=dict)
    alt: dict[str, str] = field(default_factory=dict)
    why_none: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _note(data: ReportData) -> str:
    if not data.public:
        return "A gap is a month with no figure (not reported, or nothing to divide by)."
    return (
        f"A gap or * is a figure not reported, or not published because it is fewer than {data.threshold} "
        "or would let a hidden one be worked out."
    )


def _quarter_label(start) -> str:
    q = quarter_of(pd.Timestamp(start).date())
    return f"Q{(q.start.month - 4) % 12 // 3 + 1} {fy_label(q.start.year if q.start.month >= 4 else q.start.year - 1)}"


def _span(frame: pd.DataFrame) -> str:
    first, last = pd.Timestamp(frame["period_start"].min()), pd.Timestamp(frame["period_start"].max())
    return f"from {first:%B %Y} to {last:%B %Y}"


def indicator_charts(data: ReportData) -> Charts:
    """One chart per indicator, in catalogue order, or the reason it has none."""
    results = {r.id: r for r in data.indicators.results}
    cells = breakdown_frame(data)
    note = _note(data)
    out = Charts()
    if data.first_month is not None and any(i.first_time and i.id in results for i in CATALOGUE):
        out.notes.append(
            f"Charts of women seen for the first time leave out the first {few(FIRST_MONTHS)} months of the "
            f"data (from {data.first_month:%B %Y}), when everyone seen looks new."
        )
    for ind in CATALOGUE:
        r = results.get(ind.id)
        if r is None:
            continue
        title = ind.name
        if r.unit == "breakdown":
            part = cells[cells["id"] == ind.id].assign(category=lambda d: d["category"].map(fmt.label))
            shown = int(part["value"].notna().sum())
            if r.status == "not_reported" or part.empty:
                out.why_none[ind.id] = "No chart: there is nothing reported for the period."
                continue
            if data.public and shown < 2:
                out.why_none[ind.id] = (
                    "No chart: most parts rest on small numbers and are not published; the "
                    "table below gives what can be shown."
                )
                continue
            fig = breakdown_chart(
                part, title=f"{title} by {ind.breakdown_by or 'category'}, {data.period.label()}", unit="count"
            )
            hidden = part.loc[part["value"].isna(), "category"].tolist()
            out.figures[ind.id] = printable(fig, note=note if hidden else None, hidden_bars=hidden)
            out.alt[ind.id] = (
                f"Bar chart of {title.lower()} by {ind.breakdown_by or 'category'} for "
                f"{data.period.label()}, one bar for each of {len(part)} parts"
                + (", some not published (marked *)." if hidden else ".")
            )
            continue
        target = None if r.target is None else float(r.target)
        if ind.period_total and target is not None and not data.quarterly.empty:
            t = data.quarterly[data.quarterly["id"] == ind.id].sort_values("period_start")
            t = t.assign(period_label=t["period_start"].map(_quarter_label))
            by, label = "quarter", f"{title}, by quarter"
        else:
            t = data.trend[data.trend["id"] == ind.id].sort_values("period_start") if len(data.trend) else data.trend
            if ind.first_time and data.first_month is not None and len(t):
                t = t[pd.to_datetime(t["period_start"]) >= pd.Timestamp(add_months(data.first_month, FIRST_MONTHS))]
            if len(t):
                t = t.assign(period_label=pd.to_datetime(t["period_start"]).dt.strftime("%b %Y"))
            by, label = "month", f"{title}, by month"
        values = pd.to_numeric(t["value"], errors="coerce") if len(t) else pd.Series(dtype=float)
        if values.notna().sum() == 0:
            out.why_none[ind.id] = (
                "No chart: no figure has been reported for these months."
                if not data.public or r.status == "not_reported"
                else "No chart: the monthly figures rest on small numbers and are not published."
            )
            continue
        recent = values.tail(RECENT_MONTHS if by == "month" else 4)
        if data.public and by == "month" and recent.notna().sum() < min(MIN_SHOWN_MONTHS, len(recent)):
            out.why_none[ind.id] = (
                "No chart: most monthly figures rest on small numbers and are not published; "
                "the period's figure is in the table."
            )
            continue
        if data.public and recent.isna().any() and (recent.dropna() == 0).all():
            out.why_none[ind.id] = (
                "No chart: every published month is zero and the others rest on small numbers, which are not published."
            )
            continue
        fig = trend_chart(t, title=label, unit=r.unit, target=target)
        gaps = bool(values.isna().any())
        out.figures[ind.id] = printable(fig, note=note if gaps else None)
        aim = (
            ""
            if target is None
            else (
                f", with the target of {fmt.number_text(target, r.unit)}"
                f"{' a quarter' if by == 'quarter' else ''} drawn as a dashed line"
            )
        )
        out.alt[ind.id] = f"Line chart of {title.lower()} by {by} {_span(t)}{aim}." + (
            " Gaps are figures not reported or not published." if gaps else ""
        )
    return out
