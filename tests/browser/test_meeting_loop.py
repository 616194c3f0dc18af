"""The whole meeting loop in a real browser (Playwright driving headless Chromium).

A partner writes commentary on a red indicator; the chair sets up a meeting, raises an action and signs
off the period; a correction loaded later shows as "revised since sign-off", on the pages and in the restricted
workbook downloaded from the Reports page (the public one names the sign-off only). Then the clock moves on five
weeks (``OUTCOMES_TODAY``, a second server on the same database): the next meeting's overview shows the
action overdue, its owner marks it done, and what feeds the pack lists it done.

Skips loudly when Chromium is missing; fails instead when OUTCOMES_REQUIRE_CHROMIUM=1 (CI).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from core import clock
from core.periods import fy_of, latest_complete_quarter
from tests.browser.server import app
from tests.browser.test_app_in_browser import ARGS, CHROMIUM, SHOTS, _log_in, _need_chromium, _settle
from tests.pages import sample_db

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = clock.today()
LATER = TODAY + timedelta(days=35)  # after the action's four weeks: the next meeting
PERIOD = latest_complete_quarter(TODAY)  # the period the pages open on
ACTION = "Ask the church hall for a second room on Thursdays"
COMMENT = "Fewer women came because two sessions were lost to repairs."


@pytest.fixture(scope="module")
def loop_db(tmp_path_factory):
    """The page tests' returns, with a target for ENG-01 the period cannot reach: a red indicator of the partner's."""
    _need_chromium()
    from storage.db import ensure_schema
    from storage.repository import write_target

    url = f"sqlite:///{tmp_path_factory.mktemp('loop') / 'loop.db'}"
    sample_db.build(url)
    write_target(
        ensure_schema(url), financial_year=fy_of(PERIOD.end), indicator_id="ENG-01", value=10_000, set_by="test"
    )
    return url


@pytest.fixture(scope="module")
def browser():
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _nav(page, title: str) -> None:
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click()
    _settle(page)


def _pick(page, key: str, option: str) -> None:
    """Choose ``option`` in the selectbox with widget key ``key``."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.click()
    box.press_sequentially(option[:12])
    box.press("Enter")


def _form(page, widget_key: str):
    """The form holding the widget with key ``widget_key``."""
    return page.locator("[data-testid='stForm']").filter(has=page.locator(f".st-key-{widget_key}"))


def _correction_file(tmp_path: Path) -> Path:
    """A corrected attendance return for the period's last month: far fewer women than first sent."""
    last = PERIOD.months()[-1]
    path = tmp_path / f"attendance_{last:%Y-%m}.csv"
    path.write_text(
        "session_date,person_id,services_used\n"
        f"{last.replace(day=2):%d/%m/%Y},P0001,food\n{last.replace(day=9):%d/%m/%Y},P0002,food\n",
        encoding="utf-8",
    )
    return path


def _download(page, key: str, tmp_path: Path):
    """Click the download button with widget key ``key``; the workbook it gives."""
    from openpyxl import load_workbook

    with page.expect_download(timeout=180_000) as got:
        page.locator(f".st-key-{key} button").first.click()
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    return load_workbook(path)


