"""The workbook and CSV: one long tidy table as an Excel table, plain labels, whole counts, the marking on every
sheet and row, print set-up, never a formula, and no small count in a public one."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl

from metrics.catalogue import CATALOGUE
from reports.safe import csv_text
from reports.workbook import DATA_COLUMNS, build_csv, build_workbook
from tests.reports.scan import csv_counts, small, xlsx_counts


def _book(data):
    return openpyxl.load_workbook(io.BytesIO(build_workbook(data=data)))


def _cells(content: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def _records(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_one_long_tidy_data_table_that_excel_can_filter(restricted_data):
    wb = _book(restricted_data)
    assert wb.sheetnames == ["About", "Data", "Breakdowns", "Definitions"]
    ws = wb["Data"]
    assert [c.value for c in ws[1]] == [h for h, _ in DATA_COLUMNS]
    table = ws.tables["IndicatorData"]
    assert table.ref == f"A1:{openpyxl.utils.get_column_letter(len(DATA_COLUMNS))}{ws.max_row}"
    recs = _records(ws)
    period = [r for r in recs if r["period type"] == "reporting period"]
    assert [r["indicator"] for r in period] == [i.id for i in CATALOGUE]
    assert {"previous period", "month", "year to date"} <= {r["period type"] for r in recs}
    eng01 = next(r for r in period if r["indicator"] == "ENG-01")
    assert (eng01["value"], eng01["previous"], eng01["target"], eng01["RAG"]) == (50, 44, 60, "red")
    months = [r for r in recs if r["indicator"] == "ENG-01" and r["period type"] == "month"]
    # A count's target is for a whole period: never set against a month.
    assert months and all(r["target"] is None and r["RAG"] is None for r in months)
    assert months[1]["previous"] == months[0]["value"]


def test_counts_are_whole_numbers_and_percentages_one_decimal(restricted_data):
    ws = _book(restricted_data)["Data"]
    head = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(head)}
    seen = set()
    for row in ws.iter_rows(min_row=2):
        unit, value = row[col["unit"]].value, row[col["value"]]
        if value.value is None:
            continue
        if unit == "count":
            assert isinstance(value.value, int) and value.number_format == "0"
            seen.add("count")
        elif unit == "percent":
            assert value.number_format == "0.0"
            seen.add("percent")
        n = row[col["numerator"]]
        if n.value is not None:
            assert isinstance(n.value, int) and n.number_format == "0"
    assert seen == {"count", "percent"}


def test_breakdowns_carry_their_period_and_plain_labels(restricted_data):
    recs = _records(_book(restricted_data)["Breakdowns"])
    rhb = [r for r in recs if r["indicator"] == "RHB-03"]
    assert {r["category"] for r in rhb} == {
        "Considering rehab",
        "Ready for rehab",
        "Referred to rehab",
        "Admitted to rehab",
        "Not recorded",
    }
    assert all(
        r["period"] == restricted_data.period.label() and r["start"].date() == restricted_data.period.start for r in rhb
    )
    assert all(isinstance(r["value"], int) for r in rhb)


def test_every_sheet_and_row_carries_the_marking_and_prints_on_a4(public_data, restricted_data):
    for data, marking in ((public_data, "OFFICIAL"), (restricted_data, "OFFICIAL-SENSITIVE")):
        wb = _book(data)
        for ws in wb.worksheets:
            assert ws.oddHeader.center.text == marking and marking in ws.oddFooter.center.text
            assert "&P" in ws.oddFooter.center.text
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToWidth == 1
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            if ws.title != "About":
                assert ws.print_title_rows == "$1:$1"
                assert {r["marking"] for r in _records(ws)} == {marking}
        assert marking in wb["About"]["A2"].value
        rows = list(csv.DictReader(io.StringIO(build_csv(data=data).decode("utf-8-sig"))))
        assert rows and {r["marking"] for r in rows} == {marking}


def test_no_formula_anywhere_and_formula_text_stays_text(restricted_data):
    content = build_workbook(data=restricted_data)
    risky = []
    for cell in _cells(content):
        assert cell.data_type != "f", f"{cell.coordinate} is a formula"
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
            risky.append(cell)
    values = [c.value for c in risky]
    # A breakdown category that starts with "=" (set up in the test data), shown as typed but never run.
    assert any(v.startswith("=hyperlink") or v.startswith("=HYPERLINK") for v in values), values
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist() if n.startswith("xl/work"))


def test_public_workbook_holds_no_count_from_1_to_4(public_data, restricted_data):
    assert small(xlsx_counts(build_workbook(data=restricted_data))), "the test data must hold small counts"
    counts = xlsx_counts(build_workbook(data=public_data))
    assert len(counts) > 100  # indicator, breakdown and trend figures were read
    assert small(counts) == []


def test_csv_is_the_data_table_and_quotes_formula_text(restricted_data):
    rows = list(csv.DictReader(io.StringIO(build_csv(data=restricted_data).decode("utf-8-sig"))))
    assert list(rows[0]) == [h for h, _ in DATA_COLUMNS]
    period = [r for r in rows if r["period type"] == "reporting period"]
    assert [r["indicator"] for r in period] == [i.id for i in CATALOGUE]
    eng01 = period[0]
    assert (eng01["value"], eng01["numerator"]) == ("50", "50")  # whole numbers, not "50.0"
    eng03 = next(r for r in period if r["indicator"] == "ENG-03")
    assert eng03["value"] == "42.0" and eng03["lower interval"].count(".") == 1
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
