"""Reading a workbook (python-calamine) or a CSV into raw grids of cell values.

A raw grid keeps the partner's layout: row ``i`` of the frame is Excel row
``i + 1`` (CSV: record ``i + 1``, which is the row Excel shows when the CSV
is opened), so every message can point at the row the partner sees.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core import settings
from data_loaders.bounds import SPLIT
from data_loaders.container import Refused
from data_loaders.values import Kinds, factorize, kinds_of


def max_cells() -> int:
    """The most cells one sheet (or CSV) may span, rows x columns from A1 (``OUTCOMES_MAX_SHEET_CELLS``)."""
    return int(settings.get("OUTCOMES_MAX_SHEET_CELLS"))


@dataclass
class RawSheet:
    """One sheet (or the CSV) as cell values; row ``i`` is spreadsheet row ``i + 1``."""

    name: str
    frame: pd.DataFrame  # object dtype, columns 0..n-1
    _factorized: dict[int, tuple[np.ndarray, pd.Series]] = field(default_factory=dict, repr=False)
    _kinds: dict[int, Kinds] = field(default_factory=dict, repr=False)

    def factorized(self, j: int) -> tuple[np.ndarray, pd.Series]:
        """Codes per row and distinct values of column ``j`` (cached: used by several checks)."""
        if j not in self._factorized:
            self._factorized[j] = factorize(self.frame[j])
        return self._factorized[j]

    def kinds(self, j: int) -> Kinds:
        """What each distinct value of column ``j`` is (cached alongside ``factorized``)."""
        if j not in self._kinds:
            self._kinds[j] = kinds_of(self.factorized(j)[1])
        return self._kinds[j]


def column_letter(j: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        out = chr(65 + r) + out
    return out


def read_workbook(content: bytes) -> list[RawSheet]:
    """Every sheet of an .xlsx workbook, in workbook order (hidden sheets included).

    ``container.sniff`` has counted what the workbook expands to (``data_loaders.bounds``) before this opens
    it; the rectangle is checked again here, as each sheet is read, by what the reader found.
    """
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    out = []
    limit = max_cells()
    try:
        for i, name in enumerate(wb.sheet_names, start=1):
            ws = wb.get_sheet_by_name(name)
            end = ws.end
            rows_n, cols_n = (end[0] + 1, end[1] + 1) if end else (0, 0)
            if rows_n * cols_n > limit:
                raise Refused(
                    f"Sheet {i} uses cells up to row {rows_n:,} and column {column_letter(cols_n - 1)}, "
                    f"more than we can read in one file ({limit:,} cells). {SPLIT}"
                )
            rows = ws.to_python(skip_empty_area=False) if rows_n else []
            out.append(RawSheet(name, _grid(rows, rectangular=True)))
    finally:
        wb.close()
    return out


def _grid(rows: list[list], *, rectangular: bool = False) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(dtype=object)
    # calamine returns whole rectangles; CSV rows may be ragged.
    width = len(rows[0]) if rectangular else max(len(r) for r in rows)
    if not rectangular and any(len(r) != width for r in rows):
        rows = [r + [None] * (width - len(r)) for r in rows]
    frame = pd.DataFrame(rows, dtype=object)
    frame.columns = range(frame.shape[1])
    return frame


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            pass
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Refused(
            "This CSV is saved as Unicode (UTF-16) text, which we do not read. In Excel use "
            "File > Save As > CSV UTF-8 (comma delimited) (*.csv)."
        )
    else:
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                return content.decode("cp1252")
            except UnicodeDecodeError:
                pass
    raise Refused(
        "We could not read the text of this CSV: it is not UTF-8 or Windows (ANSI) text. In Excel use "
        "File > Save As > CSV UTF-8 (comma delimited) (*.csv)."
    )


def _delimiter(text: str) -> str:
    head = text[:20_000]
    if head.count(",") == 0:
        if head.count(";") > 0:
            return ";"
        if head.count("\t") > 0:
            return "\t"
    return ","


def read_csv(content: bytes, *, name: str) -> list[RawSheet]:
    """A CSV file as one raw sheet named after the file."""
    text = decode_csv(content)
    limit = max_cells()
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        if text.count(delimiter) + text.count("\n") < limit:  # cannot hold more cells than the limit
            rows = list(reader)
        else:  # row by row, so a file past the limit is refused before it is all held as cells
            rows, width = [], 0
            for row in reader:
                rows.append(row)
                width = max(width, len(row))
                if len(rows) * width > limit:
                    break
    except csv.Error:
        raise Refused(
            "This CSV is damaged (a quoted value never ends, or it holds characters a CSV cannot), "
            "so we cannot read it. Save it again from Excel as CSV UTF-8 and resend."
        ) from None
    width = max((len(r) for r in rows), default=0)
    if len(rows) * width > limit:
        raise Refused(
            f"This CSV has {len(rows):,} or more rows and up to {width:,} columns, more than we can read "
            f"in one file ({limit:,} cells). Delete unused columns, or split the data across files."
        )
    return [RawSheet(name, _grid(rows))]
