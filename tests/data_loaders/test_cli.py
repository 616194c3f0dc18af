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

from data_loaders import cli
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
    code, out, _err = run(["ingest", str(bad), str(good), "--partner", "aspirations", "--db", db_url, "--json"], capsys)
    assert code == 1
    lines = [json.loads(x) for x in out.splitlines()]
    assert [set(x) for x in lines] == [KEYS, KEYS]
    assert [x["status"] for x in lines] == ["rejected", "accepted"]
    assert lines[1]["period"] == {"start": "2026-04-01", "end": "2026-04-30"}
    assert lines[0]["errors"][0] == {
        "sheet": "attendance",
        "row": 2,
        "column": "person_id",
        "message": lines[0]["errors"][0]["message"],
    }
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
    code, out, _err = run(
        ["ingest", str(good), "--partner", "aspirations", "--db", db_url, "--dry-run", "--json"], capsys
    )
    assert code == 0 and json.loads(out)["status"] == "accepted"
    eng = sa.create_engine(db_url)
    with eng.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(schema.submissions)).scalar() == 0
    eng.dispose()


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest", "{good}", "--partner", "nobody"],
        ["ingest", "{good}", "--partner", "aspirations", "--period", "April"],
        ["ingest", "{good}", "/no/such/file.xlsx", "--partner", "aspirations"],
    ],
)
def test_usage_errors_exit_2_and_load_nothing(files, db_url, capsys, argv):
    good, _bad = files
    code, out, err = run([a.format(good=good) for a in argv] + ["--db", db_url], capsys)
    assert code == 2 and out == "" and err.startswith("error:")
    assert not Path(db_url.removeprefix("sqlite:///")).exists()


def test_bad_arguments_exit_2_from_a_real_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(
        [sys.executable, "-m", "data_loaders", "ingest", "--partner", "aspirations"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
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
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "data_loaders",
            "ingest",
            str(big),
            "--partner",
            "aspirations",
            "--db",
            db_url,
            "--verbose",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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


def _month_files(tmp_path, months=(4, 5, 6, 7)):
    paths = []
    for m in months:
        p = tmp_path / f"attendance_2026-{m:02d}.csv"
        p.write_bytes(
            csv_bytes(
                [
                    ["session_date", "person_id"],
                    [f"02/{m:02d}/2026", "P0001"],
                    [f"09/{m:02d}/2026", "Jane Smith" if m == 5 else "P0002"],
                ]
            )
        )
        paths.append(str(p))
    return paths


def test_files_checked_side_by_side_give_the_same_reports_in_the_same_order(tmp_path, capsys):
    paths = _month_files(tmp_path)
    outs = {}
    for workers in ("1", "3"):
        db = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        code, out, _err = run(
            ["ingest", *paths, "--partner", "aspirations", "--db", db, "--json", "--workers", workers], capsys
        )
        assert code == 1  # May's file names a woman: refused, the others loaded
        outs[workers] = [json.loads(x) for x in out.splitlines()]
        with sa.create_engine(db).connect() as c:
            assert c.execute(sa.text("SELECT count(*) FROM r_attendance")).scalar() == 6
    assert [x["file"] for x in outs["3"]] == [Path(p).name for p in paths]
    assert outs["3"] == outs["1"]
    assert [x["status"] for x in outs["3"]] == ["accepted", "rejected", "accepted", "accepted"]


def _dies_on_june_in_a_worker(path, **how):
    """``cli._check``, except that a forked worker checking June's file dies (as if killed for its memory)."""
    if "2026-06" in path.name and os.getpid() != _TEST_PROCESS:
        os._exit(9)
    return _REAL_CHECK(path, **how)


_REAL_CHECK = cli._check
_TEST_PROCESS = os.getpid()


def test_a_checking_process_that_dies_does_not_stop_the_load(tmp_path, db_url, capsys, monkeypatch):
    paths = _month_files(tmp_path, months=(4, 6, 7, 8))
    monkeypatch.setattr(cli, "_check", _dies_on_june_in_a_worker)
    code, out, err = run(
        ["ingest", *paths, "--partner", "aspirations", "--db", db_url, "--json", "--workers", "2"], capsys
    )
    # Which file the dead worker held is not known, so the files not yet stored are checked in this
    # process instead: every file is loaded, in order, and nothing is said twice.
    assert code == 0, err
    loaded = [json.loads(x) for x in out.splitlines()]
    assert [x["file"] for x in loaded] == [Path(p).name for p in paths]
    assert all(x["status"] == "accepted" for x in loaded)


def test_workers_must_be_a_positive_number(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ingest", *_month_files(tmp_path, months=(4,)), "--partner", "aspirations", "--workers", "0"])
    assert exc.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_checking_imports_nothing_of_the_database_layer():
    # Checking is pure: what it imports must not bring a connection pool or a driver with it.
    code = (
        "import sys; sys.modules['hypothesis'] = None; import data_loaders.checking; "
        "bad = [m for m in ('sqlalchemy', 'storage.db', 'storage.repository', 'alembic') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_usage_is_checked_without_pandas():
    # A usage error answers at once: what the command needs first must not bring pandas.
    code = (
        "import sys; sys.modules['hypothesis'] = None; import data_loaders.cli, data_loaders.usage; "
        "bad = [m for m in ('pandas', 'numpy', 'sqlalchemy') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_real_process_flushes_every_report_and_exits_with_the_status(tmp_path):
    # Every report reaches the reader, and the exit status says whether any file was refused.
    paths = _month_files(tmp_path)
    db = tmp_path / "real.db"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_loaders",
            "ingest",
            *paths,
            "--partner",
            "aspirations",
            "--db",
            f"sqlite:///{db}",
            "--json",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 1, res.stderr
    assert [json.loads(x)["status"] for x in res.stdout.splitlines()] == [
        "accepted",
        "rejected",
        "accepted",
        "accepted",
    ]
    assert not (tmp_path / "real.db-wal").exists()  # the database was closed cleanly


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    # ``python -m data_loaders ingest ... | head -1``: the pipe closes while reports are still being written.
    paths = _month_files(tmp_path, months=tuple(range(1, 11)))
    db = f"sqlite:///{tmp_path / 'pipe.db'}"
    cmd = " ".join(
        [sys.executable, "-m", "data_loaders", "ingest", *paths, "--partner", "aspirations", "--db", db, "| head -c 1"]
    )
    res = subprocess.run(
        ["bash", "-c", cmd],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in res.stderr and "BrokenPipe" not in res.stderr, res.stderr
