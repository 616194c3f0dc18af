"""Signing in and out through the form (AppTest): sessions checked on every run, idling, lockout, audit."""

from __future__ import annotations

import io
import uuid

import pandas as pd
import sqlalchemy as sa

from storage import schema, sessions, users
from storage.db import ensure_schema
from tests.pages.conftest import sign_in, signed_in
from ui import accounts, auth


def _login(at, username: str, password: str):
    next(t for t in at.text_input if t.label == "Username").input(username)
    next(t for t in at.text_input if t.label == "Password").input(password)
    next(b for b in at.button if b.label == "Log in").click()
    return at.run()


def _audit(url: str) -> pd.DataFrame:
    with ensure_schema(url).connect() as c:
        return pd.DataFrame(c.execute(sa.select(schema.audit_log)).mappings().all())


def _new_user(url: str, role: str = "chair", partner: str | None = None) -> str:
    name = f"user-{uuid.uuid4().hex[:8]}"
    users.create_user(ensure_schema(url), username=name, password="a long test password", role=role, partner=partner)
    return name


def _signed_out(at) -> bool:
    return [t.label for t in at.text_input] == ["Username", "Password"] and "auth_user" not in at.session_state


def _again(at):
    """The tab's next interaction. (A plain ``at.run()`` after the sign-in rerun re-runs only the page
    in AppTest, not app.py, so the frame runs afresh with the tab's session state, as the server does.)"""
    nxt = signed_in(None)
    if "auth_session" in at.session_state:
        nxt.session_state["auth_session"] = at.session_state["auth_session"]
    return nxt.run()


def _scripts(at) -> str:
    return "\n".join(h.value for h in at.html)


def test_log_in_opens_a_session_and_hands_its_cookie_over_without_the_page_seeing_it(app_env):
    name = _new_user(app_env)
    at = _login(signed_in(None).run(), name, "a long test password")
    assert not at.exception
    assert at.session_state["auth_user"]["username"] == name
    assert at.title[0].value == "Meeting overview"
    script = _scripts(at)
    assert 'fetch("/session/cookie"' in script and "document.cookie" not in script
    session = sessions.get(ensure_schema(app_env), at.session_state["auth_session"])
    assert session.username == name and session.method == "password" and session.ended_at is None
    log = _audit(app_env)
    assert ((log["action"] == "login_success") & (log["username"] == name)).sum() == 1


def test_wrong_password_unknown_name_and_switched_off_account_get_one_answer(app_env):
    name, off = _new_user(app_env), _new_user(app_env)
    users.disable_user(ensure_schema(app_env), username=off, by="test")
    answers = []
    for who, password in (
        (name, "not the password"),
        ("nobody-here", "not the password"),
        (off, "not the password"),
        (off, "a long test password"),
    ):
        at = _login(signed_in(None).run(), who, password)
        answers.append([e.value for e in at.error])
        assert _signed_out(at)
    assert answers == [[auth.REFUSED]] * 4
    log = _audit(app_env)
    assert "not the password" not in log.to_string() and "nobody-here" not in log.to_string()


def test_five_failures_pause_sign_in_to_that_name(app_env):
    name = _new_user(app_env, role="partner", partner="police")
    at = signed_in(None).run()
    for i in range(5):
        at = _login(at, name, f"wrong {i}")
    assert "paused for 1 minute" in at.error[0].value
    at = _login(at, name, "a long test password")
    assert "paused" in at.error[0].value and _signed_out(at)


def test_log_out_ends_the_session_and_sends_the_browser_to_clear_its_cookies(app_env):
    name = _new_user(app_env, role="admin")
    at = _login(signed_in(None).run(), name, "a long test password")
    sid = at.session_state["auth_session"]
    assert at.title[0].value == "Data returns"  # an admin's first page
    next(b for b in at.button if b.label == "Log out").click()
    at.run()
    assert _signed_out(at)
    assert 'window.location.assign("/session/end")' in _scripts(at)
    assert sessions.get(ensure_schema(app_env), sid).end_reason == "logout"
    log = _audit(app_env)
    assert ((log["action"] == "logout") & (log["username"] == name)).sum() == 1


def test_log_out_in_one_tab_ends_the_other_tabs_at_their_next_interaction(app_env):
    engine = ensure_schema(app_env)
    # An administrator: AppTest re-runs only the page, not app.py, after a click on the default overview page.
    name = _new_user(app_env, role="admin")
    other = signed_in(None)  # another tab or device: a separate session of the same account
    other_id = sign_in(other, name)
    first = _login(signed_in(None).run(), name, "a long test password")
    assert sessions.get(engine, other_id).ended_at is None
    next(b for b in first.button if b.label == "Log out").click()
    first.run()
    assert _signed_out(first)
    other.run()  # its next interaction
    assert _signed_out(other)
    assert "signed out" in other.info[0].value
    # (The same with two real browsers, one cookie each: tests/browser/test_app_in_browser.py.)


