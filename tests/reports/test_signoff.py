"""Exports of a signed-off period (issue 21, docs/meetings.md): the public ones carry the figures as signed off
(the command line too); the restricted ones say "revised since sign-off" with each change, until the chair
signs off again. On both engines."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import datetime

import docx
import pandas as pd
import pytest
from openpyxl import load_workbook

from core.periods import parse, quarter
from metrics import meetings as loop
from reports.data import gather
from reports.pack import build_pack
from reports.workbook import build_csv, build_workbook
from storage.repository import SheetRows, store_submission
from storage.users import User

Q1 = quarter(2026, 1)
CHAIR = User("chair", "chair", None, True)


def _correct_may(engine) -> None:
    """May's attendance again, loaded after the sign-off: twelve women's visits were recorded in error."""
    sessions = pd.date_range("2026-05-01", "2026-05-31", freq="W-WED")
    att = pd.DataFrame(
        [(d, f"P{w:04d}", "food") for d in sessions for w in range(1, 31)],
        columns=["session_date", "person_id", "services_used"],
    )
    body = b"may-corrected"
    store_submission(
        engine,
        sha256=hashlib.sha256(body).hexdigest(),
        file_name="aspirations_2026-05_fixed.xlsx",
        partner="aspirations",
        period=parse("2026-05"),
        loaded_by="test",
        content=body,
        sheets=[SheetRows("attendance", "attendance", att)],
        warnings=[],
        loaded_at=datetime(2026, 7, 25, 9, 0),
    )


def _text(pack: bytes) -> str:
    d = docx.Document(io.BytesIO(pack))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def _eng04(data) -> float | None:
    """Average attendance per drop-in: the figure May's correction moves."""
    return data.indicators.by_id("ENG-04").value


def test_exports_of_a_signed_off_period_after_a_correction(populated):
    engine = populated
    before = gather(engine=engine, period=Q1, public=False)
    assert before.signoff is None and "has not been signed off yet" in _text(build_pack(data=before, images={}))
    loop.sign_off(engine, CHAIR, period=Q1, at=datetime(2026, 7, 20, 13, 0))
    signed_public = gather(engine=engine, period=Q1, public=True)
    signed = _eng04(before)
    assert not gather(engine=engine, period=Q1, public=False).revision.revised

    _correct_may(engine)
    restricted = gather(engine=engine, period=Q1, public=False)
    assert _eng04(restricted) != signed  # the group's figures follow the correction
    assert restricted.revision.revised
    pack = _text(build_pack(data=restricted, images={}))
    assert "Revised since sign-off" in pack and "20 July 2026" in pack
    assert f"Average attendance per drop-in (ENG-04)\n{signed:.1f}\n{_eng04(restricted):.1f}" in pack  # signed off, now
    book = load_workbook(io.BytesIO(build_workbook(data=restricted)))
    assert "Revised since sign-off" in book.sheetnames
    rows = list(book["Revised since sign-off"].iter_rows(values_only=True))
    assert rows[0][:5] == ("indicator", "indicator name", "unit", "signed off", "now")
    eng04 = next(r for r in rows if r[0] == "ENG-04")
    assert eng04[1:3] == ("Average attendance per drop-in", "mean")
    assert eng04[3:5] == (pytest.approx(signed), pytest.approx(_eng04(restricted)))
    assert any("Revised since sign-off" in str(c.value) for c in book["About"]["A"])

    # Public: the figures as signed off, the sign-off named (when, which period), no revision.
    public = gather(engine=engine, period=Q1, public=True)
    assert public.revision is None and public.signoff["period"] == Q1
    assert _eng04(public) == _eng04(signed_public)
    assert public.indicators == signed_public.indicators
    assert public.data_as_at <= datetime(2026, 7, 20, 13, 0)
    text = _text(build_pack(data=public, images={}))
    assert "as they stood when the chair signed off" in text and "Revised" not in text and "revised" not in text
    assert "Revised since sign-off" not in load_workbook(io.BytesIO(build_workbook(data=public))).sheetnames
    rows = list(csv.DictReader(io.StringIO(build_csv(data=public).decode("utf-8-sig"))))
    eng04 = next(r for r in rows if r["indicator"] == "ENG-04" and r["period type"] == "reporting period")
    assert eng04["value"] == f"{_eng04(signed_public):.1f}" != f"{_eng04(restricted):.1f}"

    # Signed off again: no longer revised; the public figures move to the data at the new sign-off.
    loop.sign_off(engine, CHAIR, period=Q1, at=datetime(2026, 7, 28, 13, 0))
    again = gather(engine=engine, period=Q1, public=False)
    assert not again.revision.revised and "Revised since sign-off" not in _text(build_pack(data=again, images={}))
    assert "Revised since sign-off" not in load_workbook(io.BytesIO(build_workbook(data=again))).sheetnames
    assert gather(engine=engine, period=Q1, public=True).signoff["signed_at"] == datetime(2026, 7, 28, 13, 0)


def test_the_public_command_line_gives_the_figures_as_signed_off(populated, db_url, capsys):
    from metrics.cli import main

    loop.sign_off(populated, CHAIR, period=Q1, at=datetime(2026, 7, 20, 13, 0))
    args = ["indicators", "--start", "2026-04-01", "--end", "2026-06-30", "--db", db_url, "--format", "json"]
    assert main([*args, "--public"]) == 0
    signed = capsys.readouterr().out
    _correct_may(populated)
    assert main([*args, "--public"]) == 0
    assert capsys.readouterr().out == signed
    assert main(args) == 0
    assert capsys.readouterr().out != signed  # the restricted figures follow the correction
    assert json.loads(signed)
