"""Text that a spreadsheet must never run, in a workbook cell (the guard itself is ``core.cells``)."""

from __future__ import annotations

from openpyxl.cell.cell import Cell

from core.cells import FORMULA_STARTS, is_risky
from core.cells import neutral as csv_text

__all__ = ["FORMULA_STARTS", "csv_text", "is_risky", "write_cell"]


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
