"""The benchmark harness measures each step's own process: wall time, peak memory, JSON it prints."""

from __future__ import annotations

import sys

import pytest

from benchmarks.harness import StepFailed, run


def test_peak_memory_is_the_childs_own():
    small = run([sys.executable, "-c", "print('{\"ok\": 1}')"])
    big = run([sys.executable, "-c", "b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); print('{}')"])
    assert small.payload == [{"ok": 1}]
    assert big.peak_mb >= 300 > small.peak_mb


def test_wall_time_includes_the_whole_process():
    r = run([sys.executable, "-c", "import time; time.sleep(0.3)"])
    assert r.seconds >= 0.3


def test_a_failing_step_says_so_with_its_error():
    with pytest.raises(StepFailed, match="ZeroDivisionError"):
        run([sys.executable, "-c", "1 / 0"])
    # An expected exit status is not a failure.
    assert run([sys.executable, "-c", "raise SystemExit(1)"], ok_codes=(0, 1)).payload == []
