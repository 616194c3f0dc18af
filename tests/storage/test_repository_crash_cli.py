"""The loader's command line, killed (SIGKILL) inside its load transaction, leaves every table as it was."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import date

import pytest

from storage.repository import read_return
from tests.conftest import ROOT
from tests.storage._tools import snapshot
from tests.storage.test_repository_crash import _history

ROWS = 5_000


def _csv(path, rows: int) -> None:
    lines = ["session_date,person_id,services_used"]
    lines += [f"{1 + i % 30:02d}/04/2026,P{1 + i // 30:04d},food" for i in range(rows)]  # no repeated key
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


@pytest.mark.parametrize("stage", ["submission", "rows", "commit"])
def test_loader_command_killed_part_way_changes_nothing(engine, db_url, tmp_path, stage):
    """The real ``python -m data_loaders ingest`` process, killed inside its load transaction."""
    _history(engine)
    before = snapshot(engine)
    engine.dispose()
    big = tmp_path / "attendance_2026-04.csv"
    _csv(big, ROWS)
    cmd = [
        sys.executable,
        "-m",
        "tests.storage._tools",
        "ingest",
        "--pause-at",
        stage,
        "--",
        str(big),
        "--partner",
        "aspirations",
        "--period",
        "2026-04",
        "--db",
        db_url,
    ]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline().strip()
        assert line == f"AT {stage}", p.stderr.read()[-2000:]
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()

    assert snapshot(engine) == before
    # Loaded again without interruption, the file goes in whole.
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "data_loaders",
            "ingest",
            str(big),
            "--partner",
            "aspirations",
            "--period",
            "2026-04",
            "--db",
            db_url,
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stdout[-1000:] + res.stderr[-1000:]
    assert json.loads(res.stdout.strip().splitlines()[-1])["status"] == "accepted"
    assert len(read_return(engine, "attendance", partners=["aspirations"], start=date(2026, 4, 1))) == ROWS
