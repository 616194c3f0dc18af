"""Command line: ``python -m data_loaders ingest FILE... --partner CODE [--period P] [--db URL] [--dry-run] [--json]
[--workers N]``.

Several files are checked side by side (``--workers`` processes, default one per CPU) and stored one at a
time, in the order given, by this process: checking is pure and takes most of the time; storing must stay
in order, because a later file replaces an earlier one's rows.

Exit status: 0 when every file was accepted or a duplicate, 1 when any was
rejected (the others are still loaded, each in its own transaction), 2 for a
usage error (unknown partner, a period we cannot read, a missing file, bad
arguments).
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import itertools
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_loaders.checking import ValidatedFile
    from data_loaders.ingest import FileReport


# Files given to the checking processes ahead of the one being stored, for each process: a checked file waits
# in memory, so this bounds memory however many files there are.
AHEAD = 4


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
    ing.add_argument(
        "--workers",
        type=_positive,
        default=None,
        help="processes that check files side by side (default: one per CPU; 1 checks them all in this process)",
    )
    return ap


def _positive(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _progress(fraction: float, message: str) -> None:
    print(f"progress {fraction:.2f} {message}", file=sys.stderr, flush=True)


def _check(path: Path, *, partner: str, period, verbose: bool) -> tuple[bytes | None, ValidatedFile | str]:
    """Read and check one file: its bytes and the check, or (None, why it could not be read)."""
    from data_loaders.checking import validate_file

    try:
        content = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror}"
    return content, validate_file(
        content=content, file_name=path.name, partner=partner, period=period, progress=_progress if verbose else None
    )


def _checking(
    pool: ProcessPoolExecutor | None, workers: int, paths: list[Path], check: Callable[[Path], tuple]
) -> Iterator[tuple]:
    """(content, check) for each file, in order. With a pool, ``AHEAD`` files per process are given to it at
    once (its processes start now), and one more each time the caller takes one."""
    if pool is None:
        return map(check, paths)
    ahead = AHEAD * workers
    given = deque((path, _give(pool, check, path)) for path in paths[:ahead])
    return _in_order(pool, given, iter(paths[ahead:]), check)


def _give(pool: ProcessPoolExecutor, check: Callable[[Path], tuple], path: Path) -> Future | None:
    try:
        return pool.submit(check, path)
    except BrokenProcessPool:
        return None  # checked in this process when its turn comes


def _in_order(
    pool: ProcessPoolExecutor, given: deque, waiting: Iterator[Path], check: Callable[[Path], tuple]
) -> Iterator[tuple]:
    while given:
        path, future = given.popleft()
        for later in itertools.islice(waiting, 1):
            given.append((later, _give(pool, check, later)))
        try:
            yield check(path) if future is None else future.result()
        except BrokenProcessPool:
            # A checking process was stopped (killed, out of memory), and with it the pool: this file and
            # every other one not yet stored is checked in this process.
            yield check(path)
        except Exception as exc:  # noqa: BLE001 - never a traceback; the file is reported, not lost
            yield None, f"{path.name} could not be checked ({type(exc).__name__}); load it again."


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
        lines.append(
            f"  sheet '{s['sheet']}': {s['return']}, {s['rows']} row(s)" + (" (nil return)" if not s["rows"] else "")
        )
    for e in report.errors:
        where = ", ".join(
            x
            for x in (
                f"sheet '{e['sheet']}'" if e["sheet"] else "",
                f"row {e['row']}" if e["row"] else "",
                f"column '{e['column']}'" if e["column"] else "",
            )
            if x
        )
        lines.append(f"  error: {where + ': ' if where else ''}{e['message']}")
    for w in report.warnings:
        lines.append(f"  note: {w}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Not pandas yet: a usage error answers at once.
    from data_loaders.usage import UsageError, resolve_partner, resolve_period

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
    loaded_by = args.loaded_by or f"cli:{_user()}"
    progress = _progress if args.verbose else None
    check = partial(_check, partner=args.partner, period=period, verbose=args.verbose)
    workers = min(args.workers or _cpus(), len(paths))
    worst = 0
    from data_loaders.ingest import store_validated
    from storage.db import database_url, ensure_schema

    # The checking processes start (fork) before the database is opened: no connection is ever shared.
    with ProcessPoolExecutor(workers) if workers > 1 else contextlib.nullcontext() as pool:
        checked = _checking(pool, workers, paths, check)
        try:
            engine = ensure_schema(database_url(args.db))
        except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable server is a usage problem
            print(f"error: cannot open the database: {type(exc).__name__}", file=sys.stderr)
            if pool is not None:
                pool.shutdown(cancel_futures=True)
            return 2
        try:
            for path, (content, result) in zip(paths, checked, strict=True):
                if content is None:
                    print(f"error: {result}", file=sys.stderr, flush=True)
                    worst = 1
                    continue
                try:
                    report = store_validated(
                        engine=engine,
                        checked=result,
                        content=content,
                        loaded_by=loaded_by,
                        dry_run=args.dry_run,
                        progress=progress,
                    )
                except Exception as exc:  # noqa: BLE001 - a database failure: say so plainly, carry on
                    print(
                        f"error: {path.name} was not loaded: the database refused the change "
                        f"({type(exc).__name__}); nothing of this file was stored.",
                        file=sys.stderr,
                        flush=True,
                    )
                    worst = 1
                    continue
                if args.json:
                    print(json.dumps(report.to_json(), ensure_ascii=False), flush=True)
                else:
                    print(readable(report), flush=True)
                if report.status == "rejected":
                    worst = 1
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)  # an early stop (a closed pipe): check no more files
            engine.dispose()
    return worst
