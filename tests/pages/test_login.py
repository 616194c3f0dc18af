"""Signing in and out through the form (AppTest): the cookie, lockout, audit."""

from __future__ import annotations

import uuid

import pandas as pd
import sqlalchemy as sa

from storage import schema, users
from storage.db import ensure_schema
from tests.pages.conftest import signed_in


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
    users.create_user(ensure_schema(url), username=name, password="a long test password", role=role,
                      partner=partner)
    return name


def test_log_in_sets_a_signed_cookie_and_opens_the_role_s_first_page(app_env):
    name = _new_user(app_env)
    at = signed_in(None).run()
    at = _login(at, name, "a long test password")
    assert not at.exception
    assert at.session_state["auth_user"]["username"] == name
    assert at.title[0].value == "Meeting overview"
    scripts = [h.value for h in at.html if "document.cookie" in h.value]
    assert scripts and "outcomes_session=" in scripts[0] and "SameSite=Strict" in scripts[0]
    assert "Max-Age=28800" in scripts[0]  # eight hours, from OUTCOMES_SESSION_HOURS
    log = _audit(app_env)
    assert ((log["action"] == "login_success") & (log["username"] == name)).sum() == 1


def test_wrong_password_says_so_without_saying_which_part(app_env):
    name = _new_user(app_env)
    at = _login(signed_in(None).run(), name, "not the password")
    assert "username or password is not right" in at.error[0].value
    assert "auth_user" not in at.session_state
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    log = _audit(app_env)
    assert ((log["action"] == "login_failure") & (log["username"] == name)).sum() == 1
    assert "not the password" not in log.to_string()


def test_five_failures_lock_the_account(app_env):
    name = _new_user(app_env, role="partner", partner="police")
    at = signed_in(None).run()
    for i in range(5):
        at = _login(at, name, f"wrong {i}")
    assert "locked for 15 minutes" in at.error[0].value
    at = _login(at, name, "a long test password")
    assert "locked for 15 minutes" in at.error[0].value
    assert "auth_user" not in at.session_state


def test_log_out_clears_the_cookie_and_shows_the_form_again(app_env):
    name = _new_user(app_env, role="admin")
    at = _login(signed_in(None).run(), name, "a long test password")
    assert at.title[0].value == "Data returns"  # an admin's first page
    next(b for b in at.button if b.label == "Log out").click()
    at.run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert any("Max-Age=0" in h.value for h in at.html)
    log = _audit(app_env)
    assert ((log["action"] == "logout") & (log["username"] == name)).sum() == 1


def test_a_disabled_account_is_signed_out_at_its_next_page_load(app_env):
    name = _new_user(app_env, role="commissioner")
    at = _login(signed_in(None).run(), name, "a long test password")
    assert at.title[0].value == "Meeting overview"
    users.disable_user(ensure_schema(app_env), username=name, by="test")
    # The next page load of the same session (AppTest: a new run of the frame with the session's state).
    again = signed_in({"username": name, "role": "commissioner"}).run()
    assert [t.label for t in again.text_input] == ["Username", "Password"]
    assert "auth_user" not in again.session_state
