"""The accounts command: add, disable, enable, reset-password, list, demo."""

from __future__ import annotations

import io

from storage import users
from storage.db import ensure_schema
from ui import accounts


def test_add_list_disable_reset(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password 1\n"))
    assert (
        accounts.main(["add", "pat@southend.gov.uk", "--role", "commissioner", "--password-stdin", "--db", db_url]) == 0
    )
    engine = ensure_schema(db_url)
    assert users.verify(engine, username="pat@southend.gov.uk", password="a long password 1").ok
    assert accounts.main(["list", "--db", db_url]) == 0
    assert "pat@southend.gov.uk" in capsys.readouterr().out
    assert accounts.main(["disable", "pat@southend.gov.uk", "--db", db_url]) == 0
    assert users.verify(engine, username="pat@southend.gov.uk", password="a long password 1").reason == "refused"
    assert accounts.main(["enable", "pat@southend.gov.uk", "--db", db_url]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert accounts.main(["reset-password", "pat@southend.gov.uk", "--password-stdin", "--db", db_url]) == 0
    assert users.verify(engine, username="pat@southend.gov.uk", password="another long password").ok


def test_errors_are_plain_and_exit_1(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert accounts.main(["add", "x", "--role", "chair", "--password-stdin", "--db", db_url]) == 1
    assert "at least 10" in capsys.readouterr().err
    assert accounts.main(["disable", "nobody", "--db", db_url]) == 1
    assert accounts.main(["add", "x", "--role", "wizard", "--db", db_url]) == 2


def test_demo_accounts(db_url, capsys):
    assert accounts.main(["demo", "--db", db_url]) == 0
    assert "chair" in capsys.readouterr().out
    assert len(users.list_users(ensure_schema(db_url))) == 5


def test_link_and_unlink_an_organisation_account(db_url, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password 1\n"))
    assert (
        accounts.main(["add", "pat@southend.gov.uk", "--role", "commissioner", "--password-stdin", "--db", db_url]) == 0
    )
    assert accounts.main(["link", "pat@southend.gov.uk", "--subject", "8f3c-oid", "--db", db_url]) == 0
    assert accounts.main(["list", "--db", db_url]) == 0
    assert "linked" in capsys.readouterr().out
    engine = ensure_schema(db_url)
    user, why = users.provider_account(
        engine, issuer="https://idp", subject="8f3c-oid", email=None, email_verified=None
    )
    assert why == "ok" and user.username == "pat@southend.gov.uk"
    assert accounts.main(["unlink", "pat@southend.gov.uk", "--db", db_url]) == 0
    assert accounts.main(["link", "nobody", "--subject", "x", "--db", db_url]) == 1
