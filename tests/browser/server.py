"""Starting a server for the browser tests (the app under ``streamlit run``, or the OpenID Connect provider) and
waiting until it listens: one helper, on ``deploy.replicas``' own port helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deploy.replicas import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
COOKIE_SECRET = "browser-test-secret-0123456789abcdefghijkl"
START_SECONDS = 90


@contextmanager
def serving(
    command: list[str], *, port: int, what: str, env: dict | None = None, log: Path | None = None
) -> Iterator[str]:
    """Run ``command`` until the block ends; its base URL once something listens on ``port``."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_port(port, timeout=START_SECONDS, proc=proc)
        except RuntimeError as exc:
            pytest.fail(f"{what} did not start: {exc}" + (f" (log: {log})" if log else ""))
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


@contextmanager
def app(
    *, database_url: str, port: int | None = None, log: Path | None = None, extra: tuple[str, ...] = (), **env: str
) -> Iterator[str]:
    """The app (``serve.py``) on the sample database at ``database_url``; ``env`` adds settings."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "serve.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        *extra,
    ]
    full_env = {
        **os.environ,
        "OUTCOMES_DATABASE_URL": database_url,
        "OUTCOMES_SAMPLE": "1",
        "OUTCOMES_COOKIE_SECRET": COOKIE_SECRET,
        **env,
    }
    with serving(command, port=port, what="the app", env=full_env, log=log) as base:
        yield base
