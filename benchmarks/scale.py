"""Every measurement at one scale: write the files, ingest them, compute indicators, render pages."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from benchmarks.harness import Run, python, run
from core import clock
from core.partners import partners
from core.periods import last_complete_month, month_end


def last_month() -> date:
    """The last month of every sample story (``sample_data.story.last_month``; a test keeps them equal).

    Not imported from there: this process must stay small (see ``benchmarks.harness``).
    """
    return last_complete_month(clock.today()).start


_PERIOD_IN_NAME = re.compile(r"_\d{4}-\d{2}.*$")
_BENCH_SECRET = "benchmark-only-cookie-secret-" + "0" * 32


@dataclass(frozen=True)
class Scale:
    name: str
    women: int | None  # None: the default sample story
    months: int | None
    openpyxl: bool  # also read every file with openpyxl (slow: the naive loader's yardstick)
    pages: tuple[str, ...] | None  # page keys to render; () for every page, None for none
    # Each file group's ingest and bare calamine read, this many times, interleaved: the median of each is
    # reported (one run of either drifts by a fifth on a shared machine; the target is their ratio).
    repeats: int = 1
    page_rounds: int = 1  # each page's cold render and warm rerun, this many times: the medians are reported
    pack: bool = False  # build the restricted and public meeting packs (needs Chromium)


def _pages_env() -> dict[str, str]:
    """Pages need a cookie secret like any deployment; this one signs nothing that leaves the process."""
    return {"OUTCOMES_COOKIE_SECRET": os.environ.get("OUTCOMES_COOKIE_SECRET") or _BENCH_SECRET}


def _run_dict(r: Run) -> dict:
    return {"seconds": round(r.seconds, 3), "peak_mb": round(r.peak_mb, 1), "cpu_seconds": round(r.cpu_seconds, 3)}


def _median(runs: list[Run]) -> Run:
    """The middle run by time (of an even number, the slower middle one: a whole run, memory and all)."""
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def _restore(db: Path, saved: Path) -> None:
    """The database as it was before this group's first load (the command closed it: no WAL is left)."""
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    shutil.copyfile(saved, db)


def file_groups(folder: Path) -> dict[str, list[Path]]:
    """Files by partner (the ingest command loads one partner's files at a time), each in name order."""
    codes = sorted(partners(), key=len, reverse=True)
    groups: dict[str, list[Path]] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".xlsx", ".csv")):
        partner = next(c for c in codes if _PERIOD_IN_NAME.sub("", path.stem).startswith(c + "_"))
        groups.setdefault(partner, []).append(path)
    return groups


def ingest_group(
    partner: str, paths: list[Path], *, db_file: Path, repeats: int = 1, openpyxl: bool = False
) -> tuple[dict, list[dict]]:
    """Load one partner's files with the ingest command, and read them bare, ``repeats`` times, interleaved;
    the database is put back as it was before each load after the first, so every load does the same work.

    Returns the group's entry (the median run of each) and the last load's reports.
    """
    names = [str(p) for p in paths]
    db = f"sqlite:///{db_file}"
    saved = db_file.with_name(db_file.name + ".before-group")
    loads: list[Run] = []
    reads: list[Run] = []
    if repeats > 1:
        shutil.copyfile(db_file, saved)
    try:
        for attempt in range(repeats):
            if attempt:
                _restore(db_file, saved)
            loads.append(
                run(
                    python(
                        "-m",
                        "data_loaders",
                        "ingest",
                        *names,
                        "--partner",
                        partner,
                        "--db",
                        db,
                        "--json",
                        "--loaded-by",
                        "benchmark",
                    ),
                    ok_codes=(0, 1),
                )
            )
            reads.append(run(python("-m", "benchmarks.bare", "calamine", *names)))
    finally:
        saved.unlink(missing_ok=True)
    payload = loads[-1].payload  # what the database now holds
    stored = sum(sh["rows"] for r in payload if r["status"] == "accepted" for sh in r["sheets"])
    entry = {
        "group": partner,
        "files": len(paths),
        "rows": stored,
        "ingest": _run_dict(_median(loads)),
        "calamine": _run_dict(_median(reads)),
    }
    if repeats > 1:
        entry["runs"] = {
            "ingest": [round(r.seconds, 3) for r in loads],
            "calamine": [round(r.seconds, 3) for r in reads],
        }
    if openpyxl:
        entry["openpyxl"] = _run_dict(run(python("-m", "benchmarks.bare", "openpyxl", *names)))
    return entry, payload


