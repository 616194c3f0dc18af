"""The workbook and CSV: tidy, never a formula, formula-looking text kept as text, public ones without small counts."""

from __future__ import annotations

import csv
import io

import openpyxl

from metrics.catalogue import CATALOGUE, THEMES
from reports.safe import csv_text
from reports.workbook import build_csv, build_workbook
from tests.reports.scan import csv_counts, small, xlsx_counts


def _cells(content: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_workbook_sheets_and_tidy_columns(restricted_data):
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(data=restricted_data)))
    assert wb.sheetnames == ["About", *[label for _, label in THEMES], "Breakdowns", "Trend", "Definitions"]
    engagement = list(wb["Engagement"].iter_rows(values_only=True))
    assert engagement[0][:10] == ("id", "name", "period start", "period end", "unit", "numerator", "denominator",
                                  "value", "95% CI lower", "95% CI upper")
    assert {"status", "RAG", "target"} <= set(engagement[0])
    assert [r[0] for r in engagement[1:]] == [i.id for i in CATALOGUE if i.theme == "engagement"]
    trend = list(wb["Trend"].iter_rows(values_only=True))
    assert len({r[0] for r in trend[1:]}) == len([i for i in CATALOGUE if i.unit != "breakdown"])
    assert len(list(wb["Definitions"].iter_rows())) == len(CATALOGUE) + 1


def test_no_formula_anywhere_and_formula_text_stays_text(restricted_data):
    content = build_workbook(data=restricted_data)
    risky = []
    for cell in _cells(content):
        assert cell.data_type != "f", f"{cell.coordinate} is a formula"
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
            risky.append(cell)
    values = [c.value for c in risky]
    # A breakdown category and a partner name that start with "=" (set up in the test data).
    assert '=HYPERLINK("http://x")' in values
    assert any(v.startswith("=cmd") for v in values)
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    # openpyxl must have written them as strings, not <f> elements.
    import zipfile
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/work"))


def test_public_workbook_holds_no_count_from_1_to_4(public_data, restricted_data):
    assert small(xlsx_counts(build_workbook(data=restricted_data))), "the test data must hold small counts"
    counts = xlsx_counts(build_workbook(data=public_data))
    assert len(counts) > 100  # indicator, breakdown and trend figures were read
    assert small(counts) == []


def test_csv_is_tidy_and_quotes_formula_text(restricted_data):
    rows = list(csv.DictReader(io.StringIO(build_csv(data=restricted_data).decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == [i.id for i in CATALOGUE]
    eng02 = next(r for r in rows if r["id"] == "ENG-02")
    assert eng02["missing returns"].startswith("'=cmd")
    for r in rows:
        for v in r.values():
            assert not v.startswith(("=", "+", "@", "\t", "\r")), v


def test_public_csv_holds_no_count_from_1_to_4(public_data, restricted_data):
    assert small(csv_counts(build_csv(data=restricted_data)))
    counts = csv_counts(build_csv(data=public_data))
    assert len(counts) > 20
    assert small(counts) == []


def test_csv_text_guard():
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text("-2") == "'-2"
    assert csv_text("\tx") == "'\tx"
    assert csv_text("plain") == "plain"
    assert csv_text(-2.5) == -2.5  # numbers are numbers
