"""Local accounts: argon2 hashes, roles, lockout after five failures, audit of every sign-in."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from storage import schema, users
from storage.repository import utcnow

PASSWORD = "correct horse battery"


def _audit(engine) -> pd.DataFrame:
    with engine.connect() as c:
        return pd.DataFrame(c.execute(sa.select(schema.audit_log)).mappings().all())


def test_password_is_stored_only_as_an_argon2_hash(engine):
    users.create_user(engine, username="alex", password=PASSWORD, role="chair")
    with engine.connect() as c:
        stored = c.execute(sa.select(schema.users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert users.verify(engine, username="alex", password=PASSWORD).ok
    assert users.verify(engine, username="ALEX ", password=PASSWORD).ok  # names ignore case and spaces
    assert not users.verify(engine, username="alex", password="wrong password").ok


def test_roles_and_partners_are_checked(engine):
    with pytest.raises(users.AccountError, match="not a role"):
        users.create_user(engine, username="a", password=PASSWORD, role="superuser")
    with pytest.raises(users.AccountError, match="needs a partner"):
        users.create_user(engine, username="b", password=PASSWORD, role="partner")
    with pytest.raises(users.AccountError, match="not a configured partner"):
        users.create_user(engine, username="c", password=PASSWORD, role="partner", partner="nobody")
    with pytest.raises(users.AccountError, match="Only partner accounts"):
        users.create_user(engine, username="d", password=PASSWORD, role="chair", partner="police")
    with pytest.raises(users.AccountError, match="at least 10"):
        users.create_user(engine, username="e", password="short", role="chair")
    u = users.create_user(engine, username="f", password=PASSWORD, role="partner", partner="police")
    assert u.partner == "police" and not u.public
    with pytest.raises(users.AccountError, match="already"):
        users.create_user(engine, username="F", password=PASSWORD, role="chair")


def test_five_failures_lock_the_account_for_fifteen_minutes(engine):
    users.create_user(engine, username="sam", password=PASSWORD, role="commissioner")
    now = utcnow()
    for i in range(4):
        r = users.verify(engine, username="sam", password=f"wrong {i}", now=now)
        assert r.reason == "wrong"
    r = users.verify(engine, username="sam", password="wrong 5", now=now)
    assert r.reason == "locked" and r.locked_until == now + timedelta(minutes=15)
    # Even the right password is refused while locked.
    assert users.verify(engine, username="sam", password=PASSWORD, now=now + timedelta(minutes=14)).reason == "locked"
    after = users.verify(engine, username="sam", password=PASSWORD, now=now + timedelta(minutes=16))
    assert after.ok
    log = _audit(engine)
    assert (log["action"] == "account_locked").sum() == 1
    assert (log["action"] == "login_failure").sum() == 6
    assert (log["action"] == "login_success").sum() == 1
    assert PASSWORD not in log.to_string() and "wrong 5" not in log.to_string()


def test_a_success_resets_the_failure_count(engine):
    users.create_user(engine, username="kim", password=PASSWORD, role="author")
    for _ in range(4):
        users.verify(engine, username="kim", password="nope nope")
    assert users.verify(engine, username="kim", password=PASSWORD).ok
    for _ in range(4):
        assert users.verify(engine, username="kim", password="nope nope").reason == "wrong"


def test_unknown_user_is_audited_without_the_typed_name(engine):
    r = users.verify(engine, username="my secret password", password="x")
    assert not r.ok and r.reason == "wrong"
    log = _audit(engine)
    assert log["username"].tolist() == ["(unknown)"]
    assert "my secret password" not in log.to_string()


def test_disable_enable_reset_and_role_change(engine):
    users.create_user(engine, username="jo", password=PASSWORD, role="chair")
    users.disable_user(engine, username="jo", by="admin")
    assert users.verify(engine, username="jo", password=PASSWORD).reason == "disabled"
    users.enable_user(engine, username="jo", by="admin")
    users.reset_password(engine, username="jo", password="a brand new password", by="admin")
    assert not users.verify(engine, username="jo", password=PASSWORD).ok
    assert users.verify(engine, username="jo", password="a brand new password").ok
    users.set_role(engine, username="jo", role="partner", partner="dental", by="admin")
    assert users.get_user(engine, username="jo").partner == "dental"
    with pytest.raises(users.AccountError, match="no account"):
        users.disable_user(engine, username="nobody")
    listed = users.list_users(engine)
    assert "password_hash" not in listed.columns and listed["username"].tolist() == ["jo"]


def test_sessions_revoked_after_logout_disable_reset_or_role_change(engine):
    users.create_user(engine, username="lee", password=PASSWORD, role="chair")
    issued = utcnow()
    assert not users.sessions_revoked_since(engine, username="lee", issued_at=issued)
    users.reset_password(engine, username="lee", password="another long password", by="admin")
    assert users.sessions_revoked_since(engine, username="lee", issued_at=issued)
    assert not users.sessions_revoked_since(engine, username="lee", issued_at=utcnow())


def test_demo_accounts_once(engine):
    made = users.ensure_demo_accounts(engine)
    assert made == ["chair", "commissioner", "author", "aspirations", "admin"]
    assert users.ensure_demo_accounts(engine) == []
    assert users.verify(engine, username="aspirations", password="demo").user.partner == "aspirations"


def test_recent_audit_newest_first(engine):
    users.create_user(engine, username="one", password=PASSWORD, role="chair")
    users.create_user(engine, username="two", password=PASSWORD, role="chair")
    log = users.recent_audit(engine)
    assert [d["user"] for d in log["detail"]] == ["two", "one"]
