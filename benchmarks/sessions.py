"""Protocol-level dashboard sessions: what a browser tab says to the app over Streamlit's websocket.

A session connects to ``/_stcore/stream`` with the person's cookies, asks for a script run
(a ``BackMsg`` with ``rerun_script``, as the browser does when a page opens or reruns) and reads
``ForwardMsg`` replies until the run finishes, keeping every text the page showed. Many run
side by side in one asyncio loop: a meeting room is fifteen of them at once.

Signing in is the one place that behaves like a person (``sign_in``): it fills the login form in
headless Chromium, exactly as ``tests/browser`` does, and keeps the cookies the browser then holds.
When sign-in changes (another route, an HttpOnly cookie), only that function changes.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The proxy's routing cookie (deploy/replicas.py): a browser gets one on its first request.
ROUTE_COOKIE = "outcomes_route"
_FINISHED = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR,
}


def sign_in(base: str, username: str, password: str = "demo", *, chromium: str = CHROMIUM) -> dict[str, str]:
    """Sign ``username`` in through the login form in a real browser; the cookies the browser then holds."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "/")
            page.get_by_role("textbox", name="Username").fill(username)
            page.get_by_role("textbox", name="Password").fill(password)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("button", name="Log out").wait_for(timeout=180_000)
            # The login cookie is written by the page once the signed-in run has finished.
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                cookies = {c["name"]: c["value"] for c in context.cookies()}
                if "outcomes_session" in cookies:
                    return cookies
                page.wait_for_timeout(200)
            raise RuntimeError(f"{username} signed in but the browser holds no login cookie")
        finally:
            browser.close()


@dataclass
class Run:
    """One script run as the session saw it: seconds from asking to finishing, and what it showed."""

    seconds: float
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    page: str = ""  # the page's name, from the navigation message


class Session:
    """One browser tab's conversation with one app process (or the proxy in front of several)."""

    def __init__(self, ws_url: str, cookies: dict[str, str], *, route: str | None = None, timeout: float = 300):
        self.ws_url = ws_url
        self.cookies = dict(cookies)
        # Like a browser's own routing cookie: stable for the tab, different between tabs.
        self.cookies.setdefault(ROUTE_COOKIE, route or secrets.token_hex(8))
        self.timeout = timeout
        self._ws = None
        self.page_hash = ""

    async def connect(self) -> None:
        import websockets

        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self._ws = await websockets.connect(
                    self.ws_url,
                    subprotocols=["streamlit"],
                    additional_headers={"Cookie": header},
                    max_size=64 * 2**20,
                    open_timeout=self.timeout,
                    ping_interval=None,
                )
                return
            except websockets.InvalidStatus as exc:
                # The proxy had no process to hand it to (one stopping, one starting): a browser tries again.
                if exc.response.status_code not in (502, 503, 504) or time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def run(self, *, page_hash: str | None = None) -> Run:
        """Ask for a script run (the page opening, or a rerun) and read until it has finished."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash if page_hash is None else page_hash
        msg.rerun_script.context_info.timezone = "Europe/London"
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        out = Run(seconds=0.0)
        while True:
            raw = await asyncio.wait_for(self._ws.recv(), timeout=self.timeout)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _collect(fwd.delta.new_element, out)
            elif kind == "navigation":
                hit = next(
                    (p for p in fwd.navigation.app_pages if p.page_script_hash == fwd.navigation.page_script_hash), None
                )
                out.page = hit.page_name if hit else ""
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "script_finished" and fwd.script_finished in _FINISHED:
                out.seconds = time.perf_counter() - started
                return out


def _collect(el, out: Run) -> None:
    kind = el.WhichOneof("type")
    if kind in ("markdown", "heading", "alert", "html", "text"):
        out.texts.append(getattr(el, kind).body)
    elif kind == "exception":
        out.exceptions.append(el.exception.type)
