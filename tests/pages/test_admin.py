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
    users.create_user(
        ensure_schema(app_env), username=name, password="a first password", role="chair", created_by="admin"
    )
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


# --------------------------------------------------------------------------- process changes


def _changes(app_env) -> list[dict]:
    from metrics import spc

    return spc.recorded_changes(ensure_schema(app_env))


def _record(at, *, reason: str, when, charts: list[str]):
    next(d for d in at.date_input if d.label.startswith("Date the service changed")).set_value(when)
    next(t for t in at.text_input if t.label.startswith("Reason")).input(reason)
    ms = next(m for m in at.multiselect if m.label.startswith("Charts it applies to"))
    for c in charts:
        ms.select(c)
    next(b for b in at.button if b.label == "Record change").click()
    return at.run()


def test_admin_records_and_removes_a_process_change(admin_page, app_env):
    from datetime import date

    from storage import process_changes

    before = {c["id"] for c in _changes(app_env)}
    at = _record(
        admin_page, reason="Drop-in moved to the new building", when=date(2026, 1, 12), charts=["attendance", "ENG-04"]
    )
    made = [c for c in _changes(app_env) if c["id"] not in before]
    try:
        assert not at.exception and not at.error
        assert [(c["changed_on"], c["reason"], c["applies_to"], c["recorded_by"]) for c in made] == [
            (date(2026, 1, 12), "Drop-in moved to the new building", ["attendance", "ENG-04"], "admin")
        ]
        assert any("12/01/2026 recorded" in s.value for s in at.success)
        table = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
        row = table[table["Reason"] == "Drop-in moved to the new building"].iloc[0]
        assert row["Date"] == "12/01/2026" and row["Charts"].startswith("Women at each drop-in session")
        log = read_audit(ensure_schema(app_env), limit=20)
        assert ((log["action"] == "process_change_added") & (log["username"] == "admin")).any()

        pick = next(s for s in at.selectbox if s.label == "Process change")
        pick.set_value(made[0]["id"])
        next(b for b in at.button if b.label == "Remove change").click()
        at.run()
        assert not at.exception and any("removed" in s.value for s in at.success)
        assert {c["id"] for c in _changes(app_env)} == before
        log = read_audit(ensure_schema(app_env), limit=20)
        assert ((log["action"] == "process_change_removed") & (log["username"] == "admin")).any()
    finally:
        for c in made:
            if c["id"] in {x["id"] for x in _changes(app_env)}:
                process_changes.remove_change(ensure_schema(app_env), change_id=c["id"], by=("admin", "admin"))


def test_a_personal_looking_reason_is_refused_without_repeating_it(admin_page, app_env):
    from datetime import date

    before = _changes(app_env)
    at = _record(admin_page, reason="Moved after P0042 and 07700 900123 asked", when=date(2026, 1, 12), charts=[])
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "The reason was not saved" in errors and "P0042" not in errors and "07700" not in errors
    assert _changes(app_env) == before


def test_only_an_administrator_sees_the_process_changes_form(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import ROOT

    for role in ("chair", "commissioner", "author", "partner"):
        at = AppTest.from_file(str(ROOT / "pages" / "admin.py"), default_timeout=60)
        at.session_state["auth_user"] = {"active": True, "partner": None, **USERS[role]}
        at.run()
        assert "not available to your account" in " ".join(e.value for e in at.error), role
        assert not any(b.label in ("Record change", "Remove change") for b in at.button), role
        assert not any(t.label.startswith("Reason") for t in at.text_input), role
