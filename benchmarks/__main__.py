"""``make bench``: time and memory of ingest, indicators and pages at sample, regional and national scale.

    python -m benchmarks [--out DIR] [--work DIR] [--no-national] [--women N] [--months M] [--repeats R] [--pair-rounds P]

Every step runs in its own process (peak memory is per step). Targets are ratios
measured in this one run, so a busy machine slows both sides alike; memory is absolute.
At regional scale each file group is loaded and read bare three times, interleaved, and at sample
and regional scale each page is rendered three times; the medians are kept: one run drifts by a
fifth on a shared machine. The overview's cold-render ratio comes from renders of the sample and the
regional data in turn, in one process (``--pair-rounds``), so that each ratio compares renders made
seconds apart.
Then the load step: bursts of 1, 5, 15 and 40 protocol-level sessions, roles mixed and every page
checked, after a restart, warm and after new data, on the sample and regional data, one process and
one per core behind nginx (``benchmarks.load``). ``--soak-minutes`` adds a soak with and without
``runner.postScriptGC`` (``make bench SOAK=30``).
Writes ``DIR/results.json`` and ``DIR/results.md`` and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks import report, scale


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results"), help="where results are written")
    ap.add_argument("--work", type=Path, help="folder for generated files and databases (default: temporary)")
    ap.add_argument("--women", type=int, default=2000, help="regional scale: women (default 2000)")
    ap.add_argument("--months", type=int, default=36, help="months of returns at every scale above the sample")
    ap.add_argument("--national-women", type=int, default=20000, help="national scale: women (default 20000)")
    ap.add_argument("--no-national", action="store_true", help="skip the national scale (and the linearity check)")
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="regional scale: load and bare-read each file group this many times, interleaved; sample "
        "and regional scales: render each page this many times; medians are reported (default 3)",
    )
    ap.add_argument(
        "--pair-rounds",
        type=int,
        default=11,
        help="render the overview on the sample and the regional data in turn this many times, in one "
        "process, for the cold-render ratio (default 11)",
    )
    ap.add_argument(
        "--load-sessions", default="1,5,15,40", help="the load step's burst sizes, comma-separated (default 1,5,15,40)"
    )
    ap.add_argument("--no-load", action="store_true", help="skip the load step (sessions at once)")
    ap.add_argument(
        "--load-processes",
        type=int,
        default=os.cpu_count() or 1,
        help="app processes behind nginx in the load step (default: cores)",
    )
    ap.add_argument(
        "--soak-minutes",
        type=float,
        default=0,
        help="also soak the server this long with and without runner.postScriptGC (make bench SOAK=30)",
    )
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="outcomes-bench-"))
    scales = [
        scale.Scale("sample", women=None, months=None, openpyxl=False, pages=(), page_rounds=args.repeats, pack=True),
        scale.Scale(
            "regional",
            women=args.women,
            months=args.months,
            openpyxl=True,
            pages=(),
            repeats=args.repeats,
            page_rounds=args.repeats,
        ),
    ]
    if not args.no_national:
        # Nationally only the overview is rendered: it is the page the linearity target names.
        scales.append(
            scale.Scale("national", women=args.national_women, months=args.months, openpyxl=False, pages=("overview",))
        )
    results = {"machine": report.machine(), "scales": {}}
    try:
        for s in scales:
            print(f"== {s.name} scale", flush=True)
            results["scales"][s.name] = scale.measure(s, work=work / s.name, say=lambda m: print(f"   {m}", flush=True))
        print("== overview: sample and regional in turn", flush=True)
        results["overview_pair"] = scale.overview_pair(
            sample=work / "sample",
            regional=work / "regional",
            rounds=args.pair_rounds,
            say=lambda m: print(f"   {m}", flush=True),
        )
        if not args.no_load:
            results["load"] = _load(args, work)
        if args.soak_minutes:
            print(f"== soak: {args.soak_minutes:g} minutes, with and without runner.postScriptGC", flush=True)
            results["soak"] = scale.soak(
                db_file=work / "sample" / "outcomes.db",
                work=work / "soak",
                minutes=args.soak_minutes,
                sessions=15,
                say=lambda m: print(f"   {m}", flush=True),
            )
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results["targets"] = [t.as_dict() for t in report.targets(results)]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    table = report.markdown(results)
    (args.out / "results.md").write_text(table)
    print()
    print(table)
    missed = [t for t in results["targets"] if not t["met"]]
    print(
        f"{len(results['targets']) - len(missed)} of {len(results['targets'])} targets met"
        + (": every target met." if not missed else f"; MISSED: {', '.join(t['name'] for t in missed)}")
    )
    return 1 if missed else 0


def _load(args, work: Path) -> dict:
    """Sessions at once on the sample and regional data, one process and behind nginx (``benchmarks.load``)."""
    missing = scale.chromium_missing()
    if missing:
        print(f"== load: NOT MEASURED: {missing}", flush=True)
        return {"not_measured": missing}
    counts = [int(x) for x in args.load_sessions.split(",")]
    out: dict = {"counts": counts, "processes": args.load_processes, "rows": {}}
    for name in ("sample", "regional"):
        for processes in (0, args.load_processes):
            where = f"{processes} processes behind nginx" if processes else "one process"
            print(f"== load: {name}, {where}", flush=True)
            out["rows"].setdefault(name, []).extend(
                scale.load(
                    db_file=work / name / "outcomes.db",
                    work=work / "load",
                    counts=counts,
                    processes=processes,
                    say=lambda m: print(f"   {m}", flush=True),
                )
            )
    return out


if __name__ == "__main__":
    sys.exit(main())
