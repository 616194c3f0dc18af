"""Names are data too: a file's name, a sheet's and a column heading that look like personal data are refused,
and nothing of them is repeated in a message, logged, or stored in any table (both engines)."""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa

from data_loaders.cli import readable
from data_loaders.ingest import ingest_file
from tests.data_loaders.files import GOOD, TODAY, xlsx

EMAIL = "jane.doe@example.com"
PHONE = "07700900123"
HOSTILE_FILE = f"Jane Smith {EMAIL} {PHONE}_2026-04.xlsx"
SHEET = "j.doe@example.com 07700900123"
RAW = ("Jane", "Smith", EMAIL, PHONE, "j.doe@example.com")


def _dump(engine) -> str:
    """Every row of every table, as text."""
    out = []
    with engine.connect() as c:
        for name in sa.inspect(c).get_table_names():
            out += [repr(tuple(r)) for r in c.execute(sa.text(f'SELECT * FROM "{name}"')).all()]
    return "\n".join(out)


def _attendance(sheet: str = "attendance", heading: str | None = None) -> bytes:
    header, rows = GOOD["attendance"]
    header = [*header, heading] if heading else header
    rows = [[*r, "x"] for r in rows] if heading else rows
    return xlsx({sheet: [header, *rows]})


def _ingest(engine, content: bytes, name: str):
    return ingest_file(
        engine=engine, content=content, file_name=name, partner="aspirations", loaded_by="tester", today=TODAY
    )


def _nowhere(engine, report, caplog, *raw: str) -> None:
    shown = json.dumps(report.to_json()) + readable(report) + caplog.text + _dump(engine)
    for text in raw:
        assert text not in shown, f"{text!r} was repeated or stored"


def test_the_issue_file_is_refused_and_nothing_of_its_names_is_kept(engine, backend, caplog):
    caplog.set_level(logging.DEBUG)
    report = _ingest(engine, _attendance(sheet=SHEET, heading="Jane Smith"), HOSTILE_FILE)
    assert report.status == "rejected"
    assert report.file.startswith("file-") and report.file.endswith(".xlsx")
    assert report.file == f"file-{report.sha256[:12]}.xlsx"
    assert "This file's name looks like an email address" in report.errors[0]["message"]
    _nowhere(engine, report, caplog, *RAW)
    with engine.connect() as c:
        kept = c.execute(sa.text("SELECT file_name FROM refusals")).scalars().all()
    assert kept == [report.file]


def test_a_sheet_named_with_contact_details_is_refused_by_position(engine, backend, caplog):
    report = _ingest(engine, _attendance(sheet=SHEET), "attendance_2026-04.xlsx")
    assert report.status == "rejected"
    assert any("The name of sheet 1 looks like an email address" in e["message"] for e in report.errors)
    _nowhere(engine, report, caplog, *RAW)


def test_a_heading_with_a_name_and_a_reference_is_refused(engine, backend, caplog):
    report = _ingest(engine, _attendance(heading="Jane P0042"), "attendance_2026-04.xlsx")
    assert report.status == "rejected"
    assert [e["column"] for e in report.errors] == ["column D"]
    assert "a person's name with a reference" in report.errors[0]["message"]
    _nowhere(engine, report, caplog, "Jane")


def test_a_birth_date_in_a_file_name_is_refused(engine, backend, caplog):
    report = _ingest(engine, _attendance(), "attendance dob 12-03-1985_2026-04.xlsx")
    assert report.status == "rejected" and "a date of birth" in report.errors[0]["message"]
    _nowhere(engine, report, caplog, "12-03-1985")


def test_a_bare_name_as_heading_or_sheet_is_loaded_but_never_repeated_or_stored(engine, backend, caplog):
    """A name alone cannot be told from a heading, so it is not refused; it is called by position instead."""
    report = _ingest(engine, _attendance(sheet="Jane Smith", heading="Jane Smith"), "attendance_2026-04.xlsx")
    assert report.status == "accepted", report.errors
    assert [s["sheet"] for s in report.sheets] == ["Sheet 1"]
    assert any("column D is not part of the attendance return" in w for w in report.warnings)
    _nowhere(engine, report, caplog, "Jane", "Smith")


def test_plain_names_are_still_repeated(engine, backend):
    report = _ingest(engine, _attendance(sheet="attendance", heading="Notes"), "aspirations_attendance_2026-04.xlsx")
    assert report.status == "accepted"
    assert report.file == "aspirations_attendance_2026-04.xlsx"
    assert [s["sheet"] for s in report.sheets] == ["attendance"]
    assert any("column 'Notes'" in w for w in report.warnings)
