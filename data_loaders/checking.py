"""Check a partner's file against the data-returns spec (sections 2-6), touching no database.

``validate_file`` reads, checks and returns the canonical rows with every error
and warning. It imports nothing of the database layer, so the command line can
start its checking processes before it opens the database (``data_loaders.cli``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from core import clock, identifiers, periods
from core.periods import Period
from core.returns import RETURNS, ReturnSpec
from data_loaders import personal, schemas, values
from data_loaders.container import Refused, sniff
from data_loaders.layout import Layout, find_layout, match_by_name
from data_loaders.reading import RawSheet, column_letter, read_csv, read_workbook
from data_loaders.usage import resolve_partner, resolve_period
from storage.rows import SheetRows

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
COULD_NOT_READ = (
    "We could not read this file: something in it is not as we expect. Check that it is a normal "
    ".xlsx workbook or CSV saved from Excel, save it again and resend. If it keeps happening, "
    "contact the dashboard team."
)


@dataclass
class ValidatedFile:
    """The outcome of checking one file, before anything is stored."""

    file: str
    sha256: str
    partner: str
    period: Period | None
    sheets: list[SheetRows] = field(default_factory=list)
    summary: list[dict] = field(default_factory=list)  # {"sheet", "return", "rows"}
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def local_today() -> date:
    """Today in UK local time, from the product's one clock."""
    return clock.today()


def file_error(message: str) -> dict:
    """An error about the whole file (no sheet, row or column), as the report lists it."""
    return {"sheet": None, "row": None, "column": None, "message": message}


def _name_of_file(file_name: str) -> str:
    return file_name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]


# --------------------------------------------------------------------------- one sheet


@dataclass
class _Parsed:
    sheet: RawSheet
    layout: Layout
    spec: ReturnSpec
    frame: pd.DataFrame  # canonical values, index = Excel row number
    bad: dict[str, np.ndarray]  # canonical column -> unreadable-cell mask (aligned with frame)


def _parse_sheet(sheet: RawSheet, lay: Layout) -> _Parsed:
    spec = RETURNS[lay.return_name]
    start = lay.header_row + 1
    n = len(sheet.frame) - start
    blank_all = np.ones(max(n, 0), dtype=bool)
    per_col: dict[str, tuple[np.ndarray, pd.Series, values.Kinds]] = {}
    for name, j in lay.columns.items():
        codes, uniq = sheet.factorized(j)
        kinds = sheet.kinds(j)
        sub = codes[start:]
        blank = values.spread_mask(kinds.blank, sub) | (sub < 0)
        blank_all &= blank
        per_col[name] = (sub, uniq, kinds)
    keep = np.flatnonzero(~blank_all)
    index = pd.Index(keep + start + 1, name="row")  # Excel row numbers
    columns: dict[str, pd.Series] = {}
    bad: dict[str, np.ndarray] = {}
    for col in spec.columns:
        if col.name not in per_col:
            continue
        sub, uniq, kinds = per_col[col.name]
        codes = sub[keep]
        parsed, bad_u = _parse_distinct(col, uniq, kinds)
        columns[col.name] = values.spread(parsed, codes, index=index)
        bad[col.name] = values.spread_mask(bad_u, codes)
    return _Parsed(sheet, lay, spec, pd.DataFrame(columns, index=index), bad)


def _parse_distinct(col, uniq: pd.Series, kinds: values.Kinds) -> tuple[pd.Series, pd.Series]:
    if col.kind in ("date", "month"):
        return values.parse_date_values(uniq, months=col.kind == "month", kinds=kinds)
    if col.kind == "reference":
        return values.normalise_reference_values(uniq, kinds=kinds)
    if col.kind == "yesno":
        return values.parse_yesno_values(uniq, kinds=kinds)
    if col.kind == "code":
        return values.fold_code_values(uniq, col.codes, kinds=kinds)
    if col.kind == "multi":
        return values.fold_multi_values(uniq, col.codes, kinds=kinds)
    return values.parse_number_values(uniq, kinds=kinds)


def _unreadable_message(col) -> str:
    if col.kind == "reference":
        return (
            "This is not a partnership reference. Use P followed by four digits, e.g. P0042 "
            "(never a name or any other identifier)."
        )
    if col.kind in ("code", "multi"):
        return f"This is not a code. Use {schemas.describe_allowed(col)}."
    return f"This is not {schemas.describe_allowed(col)}."


