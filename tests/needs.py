"""What a test needs from the machine (Chromium, nginx, LibreOffice, PostgreSQL): where it is missing the test
is skipped LOUDLY, and where CI requires it (``OUTCOMES_REQUIRE_*=1``, set by ``.ci/run``) it fails instead."""

from __future__ import annotations

import os

import pytest


def need(ok: bool, missing: str, *, flag: str) -> None:
    """Go on if ``ok``; otherwise fail when ``flag`` is set to 1, or skip saying ``missing`` loudly."""
    if ok:
        return
    if os.environ.get(flag) == "1":
        pytest.fail(f"{missing} ({flag}=1 requires it, so this is a failure)", pytrace=False)
    pytest.skip(f"SKIPPED LOUDLY: {missing}")
