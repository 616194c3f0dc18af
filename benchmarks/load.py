"""Many people at once: bursts of protocol-level sessions against a running server, each page checked.

    python -m benchmarks.load burst --db URL [--sessions 1,5,15,40] [--processes N] [--script serve.py]
    python -m benchmarks.load soak --db URL --seconds S --sessions N [--no-gc]

``burst``: for each count, the server (one process, or ``--processes`` behind nginx) is restarted and
that many sessions open the dashboard at once (*after a restart*), then again (*warm*), then a return is
loaded and they open it again (*after new data*). Sessions are the demo accounts in turn (chair,
commissioner, author, partner), signed in once each through the login form (``sessions.sign_in``).
Every session's page is checked against what ``metrics`` computes for that account: the headline figures
of the exact or the published view, the banner naming which, the account's own name in the sidebar and
no other's. A session showing another account's name or view, or figures that are not its own but are
another view's, is counted as *foreign*. Prints one JSON object per scenario.

``soak``: sessions rerun the overview in a loop for ``--seconds``; the server's resident memory is
sampled every second (to decide ``runner.postScriptGC``: docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import sessions
from deploy import replicas

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTS = ("chair", "commissioner", "author", "aspirations")
SECRET = "benchmark-only-cookie-secret-" + "0" * 32
_TILE = re.compile(
    r'<div class="tile-name">(.*?)(?: <span class="tile-id">.*?</span>)?</div>'
    r'<div class="tile-value">(.*?)</div>'
)
_WHO = re.compile(r"^\*\*(.+?)\*\*  \n")
EXACT = "Exact figures for the group's meeting"
PUBLISHED = "Published figures"


@dataclass(frozen=True)
class Expect:
    """What one account's landing page must show."""

    username: str
    banner: str | None  # EXACT, PUBLISHED, or None (a page without indicator figures)
    tiles: tuple[tuple[str, str], ...]  # (name, value text) of each headline tile, in order


def expected(db: str, usernames: tuple[str, ...] = ACCOUNTS) -> dict[str, Expect]:
    """Each account's landing page as ``metrics`` computes it (the default period: the latest complete quarter)."""
    import metrics
    from core import clock
    from core import formatting as fmt
    from core.periods import latest_complete_quarter
    from metrics import catalogue, permissions
    from storage.db import ensure_schema
    from storage.users import get_user

    eng = ensure_schema(db)
    period = latest_complete_quarter(clock.today())
    views = {}
    for public in (False, True):
        got = metrics.overview(engine=eng, period=period, public=public).indicators.results
        views[public] = tuple(
            (
                html.escape(r.name),
                html.escape(fmt.value_text(r.value, r.unit, suppressed=r.suppressed, status=r.status)),
            )
            for r in got
            if catalogue.by_id(r.id).headline
        )
    out = {}
    for name in usernames:
        user = get_user(eng, username=name)
        if user.role in permissions.INDICATOR_READERS:
            public = not permissions.sees_exact_figures(user)
            out[name] = Expect(name, PUBLISHED if public else EXACT, views[public])
        else:
            out[name] = Expect(name, None, ())
    eng.dispose()
    return out


def check(run: sessions.Run, mine: Expect, everyone: dict[str, Expect]) -> tuple[list[str], bool]:
    """(problems, foreign): what is wrong with a session's page, and whether it showed another account's."""
    problems: list[str] = []
    foreign = False
    names = {m.group(1) for t in run.texts if (m := _WHO.match(t))}
    if run.exceptions:
        problems.append(f"exceptions: {run.exceptions}")
    if any("Something went wrong" in t or "cannot reach its database" in t for t in run.texts):
        problems.append("the page failed")
    if names != {mine.username}:
        problems.append(f"signed in as {sorted(names) or 'nobody'}")
        foreign = foreign or bool(names - {mine.username})
    text = "\n".join(run.texts)
    if mine.banner is not None:
        other = PUBLISHED if mine.banner == EXACT else EXACT
        if mine.banner not in text:
            problems.append(f"no '{mine.banner}' banner")
        if other in text:
            problems.append(f"the '{other}' banner")
            foreign = True
    elif EXACT in text:
        problems.append("exact figures on a page that shows none")
        foreign = True
    tiles = tuple(m.groups() for m in _TILE.finditer(text))
    if tiles != mine.tiles:
        problems.append("headline figures differ from metrics")
        others = {e.tiles for e in everyone.values() if e.tiles and e.tiles != mine.tiles}
        foreign = foreign or tiles in others
    return problems, foreign