def measure(s: Scale, *, work: Path, say: Callable[[str], None]) -> dict:
    """Run every step at scale ``s`` in ``work``; the result is plain JSON-able data."""
    work.mkdir(parents=True, exist_ok=True)
    files = work / "files"
    db = f"sqlite:///{work / 'outcomes.db'}"
    size = [] if s.women is None else ["--women", str(s.women), "--months", str(s.months)]
    out: dict = {"women": s.women or "sample", "months": s.months or "sample"}

    write = run(python("-m", "sample_data", "write", "--out", str(files), *size))
    out["write"] = _run_dict(write)
    say(f"wrote files in {write.seconds:.1f}s")
    run(python("-m", "storage", "upgrade", "--db", db))

    groups = []
    statuses: Counter = Counter()
    rows = 0
    for partner, paths in file_groups(files).items():
        entry, payload = ingest_group(
            partner, paths, db_file=work / "outcomes.db", repeats=s.repeats, openpyxl=s.openpyxl
        )
        statuses.update(r["status"] for r in payload)
        rows += entry["rows"]
        groups.append(entry)
        say(
            f"{partner}: {len(paths)} files, {entry['rows']:,} rows: ingest {entry['ingest']['seconds']:.2f}s, "
            f"calamine {entry['calamine']['seconds']:.2f}s"
            + (f" (median of {s.repeats})" if s.repeats > 1 else "")
            + (f", openpyxl {entry['openpyxl']['seconds']:.2f}s" if s.openpyxl else "")
        )
    out["ingest"] = {"groups": groups, "statuses": dict(statuses), "rows": rows}

    run(python("-m", "ui.accounts", "demo", "--db", db))  # the pages sign in as the demo accounts
    months = str(s.months or 19)
    out["indicators"] = {}
    for what in ("period", "trend"):
        r = run(
            python(
                "-m",
                "benchmarks.steps",
                "indicators",
                "--db",
                db,
                "--what",
                what,
                "--end",
                last_month().isoformat(),
                "--months",
                months,
            )
        )
        out["indicators"][what] = {
            **_run_dict(r),
            "compute_seconds": round(r.payload[0]["seconds"], 3),
            "results": r.payload[0]["results"],
        }
        say(f"indicators {what}: {r.payload[0]['seconds']:.2f}s computing, peak {r.peak_mb:.0f} MB")
    if s.pages is not None:
        r = run(
            python(
                "-m",
                "benchmarks.steps",
                "pages",
                "--db",
                db,
                "--rounds",
                str(s.page_rounds),
                *[a for k in s.pages for a in ("--only", k)],
            ),
            env=_pages_env(),
        )
        out["pages"] = {
            "process": _run_dict(r),
            "rounds": s.page_rounds,
            "pages": [
                {
                    k: (
                        round(v, 3)
                        if isinstance(v, float)
                        else [round(x, 3) for x in v]
                        if k in ("colds", "warms")
                        else v
                    )
                    for k, v in p.items()
                }
                for p in r.payload
            ],
        }
        for p in r.payload:
            say(
                f"page {p['page']}: cold {p['cold']:.2f}s, warm {p['warm'] * 1000:.0f} ms"
                + (f", ERRORS: {len(p['errors'])}" if p["errors"] else "")
            )
    if s.pack:
        r = run(python("-m", "benchmarks.steps", "pack", "--db", db, "--end", month_end(last_month()).isoformat()))
        out["pack"] = {
            "process": _run_dict(r),
            "builds": [{k: round(v, 3) if isinstance(v, float) else v for k, v in p.items()} for p in r.payload],
        }
        for p in r.payload:
            say(
                f"{p['step']}: skipped ({p['skipped']})"
                if "skipped" in p
                else f"{p['step']} ({p['period']}, {p['charts']} charts): {p['seconds']:.2f}s "
                f"(gathering {p['gather_seconds']:.2f}s)"
            )
    out["date"] = clock.today().isoformat()
    return out


