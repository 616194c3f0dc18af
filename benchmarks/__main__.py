"""``make bench``: time and memory of ingest, indicators and pages at sample, regional and national scale.

    python -m benchmarks [--out DIR] [--work DIR] [--no-national] [--women N] [--months M] [--repeats R] [--pair-rounds P]

Every step runs in its own process (peak memory is per step). Targets are ratios
measured in this one run, so a busy machine slows both sides alike; memory is absolute.
At regional scale each file group is loaded and read bare three times, interleaved, and at sample
and regional scale each page is rendered three times; the medians are kept: one run drifts by a
fifth on a shared machine. The overview's cold-render ratio comes from renders of the sample and the
regional data in turn, in one process (``--pair-rounds``), so that each ratio compares renders made
seconds apart.
Writes ``DIR/results.json`` and ``DIR/results.md`` and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
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
    ap.add_argument("--repeats", type=int, default=3,
                    help="regional scale: load and bare-read each file group this many times, interleaved; sample "
                         "and regional scales: render each page this many times; medians are reported (default 3)")
    ap.add_argument("--pair-rounds", type=int, default=11,
                    help="render the overview on the sample and the regional data in turn this many times, in one "
                         "process, for the cold-render ratio (default 11)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="outcomes-bench-"))
    scales = [scale.Scale("sample", women=None, months=None, openpyxl=False, pages=(), page_rounds=args.repeats,
                          pack=True),
              scale.Scale("regional", women=args.women, months=args.months, openpyxl=True, pages=(),
                          repeats=args.repeats, page_rounds=args.repeats)]
    if not args.no_national:
        # Nationally only the overview is rendered: it is the page the linearity target names.
        scales.append(scale.Scale("national", women=args.national_women, months=args.months, openpyxl=False,
                                  pages=("overview",)))
    results = {"machine": report.machine(), "scales": {}}
    try:
        for s in scales:
            print(f"== {s.name} scale", flush=True)
            results["scales"][s.name] = scale.measure(s, work=work / s.name, say=lambda m: print(f"   {m}", flush=True))
        print("== overview: sample and regional in turn", flush=True)
        results["overview_pair"] = scale.overview_pair(sample=work / "sample", regional=work / "regional",
                                                       rounds=args.pair_rounds,
                                                       say=lambda m: print(f"   {m}", flush=True))
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
    print(f"{len(results['targets']) - len(missed)} of {len(results['targets'])} targets met"
          + (": every target met." if not missed else f"; MISSED: {', '.join(t['name'] for t in missed)}"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
