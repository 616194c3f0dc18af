"""The rows of one checked sheet, as the loader hands them to storage (no database import here)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass
class SheetRows:
    """The validated rows of one sheet, ready to store."""

    sheet: str
    return_name: str
    frame: pd.DataFrame  # canonical columns only
