"""Raw grids: Excel row numbers, hidden sheets, CSV encodings and delimiters."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from data_loaders.container import Refused
from data_loaders.reading import column_letter, decode_csv, read_csv, read_workbook
from tests.data_loaders.files import csv_bytes


def test_workbook_rows_keep_excel_row_numbers_and_every_sheet_is_read():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "data"
    ws["C3"] = "session_date"
    ws["C4"] = date(2026, 4, 2)
    hidden = wb.create_sheet("secret")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    sheets = read_workbook(buf.getvalue())
    assert [s.name for s in sheets] == ["data", "secret"]
    frame = sheets[0].frame
    assert frame.iloc[2, 2] == "session_date"  # C3 -> row index 2, column index 2
    assert frame.iloc[3, 2] == date(2026, 4, 2)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("café".encode(), "café"),
        (b"\xef\xbb\xbf" + "café".encode(), "café"),
        ("café ‘quoted’ £5".encode("cp1252"), "café ‘quoted’ £5"),
    ],
)
def test_csv_encodings(raw, text):
    assert decode_csv(raw) == text


def test_utf16_csv_is_refused_with_advice():
    with pytest.raises(Refused, match="CSV UTF-8"):
        decode_csv("a,b".encode("utf-16"))


def test_undecodable_csv_is_refused():
    with pytest.raises(Refused, match="could not read the text"):
        decode_csv(b"ok\x81\x8d\x8f\x90\x9d" + bytes([0xC3]))


def test_csv_ragged_rows_and_quoted_newlines_count_as_one_row():
    sheets = read_csv(csv_bytes([["Title"], ["a", "b"], ["two\nlines", "x"], ["last", "y"]]), name="f.csv")
    frame = sheets[0].frame
    assert frame.shape == (4, 2)
    assert frame.iloc[3, 0] == "last"  # fourth record is spreadsheet row 4 although the file has 5 lines


def test_semicolon_csv():
    frame = read_csv(b"session_date;person_id\r\n02/04/2026;P1\r\n", name="f.csv")[0].frame
    assert frame.iloc[1].tolist() == ["02/04/2026", "P1"]


def test_column_letters():
    assert [column_letter(j) for j in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def test_csv_too_wide_to_pad_is_refused_before_building_the_grid():
    content = ("," * 200_000 + "\r\n" + "a\r\n" * 20).encode()
    with pytest.raises(Refused, match="more than we can read"):
        read_csv(content, name="wide.csv")
