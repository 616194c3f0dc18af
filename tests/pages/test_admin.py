"""Administration page actions (AppTest): add an account, set a target — each audited."""

from __future__ import annotations

import uuid

import pytest

from core.formatting import plain
from metrics import targets as targets_mod
from storage import users
from storage.db import ensure_schema
from storage.repository import read_audit
from tests.pages.conftest import USERS, signed_in


@pytest.fixture
def admin_page(app_env):
    at = signed_in(USERS["admin"]).run()
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    return at


def test_admin_adds_an_account(admin_page, app_env):
    at = admin_page
    name = f"new-{uuid.uuid4().hex[:6]}"
    next(t for t in at.text_input if t.label.startswith("New username")).input(name)
    next(t for t in at.text_input if t.label.startswith("Temporary password")).input("a temporary password")
    next(b for b in at.button if b.label == "Add account").click()
    at.run()
    assert not at.exception
    made = users.get_user(ensure_schema(app_env), username=name)
    assert made is not None and made.role == "chair"
    log = read_audit(ensure_schema(app_env), limit=20)
    assert ((log["action"] == "user_created") & (log["username"] == "admin")).any()


def test_admin_refuses_a_short_password(admin_page, app_env):
    at = admin_page
    next(t for t in at.text_input if t.label.startswith("New username")).input("shorty")
    next(t for t in at.text_input if t.label.startswith("Temporary password")).input("short")
    next(b for b in at.button if b.label == "Add account").click()
    at.run()
    assert any("at least 10" in e.value for e in at.error)
    assert users.get_user(ensure_schema(app_env), username="shorty") is None


def test_targets_tab_shows_this_year_s_targets(admin_page, app_env):
    at = admin_page
    fy = at.selectbox(key="targets-fy").value
    current = targets_mod.targets_for(engine=ensure_schema(app_env), financial_year=fy)
    editor = at.data_editor[0].value
    shown = dict(zip(editor["ID"], editor["Target"], strict=True))
    assert shown["DEN-01"] == current["DEN-01"]
    assert "ENG-05" not in shown  # no direction, no target


def test_admin_cannot_add_a_username_holding_personal_data(admin_page, app_env):
    at = admin_page
    name = "jane 07700 900123"
    next(t for t in at.text_input if t.label.startswith("New username")).input(name)
    next(t for t in at.text_input if t.label.startswith("Temporary password")).input("a temporary password")
    next(b for b in at.button if b.label == "Add account").click()
    at.run()
    assert not at.exception
    assert any("looks like a phone number" in e.value and "07700" not in e.value for e in at.error)
    assert users.get_user(ensure_schema(app_env), username=name) is None


def test_an_organisation_email_is_a_valid_username(admin_page, app_env):
    at = admin_page
    name = f"staff.{uuid.uuid4().hex[:6]}@southend.gov.uk"
    next(t for t in at.text_input if t.label.startswith("New username")).input(name)
    next(t for t in at.text_input if t.label.startswith("Temporary password")).input("a temporary password")
    next(b for b in at.button if b.label == "Add account").click()
    at.run()
    assert not at.exception
    assert users.get_user(ensure_schema(app_env), username=name) is not None


@pytest.fixture
def chosen_account(admin_page, app_env):
    """A fresh chair account, chosen in the *Change an account* column."""
    name = f"change-{uuid.uuid4().hex[:6]}"
    users.create_user(ensure_schema(app_env), username=name, password="a first password", role="chair",
                      created_by="admin")
    at = admin_page
    at.run()
    at.selectbox(key="admin-who").select(name).run()
    return at, name


def _click(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception


def test_admin_resets_a_password(chosen_account, app_env):
    at, name = chosen_account
    next(t for t in at.text_input if t.label.startswith("New password")).input("a second password")
    _click(at, "Reset password")
    engine = ensure_schema(app_env)
    assert users.verify(engine, username=name, password="a second password").user is not None
    assert [s.value for s in at.success] == [plain(f"Password of '{name}' reset; any lockout lifted.")]


def test_admin_refuses_a_short_reset_password(chosen_account, app_env):
    at, name = chosen_account
    next(t for t in at.text_input if t.label.startswith("New password")).input("short")
    _click(at, "Reset password")
    assert any("at least 10" in e.value for e in at.error)
    assert users.verify(ensure_schema(app_env), username=name, password="a first password").user is not None


def test_admin_changes_a_role(chosen_account, app_env):
    at, name = chosen_account
    roles = [s for s in at.selectbox if s.label == "Role"]
    roles[-1].select("commissioner")
    _click(at, "Change role")
    assert users.get_user(ensure_schema(app_env), username=name).role == "commissioner"
    assert [s.value for s in at.success] == [plain(f"'{name}' is now: {users.ROLE_LABELS['commissioner']}.")]


def test_admin_links_an_organisation_account(chosen_account, app_env):
    at, name = chosen_account
    next(t for t in at.text_input if t.label.startswith("Organisation account")).input(uuid.uuid4().hex)
    _click(at, "Link organisation account")
    shown = users.list_users(ensure_schema(app_env))
    assert bool(shown.loc[shown["username"] == name, "linked"].iloc[0])
    assert [s.value for s in at.success] == [plain(f"'{name}' is linked to that organisation account.")]
