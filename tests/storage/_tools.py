"""Helpers for the storage tests, and a tiny program the tests run as separate processes.

    python -m tests.storage._tools store --db URL --sha C --partner P --period 2026-04 --rows N
        [--seed S] [--pause-at STAGE] [--wait]
    python -m tests.storage._tools ingest --pause-at STAGE -- FILE --partner P [--db URL ...]

``--wait`` prints ``READY`` and waits for a line on stdin before storing, so a
test can start several processes at the same instant. ``--pause-at`` prints
``AT <stage>`` when the load reaches that point and then (except for
``rows``) sleeps, so a test can kill the process there; a paused or killed
load never reaches its commit. ``ingest`` runs the loader's real command line
with the same pauses.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("submission", "archive", "supersede", "rows", "commit")


def attendance_frame(*, period: str, rows: int, seed: int) -> pd.DataFrame:
    """``rows`` attendance rows dated inside ``period`` (a month), with realistic references."""
    from core.periods import parse

    p = parse(period)
    rng = np.random.default_rng(seed)
    days = (p.end - p.start).days + 1
    dates = pd.Timestamp(p.start) + pd.to_timedelta(rng.integers(0, days, rows), unit="D")
    ids = pd.Series(rng.integers(1, 10_000, rows)).map(lambda n: f"P{n:04d}")
    return pd.DataFrame({"session_date": dates, "person_id": ids.to_numpy(), "services_used": "food;arts_crafts"})


def sha_for(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()


def store(engine: sa.Engine, *, sha: str, partner: str, period: str, rows: int, seed: int):
    from core.periods import parse
    from storage.repository import SheetRows, store_submission

    frame = attendance_frame(period=period, rows=rows, seed=seed)
    return store_submission(
        engine,
        sha256=sha,
        file_name=f"{partner}_{period}.xlsx",
        partner=partner,
        period=parse(period),
        loaded_by="test",
        content=f"{partner}{period}{seed}".encode() * 100,
        sheets=[SheetRows("Attendance", "attendance", frame)],
        warnings=[],
    )


def snapshot(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table (and the migration version), in primary-key order."""
    from storage.schema import metadata

    out: dict[str, list[tuple]] = {}
    with engine.connect() as c:
        for t in metadata.sorted_tables:
            pk = list(t.primary_key.columns) or list(t.columns)
            out[t.name] = [tuple(r) for r in c.execute(sa.select(t).order_by(*pk)).all()]
        out["alembic_version"] = [tuple(r) for r in c.exec_driver_sql("SELECT version_num FROM alembic_version")]
    return out


def pause_hooks(stage: str) -> None:
    """Announce (and for most stages sleep at) ``stage`` of the first load in this process; never commit it.

    Listens on every engine, so it works inside code that makes its own engine (the loader's command line).
    """
    # Rows go in with INSERT (SQLite) or COPY (PostgreSQL).
    markers = {
        "submission": ("INSERT INTO submissions",),
        "archive": ("INSERT INTO archived_files",),
        "supersede": ("UPDATE r_",),
        "rows": ("INSERT INTO r_", "COPY r_"),
        "commit": ("INSERT INTO submissions",),
    }
    state = {"armed": False, "announced": False}

    def announce_and_maybe_sleep(name: str, sleep: bool) -> None:
        print(f"AT {name}", flush=True)
        if sleep:
            time.sleep(600)

    @sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):
        if not state["armed"] and statement.lstrip().upper().startswith(tuple(m.upper() for m in markers[stage])):
            state["armed"] = True
            if stage != "commit":
                # "rows": let the big insert run and be killed while it runs.
                announce_and_maybe_sleep(stage, sleep=stage != "rows")

    # COPY runs on the driver's cursor, below SQLAlchemy's events: watch for it there too.
    import psycopg

    real_copy = psycopg.Cursor.copy

    def copy(cursor, statement, *args, **kwargs):
        _before(None, cursor, str(statement), None, None, False)
        return real_copy(cursor, statement, *args, **kwargs)

    psycopg.Cursor.copy = copy

    # The load that is meant to be killed never commits (other transactions, e.g. migrations, do).
    @sa.event.listens_for(sa.engine.Engine, "commit")
    def _commit(conn):
        if state["armed"]:
            announce_and_maybe_sleep("commit", sleep=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["ingest"]:
        # ingest --pause-at STAGE -- <arguments of python -m data_loaders ingest>
        stage, rest = argv[2], argv[argv.index("--") + 1 :]
        pause_hooks(stage)
        from data_loaders.cli import main as ingest_main

        return ingest_main(["ingest", *rest])
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["store"])
    ap.add_argument("--db", required=True)
    ap.add_argument("--sha", required=True)
    ap.add_argument("--partner", required=True)
    ap.add_argument("--period", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--pause-at", choices=STAGES)
    ap.add_argument("--wait", action="store_true")
    a = ap.parse_args(argv)
    from storage.db import get_engine

    engine = get_engine(a.db)
    if a.pause_at:
        pause_hooks(a.pause_at)
    with engine.connect() as c:  # connect before the start signal, like a running app
        c.exec_driver_sql("SELECT 1")
    if a.wait:
        print("READY", flush=True)
        sys.stdin.readline()
    res = store(engine, sha=a.sha, partner=a.partner, period=a.period, rows=a.rows, seed=a.seed)
    print(json.dumps({"status": res.status, "submission_id": res.submission_id, "replaced": res.replaced}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
