"""Server-side sessions: the one-time cookie hand-over, idling, age, and ending every session of an account."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from storage import sessions, users
from storage.repository import utcnow

PASSWORD = "correct horse battery"
IDLE, LONGEST = timedelta(minutes=30), timedelta(hours=8)


def test_the_hand_over_code_gives_the_cookie_key_once_within_a_minute(engine):
    users.create_user(engine, username="ann", password=PASSWORD, role="chair")
    now = utcnow()
    sid, code = sessions.start(engine, username="ann", method="password", now=now)
    assert sessions.hand_over(engine, code="not the code", now=now) is None
    key = sessions.hand_over(engine, code=code, now=now + timedelta(seconds=5))
    assert key and sessions.by_key(engine, key=key).id == sid
    assert sessions.hand_over(engine, code=code, now=now + timedelta(seconds=6)) is None  # used
    _, late = sessions.start(engine, username="ann", method="password", now=now)
    assert sessions.hand_over(engine, code=late, now=now + timedelta(minutes=2)) is None  # too late
    assert sessions.by_key(engine, key="k" * 43) is None and sessions.by_key(engine, key=None) is None


def test_idle_and_age_end_a_session(engine):
    now = utcnow()
    sid, _ = sessions.start(engine, username="bo", method="password", now=now)
    s = sessions.get(engine, sid)
    assert sessions.why_over(s, now=now + timedelta(minutes=29), idle=IDLE, longest=LONGEST) is None
    assert sessions.why_over(s, now=now + timedelta(minutes=31), idle=IDLE, longest=LONGEST) == "idle"
    sessions.touch(engine, s, now=now + timedelta(minutes=20))
    s = sessions.get(engine, sid)
    assert s.last_seen == now + timedelta(minutes=20)
    assert sessions.why_over(s, now=now + timedelta(minutes=49), idle=IDLE, longest=LONGEST) is None
    assert sessions.why_over(s, now=now + timedelta(hours=9), idle=timedelta(hours=10), longest=LONGEST) == "expired"


@pytest.mark.parametrize("change", ["logout", "password_reset", "role_changed", "user_disabled"])
def test_a_change_to_the_account_ends_all_its_sessions_whatever_the_case(engine, change):
    users.create_user(engine, username="sess3", password=PASSWORD, role="chair")
    first, _ = sessions.start(engine, username="sess3", method="password")
    second, _ = sessions.start(engine, username="Sess3", method="oidc")
    other, _ = sessions.start(engine, username="chair", method="password")
    if change == "logout":
        sessions.end_all(engine, username="SESS3", reason="logout")
    elif change == "password_reset":
        users.reset_password(engine, username="SESS3", password="another long password", by="command line")
    elif change == "role_changed":
        users.set_role(engine, username="SESS3", role="commissioner", by="admin")
    else:
        users.disable_user(engine, username="SESS3", by="admin")
    for sid in (first, second):
        s = sessions.get(engine, sid)
        assert s.ended_at is not None and s.end_reason == change
        assert sessions.why_over(s, now=utcnow(), idle=IDLE, longest=LONGEST) == change
    assert sessions.get(engine, other).ended_at is None
    # Switching an account back on does not bring its sessions back.
    users.enable_user(engine, username="sess3", by="admin")
    assert sessions.get(engine, first).ended_at is not None


def test_reset_password_from_the_command_line_ignores_case(engine, db_url, monkeypatch):
    from ui import accounts

    users.create_user(engine, username="sess3", password=PASSWORD, role="chair")
    sid, _ = sessions.start(engine, username="sess3", method="password")
    monkeypatch.setattr("sys.stdin", io.StringIO("a fresh long password\n"))
    assert accounts.main(["reset-password", "SESS3", "--password-stdin", "--db", db_url]) == 0
    assert sessions.get(engine, sid).end_reason == "password_reset"


def test_what_became_of_a_provider_sign_in_is_remembered(engine):
    assert sessions.identity_outcome(engine, identity_ref="abc") is None
    sessions.record_refusal(engine, identity_ref="abc", reason="unknown")
    assert sessions.identity_outcome(engine, identity_ref="abc") == "refused_unknown"
    sessions.start(engine, username="chair", method="oidc", identity_ref="def")
    assert sessions.identity_outcome(engine, identity_ref="def") == "ended"  # it opened its one session
