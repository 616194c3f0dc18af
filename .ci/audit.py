"""Dependency audit: pip-audit over the project's virtualenv, with a loud, honest verdict.

Fails (exit 1) on any known vulnerability not explained in docs/deploy.md
("Known vulnerabilities"). When the vulnerability service cannot be reached,
or cannot say anything about the installed versions, it says so loudly and
does not fail, unless OUTCOMES_REQUIRE_AUDIT=1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Vulnerability IDs explained away in docs/deploy.md, "Known vulnerabilities". Keep the two in step.
IGNORED: dict[str, str] = {}


def banner(lines: list[str]) -> None:
    bar = "!" * 78
    print(bar, *(f"!! {line}" for line in lines), bar, sep="\n", file=sys.stderr)


def main() -> int:
    pip_audit = ROOT / ".venv" / "bin" / "pip-audit"
    cmd = [str(pip_audit), "--local", "--format", "json", "--progress-spinner", "off"]
    for vid in IGNORED:
        cmd += ["--ignore-vuln", vid]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return unreachable([f"pip-audit could not run: {exc}"])
    try:
        report = json.loads(res.stdout)
    except json.JSONDecodeError:
        return unreachable(
            [f"pip-audit gave no report (exit {res.returncode}):", *res.stderr.strip().splitlines()[-5:]]
        )
    deps = report.get("dependencies", [])
    audited = [d for d in deps if "skip_reason" not in d]
    vulnerable = [
        (d["name"], d["version"], v["id"], ",".join(v.get("fix_versions", [])) or "no fix yet")
        for d in audited
        for v in d.get("vulns", [])
    ]
    if vulnerable:
        banner(
            ["KNOWN VULNERABILITIES IN INSTALLED PACKAGES:"]
            + [f"{n} {ver}: {vid} (fixed in: {fix})" for n, ver, vid, fix in vulnerable]
            + ["Upgrade the package, or explain the finding in docs/deploy.md and .ci/audit.py IGNORED."]
        )
        return 1
    if not audited:
        return unreachable(
            [
                f"none of the {len(deps)} installed packages could be checked: the vulnerability "
                "service did not answer for these versions (offline or a mirror without the "
                "per-version JSON API)."
            ]
        )
    print(
        f"dependency audit: {len(audited)} packages checked, no known vulnerabilities"
        + (f"; {len(deps) - len(audited)} could not be checked" if len(deps) > len(audited) else "")
    )
    return 0


def unreachable(lines: list[str]) -> int:
    banner(
        [
            "DEPENDENCY AUDIT DID NOT RUN: NOTHING WAS CHECKED FOR KNOWN VULNERABILITIES.",
            *lines,
            "Run `make audit` on a machine that reaches pypi.org (or osv.dev) before each release.",
        ]
    )
    return 1 if os.environ.get("OUTCOMES_REQUIRE_AUDIT") == "1" else 0


if __name__ == "__main__":
    sys.exit(main())
