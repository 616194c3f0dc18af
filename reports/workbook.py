"""The analysts' workbook (.xlsx) and CSV: one long tidy table, plain values, never a formula.

Laid out like Fingertips' downloads: one row per indicator and period, every period type in one
filterable Excel table, so the file loads into Excel or Power BI without reshaping.
"""

from __future__ import annotations

import io
import math

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from core import formatting as fmt
from metrics.catalogue import CATALOGUE, THEMES, by_id
from reports.data import ReportData
from reports.pack import PUBLIC_MARKING, RESTRICTED_MARKING, disclosure_rules
from reports.safe import csv_text, write_cell
from reports.summary import revision_rows, signoff_words
from reports.wording import missing_caveats

# Period types in the data table, by the key of the set they come from.
PERIOD_TYPES = {
    "period": "reporting period",
    "previous": "previous period",
    "year_ago": "same period last year",
    "ytd": "year to date",
    "ytd_year_ago": "year to date last year",
}
MONTH, QUARTER = "month", "quarter"
# The data table's columns: (heading, kind) where kind sets the number format.
DATA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator", "text"),
    ("indicator name", "text"),
    ("theme", "text"),
    ("unit", "text"),
    ("period type", "text"),
    ("period", "text"),
    ("start", "date"),
    ("end", "date"),
    ("value", "value"),
    ("lower interval", "value"),
    ("upper interval", "value"),
    ("numerator", "count"),
    ("denominator", "count"),
    ("target", "value"),
    ("RAG", "text"),
    ("previous", "value"),
    ("same period last year", "value"),
    ("status", "text"),
    ("note", "text"),
    ("marking", "text"),
)
BREAKDOWN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator", "text"),
    ("indicator name", "text"),
    ("breakdown by", "text"),
    ("category", "text"),
    ("period", "text"),
    ("start", "date"),
    ("end", "date"),
    ("value", "count"),
    ("note", "text"),
    ("marking", "text"),
)
REVISION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator", "text"),
    ("indicator name", "text"),
    ("unit", "text"),
    ("signed off", "value"),
    ("now", "value"),
    ("marking", "text"),
)
DEFINITION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("indicator", "text"),
    ("indicator name", "text"),
    ("theme", "text"),
    ("unit", "text"),
    ("better when", "text"),
    ("definition", "text"),
    ("sources", "text"),
    ("notes", "text"),
    ("marking", "text"),
)
_FORMATS = {"count": "0", "date": "yyyy-mm-dd", "percent": "0.0", "mean": "0.0"}


def marking_text(data: ReportData) -> str:
    return PUBLIC_MARKING if data.public else RESTRICTED_MARKING


def _plain(v: object) -> object:
    """A value openpyxl writes as is: no NaN, no pandas types; whole-number floats as int."""
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    return v


def _note(status: str, suppressed: bool, missing: list[str] | str | None) -> str:
    parts = []
    if suppressed:
        parts.append("not published (a small number, or would let one be worked out)")
    if status == "not_reported":
        parts.append("not reported: no data sent (not a zero)")
    if missing:
        parts += missing_caveats(list(missing) if not isinstance(missing, str) else missing.split("; "))
    return "; ".join(parts)


def _row(ind, *, period_type: str, label: str, start, end, r: dict, marking: str) -> dict:
    return {
        "indicator": ind.id,
        "indicator name": ind.name,
        "theme": dict(THEMES).get(ind.theme, ind.theme),
        "unit": ind.unit,
        "period type": period_type,
        "period": label,
        "start": start,
        "end": end,
        "value": r.get("value"),
        "lower interval": r.get("lower_ci"),
        "upper interval": r.get("upper_ci"),
        "numerator": r.get("numerator"),
        "denominator": r.get("denominator"),
        "target": r.get("target"),
        "RAG": r.get("rag"),
        "status": fmt.STATUS_WORDS.get(r.get("status"), r.get("status")),
        "note": _note(r.get("status"), bool(r.get("suppressed")), r.get("missing")),
        "marking": marking,
    }