def test_the_meeting_loop_in_a_browser(loop_db, browser, tmp_path):
    from metrics import meetings as loop
    from storage.db import ensure_schema

    engine = ensure_schema(loop_db)
    with app(database_url=loop_db, OUTCOMES_TODAY=TODAY.isoformat()) as base:
        # A partner writes commentary on its red indicator, listed as needing commentary on its landing page.
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        _log_in(page, base, "aspirations")
        body = page.inner_text("body")
        assert "Commentary needed" in body and "Women engaged (ENG-01): off target" in body
        form = _form(page, "comment-text-ENG-01")
        form.locator("textarea").fill("Call P0042 about it")
        form.get_by_role("button", name="Save commentary").click()
        _settle(page)
        assert "looks like it holds a person reference" in page.inner_text("body")
        assert "P0042" not in page.inner_text("body")
        form.locator("textarea").fill(COMMENT)
        form.get_by_role("button", name="Save commentary").click()
        page.get_by_text("Commentary saved.").wait_for(timeout=120_000)
        page.screenshot(path=str(SHOTS / "loop-partner-commentary.png"), full_page=True)
        page.close()

        # The chair sees it beside the attention item, sets up a meeting, raises an action and signs off.
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        _log_in(page, base, "chair")
        assert COMMENT in page.inner_text("body")
        _nav(page, "Meetings and actions")
        page.get_by_role("button", name="Set up the meeting").click()
        page.get_by_text("Meeting set up.").wait_for(timeout=120_000)
        _settle(page)
        page.locator(".st-key-action-text textarea").fill(ACTION)
        _pick(page, "action-partner", "Aspirations (drop-in and outreach charity)")
        page.get_by_role("button", name="Raise the action").click()
        page.get_by_text("Action raised.").wait_for(timeout=120_000)
        _settle(page)
        page.get_by_role("button", name="Sign off these figures").click()
        page.get_by_text(re.compile("signed off\\.$")).first.wait_for(timeout=120_000)
        _settle(page)
        assert "Signed off by the chair" in page.inner_text("body")
        page.close()
        assert [a["status"] for a in loop.actions(engine) if a["text"] == ACTION] == ["open"]

        # A correction for the signed-off period, loaded later by the partner: "revised since sign-off".
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        _log_in(page, base, "aspirations")
        _nav(page, "Upload returns")
        page.locator("input[type='file']").set_input_files(str(_correction_file(tmp_path)))
        _settle(page)
        page.get_by_role("button", name="Check files").click()
        page.get_by_text("Ready to load").wait_for(timeout=120_000)
        page.get_by_role("button", name=re.compile("Confirm and load 1 file")).click()
        page.get_by_text("Loaded. Every page").wait_for(timeout=120_000)
        _nav(page, "Commentary")
        assert "Revised since sign-off: " + f"{PERIOD.months()[-1]:%b %Y}" in page.inner_text("body")
        page.close()
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        _log_in(page, base, "chair")
        body = page.inner_text("body")
        assert "Revised since sign-off" in body and "changed" in body  # the changes: tests/pages/test_meetings.py
        page.screenshot(path=str(SHOTS / "loop-revised.png"), full_page=True)
        # The exports say it too: the restricted workbook lists each change; the public one only the sign-off.
        _nav(page, "Reports and exports")
        restricted, public = (_download(page, f"dl-workbook-{v}", tmp_path) for v in ("restricted", "public"))
        assert "Revised since sign-off" in restricted.sheetnames
        changed = [r[0] for r in restricted["Revised since sign-off"].iter_rows(min_row=2, values_only=True)]
        assert "ENG-04" in changed  # far fewer women at the last month's sessions
        assert "Revised since sign-off" not in public.sheetnames
        about = " ".join(str(c.value) for c in public["About"]["A"])
        assert "as they stood when the chair signed off" in about and "evised" not in about
        page.close()

    # Five weeks on: the next meeting opens on the overdue action; its owner marks it done.
    with app(database_url=loop_db, OUTCOMES_TODAY=LATER.isoformat()) as base:
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        _log_in(page, base, "chair")
        assert "1 open action, 1 overdue." in page.inner_text("body")
        page.close()

        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        _log_in(page, base, "aspirations")
        form = _form(page, "update-note-ours")
        form.get_by_text("Done", exact=True).click()
        page.locator(".st-key-update-note-ours input").fill("A second room is booked from next month")
        form.get_by_role("button", name="Save the update").click()
        page.get_by_text("Action updated.").wait_for(timeout=120_000)
        page.close()

    [done] = [a for a in loop.actions(engine, today=LATER) if a["text"] == ACTION]
    assert done["status"] == "done" and done["notes"][-1]["noted_on"] == LATER
    items = loop.pack_items(engine, period=PERIOD, today=LATER)  # what feeds the pack's actions section
    assert [a["status"] for a in items.actions if a["text"] == ACTION] == ["done"]
    assert items.signoff is not None and not items.revised  # a public pack: the signed-off figures, no revision
    assert loop.pack_items(engine, period=PERIOD, today=LATER, public=False).revised  # the group's own pack
