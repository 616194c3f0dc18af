"""The targets of issues #7 and #23, checked against one run's results, and the markdown table for the README."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass

PAGE_WARM_LIMIT = 0.3
MEMORY_LIMIT_MB = 1024
PACK_LIMIT_S = 10.0  # a meeting pack at sample scale, charts and all (issue 22)


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    limit: str
    met: bool

    def as_dict(self) -> dict:
        return asdict(self)


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _total(groups: list[dict], what: str, measure: str = "seconds") -> float:
    return sum(g[what][measure] for g in groups)


def _peaks(scale: dict) -> dict[str, float]:
    """Peak memory of every step at one scale (ingest and bare reads: the largest group)."""
    out = {"ingest": max(g["ingest"]["peak_mb"] for g in scale["ingest"]["groups"])}
    out.update({f"indicators {k}": v["peak_mb"] for k, v in scale["indicators"].items()})
    if "pages" in scale:
        out["pages"] = scale["pages"]["process"]["peak_mb"]
    return out


def _page(scale: dict, key: str) -> dict:
    return next(p for p in scale["pages"]["pages"] if p["page"] == key)


def targets(results: dict) -> list[Target]:
    """Each target of the issue: measured value, limit, met or not."""
    sc = results["scales"]
    reg = sc["regional"]
    out = []
    groups = reg["ingest"]["groups"]
    ratio = _total(groups, "ingest") / _total(groups, "calamine")
    out.append(Target("ingest ÷ bare calamine read (regional)", f"{ratio:.2f}×", "≤ 1.5×", ratio <= 1.5))
    if all("openpyxl" in g for g in groups):
        faster = _total(groups, "openpyxl") / _total(groups, "ingest")
        out.append(
            Target(
                "bare openpyxl read ÷ ingest (regional)", f"{faster:.1f}×", "≥ 3× (several times faster)", faster >= 3
            )
        )
    for name, s in sc.items():
        if name == "sample":
            continue
        ind = s["indicators"]
        r = ind["trend"]["compute_seconds"] / ind["period"]["compute_seconds"]
        out.append(Target(f"36-month trend ÷ one month ({name})", f"{r:.2f}×", "≤ 3×", r <= 3))
    if "overview_pair" in results:  # renders of both, in turn, in one process: the ratio of each round
        r = results["overview_pair"]["ratio"]
        out.append(
            Target(
                "overview cold render, regional ÷ sample (in turn, median of rounds)", f"{r:.2f}×", "≤ 1.5×", r <= 1.5
            )
        )
        errors = results["overview_pair"]["errors"]
        out.append(Target("overview renders without errors (in turn)", "; ".join(errors) or "all", "all", not errors))
    elif "pages" in reg and "pages" in sc["sample"]:
        r = _page(reg, "overview")["cold"] / _page(sc["sample"], "overview")["cold"]
        out.append(Target("overview cold render, regional ÷ sample", f"{r:.2f}×", "≤ 1.5×", r <= 1.5))
    for name, s in sc.items():
        if "pages" not in s:
            continue
        slowest = max(s["pages"]["pages"], key=lambda p: p["warm"])
        out.append(
            Target(
                f"slowest warm rerun ({name}: {slowest['page']})",
                f"{slowest['warm'] * 1000:.0f} ms",
                f"< {PAGE_WARM_LIMIT * 1000:.0f} ms",
                slowest["warm"] < PAGE_WARM_LIMIT,
            )
        )
        broken = [p["page"] for p in s["pages"]["pages"] if p["errors"]]
        out.append(Target(f"pages without errors ({name})", ", ".join(broken) or "all", "all", not broken))
    for build in sc["sample"].get("pack", {}).get("builds", []):
        if "skipped" not in build:
            out.append(
                Target(
                    f"meeting pack build ({build['step'].removeprefix('pack-')}, sample, {build['charts']} charts)",
                    f"{build['seconds']:.1f} s",
                    f"< {PACK_LIMIT_S:.0f} s",
                    build["seconds"] < PACK_LIMIT_S,
                )
            )
    out += load_targets(results)
    peaks = _peaks(reg)
    if "overview_pair" in results:  # holds the regional tables too
        peaks["overview in turn"] = results["overview_pair"]["process"]["peak_mb"]
    step, peak = max(peaks.items(), key=lambda kv: kv[1])
    out.append(
        Target(
            f"peak memory, any step (regional: {step})",
            f"{peak:.0f} MB",
            f"< {MEMORY_LIMIT_MB} MB",
            peak < MEMORY_LIMIT_MB,
        )
    )
    if "national" in sc:
        nat = sc["national"]
        growth = nat["ingest"]["rows"] / reg["ingest"]["rows"]
        pairs = {"ingest time": (_total(nat["ingest"]["groups"], "ingest"), _total(groups, "ingest"))}
        for k in ("period", "trend"):
            pairs[f"indicators {k} time"] = (
                nat["indicators"][k]["compute_seconds"],
                reg["indicators"][k]["compute_seconds"],
            )
        if "pages" in nat and "pages" in reg:
            pairs["overview cold render"] = (_page(nat, "overview")["cold"], _page(reg, "overview")["cold"])
        npeaks = _peaks(nat)
        pairs.update({f"{k} memory": (npeaks[k], peaks[k]) for k in peaks if k in npeaks})
        for k, (n, r) in pairs.items():
            g = n / r
            out.append(Target(f"{k}: national ÷ regional", f"{g:.1f}×", f"≤ {growth:.1f}× (rows)", g <= growth))
    return out


# Issue #23's targets for sessions at once: (sessions, scenario, p90 limit in seconds), one process.
LOAD_P90 = (
    (15, "warm", 1.0),
    (15, "after new data", 3.5),
    (40, "warm", 3.0),
    (40, "after new data", 4.0),
    (15, "after a restart", 3.0),
)
PROXY_WARM_15_P90 = 0.5
PROXY_THROUGHPUT = 1.6
SOAK_GROWTH = 0.05  # memory over the soak's last third against its first: at most 5 % more


def _row(rows: list[dict], *, n: int, scenario: str, proxied: bool) -> dict | None:
    return next(
        (r for r in rows if r["sessions"] == n and r["scenario"] == scenario and (r["processes"] > 1) == proxied), None
    )


def load_targets(results: dict) -> list[Target]:
    """Sessions at once (issue #23): p90 limits, the proxy's gain, no errors, no foreign figures, flat memory."""
    load = results.get("load")
    out: list[Target] = []
    if not load:
        return out
    if "not_measured" in load:
        return [Target("sessions at once (load step)", f"NOT MEASURED: {load['not_measured']}", "measured", False)]
    for name, rows in load["rows"].items():
        for n, scenario, limit in LOAD_P90:
            r = _row(rows, n=n, scenario=scenario, proxied=False)
            if r:
                out.append(
                    Target(
                        f"{n} sessions at once, {scenario}, p90 ({name}, one process)",
                        f"{r['p90']:.2f} s",
                        f"< {limit:g} s",
                        r["p90"] < limit,
                    )
                )
        r = _row(rows, n=15, scenario="warm", proxied=True)
        if r:
            out.append(
                Target(
                    f"15 sessions at once, warm, p90 ({name}, {r['processes']} processes behind nginx)",
                    f"{r['p90']:.2f} s",
                    f"< {PROXY_WARM_15_P90:g} s",
                    r["p90"] < PROXY_WARM_15_P90,
                )
            )
        n = max(r["sessions"] for r in rows)
        one, many = _row(rows, n=n, scenario="warm", proxied=False), _row(rows, n=n, scenario="warm", proxied=True)
        if one and many:
            gain = many["per_second"] / one["per_second"]
            out.append(
                Target(
                    f"throughput behind nginx ÷ one process ({name}, {n} sessions, warm)",
                    f"{gain:.2f}×",
                    f"≥ {PROXY_THROUGHPUT:g}×",
                    gain >= PROXY_THROUGHPUT,
                )
            )
        errors = sum(r["errors"] for r in rows)
        foreign = sum(r["foreign"] for r in rows)
        out.append(Target(f"sessions without errors ({name}, every burst)", f"{errors} errors", "0", errors == 0))
        out.append(Target(f"sessions shown another account's figures ({name})", str(foreign), "0", foreign == 0))
    for soak in results.get("soak", []):
        growth = soak["rss_last_third_mb"] / soak["rss_first_third_mb"] - 1
        out.append(
            Target(
                f"memory over a {soak['seconds'] / 60:g}-minute soak (postScriptGC {'on' if soak['gc'] else 'off'})",
                f"{growth * 100:+.1f} %",
                f"≤ +{SOAK_GROWTH * 100:g} %",
                growth <= SOAK_GROWTH,
            )
        )
    return out


def markdown(results: dict) -> str:
    """Tables for README: per scale, each step's time and memory; then the targets."""
    m = results["machine"]
    lines = [
        f"Measured on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, Python {m['python']}, {m['system']}.",
        "",
    ]
    lines += ["| Step | " + " | ".join(results["scales"]) + " |", "|---|" + "---:|" * len(results["scales"])]

    def row(label: str, cell) -> None:
        vals = []
        for s in results["scales"].values():
            try:
                vals.append(cell(s))
            except (KeyError, StopIteration, ZeroDivisionError):
                vals.append("–")
        lines.append(f"| {label} | " + " | ".join(vals) + " |")

    row("rows loaded", lambda s: f"{s['ingest']['rows']:,}")
    row(
        "ingest (all file groups)",
        lambda s: _sec_mb(
            _total(s["ingest"]["groups"], "ingest"), max(g["ingest"]["peak_mb"] for g in s["ingest"]["groups"])
        ),
    )
    row("ingest CPU time (all processes)", lambda s: f"{_total(s['ingest']['groups'], 'ingest', 'cpu_seconds'):.2f} s")
    row(
        "bare calamine read",
        lambda s: _sec_mb(
            _total(s["ingest"]["groups"], "calamine"), max(g["calamine"]["peak_mb"] for g in s["ingest"]["groups"])
        ),
    )
    row(
        "bare openpyxl read",
        lambda s: _sec_mb(
            _total(s["ingest"]["groups"], "openpyxl"), max(g["openpyxl"]["peak_mb"] for g in s["ingest"]["groups"])
        ),
    )
    row(
        "indicators, one month",
        lambda s: _sec_mb(s["indicators"]["period"]["compute_seconds"], s["indicators"]["period"]["peak_mb"]),
    )
    row(
        "indicators, monthly trend",
        lambda s: _sec_mb(s["indicators"]["trend"]["compute_seconds"], s["indicators"]["trend"]["peak_mb"]),
    )
    keys = [p["page"] for p in next(iter(results["scales"].values())).get("pages", {}).get("pages", [])]
    for k in keys:
        row(
            f"page {k}: cold / warm",
            lambda s, k=k: "{:.2f} s / {:.0f} ms".format(_page(s, k)["cold"], _page(s, k)["warm"] * 1000),
        )
    row("pages process peak", lambda s: f"{s['pages']['process']['peak_mb']:.0f} MB")
    for kind in ("restricted", "public"):
        row(
            f"meeting pack ({kind})",
            lambda s, kind=kind: next(
                f"{b['seconds']:.2f} s" for b in s["pack"]["builds"] if b["step"] == f"pack-{kind}"
            ),
        )
    pair = results.get("overview_pair")
    if pair:
        lines += [
            "",
            f"Overview cold render, the sample and the regional data in turn in one process, "
            f"{pair['rounds']} rounds: median {pair['cold']['sample']:.2f} s and "
            f"{pair['cold']['regional']:.2f} s; each round's ratio "
            + ", ".join(f"{r:.2f}×" for r in pair["ratios"])
            + ".",
        ]
    load = results.get("load") or {}
    for name, rows in load.get("rows", {}).items():
        lines += [
            "",
            f"Sessions at once, {name} data (seconds from connecting to the page finished):",
            "",
            "| Where | Scenario | Sessions | Median | p90 | Max | Sessions/s | Errors | Foreign | Server MB |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {r['where']} | {r['scenario']} | {r['sessions']} | {r['median']:.2f} | {r['p90']:.2f} | "
            f"{r['max']:.2f} | {r['per_second']:.1f} | {r['errors']} | {r['foreign']} | {r['server_mb']:.0f} |"
            for r in rows
        ]
    lines += ["", "| Target | Measured | Limit | Met |", "|---|---:|---:|:---:|"]
    for t in results["targets"]:
        lines.append(f"| {t['name']} | {t['measured']} | {t['limit']} | {'yes' if t['met'] else '**NO**'} |")
    return "\n".join(lines) + "\n"


def _sec_mb(seconds: float, mb: float) -> str:
    return f"{seconds:.2f} s, {mb:.0f} MB"
