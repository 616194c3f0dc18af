"""The sample files: reproducible, named with their period, untidy in the ways real files are."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from core import periods
from core.partners import partners
from sample_data.render import render_files
from sample_data.story import build_world

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def world():
    return build_world()


@pytest.fixture(scope="module")
def files(world):
    return render_files(world)


def by_name(files, name):
    return next(f for f in files if f.name == name)


def test_same_seed_gives_byte_identical_files(files):
    again = render_files(build_world())
    assert [(f.name, hashlib.sha256(f.content).hexdigest()) for f in again] == [
        (f.name, hashlib.sha256(f.content).hexdigest()) for f in files
    ]
    other = render_files(build_world(seed=12345))
    assert {hashlib.sha256(f.content).hexdigest() for f in other}.isdisjoint(
        hashlib.sha256(f.content).hexdigest() for f in files if f.rows and sum(f.rows.values()) > 2
    )


def test_every_partner_sends_files_whose_names_carry_the_period(files):
    assert {f.partner for f in files} == set(partners())
    for f in files:
        assert periods.from_filename(f.name) == f.period, f.name
        for ret in f.rows:
            assert ret in partners()[f.partner].returns, (f.name, ret)
    assert len({f.name for f in files}) == len(files)


def test_rows_in_files_add_up_to_the_world(world, files):
    total: dict[str, int] = {}
    for f in files:
        if f.kind in ("superseded", "refused"):
            continue
        for ret, n in f.rows.items():
            total[ret] = total.get(ret, 0) + n
    assert total == {k: v for k, v in world.rows_per_return().items()}


def test_load_times_are_mostly_by_the_15th_with_a_few_late(files):
    assert files == sorted(files, key=lambda f: (f.loaded_at, f.name))
    for f in files:
        assert f.loaded_at.date() > f.period.end, f.name
        due = periods.add_months(f.period.end, 1).replace(day=15)
        assert f.late == (f.loaded_at.date() > due), f.name
    late = [f for f in files if f.late and f.kind == "return"]
    assert 1 <= len(late) <= 0.15 * len(files)
    # The default span ends in October 2026: every file is in by the 15th of November.
    assert max(f.loaded_at for f in files) <= datetime(2026, 11, 15, 23, 59)


def test_one_nil_return_one_missing_month_one_correction(world, files):
    nil = [f for f in files if f.kind == "nil"]
    assert len(nil) == 1 and nil[0].partner == "dental" and nil[0].rows == {"health_contacts": 0}
    assert nil[0].period.end < world.facts.dental_start
    missing = world.facts.missing_month
    vineyard_months = {f.period.start for f in files if f.partner == "vineyard"}
    assert missing not in vineyard_months
    assert {m for m in world.months if m != missing} <= vineyard_months
    first = [f for f in files if f.kind == "superseded"]
    fixed = [f for f in files if f.kind == "correction"]
    assert len(first) == len(fixed) == 1
    assert first[0].period == fixed[0].period and first[0].loaded_at < fixed[0].loaded_at
    assert first[0].rows["attendance"] < fixed[0].rows["attendance"]


def test_one_file_is_sent_wrong_then_fixed_the_same_day(files):
    wrong = [f for f in files if f.kind == "refused"]
    assert len(wrong) == 1 and wrong[0].partner == "safeguarding"
    fixed = next(f for f in files if f.partner == "safeguarding" and f.period == wrong[0].period and f.kind == "return")
    assert timedelta(0) < fixed.loaded_at - wrong[0].loaded_at < timedelta(days=1)
    rows = openpyxl.load_workbook(io.BytesIO(wrong[0].content), read_only=True)["Meetings"].iter_rows(values_only=True)
    assert "Very high" in {r[2] for r in rows if len(r) > 2}


def test_workbooks_hold_real_excel_dates_and_title_rows(files):
    f = by_name(files, "aspirations_attendance_2026-04.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(f.content), read_only=True)["Register"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Aspirations drop-in register"
    assert rows[3] == ("Session date", "Client ref", "Services")
    assert isinstance(rows[4][0], datetime) and rows[4][0].weekday() == 3
    assert len(rows) - 4 == f.rows["attendance"]
    # calamine (what the loader reads with) sees the same dates
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(f.content)).get_sheet_by_name("Register").to_python()
    assert sheet[4][0] in (rows[4][0], rows[4][0].date())


def test_labels_messy_references_and_a_guidance_sheet(files):
    f = by_name(files, "aspirations_monthly_2025-06.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(f.content), read_only=True)
    assert wb.sheetnames == ["Guidance", "Outreach", "Key-work review", "Supplies", "Feedback"]
    values = {c for row in wb["Key-work review"].iter_rows(min_row=2, values_only=True) for c in row}
    assert values & {"Rough sleeping", "Sofa surfing", "Hostel"}
    refs = [
        r[1]
        for f in files
        if f.name.startswith("aspirations_attendance")
        for r in openpyxl.load_workbook(io.BytesIO(f.content), read_only=True)["Register"].iter_rows(
            min_row=5, values_only=True
        )
    ]
    assert any(re.fullmatch(r"p\d{1,3}", r) for r in refs)
    assert all(re.fullmatch(r"\s*[Pp]\d{1,4}\s*", r) for r in refs)


def test_vineyard_csv_is_windows_1252_with_uk_dates(files):
    f = by_name(files, "vineyard_outreach_2025-06.csv")
    with pytest.raises(UnicodeDecodeError):
        f.content.decode("utf-8")
    text = f.content.decode("cp1252")
    assert "£" in text or "é" in text
    lines = text.splitlines()
    assert lines[0].startswith("Vineyard")
    assert lines[1].split(",")[:3] == ["Date", "Ref", "Type"]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", lines[2].split(",")[0])


def test_other_date_forms_and_encodings(files):
    mh = next(f for f in files if f.partner == "mental_health" and "Q" in f.name)
    assert re.search(r"Q[1-4]\.csv$", mh.name)
    first = mh.content.decode("utf-8").splitlines()[1].split(",")[0]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", first)
    da = next(f for f in files if f.partner == "drug_alcohol")
    assert da.content.startswith(b"\xef\xbb\xbf")
    po = next(f for f in files if f.partner == "police")
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{4}", po.content.decode().splitlines()[1].split(",")[0])
    vs = next(f for f in files if f.name.startswith("vineyard_supplies"))
    assert re.fullmatch(r"\d{2}/\d{2}/\d{2}", vs.content.decode().splitlines()[1].split(",")[0])


def test_no_personal_data_patterns_anywhere(files):
    # The loader enforces this too; here we check the generator never even comes close.
    email = re.compile(rb"@")
    long_digits = re.compile(rb"\d{9,}")
    for f in files:
        raw = f.content
        if f.name.endswith(".xlsx"):
            z = zipfile.ZipFile(io.BytesIO(raw))
            raw = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
            raw = re.sub(rb"<v>\d+</v>", b"", raw)  # Excel date serials and counts
        assert not email.search(raw), f.name
        assert not long_digits.search(raw), f.name


def test_tidy_files_keep_the_same_periods_and_rows(world, files):
    tidy = render_files(world, tidy=True)
    assert [(f.name, f.period, f.rows) for f in tidy] == [(f.name, f.period, f.rows) for f in files]
    f = by_name(tidy, "aspirations_attendance_2026-04.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(f.content), read_only=True)["Register"].iter_rows(values_only=True))
    assert rows[0] == ("Session date", "Client ref", "Services")


def test_write_command_writes_files_without_a_database(tmp_path):
    out = tmp_path / "files"
    res = subprocess.run(
        [sys.executable, "-m", "sample_data", "write", "--out", str(out), "--women", "20", "--months", "4"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in out.iterdir())
    # Four months ending with October 2026, the last month of every story.
    assert "aspirations_attendance_2026-07.xlsx" in names and "police_monthly_2026-10.csv" in names
    assert not any("2026-11" in n or "2025-" in n for n in names)
    assert "Wrote" in res.stdout


def test_write_command_refuses_a_tiny_story_with_a_message(tmp_path):
    res = subprocess.run(
        [sys.executable, "-m", "sample_data", "write", "--out", str(tmp_path), "--women", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 2 and "at least 10 women" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("now", [datetime(2026, 11, 6, 12, 0), datetime(2026, 11, 1, 0, 5)])
def test_no_file_is_loaded_after_the_build_and_the_files_do_not_change(world, now):
    """Built early in November, October's returns arrive between the 1st and now, in their usual order."""
    later = render_files(world)
    early = render_files(world, now=now)
    assert sorted((f.name, f.content) for f in early) == sorted((f.name, f.content) for f in later)
    assert max(f.loaded_at for f in early) <= now
    october = [f for f in early if f.period.start == world.months[-1]]
    assert october and all(f.loaded_at.date() >= date(2026, 11, 1) and not f.late for f in october)
    if now.day > 1:
        assert len({f.loaded_at for f in october}) > len(october) // 2  # spread out, not all at once
