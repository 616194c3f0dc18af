"""A load killed (SIGKILL) at any point leaves every table exactly as it was (both engines)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import pytest

from storage.repository import read_return
from tests.conftest import ROOT
from tests.storage._tools import STAGES, sha_for, snapshot, store

BIG = 10_000


def _kill_at(db_url: str, stage: str, *, extra_delay: float = 0.0) -> None:
    cmd = [
        sys.executable,
        "-m",
        "tests.storage._tools",
        "store",
        "--db",
        db_url,
        "--sha",
        sha_for("killed"),
        "--partner",
        "aspirations",
        "--period",
        "2026-04",
        "--rows",
        str(BIG),
        "--seed",
        "99",
        "--pause-at",
        stage,
    ]
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline().strip()
        assert line == f"AT {stage}", p.stderr.read()[-2000:]
        if extra_delay:
            time.sleep(extra_delay)
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=60)
        assert p.returncode == -signal.SIGKILL
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def _history(engine) -> None:
    # Earlier loads the killed one would supersede (same partner and period) or not touch.
    store(engine, sha=sha_for("first"), partner="aspirations", period="2026-04", rows=500, seed=1)
    store(engine, sha=sha_for("other month"), partner="aspirations", period="2026-03", rows=300, seed=2)
    store(engine, sha=sha_for("other partner"), partner="vineyard", period="2026-04", rows=200, seed=3)


@pytest.mark.parametrize("stage", STAGES)
def test_load_killed_part_way_changes_nothing(engine, db_url, stage):
    _history(engine)
    before = snapshot(engine)
    engine.dispose()  # no connection of ours is open while the other process writes

    _kill_at(db_url, stage)

    assert snapshot(engine) == before
    # Nothing is left locked or half-written: the same file now loads in full.
    res = store(engine, sha=sha_for("killed"), partner="aspirations", period="2026-04", rows=BIG, seed=99)
    assert res.status == "accepted" and res.replaced == {"attendance": 500}
    assert len(read_return(engine, "attendance", partners=["aspirations"])) == BIG + 300


def test_load_killed_at_a_random_moment_changes_nothing(engine, db_url):
    _history(engine)
    before = snapshot(engine)
    engine.dispose()

    # From the first row insert, kill somewhere inside the big insert (or at its commit at the latest).
    _kill_at(db_url, "rows", extra_delay=random.uniform(0, 0.5))

    assert snapshot(engine) == before
