"""The benchmark harness measures each step's own process: wall time, peak memory, JSON it prints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.harness import ROOT, StepFailed, run

_MEASURE = """
import json, sys
from benchmarks.harness import run
small = run([sys.executable, "-c", "print('{\\"ok\\": 1}')"])
big = run([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('{}')"])
print(json.dumps({"small": small.peak_mb, "big": big.peak_mb, "payload": small.payload}))
"""


def test_peak_memory_is_the_childs_own():
    # Measured from a small parent, as ``make bench`` runs: a child's peak starts from its parent's size
    # at fork, and a pytest worker is large.
    out = run([sys.executable, "-c", _MEASURE]).payload[0]
    assert out["payload"] == [{"ok": 1}]
    assert out["big"] >= 300 > 100 > out["small"]


def test_the_benchmark_process_stays_small():
    """Nothing heavy is imported where the steps are started, so their memory figures are their own."""
    code = (
        "import sys, benchmarks.__main__, benchmarks.scale, benchmarks.report; "
        "print(sorted(m for m in ('pandas', 'numpy', 'sqlalchemy', 'streamlit') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


@pytest.mark.parametrize("today", ["2026-12-07", "2027-04-01", "2028-02-29"])
def test_last_month_matches_the_sample_story(monkeypatch, today):
    from benchmarks.scale import last_month
    from sample_data import story

    monkeypatch.setenv("OUTCOMES_TODAY", today)
    assert story.last_month() == last_month()


def test_wall_time_includes_the_whole_process():
    r = run([sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert r.seconds >= 0.3


def test_a_failing_step_says_so_with_its_error():
    with pytest.raises(StepFailed, match="ZeroDivisionError"):
        run([sys.executable, "-c", "1 / 0"])
    # An expected exit status is not a failure.
    assert run([sys.executable, "-c", "raise SystemExit(1)"], ok_codes=(0, 1)).payload == []


_TWO_PROCESSES = """
import os, time
def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
if os.fork() == 0:
    spin(0.4)
    os._exit(0)
spin(0.4)
os.wait()
"""


def test_cpu_time_counts_the_children_a_step_waited_for():
    # The ingest command checks files in forked workers: their CPU time is part of the step's.
    r = run([sys.executable, "-c", _TWO_PROCESSES])
    assert r.cpu_seconds >= 0.75
