"""Blank template workbooks, one per partner, built from the return definitions.

Each template holds a Guidance sheet, one sheet per return the partner may
send (headers exactly as ``core.returns`` names them) and a hidden Lists
sheet with the code lists behind the drop-downs. Filled in, it loads without
an edit; sent blank, it is a nil return.
"""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import partners as partners_mod
from core.returns import ACTIVITIES_BY_SERVICE, RETURNS, Column, ReturnSpec

# How many rows carry the drop-downs and formats: far more than any month's return.
TEMPLATE_ROWS = 10_000
LISTS_SHEET = "Lists"
GUIDANCE_SHEET = "Guidance"
YES_NO = ("Y", "N")

_KIND_TEXT = {
    "date": "a date (DD/MM/YYYY)",
    "month": "a month: any date in it, YYYY-MM or Mon YYYY",
    "reference": "a person reference: P and four digits, e.g. P0042",
    "yesno": "Y or N (blank = not recorded)",
    "code": "one code from the drop-down",
    "multi": "one or more codes, separated by ; or ,",
    "count": "a whole number, 0 or more",
    "scale": "a whole number from 1 (not at all) to 5 (very much)",
}
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def partner_returns(partner: str) -> list[ReturnSpec]:
    """The returns ``partner`` may send, in the configured order."""
    p = partners_mod.partner(partner)
    if p is None:
        known = ", ".join(sorted(partners_mod.partners()))
        raise ValueError(f"'{partner}' is not a partner code. Known partners: {known}")
    return [RETURNS[r] for r in p.returns]


def _codes_for(col: Column, service: str | None) -> tuple[str, ...]:
    """The codes offered in a drop-down: a health partner sees only its own service and activities."""
    if service and col.name == "service":
        return (service,)
    if service and col.name == "activity":
        return ACTIVITIES_BY_SERVICE[service]
    if col.kind == "yesno":
        return YES_NO
    return col.codes


def _kind_text(col: Column) -> str:
    if col.kind == "count" and col.minimum:
        return f"a whole number, {col.minimum} or more"
    return _KIND_TEXT[col.kind]


def _guidance(ws, partner: str, specs: list[ReturnSpec], service: str | None) -> None:
    p = partners_mod.partner(partner)
    lines: list[list[str]] = [
        [f"Data return template: {p.name if p else partner}"],
        [],
        ["How to fill it in"],
        ["Use one sheet per return; keep the header row as it is. Add one row per record from row 2 down."],
        ["Never write names, dates of birth, addresses, postcodes, phone numbers, email addresses or NHS numbers."],
        ["Identify women only by the partnership reference: P followed by four digits (P0042)."],
        ["Dates: type them as dates (DD/MM/YYYY). Slashed dates are always read day first."],
        ["Yes/no columns: Y or N. Leave a cell blank when it was not recorded: blank is never read as N."],
        ["Coded columns: pick from the drop-down (the codes are on the hidden Lists sheet)."],
        [
            f"Put the period in the file name: a month ({partner}_2026-04.xlsx) or a quarter "
            f"({partner}_2026-27-Q1.xlsx)."
        ],
        ["Every row must be dated within that period, and no later than the day you send it."],
        ["Nothing to report? Send the template with no rows: that is a nil return, which is not the same as missing."],
        ["Returns are due by the 15th of the month after the period."],
        [],
    ]
    if service:
        lines.insert(9, [f"Health contacts: send only {service.replace('_', ' ')} rows (service = {service})."])
    for spec in specs:
        lines.append([f"Sheet '{spec.name}': {spec.title}"])
        lines.append([spec.description])
        lines.append(["Column", "What to write", "Required", "Notes"])
        for col in spec.columns:
            codes = _codes_for(col, service) if col.kind in ("code", "multi") else ()
            notes = col.help + (("; " if col.help else "") + "codes: " + ", ".join(codes) if codes else "")
            lines.append([col.name, _kind_text(col), "required" if col.required else "optional", notes])
        if spec.key:
            lines.append([f"One row per {', '.join(spec.key)}."])
        lines.append([])
    for row in lines:
        ws.append(row)
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 48
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 70


