"""Command line: ``python -m data_loaders ingest FILE... --partner CODE [--period P] [--db URL] [--dry-run] [--json]``.

Exit status: 0 when every file was accepted or a duplicate, 1 when any was
rejected (the others are still loaded, each in its own transaction), 2 for a
usage error (unknown partner, a period we cannot read, a missing file, bad
arguments).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_loaders.ingest import FileReport


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m data_loaders", description="Load partners' data returns.")
    sub = ap.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="validate and load one or more files")
    ing.add_argument("files", nargs="+", metavar="FILE")
    ing.add_argument("--partner", required=True, help="partner code, e.g. aspirations")
    ing.add_argument("--period", help="2026-04, 2026-27-Q1 or 2026-04-01..2026-06-30 (default: from the file)")
    ing.add_argument("--db", help="SQLAlchemy URL (default: OUTCOMES_DATABASE_URL, else the embedded SQLite file)")
    ing.add_argument("--dry-run", action="store_true", help="check and report; change nothing")
    ing.add_argument("--json", action="store_true", help="one JSON object per file, one per line")
    ing.add_argument("--loaded-by", help="who is loading (default: cli:<your user name>)")
    ing.add_argument("--verbose", action="store_true", help="print progress to standard error")
    return ap


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in some containers
        return "unknown"


def readable(report: FileReport) -> str:
    """A plain report of one file for people."""
    period = f", {report.period.label()}" if report.period else ""
    verb = {"accepted": "ACCEPTED", "duplicate": "ALREADY LOADED", "rejected": "REFUSED"}[report.status]
    if report.dry_run:
        verb = f"DRY RUN, would be {verb.lower()}"
    lines = [f"{report.file}: {verb} (partner {report.partner}{period})"]
    for s in report.sheets:
        lines.append(f"  sheet '{s['sheet']}': {s['return']}, {s['rows']} row(s)" + (" (nil return)" if not s["rows"]
                                                                                     else ""))
    for e in report.errors:
        where = ", ".join(x for x in (f"sheet '{e['sheet']}'" if e["sheet"] else "",
                                      f"row {e['row']}" if e["row"] else "",
                                      f"column '{e['column']}'" if e["column"] else "") if x)
        lines.append(f"  error: {where + ': ' if where else ''}{e['message']}")
    for w in report.warnings:
        lines.append(f"  note: {w}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Imported after the arguments are read: a usage error answers at once.
    from data_loaders.ingest import UsageError, ingest_file, resolve_partner, resolve_period

    try:
        resolve_partner(args.partner)
        period = resolve_period(args.period)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    paths = [Path(f) for f in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    from storage.db import database_url, ensure_schema

    try:
        engine = ensure_schema(database_url(args.db))
    except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable server is a usage problem
        print(f"error: cannot open the database: {type(exc).__name__}", file=sys.stderr)
        return 2
    loaded_by = args.loaded_by or f"cli:{_user()}"
    progress = (lambda f, m: print(f"progress {f:.2f} {m}", file=sys.stderr, flush=True)) if args.verbose else None
    worst = 0
    for path in paths:
        try:
            content = path.read_bytes()
        except OSError as exc:
            print(f"error: cannot read {path}: {exc.strerror}", file=sys.stderr, flush=True)
            worst = 1
            continue
        try:
            report = ingest_file(engine=engine, content=content, file_name=path.name,
                                 partner=args.partner, period=period, loaded_by=loaded_by, dry_run=args.dry_run,
                                 progress=progress)
        except Exception as exc:  # noqa: BLE001 - a database failure: say so plainly, carry on with the next file
            print(f"error: {path.name} was not loaded: the database refused the change ({type(exc).__name__}); "
                  "nothing of this file was stored.", file=sys.stderr, flush=True)
            worst = 1
            continue
        if args.json:
            print(json.dumps(report.to_json(), ensure_ascii=False), flush=True)
        else:
            print(readable(report), flush=True)
        if report.status == "rejected":
            worst = 1
    return worst
