"""The yardstick: read files bare with pandas, nothing checked or stored.

python -m benchmarks.bare calamine|openpyxl FILE...
"""

from __future__ import annotations

import json
import sys

import pandas as pd


def read(path: str, engine: str) -> int:
    """Rows read from one file (every sheet of a workbook)."""
    if path.lower().endswith(".csv"):
        try:
            return len(pd.read_csv(path))
        except UnicodeDecodeError:  # partners' CSVs are often Windows-1252, as the loader allows
            return len(pd.read_csv(path, encoding="cp1252"))
    return sum(len(f) for f in pd.read_excel(path, sheet_name=None, engine=engine).values())


def main(argv: list[str]) -> int:
    engine, *files = argv
    print(json.dumps({"rows": sum(read(f, engine) for f in files), "files": len(files)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
