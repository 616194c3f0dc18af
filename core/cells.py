"""Text a spreadsheet must never run: the formula-injection guard, one place for every export.

OWASP's guidance on CSV injection: a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be taken as a formula by Excel, LibreOffice or Sheets, so such text gets a leading single quote.
Only text: a number (negative ones included) is written as the number it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: object) -> bool:
    """True for text a spreadsheet could take as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def neutral(value: object) -> object:
    """A cell's value with risky text quoted (a leading ``'``); numbers and other text unchanged."""
    return "'" + value if is_risky(value) else value


def neutral_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells are ``neutral`` (headings too); numeric columns untouched."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            values = s.tolist()
            if any(is_risky(v) for v in values):
                # Built as objects: ``map`` would turn a column of 6 and 6.5 into floats.
                out[col] = pd.Series([neutral(v) for v in values], index=s.index, dtype=object)
    out.columns = [neutral(c) for c in out.columns]
    return out
