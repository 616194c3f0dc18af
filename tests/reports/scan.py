"""Read exports back and list the counts they show (for the disclosure tests)."""

from __future__ import annotations

import csv
import io
import re

import docx
import openpyxl

from metrics.catalogue import CATALOGUE

UNIT = {i.id: i.unit for i in CATALOGUE}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NOT_FIGURES = re.compile(
    rf"\b[A-Z]{{3}}-\d{{2}}\b|\d{{4}}-\d{{2}}-\d{{2}}|\b\d{{4}}-\d{{2}}\b|Q[1-4] \d{{4}}-\d{{2}}|\d{{1,2}}:\d{{2}}"
    rf"|\b(\d{{1,2}} )?({_MONTHS})( \d{{4}})?\b|95%"
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def text_numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in _NUMBER.findall(_NOT_FIGURES.sub(" ", text))]


def docx_counts(content: bytes) -> list[float]:
    """Whole numbers standing alone in table cells, and the numbers of the generated prose."""
    d = docx.Document(io.BytesIO(content))
    out = []
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                if re.fullmatch(r"\d[\d,]*", cell.text.strip()):
                    out.append(float(cell.text.replace(",", "")))
    for p in d.paragraphs:
        if p.text.startswith("Reading this figure"):  # the catalogue's fixed notes
            continue
        text = re.sub(r"^\d+\. ", "", p.text)  # a section's number
        out += [n for n in text_numbers(text) if n == int(n)]
    return out


def xlsx_counts(content: bytes) -> list[float]:
    """Numerators, denominators, and the values of counts and breakdowns, in every sheet's table."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    out = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if not rows or "indicator" not in rows[0]:
            continue
        head = {h: i for i, h in enumerate(rows[0])}
        for r in rows[1:]:
            unit = UNIT.get(r[head["indicator"]])
            for name in ("numerator", "denominator", "value", "previous", "same period last year"):
                if name in head and isinstance(r[head[name]], int | float):
                    if (
                        name in ("numerator", "denominator")
                        or unit in ("count", "breakdown")
                        or ws.title == "Breakdowns"
                    ):
                        out.append(float(r[head[name]]))
    return out


def csv_counts(content: bytes) -> list[float]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    out = []
    for r in rows:
        for name in ("numerator", "denominator", "value", "previous", "same period last year"):
            if r[name] and (name in ("numerator", "denominator") or r["unit"] == "count"):
                out.append(float(r[name]))
    return out


def small(counts: list[float], threshold: int = 5) -> list[float]:
    return [c for c in counts if 1 <= c < threshold]