def _row_errors(p: _Parsed, *, today: date, period: Period | None, service: str | None) -> list[dict]:
    errs: list[pd.DataFrame] = []
    for col in p.spec.columns:
        mask = p.bad.get(col.name)
        if mask is not None and mask.any():
            errs.append(
                pd.DataFrame({"index": p.frame.index[mask], "column": col.name, "message": _unreadable_message(col)})
            )
    found = schemas.find(p.spec, p.frame, today=today, period=period, service=service)
    if not found.empty:
        # An unreadable cell is already reported; do not also call it blank.
        unreadable = {(int(i), c) for e in errs for i, c in zip(e["index"], e["column"], strict=True)}
        if unreadable:
            keys = list(zip(found["index"].astype(int), found["column"], strict=True))
            found = found[[k not in unreadable for k in keys]]
        errs.append(found)
    if not errs:
        return []
    allerr = pd.concat(errs, ignore_index=True)
    order = {c.name: i for i, c in enumerate(p.spec.columns)}
    allerr["_o"] = allerr["column"].map(order)
    allerr = allerr.sort_values(["index", "_o"], kind="stable")
    headers = {c: p.layout.header_of(c) for c in order}
    return [
        {"sheet": p.sheet.name, "row": int(i), "column": headers.get(c, c), "message": m}
        for i, c, m in zip(allerr["index"], allerr["column"], allerr["message"], strict=True)
    ]


def _personal_cells(sheet: RawSheet, lay: Layout | None) -> list[dict]:
    """Every cell of the sheet holding personal data, by position; never the value."""
    out = []
    width = sheet.frame.shape[1]
    found = personal.scan_columns([(*sheet.factorized(j), sheet.kinds(j)) for j in range(width)])
    for j in range(width):
        for pos, kind in found[j]:
            below_header = lay is not None and lay.header_row >= 0 and pos > lay.header_row
            column = lay.headers.get(j, column_letter(j)) if below_header else column_letter(j)
            out.append(
                {
                    "sheet": sheet.name,
                    "row": pos + 1,
                    "column": column,
                    "message": f"This cell looks like {personal.KIND_TEXT[kind]}. Files must be anonymised: "
                    "remove it and use only the partnership reference (e.g. P0042).",
                }
            )
    return out


def _canonical(p: _Parsed) -> pd.DataFrame:
    """Validated rows with storage-friendly types: counts and scales (checked whole) as Int64."""
    whole = [c.name for c in p.spec.columns if c.kind in ("count", "scale") and c.name in p.frame]
    return p.frame.astype(dict.fromkeys(whole, "Int64")) if whole else p.frame


# --------------------------------------------------------------------------- the file


def validate_file(
    *,
    content: bytes,
    file_name: str,
    partner: str,
    period: Period | str | None = None,
    today: date | None = None,
    progress: Progress | None = None,
) -> ValidatedFile:
    """Check one file against the spec. Pure: reads nothing but its arguments and configuration.

    Raises ``UsageError`` for an unknown partner or a period we cannot read; everything
    wrong with the file itself is in ``errors``.
    """
    tick = progress or (lambda _f, _m: None)
    who = resolve_partner(partner)
    given = resolve_period(period)
    today = today or local_today()
    sha = hashlib.sha256(content).hexdigest()
    result = ValidatedFile(file=file_name, sha256=sha, partner=partner, period=given)
    kind = personal.name_problem(_name_of_file(file_name))
    if kind:
        # The name is never kept, shown or logged: only its fingerprint and extension.
        result.file = identifiers.redacted_file_name(file_name, sha)
        result.errors = [
            file_error(
                personal.refusal(
                    kind, "This file's name", "rename the file (for example attendance_2026-04.xlsx) and send it again."
                )
            )
        ]
        return result
    try:
        _validate(result, content=content, who=who, given=given, today=today, tick=tick)
    except Refused as r:
        result.errors = [file_error(r.message)]
        result.sheets = []
    except MemoryError:
        result.errors = [file_error("This file is too large to check in one go. Split it into smaller files.")]
        result.sheets = []
    except Exception as exc:  # noqa: BLE001 - never a traceback to the partner
        # The exception's text may quote a cell, so only its type is logged.
        log.error("unexpected %s while checking file %s", type(exc).__name__, sha)
        result.errors = [file_error(COULD_NOT_READ)]
        result.sheets = []
    return result


def _layout(sheet: RawSheet, name: str, *, kind: str, prefer: tuple[str, ...]) -> Layout | None:
    """A sheet's return: by its ``name``, else its header row. A CSV: by its header row, else its file name."""
    if kind != "csv":
        return find_layout(sheet, by_name=match_by_name(name), prefer=prefer)
    by_header = find_layout(sheet, by_name=None, prefer=prefer)
    if by_header is not None and not by_header.errors:
        return by_header
    by_name = match_by_name(name, contains=True)
    return find_layout(sheet, by_name=by_name, prefer=prefer) if by_name else by_header


