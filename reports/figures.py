"""The chart of each indicator in an export: the pages' own figure functions, from the export's data."""

from __future__ import annotations

import plotly.graph_objects as go

from charts.figures import breakdown_chart, trend_chart
from charts.report_figures import printable
from metrics.catalogue import CATALOGUE
from reports.data import ReportData, breakdown_frame


def _note(data: ReportData) -> str:
    if not data.public:
        return "A gap is a month with no figure (not reported, or nothing to divide by)."
    return (f"A gap or * is a figure not reported, or hidden because it is fewer than {data.threshold} "
            "or would let a hidden one be worked out.")


def indicator_figures(data: ReportData) -> dict[str, go.Figure]:
    """One figure per indicator, in catalogue order: its monthly trend, or bars for the rehab pathway."""
    results = {r.id: r for r in data.indicators.results}
    cells = breakdown_frame(data)
    note = _note(data)
    out: dict[str, go.Figure] = {}
    for ind in CATALOGUE:
        r = results.get(ind.id)
        if r is None:
            continue
        title = f"{ind.id} {ind.name}"
        if r.unit == "breakdown":
            part = cells[cells["id"] == ind.id].assign(
                category=lambda d: d["category"].astype(str).str.replace("_", " "))
            fig = breakdown_chart(part, title=f"{title} ({data.period.label()})", unit="count")
            hidden = part.loc[part["value"].isna(), "category"].tolist()
            out[ind.id] = printable(fig, note=note, hidden_bars=hidden)
            continue
        t = data.trend[data.trend["id"] == ind.id].sort_values("period_start") if len(data.trend) else data.trend
        fig = trend_chart(t, title=f"{title}, by month", unit=r.unit,
                          target=None if r.target is None else float(r.target))
        out[ind.id] = printable(fig, note=note)
    return out
