"""Two app processes behind a real nginx on one PostgreSQL: sticky, signed in across processes, one data version.

The end-to-end test needs nginx (Debian's package), Chromium and PostgreSQL; it skips loudly where one is
missing, and fails instead under OUTCOMES_REQUIRE_CHROMIUM=1 / OUTCOMES_REQUIRE_POSTGRES=1 (CI).
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from pathlib import Path

import pytest

from benchmarks import load, sessions
from core import clock
from core.periods import latest_complete_quarter
from deploy import replicas
from tests.needs import need
from tests.pages import sample_db

SECRET = "replicas-test-secret-0123456789abcdefghijkl"


def test_the_generated_nginx_configuration_is_sticky_by_cookie_and_passes_websockets(tmp_path):
    conf = replicas.nginx_config(folder=tmp_path, listen=8500, upstreams=[8501, 8502])
    assert "hash $route_key consistent;" in conf and "ip_hash" not in conf
    assert "server 127.0.0.1:8501" in conf and "server 127.0.0.1:8502" in conf
    assert "listen 127.0.0.1:8500;" in conf
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert f"map $cookie_{replicas.ROUTE_COOKIE} $route_key" in conf
    assert "client_max_body_size 20m;" in conf  # the same limit as .streamlit/config.toml
    # Nothing outside the folder: pid, logs and every buffer.
    paths = re.findall(r"_path (/\S+?);|pid (/\S+?);|_log (/\S+?)[ ;]", conf)
    paths = [p for group in paths for p in group if p]
    assert paths and all(p.startswith(str(tmp_path)) for p in paths)


@pytest.fixture
def proxied(pg_url, tmp_path):
    """Two app processes behind nginx, on a PostgreSQL database built by code."""
    need(
        replicas.nginx_binary() is not None,
        "nginx is not installed (apt-get install nginx): the replicas test did NOT run",
        flag="OUTCOMES_REQUIRE_CHROMIUM",
    )
    need(
        Path(sessions.CHROMIUM).exists(),
        f"Chromium not found at {sessions.CHROMIUM}: the replicas test did NOT run",
        flag="OUTCOMES_REQUIRE_CHROMIUM",
    )
    sample_db.build(pg_url)
    env = {"OUTCOMES_DATABASE_URL": pg_url, "OUTCOMES_COOKIE_SECRET": SECRET, "OUTCOMES_SAMPLE": "1"}
    r = replicas.start(processes=2, env=env, folder=tmp_path / "replicas")
    yield r, pg_url
    r.stop()


def _open(base: str, cookies: dict, route: str) -> sessions.Run:
    async def go():
        s = sessions.Session(base.replace("http://", "ws://") + "/_stcore/stream", cookies, route=route)
        await s.connect()
        try:
            return await s.run()
        finally:
            await s.close()

    return asyncio.run(go())


def _checked(run: sessions.Run, mine: load.Expect, everyone: dict) -> None:
    problems, foreign = load.check(run, mine, everyone)
    assert not problems and not foreign, problems


def test_a_session_moved_to_another_process_stays_signed_in(proxied):
    r, db = proxied
    cookies = sessions.sign_in(r.base, "commissioner")  # through the proxy, in a real browser
    cookies.pop(replicas.ROUTE_COOKIE, None)
    everyone = load.expected(db, ("commissioner", "chair"))
    mine = everyone["commissioner"]
    route = "a-browser-of-its-own"
    _checked(_open(r.base, cookies, route), mine, everyone)
    for app in r.apps:  # the cookie signs the person in on every process, not only the one that issued it
        _checked(_open(app.base, cookies, route), mine, everyone)
    # Stop each process in turn, hard: the session is on one of them, and must carry on on the other.
    for i, app in enumerate(r.apps):
        app.proc.send_signal(signal.SIGKILL)
        app.proc.wait()
        _checked(_open(r.base, cookies, route), mine, everyone)
        r.restart(i)


def test_a_browser_reconnects_through_the_proxy_to_another_process_signed_in(proxied):
    from playwright.sync_api import sync_playwright

    r, _db = proxied
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=sessions.CHROMIUM, headless=True, args=sessions.CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(r.base + "/")
        page.get_by_role("textbox", name="Username").fill("chair")
        page.get_by_role("textbox", name="Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Log out").wait_for(timeout=180_000)
        page.wait_for_timeout(1500)  # the login cookie is written once the signed-in run has finished
        # One of the two is the page's: it must reconnect to the other. Opening another page needs a live
        # process, so it shows the reconnected session: still signed in, the page's own figures.
        for (i, app), title in zip(enumerate(r.apps), ("Engagement", "Meeting overview"), strict=True):
            app.proc.send_signal(signal.SIGKILL)
            app.proc.wait()
            _open_page(page, title)
            page.get_by_role("button", name="Log out").wait_for(timeout=180_000)
            assert page.get_by_role("textbox", name="Username").count() == 0
            assert "Exact figures for the group's meeting" in page.inner_text("body")
            r.restart(i)
        browser.close()


def _open_page(page, title: str, *, timeout: float = 180) -> None:
    """Click the page in the menu until it shows: a click made while the page is reconnecting is lost,
    and a person clicks again."""
    deadline = time.time() + timeout
    while True:
        page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click(timeout=timeout * 1000)
        try:
            page.get_by_role("heading", name=title, exact=True).wait_for(timeout=20_000)
            return
        except Exception:
            if time.time() > deadline:
                raise


def test_an_upload_through_one_process_shows_on_the_other_at_its_next_rerun(proxied, tmp_path):
    r, db = proxied
    one, other = r.apps
    chair = sessions.sign_in(one.base, "chair")
    before = load.expected(db, ("chair",))

    async def rerun_after_upload():
        s = sessions.Session(other.base.replace("http://", "ws://") + "/_stcore/stream", chair)
        await s.connect()
        try:
            first = await s.run()  # the other process has the figures cached now
            await asyncio.to_thread(_upload_in_browser, one.base, tmp_path)
            return first, await s.run()
        finally:
            await s.close()

    first, second = asyncio.run(rerun_after_upload())
    after = load.expected(db, ("chair",))
    assert after["chair"].tiles != before["chair"].tiles  # the upload changed a headline figure
    _checked(first, before["chair"], before)
    _checked(second, after["chair"], after)


def _upload_in_browser(base: str, folder: Path) -> None:
    """The partner loads a feedback return for the last month of the default quarter, through the upload page."""
    from playwright.sync_api import sync_playwright

    m = latest_complete_quarter(clock.today()).end.replace(day=1)
    file = folder / f"feedback_{m:%Y-%m}.csv"
    file.write_text(
        "survey_date,person_id,feel_heard,feel_safe,service_helpful\n"
        + "".join(f"{m.replace(day=1 + i):%d/%m/%Y},,5,4,5\n" for i in range(25)),
        encoding="utf-8",
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=sessions.CHROMIUM, headless=True, args=sessions.CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1400})
        page.goto(base + "/")
        page.get_by_role("textbox", name="Username").fill("aspirations")
        page.get_by_role("textbox", name="Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Log out").wait_for(timeout=180_000)
        page.locator("[data-testid='stSidebarNav'] a", has_text="Upload returns").first.click()
        page.locator("input[type='file']").set_input_files(str(file))
        page.get_by_role("button", name="Check files").click()
        page.get_by_text("Ready to load").wait_for(timeout=180_000)
        page.get_by_role("button", name=re.compile("Confirm and load 1 file")).click()
        page.get_by_text("Loaded. Every page").wait_for(timeout=180_000)
        browser.close()