def data_frame(data: ReportData) -> pd.DataFrame:
    """The long tidy table: each indicator for the reporting period, the periods it is compared with, and
    each month (and, for counts with a target for a period, each quarter) of the trend."""
    marking = marking_text(data)
    rows = []
    for key, kind in PERIOD_TYPES.items():
        s = data.sets.get(key)
        if s is None:
            continue
        for r in s.results:
            ind = by_id(r.id)
            row = _row(
                ind,
                period_type=kind,
                label=s.period.label(),
                start=s.period.start,
                end=s.period.end,
                r={**r.__dict__, "missing": r.missing},
                marking=marking,
            )
            if key == "period":
                prev, ago = data.figure("previous", r.id), data.figure("year_ago", r.id)
                row["previous"] = None if prev is None else prev.value
                row["same period last year"] = None if ago is None else ago.value
            elif key == "ytd":
                ago = data.figure("ytd_year_ago", r.id)
                row["same period last year"] = None if ago is None else ago.value
            rows.append(row)
    for frame, kind in ((data.trend, MONTH), (data.quarterly, QUARTER)):
        if frame is None or frame.empty:
            continue
        f = frame.sort_values(["id", "period_start"])
        for ind_id, part in f.groupby("id", sort=False):
            ind = by_id(str(ind_id))
            values = dict(zip(pd.to_datetime(part["period_start"]), part["value"], strict=True))
            step = 1 if kind == MONTH else 3
            for rec in part.to_dict("records"):
                start = pd.Timestamp(rec["period_start"])
                r = dict(rec)
                if kind == MONTH and ind.period_total:
                    r["target"], r["rag"] = None, None  # the target is for a whole period, not a month
                row = _row(
                    ind,
                    period_type=kind,
                    label=f"{start:%B %Y}" if kind == MONTH else rec["period_label"],
                    start=start.date(),
                    end=pd.Timestamp(rec["period_end"]).date(),
                    r=r,
                    marking=marking,
                )
                row["previous"] = values.get(start - pd.DateOffset(months=step))
                row["same period last year"] = values.get(start - pd.DateOffset(years=1))
                rows.append(row)
    out = pd.DataFrame(rows, columns=[c for c, _ in DATA_COLUMNS])
    order = {i.id: k for k, i in enumerate(CATALOGUE)}
    types = [*PERIOD_TYPES.values(), QUARTER, MONTH]
    out["_o"] = out["indicator"].map(order)
    out["_t"] = out["period type"].map(types.index)
    return out.sort_values(["_o", "_t", "start"], kind="stable").drop(columns=["_o", "_t"]).reset_index(drop=True)


def breakdown_frame_for_export(data: ReportData) -> pd.DataFrame:
    """Breakdown cells of the reporting period, with their period and plain category labels."""
    marking = marking_text(data)
    p = data.period
    rows = [
        {
            "indicator": r.id,
            "indicator name": r.name,
            "breakdown by": by_id(r.id).breakdown_by or "category",
            "category": fmt.label(c.category),
            "period": p.label(),
            "start": p.start,
            "end": p.end,
            "value": c.value,
            "note": _note(r.status, bool(c.suppressed), None),
            "marking": marking,
        }
        for r in data.indicators.results
        for c in r.breakdown
    ]
    return pd.DataFrame(rows, columns=[c for c, _ in BREAKDOWN_COLUMNS])


def definitions_frame(data: ReportData) -> pd.DataFrame:
    marking = marking_text(data)
    return pd.DataFrame(
        [
            {
                "indicator": i.id,
                "indicator name": i.name,
                "theme": dict(THEMES).get(i.theme, i.theme),
                "unit": i.unit,
                "better when": {"up": "higher", "down": "lower"}.get(i.polarity, "no judgement"),
                "definition": i.definition,
                "sources": ", ".join(i.sources),
                "notes": i.notes,
                "marking": marking,
            }
            for i in CATALOGUE
        ],
        columns=[c for c, _ in DEFINITION_COLUMNS],
    )


def _print_setup(ws, data: ReportData, *, title: str, landscape: bool = True) -> None:
    """Each sheet prints on A4, fitted to the page width, header row repeated, marked top and bottom."""
    marking = marking_text(data)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.oddHeader.center.text = marking
    ws.oddHeader.right.text = f"{title}, {data.period.label()}"
    ws.oddFooter.center.text = f"{marking} · Page &P of &N"
    ws.evenHeader.center.text, ws.evenFooter.center.text = ws.oddHeader.center.text, ws.oddFooter.center.text