def _validate(result: ValidatedFile, *, content: bytes, who, given: Period | None, today: date, tick) -> None:
    tick(0.02, "checking the file")
    kind = sniff(content, result.file).kind
    tick(0.1, "reading the file")
    raw = read_workbook(content) if kind == "xlsx" else read_csv(content, name=result.file.rsplit("/", 1)[-1])
    tick(0.5, "checking the rows")
    parsed: list[_Parsed] = []
    errors: list[dict] = []
    warnings: list[str] = []
    names = [sheet.name for sheet in raw]
    for i, sheet in enumerate(raw, start=1):
        problem = personal.name_problem(sheet.name) if kind == "xlsx" else None
        if problem:
            errors.append(file_error(personal.refusal(problem, f"The name of sheet {i}", "rename the sheet.")))
        # A sheet's name is repeated, stored and shown only when it is made of words the product uses: any
        # other might be a person's name, so the sheet is called by its position.
        if kind == "xlsx" and (problem or not personal.plain_words(sheet.name)):
            sheet.name = f"Sheet {i}"
    for sheet, name in zip(raw, names, strict=True):
        lay = _layout(sheet, name, kind=kind, prefer=who.returns) if sheet.frame.size else None
        errors += _personal_cells(sheet, lay)
        if lay is None:
            if kind == "xlsx":
                warnings.append(f"Sheet '{sheet.name}' does not match any return and was ignored.")
            continue
        errors += lay.errors
        warnings += lay.warnings
        if lay.return_name not in who.returns:
            errors.append(
                {
                    "sheet": sheet.name,
                    "row": None,
                    "column": None,
                    "message": f"Sheet '{sheet.name}' holds the {lay.return_name} return, which partner "
                    f"'{who.code}' does not send (it sends: {', '.join(who.returns)}). "
                    "Remove the sheet, or have the partner that owns this return send it.",
                }
            )
            continue
        if lay.errors:
            continue
        parsed.append(_parse_sheet(sheet, lay))
    if not parsed and not errors:
        expected = "; ".join(
            f"{s.name}: {', '.join(s.column_names)}" for s in RETURNS.values() if s.name in who.returns
        )
        where = "this CSV" if kind == "csv" else "any sheet of this workbook"
        errors.append(
            file_error(
                f"We could not find a return in {where}. A return needs a header row naming its "
                f"columns, within the first 11 rows. Returns {who.code} sends: {expected}."
            )
        )

    period = given or periods.from_filename(result.file)
    if period is None and parsed:
        dates = pd.concat([p.frame[p.spec.date_column] for p in parsed if p.spec.date_column in p.frame]).dropna()
        period = periods.spanning_months(dates) if not dates.empty else None
        if period is None and not errors and not any(b.any() for p in parsed for b in p.bad.values()):
            errors.append(
                file_error(
                    "This file has no dated rows, so we cannot tell which period it is for. Give the period when "
                    "uploading, or put it in the file name (for example attendance_2026-04.xlsx)."
                )
            )
    result.period = period

    service = who.service
    for p in parsed:
        errors += _row_errors(p, today=today, period=period, service=service)
    tick(0.75, "checked")
    result.errors = errors
    result.warnings = warnings
    result.summary = [{"sheet": p.sheet.name, "return": p.spec.name, "rows": len(p.frame)} for p in parsed]
    if errors:
        result.sheets = []
        return
    kept: dict[str, list[tuple[pd.DataFrame, list[str]]]] = {}  # per return: rows kept so far, and their key
    for p in parsed:
        frame = _canonical(p)
        key = [k for k in p.spec.key if k in frame]
        if key:
            before = kept.setdefault(p.spec.name, [])
            if not before:  # the return's first sheet (nearly always its only one): the key is not copied
                dup = frame.duplicated(subset=key, keep="first").to_numpy()
            else:
                earlier = pd.concat([f[k] for f, k in before])
                dup = pd.concat([earlier, frame[key]]).duplicated(keep="first").to_numpy()[len(earlier) :]
            if dup.any():
                rows = frame.index[dup].tolist()
                shown = ", ".join(str(r) for r in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
                warnings.append(
                    f"Sheet '{p.sheet.name}': {len(rows)} row(s) repeat an earlier row with the same "
                    f"{', '.join(p.spec.key)} and were loaded once (rows {shown})."
                )
                frame = frame[~dup]
            before.append((frame, key))
        result.sheets.append(SheetRows(p.sheet.name, p.spec.name, frame.reset_index(drop=True)))
    result.summary = [{"sheet": s.sheet, "return": s.return_name, "rows": len(s.frame)} for s in result.sheets]
    result.warnings = warnings
