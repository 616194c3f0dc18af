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
    assert u.partner == "police"
    with pytest.raises(users.AccountError, match="already"):
        users.create_user(engine, username="F", password=PASSWORD, role="chair")


def test_five_failures_from_one_source_pause_that_source_with_a_back_off(engine):
    users.create_user(engine, username="sam", password=PASSWORD, role="commissioner")
    now = utcnow()
    for i in range(4):
        r = users.verify(engine, username="sam", password=f"wrong {i}", source="10.0.0.9", now=now)
        assert r.reason == "refused"
    r = users.verify(engine, username="sam", password="wrong 5", source="10.0.0.9", now=now)
    assert r.reason == "locked" and r.locked_until == now + timedelta(minutes=1)
    # Even the right password is refused from that source while paused...
    assert (
        users.verify(
            engine, username="sam", password=PASSWORD, source="10.0.0.9", now=now + timedelta(seconds=50)
        ).reason
        == "locked"
    )
    # ...but the person at their own desk is not locked out by someone else's guesses.
    assert users.verify(engine, username="SAM", password=PASSWORD, source="10.0.0.7", now=now).ok
    # The pause doubles with each further failure, up to 15 minutes.
    later = now + timedelta(minutes=2)
    r = users.verify(engine, username="sam", password="wrong 6", source="10.0.0.9", now=later)
    assert r.reason == "locked" and r.locked_until == later + timedelta(minutes=2)
    assert [users.lock_for(n) for n in (4, 5, 6, 7, 8, 9, 10)] == [
        None,
        *(timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 15)),
    ]
    after = users.verify(engine, username="sam", password=PASSWORD, source="10.0.0.9", now=later + timedelta(minutes=3))
    assert after.ok
    log = _audit(engine)
    assert (log["action"] == "account_locked").sum() == 2
    assert (log["action"] == "login_success").sum() == 2
    assert PASSWORD not in log.to_string() and "wrong 5" not in log.to_string()


def test_unknown_switched_off_and_real_accounts_get_the_same_answer_and_pause(engine):
    users.create_user(engine, username="real", password=PASSWORD, role="chair")
    users.create_user(engine, username="off", password=PASSWORD, role="chair")
    users.disable_user(engine, username="off")
    now = utcnow()
    for name, password in (
        ("real", "wrong password"),
        ("nobody", "wrong password"),
        ("off", "wrong password"),
        ("off", PASSWORD),
    ):
        answers = [
            users.verify(engine, username=name, password=password, source=f"src-{name}-{password}", now=now)
            for _ in range(5)
        ]
        assert [a.reason for a in answers] == ["refused"] * 4 + ["locked"], name
        assert answers[-1].locked_until == now + timedelta(minutes=1)
        assert all(a.user is None for a in answers)


def test_a_refusal_takes_the_same_time_whether_or_not_the_account_exists_or_is_on(engine, monkeypatch):
    import statistics
    import time

    users.create_user(engine, username="timed", password=PASSWORD, role="chair")
    users.create_user(engine, username="timed-off", password=PASSWORD, role="chair")
    users.disable_user(engine, username="timed-off")
    hashes = []
    real = users._password_matches  # one argon2 verification per call
    monkeypatch.setattr(users, "_password_matches", lambda h, p: (hashes.append(h), real(h, p))[1])
    times: dict[str, list[float]] = {"timed": [], "no-such-name": [], "timed-off": []}
    for i in range(5):
        for name in times:
            hashes.clear()
            started = time.perf_counter()
            users.verify(engine, username=name, password="not it", source=f"timing-{i}")
            times[name].append(time.perf_counter() - started)
            assert len(hashes) == 1, name  # the same work on every path: one argon2 verification
    medians = {k: statistics.median(v) for k, v in times.items()}
    assert min(min(v) for v in times.values()) >= users.MIN_FAILURE_SECONDS
    # The wall clock of a shared machine is noisy; a missing verification would halve a refusal's time.
    assert max(medians.values()) < 1.5 * min(medians.values()), medians


def test_a_password_reset_lifts_the_pause_from_every_source(engine):
    users.create_user(engine, username="pat", password=PASSWORD, role="admin")
    for i in range(5):
        users.verify(engine, username="pat", password=f"guess {i}", source="203.0.113.5")
    assert users.list_users(engine)["locked_until"].notna().all()
    users.reset_password(engine, username="PAT", password="a new long password", by="command line")
    assert users.verify(engine, username="pat", password="a new long password", source="203.0.113.5").ok
    assert users.list_users(engine)["locked_until"].isna().all()


def test_a_success_resets_the_failure_count(engine):
    users.create_user(engine, username="kim", password=PASSWORD, role="author")
    for _ in range(4):
        users.verify(engine, username="kim", password="nope nope")
    assert users.verify(engine, username="kim", password=PASSWORD).ok
    for _ in range(4):
        assert users.verify(engine, username="kim", password="nope nope").reason == "refused"


def test_unknown_user_is_audited_without_the_typed_name(engine):
    r = users.verify(engine, username="my secret password", password="x")
    assert not r.ok and r.reason == "refused"
    log = _audit(engine)
    assert log["username"].tolist() == ["(unknown)"]
    assert "my secret password" not in log.to_string()


