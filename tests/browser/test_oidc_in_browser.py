"""Sign-in through a real OpenID Connect provider (``oidc-provider-mock`` from PyPI), in headless Chromium.

The provider runs locally as its own process; the app runs under ``streamlit run serve.py`` with a secrets
file outside the tree (a named provider section with extra client options). Skips loudly without Chromium;
fails instead when OUTCOMES_REQUIRE_CHROMIUM=1 (CI).
"""

from __future__ import annotations

import json
import sys
import time
import urllib.request

import pandas as pd
import pytest
import sqlalchemy as sa

from storage import schema, sessions, users
from storage.db import ensure_schema
from tests.browser import server
from tests.browser.test_app_in_browser import ARGS, CHROMIUM, _need_chromium, _session_cookie, _settle
from tests.pages import sample_db

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COOKIE_SECRET = "oidc-browser-test-secret-0123456789abcdefgh"
PEOPLE = {
    "chair-sub": {"email": "chair@southend.gov.uk", "email_verified": True, "name": "The Chair"},
    # Someone else whose unverified address is the chair's: must never become the chair.
    "impostor-sub": {"email": "chair@southend.gov.uk", "email_verified": False},
    "stranger-sub": {"email": "stranger@example.org", "email_verified": True},
    "off-sub": {"email": "off@southend.gov.uk", "email_verified": True},
}
ORG_BUTTON = "Sign in with your organisation account"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """The OpenID Connect provider, with the test's people registered through its API."""
    _need_chromium()
    port = server.free_port()
    log = tmp_path_factory.mktemp("oidc-log") / "provider.log"
    with server.serving(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)],
        port=port,
        what="the OpenID Connect provider",
        log=log,
    ) as base:
        for sub, claims in PEOPLE.items():
            req = urllib.request.Request(
                f"{base}/users/{sub}",
                data=json.dumps(claims).encode(),
                method="PUT",
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(req, timeout=10) as r:
                assert r.status == 204
        yield base


@pytest.fixture(scope="module")
def site(tmp_path_factory, provider):
    """The database, the secrets file (outside the tree) and a way to start the app on one port."""
    work = tmp_path_factory.mktemp("oidc-app")
    url = f"sqlite:///{work / 'oidc.db'}"
    sample_db.build(url)
    engine = ensure_schema(url)
    users.create_user(engine, username="chair@southend.gov.uk", password="unused long password", role="chair")
    users.create_user(engine, username="off@southend.gov.uk", password="unused long password", role="author")
    users.disable_user(engine, username="off@southend.gov.uk", by="test")
    port = server.free_port()
    secrets = work / "secrets.toml"
    secrets.write_text(
        f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "streamlit-identity-test-cookie-secret-0123456789"

[auth.council]
client_id = "outcomes-dashboard"
client_secret = "provider-test-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
client_kwargs = {{ prompt = "login" }}
""",
        encoding="utf-8",
    )
    assert not secrets.is_relative_to(server.ROOT)

    def started(port: int = port, **env: str):
        return server.app(
            database_url=url,
            port=port,
            log=work / f"streamlit-{time.time_ns()}.log",
            extra=("--secrets.files", str(secrets)),
            OUTCOMES_COOKIE_SECRET=COOKIE_SECRET,
            **env,
        )

    return {"url": url, "engine": engine, "app": started}


@pytest.fixture(scope="module")
def browser(provider):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app(site):
    with site["app"]() as base:
        yield base


def _audit(site) -> pd.DataFrame:
    with site["engine"].connect() as c:
        return pd.DataFrame(c.execute(sa.select(schema.audit_log).order_by(schema.audit_log.c.id)).mappings().all())


def _org_sign_in(page, base: str, sub: str) -> None:
    page.goto(base + "/")
    page.get_by_role("button", name=ORG_BUTTON).click()
    page.locator("input[name='sub']").wait_for(timeout=60_000)  # the provider's own page
    assert page.url.startswith("http://127.0.0.1") and "/oauth2/authorize" in page.url
    assert "prompt=login" in page.url  # the extra client option reached the provider
    page.locator("input[name='sub']").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(base + "/**", timeout=60_000)


def _end_provider_session(page) -> None:
    """The provider's end-session page (its logout) asks for a click, then returns to the app."""
    page.wait_for_url("**/oauth2/end_session**", timeout=60_000)
    page.get_by_role("button", name="End session").click()


def test_the_chair_signs_in_lands_on_the_overview_and_log_out_really_logs_out(site, app, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    _org_sign_in(page, app, "chair-sub")
    page.get_by_role("button", name="Log out").wait_for(timeout=120_000)
    _settle(page)
    assert "Meeting overview" in page.inner_text("body") and "chair@southend.gov.uk" in page.inner_text("body")
    assert _session_cookie(context)["httpOnly"]
    page.reload()  # a reload keeps the session, and is not another sign-in
    page.get_by_role("button", name="Log out").wait_for(timeout=120_000)
    _settle(page)
    log = _audit(site)
    mine = log[log["username"] == "chair@southend.gov.uk"]
    assert (mine["action"] == "login_success").sum() == 1
    assert "id_token" not in log.to_string() and "eyJ" not in log.to_string()  # no token is audited
    linked = users.list_users(site["engine"]).set_index("username").loc["chair@southend.gov.uk", "linked"]
    assert linked  # linked at first sign-in through the verified address, matched on the subject from now on

    page.get_by_role("button", name="Log out").click()
    _end_provider_session(page)  # Streamlit's /auth/logout sent the browser to the provider's end-session
    page.get_by_role("button", name=ORG_BUTTON).wait_for(timeout=120_000)
    _settle(page)
    names = {c["name"] for c in context.cookies()}
    assert "outcomes_session" not in names and not any(n.startswith("_streamlit_user") for n in names)
    page.reload()
    page.get_by_role("button", name=ORG_BUTTON).wait_for(timeout=120_000)
    _settle(page)
    assert page.get_by_role("button", name="Log out").count() == 0
    assert "Meeting overview" not in page.inner_text("body")
    log = _audit(site)
    mine = log[log["username"] == "chair@southend.gov.uk"]
    assert (mine["action"] == "logout").sum() == 1 and (mine["action"] == "login_success").sum() == 1
    context.close()


@pytest.mark.parametrize(
    ("sub", "message", "reason", "audited_as"),
    [
        ("stranger-sub", "not linked to an account on this dashboard", "unknown", "(unknown)"),
        ("off-sub", "switched off", "disabled", "off@southend.gov.uk"),
        ("impostor-sub", "has not verified the email address", "unverified", "(unknown)"),
    ],
)
def test_people_without_a_usable_account_are_refused_told_why_and_audited_once(
    site, app, browser, sub, message, reason, audited_as
):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    _org_sign_in(page, app, sub)
    page.get_by_text(message).wait_for(timeout=120_000)
    _settle(page)
    assert page.get_by_role("button", name="Log out").count() == 0
    assert "Meeting overview" not in page.inner_text("body")
    page.reload()  # the same refusal, not audited again
    page.get_by_text(message).wait_for(timeout=120_000)
    _settle(page)
    log = _audit(site)
    refusals = log[
        (log["action"] == "login_failure")
        & log["detail"].map(lambda d: d.get("method") == "oidc" and d.get("subject") == sub)
    ]
    assert len(refusals) == 1 and refusals["detail"].iloc[0]["reason"] == reason
    assert refusals["username"].iloc[0] == audited_as
    # A way out: sign out of the organisation account, to try another one.
    page.get_by_role("button", name="Sign out of your organisation account").click()
    _end_provider_session(page)
    page.get_by_role("button", name=ORG_BUTTON).wait_for(timeout=120_000)
    _settle(page)
    assert message not in page.inner_text("body")
    assert not any(c["name"].startswith("_streamlit_user") for c in context.cookies())
    context.close()


def test_switching_local_accounts_off_leaves_only_the_organisation_button_and_ends_local_sessions(site, browser):
    port = server.free_port()  # its own app (restarted below), beside the module's
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    with site["app"](port) as base:
        page.goto(base + "/")
        page.get_by_role("textbox", name="Username").fill("commissioner")
        page.get_by_role("textbox", name="Password").fill("demo")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("button", name="Log out").wait_for(timeout=120_000)
        _settle(page)
        key_cookie = _session_cookie(context)
    with site["app"](port, OUTCOMES_LOCAL_LOGIN="0") as base:  # the same port and database, restarted
        page.goto(base + "/")
        page.get_by_role("button", name=ORG_BUTTON).wait_for(timeout=120_000)
        _settle(page)
        assert page.get_by_role("textbox", name="Username").count() == 0
        assert page.get_by_role("button", name="Log out").count() == 0
        assert "Local accounts are switched off" in page.inner_text("body")
    from ui import tokens

    key = tokens.unseal(secret=COOKIE_SECRET, value=key_cookie["value"])
    assert sessions.by_key(site["engine"], key=key).end_reason == "local_login_off"
    context.close()
