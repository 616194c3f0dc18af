"""The analysts' workbook (.xlsx) and CSV: tidy tables, plain values, never a formula."""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from metrics.catalogue import CATALOGUE, THEMES
from reports.data import ReportData, breakdown_frame, indicator_frame
from reports.pack import PUBLIC_MARKING, RESTRICTED_MARKING, disclosure_rules
from reports.safe import csv_text, write_cell

# (column in the indicator frame, heading in the export)
INDICATOR_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"), ("name", "name"), ("period_start", "period start"), ("period_end", "period end"),
    ("unit", "unit"), ("numerator", "numerator"), ("denominator", "denominator"), ("value", "value"),
    ("lower_ci", "95% CI lower"), ("upper_ci", "95% CI upper"), ("suppressed", "suppressed"),
    ("status", "status"), ("rag", "RAG"), ("target", "target"), ("missing", "missing returns"),
)
TREND_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"), ("name", "name"), ("period_start", "month start"), ("period_end", "month end"),
    ("numerator", "numerator"), ("denominator", "denominator"), ("value", "value"), ("lower_ci", "95% CI lower"),
    ("upper_ci", "95% CI upper"), ("suppressed", "suppressed"), ("status", "status"), ("rag", "RAG"),
    ("target", "target"),
)
_BAD_SHEET_CHARS = str.maketrans({c: " " for c in "[]:*?/\\"})


def _plain(v: object) -> object:
    """A value openpyxl writes as is: no NaN, no pandas types."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    return v


def _sheet(wb: Workbook, title: str, frame: pd.DataFrame, columns: tuple[tuple[str, str], ...]) -> None:
    ws = wb.create_sheet(title.translate(_BAD_SHEET_CHARS)[:31])
    for j, (_, heading) in enumerate(columns, start=1):
        write_cell(ws.cell(row=1, column=j), heading)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(heading) + 2)
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "A2"
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        for j, (col, _) in enumerate(columns, start=1):
            cell = ws.cell(row=i, column=j)
            write_cell(cell, _plain(rec.get(col)))
            if col in ("value", "lower_ci", "upper_ci") and isinstance(cell.value, float):
                cell.number_format = "0.0"
            elif col.startswith("period") and cell.value is not None:
                cell.number_format = "yyyy-mm-dd"


def _about(wb: Workbook, data: ReportData) -> None:
    ws = wb.active
    ws.title = "About"
    lines = [
        "Strategy outcomes: indicator workbook",
        PUBLIC_MARKING + " — disclosure control applied" if data.public else
        RESTRICTED_MARKING + " — exact figures for the group only; do not publish",
        f"Period: {data.period.label()} ({data.period.start.isoformat()} to {data.period.end.isoformat()})",
        f"Data as at: {data.as_of.isoformat() if data.as_of else (data.data_as_at or 'no data')}",
        "Values are unrounded; percents are on the 0-100 scale. A blank value with status 'not reported' is not "
        "a zero.",
        *(["Blank values marked suppressed are hidden under these rules:", *disclosure_rules(data.threshold)]
          if data.public else []),
    ]
    for i, line in enumerate(lines, start=1):
        write_cell(ws.cell(row=i, column=1), str(line))
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120


def build_workbook(*, data: ReportData) -> bytes:
    """The workbook as .xlsx bytes: About, a sheet per theme, Breakdowns, Trend, Definitions."""
    wb = Workbook()
    _about(wb, data)
    frame = indicator_frame(data)
    labels = dict(THEMES)
    for key, label in THEMES:
        ids = [i.id for i in CATALOGUE if i.theme == key]
        part = frame[frame["id"].isin(ids)]
        if not part.empty:
            _sheet(wb, label, part, INDICATOR_COLUMNS)
    names = {i.id: i.name for i in CATALOGUE}
    cells = breakdown_frame(data).assign(name=lambda d: d["id"].map(names))
    _sheet(wb, "Breakdowns", cells, (("id", "id"), ("name", "name"), ("category", "category"), ("value", "value"),
                                     ("suppressed", "suppressed")))
    trend = data.trend.assign(name=lambda d: d["id"].map(names)) if not data.trend.empty else data.trend
    _sheet(wb, "Trend", trend, TREND_COLUMNS)
    defs = pd.DataFrame([{"id": i.id, "name": i.name, "theme": labels.get(i.theme, i.theme), "unit": i.unit,
                          "polarity": {"up": "higher is better", "down": "lower is better"}.get(i.polarity,
                                                                                               "no judgement"),
                          "definition": i.definition, "sources": ", ".join(i.sources), "notes": i.notes}
                         for i in CATALOGUE])
    _sheet(wb, "Definitions", defs, tuple((c, c) for c in defs.columns))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_csv(*, data: ReportData) -> bytes:
    """The tidy indicator table as UTF-8 CSV (with BOM, for Excel); risky text quoted against formula injection."""
    frame = indicator_frame(data)
    out = frame[["theme", *[c for c, _ in INDICATOR_COLUMNS]]].rename(columns=dict(INDICATOR_COLUMNS))
    for col in ("numerator", "denominator"):
        nums = pd.to_numeric(out[col], errors="coerce")
        if (nums.dropna() % 1 == 0).all():
            out[col] = nums.astype("Int64")
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_text)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