def overview_pair(*, sample: Path, regional: Path, rounds: int, say: Callable[[str], None]) -> dict:
    """The overview's cold render on the sample and the regional database, in turn, in one process (the ratio
    the issue sets a target for: see ``steps.overview_pair``)."""
    r = run(
        python(
            "-m",
            "benchmarks.steps",
            "overview-pair",
            "--sample",
            f"sqlite:///{sample / 'outcomes.db'}",
            "--regional",
            f"sqlite:///{regional / 'outcomes.db'}",
            "--rounds",
            str(rounds),
        ),
        env=_pages_env(),
    )
    p = r.payload[0]
    out = {
        "process": _run_dict(r),
        "rounds": rounds,
        "ratio": round(p["ratio"], 3),
        "ratios": [round(x, 3) for x in p["ratios"]],
        "cold": {k: round(v, 3) for k, v in p["cold"].items()},
        "colds": {k: [round(x, 3) for x in v] for k, v in p["colds"].items()},
        "errors": p["errors"],
    }
    say(
        f"overview cold render, sample and regional in turn ({rounds} rounds): {out['cold']['sample']:.2f}s and "
        f"{out['cold']['regional']:.2f}s; ratio {out['ratio']:.2f}× (median of the rounds)"
    )
    return out


def chromium_missing() -> str | None:
    """Why the load step cannot sign anyone in, if it cannot (it signs in through the login form)."""
    if not Path("/usr/bin/chromium").exists():
        return "Chromium is not installed (/usr/bin/chromium)"
    return None


def load(*, db_file: Path, work: Path, counts: list[int], processes: int, say: Callable[[str], None]) -> list[dict]:
    """Bursts of sessions after a restart, warm and after new data (``benchmarks.load``), on a copy of the
    database (the step loads returns into it). ``processes``: 0 for one process, else that many behind nginx."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / f"load-{processes}.db"
    shutil.copyfile(db_file, copy)
    r = run(
        python(
            "-m",
            "benchmarks.load",
            "burst",
            "--db",
            f"sqlite:///{copy}",
            "--sessions",
            ",".join(str(n) for n in counts),
            "--processes",
            str(processes),
        ),
        env=_pages_env(),
    )
    for row in r.payload:
        say(
            f"{row['where']}, {row['scenario']}, {row['sessions']} sessions: median {row['median']:.2f}s, "
            f"p90 {row['p90']:.2f}s, max {row['max']:.2f}s, {row['per_second']:.1f} sessions/s, "
            f"errors {row['errors']}, foreign {row['foreign']}, server {row['server_mb']:.0f} MB"
        )
    return [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()} for row in r.payload]


def soak(*, db_file: Path, work: Path, minutes: float, sessions: int, say: Callable[[str], None]) -> list[dict]:
    """The soak with and without ``runner.postScriptGC`` (``benchmarks.load soak``), one after the other."""
    out = []
    for gc in (True, False):
        copy = work / "soak.db"
        shutil.copyfile(db_file, copy)
        r = run(
            python(
                "-m",
                "benchmarks.load",
                "soak",
                "--db",
                f"sqlite:///{copy}",
                "--seconds",
                str(minutes * 60),
                "--sessions",
                str(sessions),
                *([] if gc else ["--no-gc"]),
            ),
            env=_pages_env(),
        )
        row = r.payload[0]
        say(
            f"soak {minutes:g} min, {sessions} sessions, postScriptGC {'on' if gc else 'off'}: {row['reruns']} reruns, "
            f"p90 {row['p90']:.2f}s, memory {row['rss_first_third_mb']:.0f} MB then {row['rss_last_third_mb']:.0f} MB "
            f"(max {row['rss_max_mb']:.0f} MB)"
        )
        out.append(row)
    return out
