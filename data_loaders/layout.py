"""Which return a sheet holds, where its header row is, and which column is which."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import pandas as pd

from core.returns import RETURNS, ReturnSpec, header_lookup, normalise_header
from data_loaders import personal
from data_loaders.reading import RawSheet, column_letter

# The header row may have up to this many title, blank or note rows above it.
MAX_ROWS_ABOVE_HEADER = 10

# Each return's folded headers (and folded name and title), worked out once: the returns never change.
_lookup = functools.cache(header_lookup)


@functools.cache
def _name_candidates(spec: ReturnSpec) -> tuple[str, str]:
    return normalise_header(spec.name), normalise_header(spec.title)


@dataclass
class Layout:
    """A sheet matched to a return."""

    return_name: str
    header_row: int  # frame position (Excel row - 1)
    columns: dict[str, int] = field(default_factory=dict)  # canonical column -> frame column
    headers: dict[int, str] = field(default_factory=dict)  # frame column -> header as written in the file
    errors: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def header_of(self, canonical: str) -> str:
        j = self.columns.get(canonical)
        return self.headers[j] if j is not None else canonical


def _folded_head(frame: pd.DataFrame) -> list[list[str]]:
    head = frame.iloc[: MAX_ROWS_ABOVE_HEADER + 1]
    return [
        [normalise_header(v) if isinstance(v, str) else "" for v in row] for row in head.to_numpy(dtype=object).tolist()
    ]


def match_by_name(name: str, *, contains: bool = False) -> str | None:
    """The return a sheet (or CSV file) name stands for, folded; ``contains`` for file names."""
    folded = normalise_header(name)
    if not folded:
        return None
    best = None
    for spec in RETURNS.values():
        for cand in _name_candidates(spec):
            hit = (cand in folded) if contains else (cand == folded)
            if hit and (best is None or len(cand) > best[0]):
                best = (len(cand), spec.name)
    return best[1] if best else None


def _matches(row: list[str], lookup: dict[str, str]) -> set[str]:
    return {lookup[f] for f in row if f in lookup}


def find_layout(sheet: RawSheet, *, by_name: str | None, prefer: tuple[str, ...]) -> Layout | None:
    """Match a sheet to a return (by name, else by header row). None when it holds no return."""
    head = _folded_head(sheet.frame)
    if by_name is not None:
        spec = RETURNS[by_name]
        lookup = _lookup(spec)
        scores = [len(_matches(row, lookup)) for row in head]
        if not scores or max(scores) == 0:
            lay = Layout(spec.name, -1)
            lay.errors.append(
                _err(
                    sheet.name,
                    None,
                    None,
                    f"Sheet '{sheet.name}' is named for the {spec.name} return, but we could not find "
                    f"its header row in the first {MAX_ROWS_ABOVE_HEADER + 1} rows. The header row "
                    f"names the columns: {', '.join(spec.column_names)}.",
                )
            )
            return lay
        return _map_columns(sheet, spec, scores.index(max(scores)))
    best: tuple | None = None
    for spec in RETURNS.values():
        lookup = _lookup(spec)
        for r, row in enumerate(head):
            got = _matches(row, lookup)
            if spec.date_column not in got or len(got) < 2:
                continue
            score = (set(spec.required) <= got, len(got), spec.name in prefer, -r)
            if best is None or score > best[0]:
                best = (score, spec, r)
    if best is None:
        return None
    return _map_columns(sheet, best[1], best[2])


def _err(sheet: str, row: int | None, column: str | None, message: str) -> dict:
    return {"sheet": sheet, "row": row, "column": column, "message": message}


def _map_columns(sheet: RawSheet, spec: ReturnSpec, header_row: int) -> Layout:
    lay = Layout(spec.name, header_row)
    lookup = _lookup(spec)
    excel_row = header_row + 1
    for j, raw in enumerate(sheet.frame.iloc[header_row].tolist()):
        text = raw.strip() if isinstance(raw, str) else ("" if raw is None or pd.isna(raw) else str(raw))
        folded = normalise_header(text)
        canonical = lookup.get(folded) if folded else None
        # A heading is repeated only when it is one of the return's own or made of words the product uses:
        # any other might be a person's name, so the column is called by its letter.
        problem = personal.name_problem(text) if text else None
        plain = canonical is not None or (text and personal.plain_heading(text))
        shown = text if text and plain and not problem else f"column {column_letter(j)}"
        lay.headers[j] = shown
        if problem in ("dob", "person"):  # an email, phone, NHS number or postcode is found as a cell
            lay.errors.append(
                _err(
                    sheet.name,
                    excel_row,
                    shown,
                    personal.refusal(problem, "This column heading", "rename or delete the column."),
                )
            )
            continue
        if not folded:
            continue
        if canonical is not None:
            if canonical in lay.columns:
                first = lay.headers[lay.columns[canonical]]
                lay.errors.append(
                    _err(
                        sheet.name,
                        excel_row,
                        shown,
                        f"Columns '{first}' and '{shown}' are both {canonical}. Keep one of them.",
                    )
                )
                continue
            lay.columns[canonical] = j
        elif personal.identifier_header(text):
            lay.errors.append(
                _err(
                    sheet.name,
                    excel_row,
                    shown,
                    "This column header names personal information (a name, date of birth, address, "
                    "NHS number, phone, email or National Insurance number). Files must be anonymised: "
                    "delete this column and use only the partnership reference (e.g. P0042).",
                )
            )
        elif spec.refuse_place_columns and personal.place_header(text):
            lay.errors.append(
                _err(
                    sheet.name,
                    excel_row,
                    shown,
                    f"This column records a place. The {spec.name} return must never record where "
                    "(supply points and working areas stay secret): delete this column.",
                )
            )
        else:
            named = f"column '{shown}'" if shown == text else shown
            lay.warnings.append(
                f"Sheet '{sheet.name}': {named} is not part of the {spec.name} return and was not loaded."
            )
    for name in spec.required:
        if name not in lay.columns:
            lay.errors.append(
                _err(
                    sheet.name,
                    excel_row,
                    name,
                    f"Sheet '{sheet.name}' has no {name} column, which the {spec.name} return requires. "
                    f"Add a column headed {name}.",
                )
            )
    return lay