def test_an_account_switched_off_or_changed_is_signed_out_at_its_next_interaction(app_env):
    engine = ensure_schema(app_env)
    name = _new_user(app_env, role="commissioner")
    at = _login(signed_in(None).run(), name, "a long test password")
    assert at.title[0].value == "Meeting overview"
    users.disable_user(engine, username=name.upper(), by="test")
    at = _again(at)
    assert _signed_out(at) and "switched off" in at.info[0].value
    users.enable_user(engine, username=name, by="test")
    at = _login(signed_in(None).run(), name, "a long test password")
    users.set_role(engine, username=name, role="author", by="test")
    at = _again(at)
    assert _signed_out(at) and "changed your account" in at.info[0].value


def test_reset_password_on_the_command_line_ends_the_session_whatever_the_case(app_env, monkeypatch):
    users.create_user(ensure_schema(app_env), username="sess3", password="a long test password", role="chair")
    at = _login(signed_in(None).run(), "sess3", "a long test password")
    assert at.title[0].value == "Meeting overview"
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\n"))
    assert accounts.main(["reset-password", "SESS3", "--password-stdin", "--db", app_env]) == 0
    at = _again(at)
    assert _signed_out(at) and "password was reset" in at.info[0].value


def test_an_idle_session_ends_after_thirty_minutes_without_use(app_env, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:00")
    name = _new_user(app_env)
    at = _login(signed_in(None).run(), name, "a long test password")
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:20")
    at = _again(at)  # use at 10:20
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:49")
    at = _again(at)
    assert at.title[0].value == "Meeting overview"  # 29 minutes after the last use
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T11:20")
    at = _again(at)
    assert _signed_out(at) and "30 minutes without using" in at.info[0].value
    log = _audit(app_env)
    ended = log[(log["action"] == "session_ended") & (log["username"] == name)]
    assert [d["reason"] for d in ended["detail"]] == ["idle"]


def test_the_idle_setting_is_honoured(app_env, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:00")
    monkeypatch.setenv("OUTCOMES_IDLE_MINUTES", "10")
    name = _new_user(app_env)
    at = _login(signed_in(None).run(), name, "a long test password")
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:11")
    at = _again(at)
    assert _signed_out(at) and "10 minutes without using" in at.info[0].value


def test_a_warning_comes_two_minutes_before_an_idle_session_ends(app_env, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:00")
    name = _new_user(app_env)
    script = (
        "import streamlit as st\nfrom storage.db import database_url, ensure_schema\nfrom ui import auth\n"
        "engine = ensure_schema(database_url())\n"
        "st.write(auth.idle_notice(engine) or 'no warning')\n"
        "st.write('over' if auth.idle_over(engine) else 'live')\n"
    )
    at = AppTest.from_string(script)
    sign_in(at, name)
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:27")
    assert [m.value for m in at.run().markdown] == ["no warning", "live"]
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:28:30")
    text = [m.value for m in at.run().markdown]
    assert text[0].startswith("You will be signed out in about 2 minutes") and text[1] == "live"
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T10:30:30")
    assert [m.value for m in at.run().markdown] == ["no warning", "over"]


def test_switching_local_accounts_off_ends_earlier_local_sessions(app_env, monkeypatch):
    name = _new_user(app_env)
    at = _login(signed_in(None).run(), name, "a long test password")
    assert at.title[0].value == "Meeting overview"
    monkeypatch.setenv("OUTCOMES_LOCAL_LOGIN", "0")
    at = _again(at)
    assert "auth_user" not in at.session_state and not at.text_input
    assert "Local accounts are switched off" in at.info[0].value


def test_the_auth_section_cannot_be_misread(app_env):
    """``client_kwargs`` in the flat section is an option, not a provider; two providers are refused plainly."""
    flat = {
        "redirect_uri": "http://x/oauth2callback",
        "cookie_secret": "s",
        "client_id": "c",
        "client_secret": "d",
        "server_metadata_url": "http://x/.well-known/openid-configuration",
        "client_kwargs": {"prompt": "login"},
    }
    at = signed_in(None)
    at.secrets["auth"] = flat
    at.run()
    assert not at.exception and at.button[0].label == "Sign in with your organisation account"
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    at = signed_in(None)
    at.secrets["auth"] = {
        "redirect_uri": "http://x/oauth2callback",
        "cookie_secret": "s",
        "one": {"client_id": "a"},
        "two": {"client_id": "b"},
    }
    at.run()
    assert not at.exception and "exactly one identity provider" in at.error[0].value
    assert not at.text_input