class Memory:
    """The app processes' resident memory, summed, sampled every ``every`` seconds while it runs."""

    def __init__(self, pids, every: float = 0.25):
        self.pids, self.every, self.peak = pids, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def rss_mb(pid: int) -> float:
        try:
            with open(f"/proc/{pid}/status") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
        except (OSError, StopIteration):
            return 0.0

    def now(self) -> float:
        return sum(self.rss_mb(p) for p in self.pids())

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.now())
            self._stop.wait(self.every)

    def __enter__(self) -> Memory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


async def _open(ws_url: str, cookies: dict[str, str], mine: Expect, everyone: dict[str, Expect]) -> dict:
    """One person opening the dashboard: connect, the first run, the page checked."""
    started = time.perf_counter()
    s = sessions.Session(ws_url, cookies)
    try:
        await s.connect()
        run = await s.run()
        problems, foreign = check(run, mine, everyone)
        return {
            "user": mine.username,
            "seconds": time.perf_counter() - started,
            "problems": problems,
            "foreign": foreign,
        }
    except Exception as exc:  # a failed session is a result, not the end of the benchmark
        return {
            "user": mine.username,
            "seconds": time.perf_counter() - started,
            "problems": [f"{type(exc).__name__}: {exc}"[:200]],
            "foreign": False,
        }
    finally:
        await s.close()


def burst(base: str, people: dict[str, dict[str, str]], everyone: dict[str, Expect], n: int) -> dict:
    """``n`` sessions opening the dashboard at the same moment, the accounts in turn; the timings and checks."""
    ws_url = base.replace("http://", "ws://") + "/_stcore/stream"
    names = list(people)

    async def all_at_once():
        return await asyncio.gather(
            *[_open(ws_url, people[names[i % len(names)]], everyone[names[i % len(names)]], everyone) for i in range(n)]
        )

    started = time.perf_counter()
    got = asyncio.run(all_at_once())
    wall = time.perf_counter() - started
    times = sorted(g["seconds"] for g in got)
    failed = [g for g in got if g["problems"]]
    return {
        "sessions": n,
        "median": statistics.median(times),
        "p90": _quantile(times, 0.9),
        "max": times[-1],
        "wall": wall,
        "per_second": n / wall,
        "errors": len(failed),
        "foreign": sum(g["foreign"] for g in got),
        "problems": sorted({p for g in failed for p in g["problems"]})[:10],
    }