def _table_sheet(
    wb: Workbook,
    data: ReportData,
    *,
    title: str,
    frame: pd.DataFrame,
    columns: tuple[tuple[str, str], ...],
    table_name: str,
) -> None:
    ws = wb.create_sheet(title)
    for j, (heading, _) in enumerate(columns, start=1):
        write_cell(ws.cell(row=1, column=j), heading)
        ws.cell(row=1, column=j).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = max(11, len(heading) + 3)
    units = frame["unit"].tolist() if "unit" in frame else None
    for i, rec in enumerate(frame.to_dict("records"), start=2):
        for j, (col, kind) in enumerate(columns, start=1):
            c = ws.cell(row=i, column=j)
            v = _plain(rec.get(col))
            if kind == "count" and isinstance(v, float) and v.is_integer():
                v = int(v)
            write_cell(c, v)
            if v is None:
                continue
            if kind == "value":
                unit = units[i - 2] if units else "count"
                c.number_format = _FORMATS.get(unit, "0")
                if unit in ("count", "breakdown") and isinstance(v, float) and v.is_integer():
                    c.value = int(v)
            elif kind in _FORMATS:
                c.number_format = _FORMATS[kind]
    for j, (heading, _) in enumerate(columns, start=1):
        if heading in ("indicator name", "definition", "note", "notes", "period", "sources"):
            ws.column_dimensions[get_column_letter(j)].width = 60 if heading == "definition" else 32
    last = max(2, len(frame) + 1)
    ref = f"A1:{get_column_letter(len(columns))}{last}"
    if frame.empty:  # a table needs a row; an empty one says so
        write_cell(ws.cell(row=2, column=1), "none")
    table = Table(displayName=table_name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _print_setup(ws, data, title=title)


def _about(wb: Workbook, data: ReportData) -> None:
    ws = wb.active
    ws.title = "About"
    marking = marking_text(data)
    lines = [
        "Strategy outcomes: indicator workbook",
        PUBLIC_MARKING + " — disclosure control applied"
        if data.public
        else RESTRICTED_MARKING + " — exact figures for the group only; do not publish",
        f"Period: {data.period.label()} ({data.period.start.isoformat()} to {data.period.end.isoformat()})",
        f"Data as at: {data.as_of.isoformat() if data.as_of else (data.data_as_at or 'no data')}",
        "Data: one row per indicator and period (the reporting period, the periods it is compared with, each "
        "month, and each quarter for counts whose target is for a period), as the Excel table 'IndicatorData'. "
        "Filter on 'period type'.",
        "Breakdowns: the reporting period's breakdowns ('Breakdowns' table); Definitions: every indicator.",
        "Counts are whole numbers; percentages (0-100) and means have one decimal place shown and are stored "
        "unrounded. A blank value is not a zero: the note says whether it was not reported or not published.",
        f"Every row carries the protective marking ({marking}) in its 'marking' column.",
        f"Sign-off: {signoff_words(data)}",
        *(
            ["Figures not published under these rules are blank:", *disclosure_rules(data.threshold)]
            if data.public
            else []
        ),
    ]
    for i, line in enumerate(lines, start=1):
        write_cell(ws.cell(row=i, column=1), str(line))
        ws.cell(row=i, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 120
    _print_setup(ws, data, title="About", landscape=False)


def build_workbook(*, data: ReportData) -> bytes:
    """The workbook as .xlsx bytes: About, Data (one long table), Breakdowns, Definitions, and (restricted, when
    a correction changed a signed-off figure) Revised since sign-off."""
    wb = Workbook()
    _about(wb, data)
    _table_sheet(wb, data, title="Data", frame=data_frame(data), columns=DATA_COLUMNS, table_name="IndicatorData")
    _table_sheet(
        wb,
        data,
        title="Breakdowns",
        frame=breakdown_frame_for_export(data),
        columns=BREAKDOWN_COLUMNS,
        table_name="Breakdowns",
    )
    _table_sheet(
        wb,
        data,
        title="Definitions",
        frame=definitions_frame(data),
        columns=DEFINITION_COLUMNS,
        table_name="Definitions",
    )
    if rows := revision_rows(data):  # restricted, and a correction changed a signed-off figure
        frame = pd.DataFrame(
            [
                {
                    "indicator": r["id"],
                    "indicator name": r["name"],
                    "unit": r["unit"],
                    "signed off": r["before"],
                    "now": r["after"],
                    "marking": marking_text(data),
                }
                for r in rows
            ]
        )
        _table_sheet(
            wb,
            data,
            title="Revised since sign-off",
            frame=frame,
            columns=REVISION_COLUMNS,
            table_name="RevisedSinceSignOff",
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_csv(*, data: ReportData) -> bytes:
    """The workbook's data table as UTF-8 CSV (with BOM, for Excel); every row carries the marking; counts whole,
    percentages and means to one decimal; risky text quoted against formula injection."""
    out = data_frame(data)
    for col in ("numerator", "denominator"):
        out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    for col in ("value", "lower interval", "upper interval", "target", "previous", "same period last year"):
        nums = pd.to_numeric(out[col], errors="coerce")
        whole = out["unit"].isin(["count", "breakdown"])
        out[col] = [None if pd.isna(v) else (f"{v:.0f}" if w else f"{v:.1f}") for v, w in zip(nums, whole, strict=True)]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_text)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
