"""Benchmark steps that run inside their own process and print JSON timings.

    python -m benchmarks.steps indicators --db URL --what period|trend --end YYYY-MM-DD --months N
    python -m benchmarks.steps pages --db URL [--only PAGE] [--rounds N]
    python -m benchmarks.steps overview-pair --sample URL --regional URL [--rounds N]
    python -m benchmarks.steps pack --db URL --end YYYY-MM-DD

Times printed here leave out the interpreter's start-up and imports, which are the
same for every scale; the caller measures the whole process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def indicators(*, db: str, what: str, end: date, months: int) -> dict:
    """All indicators for the month ending ``end`` or for each of the ``months`` months up to it."""
    import metrics
    from core.periods import add_months, monthly, parse
    from storage.db import ensure_schema

    engine = ensure_schema(db)
    last = parse(end.strftime("%Y-%m"))
    started = time.perf_counter()
    if what == "period":
        result = metrics.compute_indicators(engine=engine, period=last, public=True)
        cells = len(result.results)
    else:
        periods = monthly(add_months(last.start, 1 - months), last.end)
        frame = metrics.trend(engine=engine, periods=periods, public=True)
        cells = len(frame)
    return {"step": f"indicators-{what}", "seconds": time.perf_counter() - started, "results": cells}


def _app(role: str, partner: str | None = None):
    """The app as one of the demo accounts (a partner signs in under the partner's code)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    from storage import sessions
    from storage.db import database_url, ensure_schema

    at.session_state["auth_session"], _ = sessions.start(
        ensure_schema(database_url()), username=partner or role, method="password"
    )
    return at


def _empty_caches() -> None:
    """Every cache a cold render starts without: Streamlit's, the shared tables and the publications."""
    import streamlit as st

    from metrics import api, compute

    st.cache_data.clear()
    st.cache_resource.clear()
    compute.SHARED.clear()
    api.PUBLICATIONS.clear()  # each financial year's protected publication


def _failed(at) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def pages(*, db: str, only: list[str] | None = None, rounds: int = 1) -> list[dict]:
    """Cold render and warm rerun of every page (or ``only`` these), each with empty caches at the start.

    With ``rounds``, every page is measured that many times, the pages in turn each round, and the median
    cold and warm times are reported (a cold render varies by up to a third between runs here).
    """
    import statistics

    from metrics import permissions
    from ui import navigation

    _app("chair").run()  # imports every module once: a cold page is then only its own work
    measured: dict[str, dict] = {}
    for _round in range(rounds):
        for p in navigation.PAGES:
            if only and p.key not in only:
                continue
            role = next(r for r in ("chair", "admin", "partner") if permissions.may_open(r, p.key))
            at = _app(role, "aspirations" if role == "partner" else None)
            if not p.default:
                at.run()  # lands on the role's first page; the page under test opens from there
            _empty_caches()
            started = time.perf_counter()
            if p.default:
                at.run()
            else:
                at.switch_page(p.file).run()
            cold = time.perf_counter() - started
            started = time.perf_counter()
            at.run()
            warm = time.perf_counter() - started
            m = measured.setdefault(
                p.key, {"step": f"page-{p.key}", "page": p.key, "role": role, "colds": [], "warms": [], "errors": []}
            )
            m["colds"].append(cold)
            m["warms"].append(warm)
            m["errors"] += [e for e in _failed(at) if e not in m["errors"]]
    return [
        {**m, "cold": statistics.median(m["colds"]), "warm": statistics.median(m["warms"])} for m in measured.values()
    ]


def overview_pair(*, sample: str, regional: str, rounds: int) -> dict:
    """The overview's cold render on the ``sample`` and the ``regional`` database, one after the other in each
    round, in one process: each round's ratio compares two renders made seconds apart.

    Separate runs drift too far for a ratio: here one process rendered the sample overview in 0.6 s
    throughout and another, minutes later, in 1.0 s. The order alternates between rounds, so neither database
    is always rendered first. Reports the median of each database's renders and of the rounds' ratios.
    """
    import statistics

    dbs = {"sample": sample, "regional": regional}
    for url in dbs.values():  # imports every module, and migrates each database, before anything is timed
        os.environ["OUTCOMES_DATABASE_URL"] = url
        _app("chair").run()
    colds: dict[str, list[float]] = {k: [] for k in dbs}
    errors: list[str] = []
    for i in range(rounds):
        for name in list(dbs) if i % 2 == 0 else list(dbs)[::-1]:
            os.environ["OUTCOMES_DATABASE_URL"] = dbs[name]
            at = _app("chair")
            _empty_caches()
            started = time.perf_counter()
            at.run()
            colds[name].append(time.perf_counter() - started)
            errors += [f"{name}: {e}" for e in _failed(at) if f"{name}: {e}" not in errors]
    ratios = [r / s for s, r in zip(colds["sample"], colds["regional"], strict=True)]
    return {
        "step": "overview-pair",
        "rounds": rounds,
        "colds": colds,
        "cold": {k: statistics.median(v) for k, v in colds.items()},
        "ratios": ratios,
        "ratio": statistics.median(ratios),
        "errors": errors,
    }


def pack(*, db: str, end: date) -> list[dict]:
    """The restricted and the public meeting pack for the latest complete quarter up to ``end``, as the Reports
    page builds them (browser started first, then gather, charts, drawing, the document), each phase timed."""
    from datetime import timedelta

    import metrics
    from reports.data import gather
    from reports.export import build
    from reports.figures import indicator_charts
    from reports.render import BrowserSession, chromium_path
    from storage.db import ensure_schema

    if chromium_path() is None:
        return [{"step": "pack", "skipped": "Chromium is missing: charts cannot be drawn"}]
    engine = ensure_schema(db)
    period = metrics.default_period(today=end + timedelta(days=1))
    out = []
    for public in (False, True):
        started = time.perf_counter()
        session = BrowserSession()
        try:
            data = gather(engine=engine, period=period, public=public)
            gathered = time.perf_counter()
            charts = len(indicator_charts(data).figures)
            content = build(kind="pack", data=data, session=session).content
        finally:
            session.close()
        done = time.perf_counter()
        out.append(
            {
                "step": f"pack-{'public' if public else 'restricted'}",
                "period": period.code(),
                "seconds": done - started,
                "gather_seconds": gathered - started,
                "charts": charts,
                "bytes": len(content),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.steps")
    sub = ap.add_subparsers(dest="command", required=True)
    ind = sub.add_parser("indicators")
    ind.add_argument("--db", required=True)
    ind.add_argument("--what", choices=("period", "trend"), required=True)
    ind.add_argument("--end", type=date.fromisoformat, required=True)
    ind.add_argument("--months", type=int, default=36)
    pg = sub.add_parser("pages")
    pg.add_argument("--db", required=True)
    pg.add_argument("--only", action="append", help="a page key (repeat for several; default: every page)")
    pg.add_argument("--rounds", type=int, default=1, help="measure every page this many times; report medians")
    pair = sub.add_parser("overview-pair")
    pair.add_argument("--sample", required=True, help="the sample database's URL")
    pair.add_argument("--regional", required=True, help="the regional database's URL")
    pair.add_argument("--rounds", type=int, default=11, help="render the overview on each this many times")
    pk = sub.add_parser("pack")
    pk.add_argument("--db", required=True)
    pk.add_argument("--end", type=date.fromisoformat, required=True, help="the last day of data held")
    args = ap.parse_args(argv)
    if args.command == "pack":
        rows = pack(db=args.db, end=args.end)
    elif args.command == "indicators":
        rows = [indicators(db=args.db, what=args.what, end=args.end, months=args.months)]
    elif args.command == "overview-pair":
        rows = [overview_pair(sample=args.sample, regional=args.regional, rounds=args.rounds)]
    else:
        os.environ["OUTCOMES_DATABASE_URL"] = args.db
        rows = pages(db=args.db, only=args.only, rounds=args.rounds)
    for r in rows:
        print(json.dumps(r, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