def _validation(col: Column, letter: str, list_ref: str | None) -> DataValidation:
    last = TEMPLATE_ROWS + 1
    title, prompt = col.name[:32], (_kind_text(col) + (f". {col.help}" if col.help else ""))[:255]
    if col.kind in ("code", "yesno", "multi"):
        # Several codes may share a multi-value cell, which a list cannot check: offer the list, allow any text.
        dv = DataValidation(type="list", formula1=list_ref, allow_blank=True, showErrorMessage=col.kind != "multi")
        if col.kind != "multi":
            dv.error, dv.errorTitle = "Pick a code from the list.", "Not a code"
    elif col.kind in ("count", "scale"):
        lo, hi = (col.minimum, 1_000_000) if col.kind == "count" else col.scale
        dv = DataValidation(
            type="whole",
            operator="between",
            formula1=str(lo),
            formula2=str(hi),
            allow_blank=True,
            showErrorMessage=True,
        )
        dv.error, dv.errorTitle = f"A whole number from {lo} to {hi}.", "Not a whole number"
    elif col.kind == "date":
        dv = DataValidation(
            type="date",
            operator="greaterThan",
            formula1="36526",
            allow_blank=True,  # after 2000
            showErrorMessage=True,
        )
        dv.errorStyle = "warning"
        dv.error, dv.errorTitle = "Type a date, for example 03/04/2026.", "Not a date"
    else:
        dv = DataValidation(allow_blank=True)  # prompt only (references, months)
    dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
    dv.add(f"{letter}2:{letter}{last}")
    return dv


def _return_sheet(ws, spec: ReturnSpec, service: str | None, lists: dict[tuple[str, ...], str]) -> None:
    ws.append(list(spec.column_names))
    for j, col in enumerate(spec.columns, 1):
        letter = get_column_letter(j)
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True)
        ws.column_dimensions[letter].width = max(14, len(col.name) + 4)
        if col.kind in ("date", "month"):
            ws.column_dimensions[letter].number_format = "DD/MM/YYYY" if col.kind == "date" else "MMM YYYY"
        coded = col.kind in ("code", "yesno", "multi")
        ws.add_data_validation(_validation(col, letter, lists[_codes_for(col, service)] if coded else None))
    ws.freeze_panes = "A2"


def build_template(*, partner: str) -> bytes:
    """The blank template workbook (.xlsx) for ``partner``."""
    specs = partner_returns(partner)
    service = partners_mod.partner(partner).service
    wb = Workbook()
    _guidance(wb.active, partner, specs, service)
    wb.active.title = GUIDANCE_SHEET
    # Every distinct code list once, on the hidden Lists sheet.
    wanted: dict[tuple[str, ...], str] = {}
    for spec in specs:
        for col in spec.columns:
            if col.kind in ("code", "yesno", "multi"):
                wanted.setdefault(_codes_for(col, service), col.name if col.kind != "yesno" else "yes/no")
    return_sheets = [wb.create_sheet(spec.name) for spec in specs]
    lists_ws = wb.create_sheet(LISTS_SHEET)
    refs: dict[tuple[str, ...], str] = {}
    for j, (codes, name) in enumerate(wanted.items(), 1):
        letter = get_column_letter(j)
        lists_ws.cell(row=1, column=j, value=f"Codes: {name}")
        for i, code in enumerate(codes, 2):
            lists_ws.cell(row=i, column=j, value=code)
        refs[codes] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(codes) + 1}"
    lists_ws.sheet_state = "hidden"
    for ws, spec in zip(return_sheets, specs, strict=True):
        _return_sheet(ws, spec, service, refs)
    wb.active = 1 if return_sheets else 0
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def template_file_name(partner: str) -> str:
    return f"{partner}_template.xlsx"


def write_templates(*, out_dir: Path) -> list[Path]:
    """Write every configured partner's blank template into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for code in partners_mod.partners():
        path = out_dir / template_file_name(code)
        path.write_bytes(build_template(partner=code))
        paths.append(path)
    return paths
