"""Command line: ``python -m data_loaders ingest FILE... --partner CODE [--period P] [--db URL] [--dry-run] [--json]
[--workers N]``.

Several files are checked side by side in worker processes (``--workers``, default one per CPU)
and stored one at a time, in the order given, by this process: checking is pure and takes most
of the time; storing must stay in order, because a later file replaces an earlier one's rows.

Exit status: 0 when every file was accepted or a duplicate, 1 when any was
rejected (the others are still loaded, each in its own transaction), 2 for a
usage error (unknown partner, a period we cannot read, a missing file, bad
arguments).
"""

from __future__ import annotations

import argparse
import gc
import getpass
import itertools
import json
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_loaders.checking import ValidatedFile
    from data_loaders.ingest import FileReport


# Files each worker may check ahead of the one being stored. The command imports its database layer and
# opens the database while the first ones are checked, and small files check faster than they store;
# a checked file waits in memory, so this bounds memory too.
AHEAD = 8


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
    ing.add_argument("--workers", type=_positive, default=None,
                     help="processes that check files side by side (default: one per CPU; 1 checks them here)")
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
    return content, validate_file(content=content, file_name=path.name, partner=partner, period=period,
                                  progress=_progress if verbose else None)


@contextmanager
def _checking(paths: list[Path], *, workers: int, **how) -> Iterator[Iterator[tuple[bytes | None, object]]]:
    """Each file checked, in the order given: by forked worker processes when there are several files.

    Workers start on entering, before the caller opens the database, so no connection is ever
    shared with a fork; the caller stores while the workers check the next files. At most ``AHEAD``
    files per worker wait, checked, to be stored (memory stays flat however many files there are).
    """
    check = partial(_check, **how)
    if workers < 2 or len(paths) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield map(check, paths)
        return
    with ProcessPoolExecutor(min(workers, len(paths)), mp_context=multiprocessing.get_context("fork")) as pool:
        pending: deque[tuple[Path, Future]] = deque()
        queue = iter(paths)

        def refill() -> None:
            for path in itertools.islice(queue, AHEAD * workers - len(pending)):
                pending.append((path, pool.submit(check, path)))

        def results() -> Iterator[tuple[bytes | None, object]]:
            while pending:
                path, future = pending.popleft()
                try:
                    result = future.result()
                except BrokenProcessPool:
                    # A worker was stopped (killed, out of memory), and with it the pool: which file it was
                    # checking is not known, so this one and the rest are checked here, one at a time.
                    rest = [path, *(p for p, _ in pending), *queue]
                    pending.clear()
                    yield from map(check, rest)
                    return
                except Exception as exc:  # noqa: BLE001 - never a traceback; the file is reported, not lost
                    result = None, f"{path.name} could not be checked ({type(exc).__name__}); load it again."
                refill()
                yield result

        # The first submit forks every worker (before the pool's own thread starts, and before the caller
        # opens the database). Frozen, the objects that exist then are never walked by a worker's garbage
        # collector, which would copy them page by page.
        gc.freeze()
        try:
            refill()
        finally:
            gc.unfreeze()
        try:
            yield results()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # an early stop: check no more files


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


def _imported(freeze: bool) -> None:
    """For the command (``data_loaders.__main__``, which pauses the garbage collector as it starts): what is
    imported lives as long as the process, so it is frozen, never walked by a collection again (3% of a
    small load's instructions), and collecting resumes."""
    if freeze:
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None, *, freeze_imports: bool = False) -> int:
    args = _parser().parse_args(argv)
    # Imported after the arguments are read: a usage error answers at once.
    # Only the checking half here: the workers fork from this process, and need no database layer.
    from data_loaders.checking import UsageError, resolve_partner, resolve_period

    _imported(freeze_imports)

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
    worst = 0
    with _checking(paths, workers=args.workers or _cpus(), partner=args.partner, period=period,
                   verbose=args.verbose) as checked:
        # Imported while the workers check the first files.
        from data_loaders.ingest import store_validated
        from storage.db import database_url, ensure_schema

        _imported(freeze_imports)

        try:
            engine = ensure_schema(database_url(args.db))
        except Exception as exc:  # noqa: BLE001 - a bad URL or an unreachable server is a usage problem
            print(f"error: cannot open the database: {type(exc).__name__}", file=sys.stderr)
            return 2
        for path, (content, check) in zip(paths, checked, strict=True):
            if content is None:
                print(f"error: {check}", file=sys.stderr, flush=True)
                worst = 1
                continue
            try:
                report = store_validated(engine=engine, checked=check, content=content, loaded_by=loaded_by,
                                         dry_run=args.dry_run, progress=progress)
            except Exception as exc:  # noqa: BLE001 - a database failure: say so plainly, carry on with the next
                print(f"error: {path.name} was not loaded: the database refused the change "
                      f"({type(exc).__name__}); nothing of this file was stored.", file=sys.stderr, flush=True)
                worst = 1
                continue
            if args.json:
                print(json.dumps(report.to_json(), ensure_ascii=False), flush=True)
            else:
                print(readable(report), flush=True)
            if report.status == "rejected":
                worst = 1
    engine.dispose()  # every connection closed cleanly (see ``data_loaders.__main__``)
    return worst
