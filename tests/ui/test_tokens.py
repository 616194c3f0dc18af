"""Signed login cookies: forged, altered, expired or revoked tokens sign no one in."""

from __future__ import annotations

from datetime import timedelta

from storage import users
from storage.repository import audit, utcnow
from ui import tokens

SECRET = "a" * 48


def test_round_trip_and_tamper(engine):
    users.create_user(engine, username="chair1", password="long enough pw", role="chair")
    token = tokens.issue(secret=SECRET, username="chair1")
    user = tokens.user_from_token(engine, secret=SECRET, token=token, max_age_seconds=3600)
    assert user is not None and user.role == "chair"
    assert tokens.user_from_token(engine, secret="b" * 48, token=token, max_age_seconds=3600) is None
    assert tokens.user_from_token(engine, secret=SECRET, token=token[:-2] + "xx", max_age_seconds=3600) is None
    assert tokens.user_from_token(engine, secret=SECRET, token="", max_age_seconds=3600) is None
    assert tokens.user_from_token(engine, secret=SECRET, token=None, max_age_seconds=3600) is None


def test_expired_token(engine):
    users.create_user(engine, username="c2", password="long enough pw", role="chair")
    token = tokens.issue(secret=SECRET, username="c2")
    assert tokens.read(secret=SECRET, token=token, max_age_seconds=-1) is None


def test_logout_and_disable_revoke_tokens_issued_before(engine):
    users.create_user(engine, username="c3", password="long enough pw", role="chair")
    old = tokens.issue(secret=SECRET, username="c3", now=utcnow() - timedelta(seconds=5))
    audit(engine, username="c3", role="chair", action="logout", detail={})
    assert tokens.user_from_token(engine, secret=SECRET, token=old, max_age_seconds=3600) is None
    fresh = tokens.issue(secret=SECRET, username="c3")
    assert tokens.user_from_token(engine, secret=SECRET, token=fresh, max_age_seconds=3600) is not None
    users.disable_user(engine, username="c3")
    assert tokens.user_from_token(engine, secret=SECRET, token=fresh, max_age_seconds=3600) is None


def test_token_for_a_deleted_or_unknown_account(engine):
    token = tokens.issue(secret=SECRET, username="ghost")
    assert tokens.user_from_token(engine, secret=SECRET, token=token, max_age_seconds=3600) is None


def test_a_sign_in_expires_by_the_product_s_clock(monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T09:00")
    token = tokens.issue(secret=SECRET, username="c4")
    assert tokens.read(secret=SECRET, token=token, max_age_seconds=8 * 3600)[0] == "c4"
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T16:59")
    assert tokens.read(secret=SECRET, token=token, max_age_seconds=8 * 3600) is not None
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-15T17:01")
    assert tokens.read(secret=SECRET, token=token, max_age_seconds=8 * 3600) is None
