"""Benchmark steps that run inside their own process and print JSON timings.

    python -m benchmarks.steps indicators --db URL --what period|trend --end YYYY-MM-DD --months N
    python -m benchmarks.steps pages --db URL

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


def pages(*, db: str, only: list[str] | None = None, rounds: int = 1) -> list[dict]:
    """Cold render and warm rerun of every page (or ``only`` these), each with empty caches at the start.

    With ``rounds``, every page is measured that many times, the pages in turn each round, and the median
    cold and warm times are reported (a cold render varies by up to a third between runs here).
    """
    import statistics

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from metrics import compute
    from ui import navigation

    def app(role: str, partner: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        # The demo accounts: a partner signs in under the partner's code.
        at.session_state["auth_user"] = {"username": partner or role, "role": role, "partner": partner,
                                         "active": True}
        return at

    def failed(at: AppTest) -> list[str]:
        return [e.value for e in at.exception] + [e.value for e in at.error]

    warm_up = app("chair")
    warm_up.run()  # imports every module once: a cold page is then only its own work
    measured: dict[str, dict] = {}
    for _round in range(rounds):
        for p in navigation.PAGES:
            if only and p.key not in only:
                continue
            role = next(r for r in ("chair", "admin", "partner") if r in p.roles)
            at = app(role, "aspirations" if role == "partner" else None)
            if not p.default:
                at.run()  # lands on the role's first page; the page under test opens from there
            st.cache_data.clear()
            st.cache_resource.clear()
            compute.SHARED.clear()
            started = time.perf_counter()
            if p.default:
                at.run()
            else:
                at.switch_page(p.file).run()
            cold = time.perf_counter() - started
            started = time.perf_counter()
            at.run()
            warm = time.perf_counter() - started
            m = measured.setdefault(p.key, {"step": f"page-{p.key}", "page": p.key, "role": role, "colds": [],
                                            "warms": [], "errors": []})
            m["colds"].append(cold)
            m["warms"].append(warm)
            m["errors"] += [e for e in failed(at) if e not in m["errors"]]
    return [{**m, "cold": statistics.median(m["colds"]), "warm": statistics.median(m["warms"])}
            for m in measured.values()]


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
    args = ap.parse_args(argv)
    if args.command == "indicators":
        rows = [indicators(db=args.db, what=args.what, end=args.end, months=args.months)]
    else:
        os.environ["OUTCOMES_DATABASE_URL"] = args.db
        rows = pages(db=args.db, only=args.only, rounds=args.rounds)
    for r in rows:
        print(json.dumps(r, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
