"""The command line: exit codes, JSON lines, readable reports, and a load killed part-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_loaders.cli import main
from storage import schema
from tests.data_loaders.files import csv_bytes, good_xlsx, xlsx

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"file", "sha256", "partner", "period", "status", "sheets", "errors", "warnings"}


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "attendance_2026-04.xlsx"
    good.write_bytes(good_xlsx("attendance"))
    bad = tmp_path / "attendance_2026-05.xlsx"
    bad.write_bytes(xlsx({"attendance": [["session_date", "person_id"], ["02/05/2026", "Jane"]]}))
    return good, bad


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_one_line_per_file_exit_1_when_any_rejected_others_still_loaded(files, db_url, capsys):
    good, bad = files
    code, out, _err = run(["ingest", str(bad), str(good), "--partner", "aspirations", "--db", db_url, "--json"],
                          capsys)
    assert code == 1
    lines = [json.loads(x) for x in out.splitlines()]
    assert [set(x) for x in lines] == [KEYS, KEYS]
    assert [x["status"] for x in lines] == ["rejected", "accepted"]
    assert lines[1]["period"] == {"start": "2026-04-01", "end": "2026-04-30"}
    assert lines[0]["errors"][0] == {"sheet": "attendance", "row": 2, "column": "person_id",
                                     "message": lines[0]["errors"][0]["message"]}
    assert "Jane" not in out
    code, out, _err = run(["ingest", str(good), "--partner", "aspirations", "--db", db_url, "--json"], capsys)
    assert code == 0 and json.loads(out)["status"] == "duplicate"


def test_readable_report_and_default_loaded_by(files, db_url, capsys):
    good, bad = files
    code, out, _err = run(["ingest", str(good), str(bad), "--partner", "aspirations", "--db", db_url], capsys)
    assert code == 1
    assert "attendance_2026-04.xlsx: ACCEPTED (partner aspirations, April 2026)" in out
    assert "REFUSED" in out and "row 2, column 'person_id'" in out
    eng = sa.create_engine(db_url)
    with eng.connect() as c:
        who = c.execute(sa.select(schema.submissions.c.loaded_by)).scalar()
    eng.dispose()
    assert who.startswith("cli:")


def test_dry_run_writes_nothing(files, db_url, capsys):
    good, _bad = files
    code, out, _err = run(["ingest", str(good), "--partner", "aspirations", "--db", db_url, "--dry-run", "--json"],
                          capsys)
    assert code == 0 and json.loads(out)["status"] == "accepted"
    eng = sa.create_engine(db_url)
    with eng.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(schema.submissions)).scalar() == 0
    eng.dispose()


@pytest.mark.parametrize("argv", [
    ["ingest", "{good}", "--partner", "nobody"],
    ["ingest", "{good}", "--partner", "aspirations", "--period", "April"],
    ["ingest", "{good}", "/no/such/file.xlsx", "--partner", "aspirations"],
])
def test_usage_errors_exit_2_and_load_nothing(files, db_url, capsys, argv):
    good, _bad = files
    code, out, err = run([a.format(good=good) for a in argv] + ["--db", db_url], capsys)
    assert code == 2 and out == "" and err.startswith("error:")
    assert not Path(db_url.removeprefix("sqlite:///")).exists()


def test_bad_arguments_exit_2_from_a_real_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-m", "data_loaders", "ingest", "--partner", "aspirations"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "FILE" in res.stderr


def _snapshot(db_url: str) -> dict[str, list]:
    eng = sa.create_engine(db_url)
    out = {}
    with eng.connect() as c:
        for t in ["submissions", "submission_sheets", "archived_files", "refusals", "audit_log", "r_attendance"]:
            out[t] = sorted(map(tuple, c.execute(sa.text(f"SELECT * FROM {t}")).all()), key=repr)
        assert c.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    eng.dispose()
    return out


@pytest.mark.slow
def test_a_load_killed_part_way_leaves_the_database_unchanged(tmp_path, db_url, capsys):
    small = tmp_path / "attendance_2026-04.csv"
    small.write_bytes(csv_bytes([["session_date", "person_id"], ["02/04/2026", "P0001"], ["03/04/2026", "P0002"]]))
    assert main(["ingest", str(small), "--partner", "aspirations", "--db", db_url]) == 0
    capsys.readouterr()
    before = _snapshot(db_url)

    rows = [["session_date", "person_id", "services_used"]]
    rows += [[f"{d:02d}/04/2026", f"P{n:04d}", "food"] for d in range(1, 31) for n in range(1, 3001)]
    big = tmp_path / "attendance_big_2026-04.csv"
    big.write_bytes(csv_bytes(rows))  # 90,000 rows: storing takes seconds, long enough to be interrupted
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "data_loaders", "ingest", str(big), "--partner", "aspirations",
                             "--db", db_url, "--verbose"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:
            if "storing" in line:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be interrupted"
    assert _snapshot(db_url) == before
