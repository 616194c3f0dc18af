"""The pages steps of the benchmark: each page measured in rounds, the medians reported; the overview on two
databases in turn, each round's ratio reported."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from storage.db import ensure_schema

ROOT = Path(__file__).resolve().parents[2]


def test_pages_measured_in_rounds_report_the_median_of_each(tmp_path):
    db = f"sqlite:///{tmp_path / 'steps.db'}"
    ensure_schema(db).dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OUTCOMES_COOKIE_SECRET": "benchmark-test-secret-" + "0" * 32}
    # The pages sign in as the demo accounts, as in ``make bench``.
    subprocess.run(
        [sys.executable, "-m", "ui.accounts", "demo", "--db", db],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.steps",
            "pages",
            "--db",
            db,
            "--only",
            "definitions",
            "--only",
            "upload",
            "--rounds",
            "3",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    pages = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert {p["page"] for p in pages} == {"upload", "definitions"}
    for p in pages:
        assert len(p["colds"]) == 3 and len(p["warms"]) == 3
        assert p["cold"] == statistics.median(p["colds"]) and p["warm"] == statistics.median(p["warms"])
        assert p["errors"] == []


def test_overview_rendered_on_two_databases_in_turn_reports_each_rounds_ratio(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OUTCOMES_COOKIE_SECRET": "benchmark-test-secret-" + "0" * 32}
    dbs = {}
    for name in ("small", "large"):
        dbs[name] = f"sqlite:///{tmp_path / (name + '.db')}"
        ensure_schema(dbs[name]).dispose()
        subprocess.run(
            [sys.executable, "-m", "ui.accounts", "demo", "--db", dbs[name]],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.steps",
            "overview-pair",
            "--sample",
            dbs["small"],
            "--regional",
            dbs["large"],
            "--rounds",
            "3",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    (pair,) = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert pair["errors"] == []
    assert len(pair["colds"]["sample"]) == len(pair["colds"]["regional"]) == len(pair["ratios"]) == 3
    for s, r, ratio in zip(pair["colds"]["sample"], pair["colds"]["regional"], pair["ratios"], strict=True):
        assert ratio == r / s  # each round's own ratio, not a ratio of separate medians
    assert pair["ratio"] == statistics.median(pair["ratios"])
    assert pair["cold"]["sample"] == statistics.median(pair["colds"]["sample"])
