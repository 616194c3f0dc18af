"""Whole-file refusals before parsing: formats, macros, passwords, damage, size, zip bombs, XML entities."""

from __future__ import annotations

import io
import zipfile

import pytest

from data_loaders.container import ACCEPTED, Refused, sniff
from tests.data_loaders.files import (
    declare_size,
    encrypted_workbook,
    good_xlsx,
    legacy_xls,
    rezip,
)


def _refusal(content: bytes, name: str) -> str:
    with pytest.raises(Refused) as exc:
        sniff(content, name)
    return exc.value.message


def test_good_workbook_and_csv_pass():
    assert sniff(good_xlsx("attendance"), "a.xlsx").kind == "xlsx"
    assert sniff(b"session_date,person_id\r\n", "a.csv").kind == "csv"


def test_openpyxl_runs_with_defusedxml():
    import openpyxl

    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize("name", ["return.xlsm", "RETURN.XLSM", "return.xltm"])
def test_macro_enabled_names_are_refused(name):
    assert "macros" in _refusal(good_xlsx("attendance"), name)


def test_workbook_holding_a_vba_project_is_refused_whatever_its_name():
    content = rezip(good_xlsx("attendance"), add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 600})
    msg = _refusal(content, "innocent.xlsx")
    assert "macros" in msg and "VBA" in msg


def test_password_protected_workbook_says_so():
    msg = _refusal(encrypted_workbook(), "return.xlsx")
    assert "password-protected" in msg and "Remove the password" in msg


def test_password_protected_even_when_olefile_cannot_read_it():
    damaged = encrypted_workbook()[:1600]  # structure cut short, stream name still present
    assert "password-protected" in _refusal(damaged, "return.xlsx")


@pytest.mark.parametrize("name", ["return.xls", "return.xlsx"])
def test_legacy_xls_is_refused_with_the_accepted_formats(name):
    msg = _refusal(legacy_xls(), name)
    assert ".xls" in msg and ACCEPTED in msg


def test_ods_is_refused_with_the_accepted_formats():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    assert ".ods" in _refusal(buf.getvalue(), "return.ods")
    assert ACCEPTED in _refusal(b"anything", "return.ods")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"%PDF-1.7\n%binary", "return.pdf"),
        (b"%PDF-1.7\n%binary", "return.csv"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "return.csv"),
        (b"hello", "notes.txt"),
        (b"hello", "no_extension"),
        (b"just some text", "return.xlsx"),
    ],
)
def test_files_that_are_not_spreadsheets(content, name):
    assert ACCEPTED in _refusal(content, name)


def test_word_document_zip_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    assert "not an Excel workbook" in _refusal(buf.getvalue(), "letter.xlsx")


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_workbook_is_refused_as_damaged(cut):
    content = good_xlsx("attendance")
    msg = _refusal(content[: int(len(content) * cut)], "return.xlsx")
    assert "damaged or incomplete" in msg


def test_corrupted_member_is_refused_as_damaged():
    content = bytearray(good_xlsx("attendance"))
    pos = content.find(b"xl/worksheets/sheet1.xml") + 40
    content[pos : pos + 40] = b"\xff" * 40  # scramble compressed data of the first sheet
    msg = _refusal(bytes(content), "return.xlsx")
    assert "damaged" in msg


def test_empty_file():
    assert "empty" in _refusal(b"", "return.csv")


def test_over_the_upload_cap(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_UPLOAD_MB", "1")
    msg = _refusal(b"a,b\r\n" * 300_000, "return.csv")
    assert "largest file we accept is 1 MB" in msg


def test_zip_declaring_gigabytes_is_refused_from_the_directory():
    content = declare_size(good_xlsx("attendance"), "xl/worksheets/sheet1.xml", 0xFFFF0000)
    msg = _refusal(content, "return.xlsx")
    assert "would expand to" in msg


def test_expanded_cap_is_the_setting(monkeypatch):
    content = good_xlsx("attendance")
    monkeypatch.setenv("OUTCOMES_MAX_EXPANDED_MB", "0")
    assert "would expand to" in _refusal(content, "return.xlsx")


def test_absurd_compression_ratio_is_refused():
    # 40 MB of one repeated byte compresses about 1000:1: a small zip bomb, built for real.
    content = rezip(good_xlsx("attendance"), add={"xl/media/blob.xml": b"<" + b"a" * (40 * 1024 * 1024)})
    assert len(content) < 1_000_000
    assert "compressed to an unusual degree" in _refusal(content, "return.xlsx")


def test_member_longer_than_declared_is_refused():
    content = good_xlsx("attendance")
    z = zipfile.ZipFile(io.BytesIO(content))
    real = z.getinfo("xl/worksheets/sheet1.xml").file_size
    lying = declare_size(content, "xl/worksheets/sheet1.xml", real // 2)
    assert "damaged" in _refusal(lying, "return.xlsx")


@pytest.mark.parametrize(
    "prolog",
    [
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>',
        '<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd">',
    ],
)
def test_xml_with_doctype_or_entities_is_refused(prolog):
    content = good_xlsx("attendance")
    z = zipfile.ZipFile(io.BytesIO(content))
    sheet = z.read("xl/worksheets/sheet1.xml").decode()
    body = sheet.split("?>", 1)[-1]
    hostile = rezip(content, replace={"xl/worksheets/sheet1.xml": (prolog + body).encode()})
    assert "document type or entity declaration" in _refusal(hostile, "return.xlsx")


def test_utf16_doctype_is_refused_too():
    content = good_xlsx("attendance")
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b "c">]><a/>'
    hostile = rezip(content, replace={"docProps/app.xml": b"\xff\xfe" + xml.encode("utf-16-le")})
    assert "document type or entity declaration" in _refusal(hostile, "return.xlsx")


def test_entity_declaration_split_across_read_chunks_is_found():
    from data_loaders import container

    content = good_xlsx("attendance")
    pad = "<!-- " + "x" * (container._CHUNK - 60) + " -->"
    xml = '<?xml version="1.0"?>' + pad + "<!DOCTYPE a><a/>"
    hostile = rezip(content, replace={"docProps/core.xml": xml.encode()})
    assert "document type" in _refusal(hostile, "return.xlsx")