def _quantile(sorted_times: list[float], q: float) -> float:
    """The nearest-rank quantile: of 15 sessions the p90 is the 14th slowest."""
    k = max(0, min(len(sorted_times) - 1, -(-int(q * len(sorted_times) * 1000) // 1000) - 1))
    return sorted_times[k]


def new_data(db: str, round_: int) -> None:
    """Load a return through the loader (a partner's feedback resubmitted for the period's last month)."""
    from core import clock
    from core.periods import latest_complete_quarter

    month = latest_complete_quarter(clock.today()).end.replace(day=1)
    folder = Path(tempfile.mkdtemp(prefix="outcomes-load-"))
    file = folder / f"feedback_{month:%Y-%m}.csv"
    rows = ["survey_date,person_id,feel_heard,feel_safe,service_helpful"]
    rows += [f"{month.replace(day=1 + i % 28):%d/%m/%Y},,{1 + (i + round_) % 5},4,5" for i in range(12 + round_)]
    file.write_text("\n".join(rows) + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "data_loaders",
            "ingest",
            str(file),
            "--partner",
            "aspirations",
            "--db",
            db,
            "--loaded-by",
            "benchmark",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


class Target:
    """What the sessions talk to: one app process, or several behind nginx."""

    def __init__(self, *, db: str, processes: int, script: str, extra: tuple[str, ...] = ()):
        self.processes, self.script, self.extra = processes, script, extra
        self.env = env = {
            "OUTCOMES_DATABASE_URL": db,
            "OUTCOMES_COOKIE_SECRET": os.environ.get("OUTCOMES_COOKIE_SECRET", SECRET),
        }
        self.folder = Path(tempfile.mkdtemp(prefix="outcomes-load-"))
        if processes:
            self.replicas = replicas.start(processes=processes, env=env, folder=self.folder, script=script, extra=extra)
            self.base = self.replicas.base
        else:
            self.replicas = None
            self.app = replicas.start_app(env=env, log=self.folder / "app.log", script=script, extra=extra)
            replicas.wait_for_port(self.app.port, proc=self.app.proc)
            self.base = self.app.base

    def pids(self) -> list[int]:
        apps = self.replicas.apps if self.replicas else [self.app]
        return [a.proc.pid for a in apps]

    def restart(self) -> None:
        if self.replicas:
            for i in range(len(self.replicas.apps)):
                self.replicas.restart(i)
        else:
            port = self.app.port
            replicas.stop_app(self.app)
            self.app = replicas.start_app(
                port=port, env=self.env, log=self.folder / "app.log", script=self.script, extra=self.extra
            )
            replicas.wait_for_port(port, proc=self.app.proc)

    def stop(self) -> None:
        if self.replicas:
            self.replicas.stop()
        else:
            replicas.stop_app(self.app)


def run_bursts(
    *,
    db: str,
    counts: list[int],
    processes: int,
    script: str = "serve.py",
    say=lambda m: print(m, file=sys.stderr, flush=True),
) -> list[dict]:
    """After a restart, warm and after new data, for every count: one row per scenario."""
    target = Target(db=db, processes=processes, script=script)
    where = f"{processes} processes behind nginx" if processes else "one process"
    rows = []
    try:
        people = {}
        for name in ACCOUNTS:
            cookies = sessions.sign_in(target.base, name)
            cookies.pop(sessions.ROUTE_COOKIE, None)  # each session is a browser of its own
            people[name] = cookies
        for k, n in enumerate(counts):
            for scenario in ("after a restart", "warm", "after new data"):
                if scenario == "after a restart":
                    target.restart()
                elif scenario == "after new data":
                    new_data(db, k)
                everyone = expected(db)
                with Memory(target.pids) as mem:
                    row = burst(target.base, people, everyone, n)
                row.update(
                    {"where": where, "processes": processes or 1, "scenario": scenario, "server_mb": round(mem.peak, 1)}
                )
                rows.append(row)
                say(
                    f"{where}, {scenario}, {n} sessions: median {row['median']:.2f}s, p90 {row['p90']:.2f}s, "
                    f"max {row['max']:.2f}s, errors {row['errors']}, foreign {row['foreign']}, "
                    f"server {row['server_mb']:.0f} MB"
                )
                if scenario == "after a restart":  # the warm burst must find warm caches, not a warming thread
                    burst(target.base, people, everyone, min(n, 2))
    finally:
        target.stop()
    return rows


def soak(*, db: str, seconds: float, n: int, gc: bool, script: str = "serve.py") -> dict:
    """``n`` sessions rerunning the overview for ``seconds``; memory every second, rerun times."""
    extra = () if gc else ("--runner.postScriptGC", "false")
    target = Target(db=db, processes=0, script=script, extra=extra)
    try:
        cookies = sessions.sign_in(target.base, "chair")
        commissioner = sessions.sign_in(target.base, "commissioner")
        ws_url = target.base.replace("http://", "ws://") + "/_stcore/stream"
        samples: list[tuple[float, float]] = []
        times: list[float] = []
        started = time.perf_counter()

        async def one(i: int):
            s = sessions.Session(ws_url, cookies if i % 2 == 0 else commissioner)
            await s.connect()
            while time.perf_counter() - started < seconds:
                times.append((await s.run()).seconds)
            await s.close()

        async def sample():
            while time.perf_counter() - started < seconds:
                samples.append((round(time.perf_counter() - started, 1), round(Memory.rss_mb(target.app.proc.pid), 1)))
                await asyncio.sleep(1)

        async def main():
            await asyncio.gather(sample(), *[one(i) for i in range(n)])

        asyncio.run(main())
    finally:
        target.stop()
    times.sort()
    third = max(1, len(samples) // 3)
    return {
        "step": "soak",
        "gc": gc,
        "sessions": n,
        "seconds": seconds,
        "reruns": len(times),
        "median": statistics.median(times),
        "p90": _quantile(times, 0.9),
        "max": times[-1],
        "rss_first_third_mb": statistics.median(s[1] for s in samples[:third]),
        "rss_last_third_mb": statistics.median(s[1] for s in samples[-third:]),
        "rss_max_mb": max(s[1] for s in samples),
        "samples": samples,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("burst")
    b.add_argument("--db", required=True)
    b.add_argument("--sessions", default="1,5,15,40", help="counts, comma-separated")
    b.add_argument("--processes", type=int, default=0, help="behind nginx with this many processes (0: one, direct)")
    b.add_argument("--script", default="serve.py")
    s = sub.add_parser("soak")
    s.add_argument("--db", required=True)
    s.add_argument("--seconds", type=float, default=1800)
    s.add_argument("--sessions", type=int, default=15)
    s.add_argument("--no-gc", action="store_true", help="with runner.postScriptGC off")
    args = ap.parse_args(argv)
    if args.command == "burst":
        rows = run_bursts(
            db=args.db, counts=[int(x) for x in args.sessions.split(",")], processes=args.processes, script=args.script
        )
    else:
        rows = [soak(db=args.db, seconds=args.seconds, n=args.sessions, gc=not args.no_gc)]
    for r in rows:
        print(json.dumps(r, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
