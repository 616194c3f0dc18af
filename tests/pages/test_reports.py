"""The Reports page: the chair gets restricted and public files, an author only public ones, others nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.periods import Period, quarter

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "reports.py")


def _run(role: str | None, period: Period | None = None):
    from streamlit.testing.v1 import AppTest

    # Run the page through a launcher: run as the main script, pages/ would come first on sys.path and the
    # page (pages/reports.py) would hide the reports package. In the app, app.py is the main script.
    at = AppTest.from_string(f"import runpy\nrunpy.run_path({PAGE!r})", default_timeout=120)
    if role:
        at.session_state["auth_user"] = {"username": f"{role}1", "role": role, "partner": None, "active": True}
    at.session_state["period"] = period or quarter(2025, 4)
    at.run()
    return at


def _downloads(at) -> list:
    return list(at.get("download_button"))


def test_chair_gets_restricted_and_public_files_with_the_restricted_pack_first(app_env):
    at = _run("chair")
    assert not at.exception
    buttons = _downloads(at)
    assert len(buttons) == 8
    headers = [h.value for h in at.header]
    assert headers == ["Restricted: exact figures", "Public: disclosure control applied"]
    first = buttons[0].proto
    assert first.label == "Meeting pack" and first.type == "primary"


def test_author_gets_only_public_files(app_env):
    at = _run("author")
    assert not at.exception
    assert len(_downloads(at)) == 4
    assert [h.value for h in at.header] == ["Public: disclosure control applied"]
    assert "OFFICIAL-SENSITIVE" not in "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("role", ["commissioner", "partner", "admin", None])
def test_other_roles_see_no_download(app_env, role):
    at = _run(role)
    assert not at.exception
    assert _downloads(at) == []
    assert at.error or at.warning


def test_chair_with_custom_dates_gets_exact_files_and_a_refusal_for_public_ones(app_env):
    """Public figures exist for standard periods only: a quarter less its first week has none."""
    at = _run("chair", period=Period(date(2026, 1, 8), date(2026, 3, 31)))
    assert not at.exception
    assert len(_downloads(at)) == 4  # the restricted files only
    refusal = " ".join(w.value for w in at.warning)
    assert "financial-year quarter" in refusal and "8 January 2026 to 31 March 2026" in refusal
