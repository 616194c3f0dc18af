"""The app in a real browser (Playwright driving headless Chromium): sign-in, every page, upload, reload.

Skips loudly when Chromium is missing; fails instead when OUTCOMES_REQUIRE_CHROMIUM=1 (CI).
Screenshots of every page go to /tmp/outcomes-screens/ for a person to look at.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from core import clock
from core.periods import add_months, month_start
from tests.browser.server import app
from tests.needs import need
from tests.pages import sample_db
from ui import navigation

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("OUTCOMES_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path("/tmp/outcomes-screens")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROLES = ["chair", "commissioner", "aspirations", "author", "admin"]
# The roles whose every page is opened in Chromium: exact figures, published figures and a partner's. The
# others open their own menu and the pages none of these has (every page, for every role, runs in AppTest).
FULL = ("chair", "commissioner", "aspirations")


def _role(username: str) -> str:
    return "partner" if username == "aspirations" else username


def _need_chromium() -> None:
    reason = None
    if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
        reason = f"Chromium not found at {CHROMIUM}: the real-browser tests did NOT run"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed: the real-browser tests did NOT run"
    need(reason is None, reason or "", flag="OUTCOMES_REQUIRE_CHROMIUM")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app under ``streamlit run`` on a free port, on a database built by code."""
    _need_chromium()
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    sample_db.build(url)
    with app(database_url=url, log=tmp_path_factory.mktemp("log") / "streamlit.log") as base:
        SHOTS.mkdir(parents=True, exist_ok=True)
        yield base


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _settle(page) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_timeout(800)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)
    page.wait_for_timeout(500)


def _log_in(page, base: str, username: str) -> None:
    page.goto(base + "/")
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for(timeout=120_000)
    _settle(page)
    _session_cookie(page.context)  # handed over by the page right after sign-in


def _session_cookie(context, timeout: float = 30) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [c for c in context.cookies() if c["name"] == "outcomes_session"]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("the session cookie was not set")


def test_only_the_login_form_before_login(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/")
    page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
    _settle(page)
    assert page.get_by_role("textbox", name="Password").is_visible()
    assert page.get_by_role("button", name="Log in").is_visible()
    body = page.inner_text("body")
    assert "Women engaged" not in body and "Meeting overview" not in body
    assert page.locator("[data-testid='stSidebar']").count() == 0 or "Data returns" not in body
    assert "Sample data" in body
    page.goto(server + "/engagement")  # a page's address shows nothing before sign-in either
    page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
    assert "Women engaged" not in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "login.png"))
    page.close()


@pytest.mark.parametrize("username", ROLES)
def test_each_role_opens_every_page_offered(server, browser, username):
    page = browser.new_page(viewport={"width": 1440, "height": 1100})
    _log_in(page, server, username)
    role = _role(username)
    offered = navigation.pages_for(role)
    links = page.locator("[data-testid='stSidebarNav'] a")
    titles = sorted(links.all_inner_texts())
    assert sorted(t.strip().splitlines()[-1] for t in titles) == sorted(p.title for p in offered)
    seen = {p.key for r in FULL for p in navigation.pages_for(_role(r))}
    opened = offered if username in FULL else [p for p in offered if p.key not in seen]
    for p in opened:
        page.locator("[data-testid='stSidebarNav'] a", has_text=p.title).first.click()
        _settle(page)
        body = page.inner_text("body")
        assert "Something went wrong" not in body, f"{p.title} failed for {username}"
        assert "not available to your account" not in body
        assert "Sample data" in body
        page.screenshot(path=str(SHOTS / f"{username}-{p.key}.png"))
    if role == "partner":
        body = page.inner_text("body")
        assert "Women engaged" not in body
    page.close()


def test_reload_keeps_the_user_signed_in_and_log_out_ends_it(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    _log_in(page, server, "commissioner")
    cookie = _session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["expires"] > time.time() + 3600
    assert not cookie["secure"]  # plain HTTP in this test; Secure whenever the request came over HTTPS
    assert "outcomes_session" not in page.evaluate("document.cookie")  # page script cannot read it
    page.reload()
    page.get_by_role("button", name="Log out").wait_for(timeout=120_000)
    _settle(page)
    assert "Meeting overview" in page.inner_text("body")
    assert page.get_by_role("textbox", name="Username").count() == 0
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
    page.wait_for_url(re.compile(r"^[^?]*/$"), timeout=30_000)
    _settle(page)
    assert not [c for c in context.cookies() if c["name"] == "outcomes_session"]  # cleared by /session/end
    page.reload()
    page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
    assert "Meeting overview" not in page.inner_text("body")
    context.close()


def test_sign_out_in_one_browser_ends_the_session_in_another_at_its_next_click(server, browser):
    first = browser.new_context(viewport={"width": 1400, "height": 900})
    page = first.new_page()
    _log_in(page, server, "chair")
    # Another device holding the same cookie (copied), and a separate sign-in of the same account.
    copied = browser.new_context(viewport={"width": 1400, "height": 900})
    copied.add_cookies([_session_cookie(first)])
    other = browser.new_context(viewport={"width": 1400, "height": 900})
    tabs = [copied.new_page(), other.new_page()]
    tabs[0].goto(server + "/")
    _log_in(tabs[1], server, "chair")
    for tab in tabs:
        tab.get_by_role("button", name="Log out").wait_for(timeout=120_000)
        _settle(tab)
        assert "Meeting overview" in tab.inner_text("body")
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
    for tab in tabs:  # no reload: the next click in the open tab
        tab.locator("[data-testid='stSidebarNav'] a", has_text="Engagement").first.click()
        tab.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
        _settle(tab)
        body = tab.inner_text("body")
        assert "Women engaged" not in body and "signed out" in body
    for context in (first, copied, other):
        context.close()


def test_a_forged_cookie_signs_no_one_in(server, browser):
    context = browser.new_context()
    host = re.sub(r"^https?://", "", server).split(":")[0]
    context.add_cookies(
        [{"name": "outcomes_session", "value": "eyJ1IjoiY2hhaXIifQ.forged.signature", "domain": host, "path": "/"}]
    )
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_role("textbox", name="Username").wait_for(timeout=120_000)
    assert page.get_by_role("button", name="Log out").count() == 0
    context.close()


def test_partner_uploads_a_file(server, browser, tmp_path):
    m = add_months(month_start(clock.today()), -1)
    file = tmp_path / f"feedback_{m:%Y-%m}.csv"
    file.write_text(
        "survey_date,person_id,feel_heard,feel_safe,service_helpful\n"
        f"{m:%d/%m/%Y},,5,4,5\n{m.replace(day=2):%d/%m/%Y},P0007,4,4,4\n",
        encoding="utf-8",
    )
    page = browser.new_page(viewport={"width": 1440, "height": 1400})
    _log_in(page, server, "aspirations")
    page.locator("[data-testid='stSidebarNav'] a", has_text="Upload returns").first.click()
    _settle(page)
    page.locator("input[type='file']").set_input_files(str(file))
    _settle(page)
    assert page.get_by_role("textbox", name=f"Period for {file.name}").input_value() == f"{m:%Y-%m}"
    page.get_by_role("button", name="Check files").click()
    _settle(page)
    page.get_by_text("Ready to load").wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "upload-dry-run.png"), full_page=False)
    page.get_by_role("button", name=re.compile("Confirm and load 1 file")).click()
    page.get_by_text("Loaded. Every page").wait_for(timeout=120_000)
    page.screenshot(path=str(SHOTS / "upload-loaded.png"), full_page=False)
    assert file.name in page.inner_text("body")
    page.close()
