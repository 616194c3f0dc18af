"""Run one benchmark step in its own process; measure its wall time and peak resident memory.

A child's peak resident memory (``ru_maxrss``) starts from its parent's resident size when it
is forked, so the process that runs the steps imports nothing heavy (no pandas, no SQLAlchemy):
each step's figure is then its own, give or take the ~20 MB of a bare interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class StepFailed(RuntimeError):
    """A benchmark step's process exited with an error."""


@dataclass
class Run:
    """One process: wall seconds (start-up included), peak RSS in MB and what it printed as JSON.

    ``cpu_seconds`` is user plus system time of the process and every child it waited for (the ingest
    command's checking workers): more than ``seconds`` when it used more than one core.
    """

    seconds: float
    peak_mb: float
    payload: list[dict] = field(default_factory=list)
    cpu_seconds: float = 0.0


def python(*args: str) -> list[str]:
    return [sys.executable, *args]


def run(argv: list[str], *, env: dict[str, str] | None = None, ok_codes: tuple[int, ...] = (0,)) -> Run:
    """Run ``argv`` from the project root; every stdout line that is JSON becomes part of the payload."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=ROOT, env=full_env)
        # wait4, not wait: it returns the child's own resource usage, so each step's peak
        # memory is measured separately (ru_maxrss is in KB on Linux).
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode not in ok_codes:
        tail = "\n".join(errors.strip().splitlines()[-15:])
        raise StepFailed(f"{' '.join(argv[:4])} ... exited with {proc.returncode}:\n{tail}")
    payload = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                payload.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return Run(
        seconds=seconds, peak_mb=usage.ru_maxrss / 1024, payload=payload, cpu_seconds=usage.ru_utime + usage.ru_stime
    )