def test_disable_enable_reset_and_role_change(engine):
    users.create_user(engine, username="jo", password=PASSWORD, role="chair")
    users.disable_user(engine, username="jo", by="admin")
    assert users.verify(engine, username="jo", password=PASSWORD).reason == "refused"
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


def test_demo_accounts_once(engine):
    made = users.ensure_demo_accounts(engine)
    assert made == ["chair", "commissioner", "author", "aspirations", "admin"]
    assert users.ensure_demo_accounts(engine) == []
    assert users.verify(engine, username="aspirations", password="demo").user.partner == "aspirations"


def test_the_audit_log_reads_newest_first(engine):
    from storage.repository import read_audit

    users.create_user(engine, username="one", password=PASSWORD, role="chair")
    users.create_user(engine, username="two", password=PASSWORD, role="chair")
    log = read_audit(engine, action="user_created")
    assert [d["user"] for d in log["detail"]] == ["two", "one"]
    assert [d["user"] for d in read_audit(engine, action="user_created", limit=1)["detail"]] == ["two"]


ISSUER = "https://login.example/tenant/v2.0"


def test_a_provider_sign_in_is_matched_on_its_subject_never_on_an_unverified_email(engine):
    users.create_user(engine, username="chair@southend.gov.uk", password=PASSWORD, role="chair")
    # An unverified address, even the chair's, is refused, and links nothing.
    got = users.provider_account(
        engine, issuer=ISSUER, subject="someone-else", email="chair@southend.gov.uk", email_verified=False
    )
    assert got == (None, "unverified")
    # No email_verified claim at all (Entra): not linked yet, so unknown.
    assert users.provider_account(
        engine, issuer=ISSUER, subject="entra-oid", email="CHAIR@southend.gov.uk", email_verified=None
    ) == (None, "unknown")
    # A verified address links the account at its first sign-in...
    user, why = users.provider_account(
        engine, issuer=ISSUER, subject="chair-sub", email="Chair@Southend.gov.uk", email_verified=True
    )
    assert why == "ok" and user.username == "chair@southend.gov.uk"
    # ...and from then on only that subject opens it: another verified subject with the same address does not.
    assert users.provider_account(
        engine, issuer=ISSUER, subject="other-sub", email="chair@southend.gov.uk", email_verified=True
    ) == (None, "unknown")
    assert (
        users.provider_account(engine, issuer=ISSUER, subject="chair-sub", email=None, email_verified=None)[1] == "ok"
    )
    assert users.provider_account(
        engine, issuer="https://elsewhere", subject="chair-sub", email=None, email_verified=None
    ) == (None, "unknown")
    assert users.provider_account(
        engine, issuer=ISSUER, subject=None, email="chair@southend.gov.uk", email_verified=True
    ) == (None, "no_identifier")
    users.disable_user(engine, username="chair@southend.gov.uk")
    user, why = users.provider_account(engine, issuer=ISSUER, subject="chair-sub", email=None, email_verified=None)
    assert why == "disabled" and user.username == "chair@southend.gov.uk" and not user.active


def test_an_administrator_links_an_entra_account_by_its_object_id(engine):
    users.create_user(engine, username="pat@southend.gov.uk", password=PASSWORD, role="commissioner")
    users.create_user(engine, username="sam@southend.gov.uk", password=PASSWORD, role="commissioner")
    users.link_identity(engine, username="PAT@southend.gov.uk", subject="8f3c-oid", by="admin")
    with pytest.raises(users.AccountError, match="already linked to 'pat@southend.gov.uk'"):
        users.link_identity(engine, username="sam@southend.gov.uk", subject="8f3c-oid", by="admin")
    user, why = users.provider_account(engine, issuer=ISSUER, subject="8f3c-oid", email=None, email_verified=None)
    assert why == "ok" and user.username == "pat@southend.gov.uk"
    assert users.list_users(engine).set_index("username")["linked"].to_dict() == {
        "pat@southend.gov.uk": True,
        "sam@southend.gov.uk": False,
    }
    users.unlink_identity(engine, username="pat@southend.gov.uk", by="admin")
    assert users.provider_account(engine, issuer=ISSUER, subject="8f3c-oid", email=None, email_verified=None) == (
        None,
        "unknown",
    )
    log = _audit(engine)
    assert {"account_linked", "account_unlinked"} <= set(log["action"])


def test_a_username_holding_personal_data_is_refused_at_every_door(engine):
    """The admin page, ``ui.accounts create`` and the sample all add accounts through ``create_user``."""
    with pytest.raises(users.AccountError) as refused:
        users.create_user(engine, username="jane 07700900123", password="long enough pw", role="chair")
    assert "07700900123" not in str(refused.value) and "a phone number" in str(refused.value)
    assert users.get_user(engine, username="jane 07700900123") is None
    ok = users.create_user(engine, username="jane.doe@southend.gov.uk", password="long enough pw", role="chair")
    assert ok.username == "jane.doe@southend.gov.uk"
