"""Command line: ``python -m data_loaders ingest FILE... --partner CODE [--period P] [--db URL] [--dry-run] [--json]
[--workers N]``.

Several files are checked side by side (``--workers`` processes in all, default one per CPU: this one and
helpers it forks) and stored one at a time, in the order given, by this process: checking is pure and
takes most of the time; storing must stay in order, because a later file replaces an earlier one's rows.

Exit status: 0 when every file was accepted or a duplicate, 1 when any was
rejected (the others are still loaded, each in its own transaction), 2 for a
usage error (unknown partner, a period we cannot read, a missing file, bad
arguments).
"""

from __future__ import annotations

import argparse
import gc
import getpass
import json
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_loaders.checking import ValidatedFile
    from data_loaders.ingest import FileReport


# Checked files waiting to be stored, for each checking process: small files check faster than they store,
# and a checked file waits in memory, so this bounds memory however many files there are.
AHEAD = 8
# Files a helper process holds at once (one being checked, the next ones queued), so it never waits for this
# process to hand it another; the rest stay unassigned, for whichever process is free first.
IN_HAND = 3


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
                     help="processes that check files side by side, this one included (default: one per CPU; "
                          "1 checks them all here)")
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


def _helper_start(freeze: bool) -> None:
    """A helper process's first step: import the checking half (while this process imports its own)."""
    import data_loaders.checking  # noqa: F401 - imported now, in parallel with the command's imports

    _imported(freeze)


class _Checking:
    """Every file checked, in the order given: by this process and ``workers - 1`` forked helper processes.

    The helpers are forked on entering, before this process imports pandas and the database layer: they
    import the checking half on the other cores meanwhile, and no connection is ever shared with a fork. The
    caller stores the files in order, as they come; when the next file to store is not checked yet, this
    process checks a later one itself rather than wait. So every core is busy, and none is shared by more
    than one process: the process that stores, which every file waits for, never waits for a core.
    At most ``AHEAD`` files per checking process wait, checked, to be stored.
    """

    def __init__(self, paths: list[Path], *, workers: int, freeze: bool, **how) -> None:
        self._paths = paths
        self._check = partial(_check, **how)
        forking = "fork" in multiprocessing.get_all_start_methods()
        self._helpers = min(workers - 1, len(paths) - 1) if forking else 0
        self._window = AHEAD * (self._helpers + 1)
        self._freeze = freeze
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[int, Future] = {}  # files given to the helpers, by position
        self._here: dict[int, tuple[bytes | None, object]] = {}  # later files this process checked
        self._next = 0  # the first file not yet given to anyone
        self._broken = False

    def __enter__(self) -> Iterator[tuple[bytes | None, object]]:
        """Fork the helpers and give them the first files; (content, check) for each file, in order."""
        if self._helpers > 0:
            self._pool = ProcessPoolExecutor(self._helpers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_helper_start, initargs=(self._freeze,))
            # The helpers fork at the first submit, and check these while this process imports.
            self._give(consumed=0, in_hand=AHEAD * self._helpers)
        return (self._take(i) for i in range(len(self._paths)))

    def __exit__(self, *_exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)  # an early stop: check no more files

    def _give(self, *, consumed: int, in_hand: int) -> None:
        """Keep each helper holding ``IN_HAND`` files (``in_hand`` in all), within the window."""
        if self._pool is None or self._broken:
            return
        held = sum(not f.done() for f in self._futures.values())
        while held < in_hand and self._next < min(len(self._paths), consumed + self._window):
            try:
                self._futures[self._next] = self._pool.submit(self._check, self._paths[self._next])
            except BrokenProcessPool:
                self._broken = True
                return
            self._next += 1
            held += 1

    def _take(self, i: int) -> tuple[bytes | None, object]:
        while True:
            self._give(consumed=i, in_hand=IN_HAND * self._helpers)
            if i in self._here:
                return self._here.pop(i)
            future = self._futures.pop(i, None)
            if future is None:  # given to no one (every earlier file is stored): check it now
                self._next = max(self._next, i + 1)
                return self._check(self._paths[i])
            if not future.done() and not self._broken and self._next < min(len(self._paths), i + self._window):
                # Not checked yet: check the first file no one has, rather than wait for this one.
                self._futures[i] = future
                j = self._next
                self._next += 1
                self._here[j] = self._check(self._paths[j])
                continue
            try:
                return future.result()
            except BrokenProcessPool:
                # A helper was stopped (killed, out of memory), and with it the pool: which file it was
                # checking is not known, so this one and every other file given to the helpers is checked here.
                self._broken = True
                return self._check(self._paths[i])
            except Exception as exc:  # noqa: BLE001 - never a traceback; the file is reported, not lost
                return None, f"{self._paths[i].name} could not be checked ({type(exc).__name__}); load it again."


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
    # Neither pandas nor the database layer yet: a usage error answers at once, and the helper processes
    # fork before this process imports them (see ``_Checking``).
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
    worst = 0
    with _Checking(paths, workers=args.workers or _cpus(), freeze=freeze_imports, partner=args.partner,
                   period=period, verbose=args.verbose) as checked:
        # Imported while the helpers check the first files.
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
