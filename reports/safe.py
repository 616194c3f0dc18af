"""Text that a spreadsheet must never run: the formula-injection guard for every export."""

from __future__ import annotations

from openpyxl.cell.cell import Cell

# A cell starting with one of these may be read as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(text: object) -> bool:
    """True for text a spreadsheet could take as a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def csv_text(value: object) -> object:
    """A CSV field: risky text gets a leading single quote (OWASP); numbers and other text unchanged."""
    return "'" + value if is_risky(value) else value


def write_cell(cell: Cell, value: object) -> None:
    """Put ``value`` in ``cell``, never as a formula: text is stored as text with Excel's quote prefix."""
    if isinstance(value, str):
        cell.value = value
        # openpyxl makes any text starting with '=' a formula; force plain text.
        cell.data_type = "s"
        if is_risky(value):
            cell.quotePrefix = True
    else:
        cell.value = value
