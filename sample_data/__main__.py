"""Command line: ``python -m sample_data build|write|templates``.

python -m sample_data build --db URL [--out DIR] [--women N] [--months M] [--seed S]
python -m sample_data write --out DIR [--women N] [--months M] [--seed S] [--tidy]
python -m sample_data ensure --db URL   (build it unless it already ends with last month)
python -m sample_data templates --out DIR
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sample_data.story import DEFAULT_MONTHS, DEFAULT_SEED, DEFAULT_WOMEN


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--women", type=int, default=DEFAULT_WOMEN, help=f"women in the story (default {DEFAULT_WOMEN})")
    p.add_argument(
        "--months",
        type=int,
        default=DEFAULT_MONTHS,
        help=f"months of returns, ending with the last complete month (default {DEFAULT_MONTHS})",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (fixed default: same files every time)")
    p.add_argument(
        "--tidy",
        action="store_true",
        help="plain files without the deliberate untidiness (title rows, labels, notes column)",
    )


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m sample_data", description="Synthetic sample data and templates.")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the sample files and load them through the loader")
    b.add_argument("--db", required=True, help="SQLAlchemy URL of the database to load into")
    b.add_argument("--out", help="folder for the files (default: a new temporary folder)")
    _common(b)
    w = sub.add_parser("write", help="only write the files (no database)")
    w.add_argument("--out", required=True, help="folder for the files")
    _common(w)
    e = sub.add_parser("ensure", help="build the sample database unless it already ends with last month")
    e.add_argument("--db", required=True, help="SQLAlchemy URL of the sample database (a SQLite file)")
    t = sub.add_parser("templates", help="write a blank template workbook for every partner")
    t.add_argument("--out", required=True, help="folder for the templates")
    return ap


def _rows_line(rows: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in rows.items() if v)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        if args.command == "templates":
            from data_loaders.templates import write_templates

            paths = write_templates(out_dir=Path(args.out))
            print(f"Wrote {len(paths)} templates to {args.out}")
            return 0
        if args.command == "ensure":
            from sample_data.build import ensure_current_sample, sample_end

            was = sample_end(args.db)
            rebuilt, s = ensure_current_sample(db_url=args.db)
            if not rebuilt:
                print(f"The sample database is current (returns to {was:%B %Y}).")
                return 0
            print("Built the sample database" + (f" (it ended with {was:%B %Y})" if was else "") + ".")
            return 1 if s.unexpected else 0
        if args.women < 10 or args.months < 3:
            print("The sample needs at least 10 women and 3 months.", file=sys.stderr)
            return 2
        if args.command == "write":
            from sample_data.build import write_sample

            s = write_sample(out_dir=args.out, women=args.women, months=args.months, seed=args.seed, tidy=args.tidy)
            print(
                f"Wrote {len(s.files)} files ({s.total_rows:,} rows) to {s.out_dir} "
                f"in {time.perf_counter() - started:.1f}s: {_rows_line(s.rows)}"
            )
            return 0
        from sample_data.build import build_sample

        s = build_sample(
            db_url=args.db, women=args.women, months=args.months, seed=args.seed, out_dir=args.out, tidy=args.tidy
        )
    except OSError as exc:
        print(f"Could not write the files: {exc.strerror} ({exc.filename})", file=sys.stderr)
        return 2
    statuses = ", ".join(f"{n} {k}" for k, n in sorted(s.statuses.items()))
    print(f"Loaded {len(s.files)} sample files from {s.out_dir} in {time.perf_counter() - started:.1f}s: {statuses}")
    print(f"Rows: {_rows_line(s.rows)}")
    deliberate = [f for f in s.files if f.kind == "refused" and f.status == "rejected"]
    if deliberate:
        print(f"Refused on purpose (fixed and resent): {', '.join(f.name for f in deliberate)}")
    bad = s.unexpected
    for f in bad:
        print(f"  {f.name}: {f.status}, expected {f.expected_status}", file=sys.stderr)
        for e in f.errors[:5]:
            print(
                f"    sheet {e.get('sheet')} row {e.get('row')} column {e.get('column')}: {e.get('message')}",
                file=sys.stderr,
            )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
