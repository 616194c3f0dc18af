"""Uploading as a partner (AppTest): dry run shows what would load and every error; Confirm loads it."""

from __future__ import annotations

from datetime import date

import pytest

from core import clock
from core.formatting import plain_label
from core.periods import add_months, month_start
from storage import repository
from storage.db import ensure_schema
from storage.users import ensure_demo_accounts
from tests.pages.conftest import ROOT, TEST_SECRET, signed_in


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'upload.db'}"
    ensure_demo_accounts(ensure_schema(url))
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", url)
    monkeypatch.setenv("OUTCOMES_SAMPLE", "1")
    monkeypatch.setenv("OUTCOMES_COOKIE_SECRET", TEST_SECRET)
    monkeypatch.chdir(ROOT)
    return url


def _last_month() -> date:
    return add_months(month_start(clock.today()), -1)


def _csv(rows: list[str]) -> bytes:
    return ("session_date,person_id,services_used\n" + "\n".join(rows) + "\n").encode()


def _partner_upload_page():
    at = signed_in({"username": "aspirations", "role": "partner", "partner": "aspirations"}).run()
    at.switch_page("pages/upload.py").run()
    return at


def _button(at, label: str):
    return next(b for b in at.button if b.label.startswith(label))


def test_partner_checks_then_confirms_a_file(empty_app):
    m = _last_month()
    name = f"attendance_{m:%Y-%m}.csv"
    content = _csv([f"{m:%d/%m/%Y},P0001,dental", f"{m.replace(day=8):%d/%m/%Y},p2,food;hairdressing"])
    at = _partner_upload_page()
    assert not at.exception
    at.file_uploader[0].set_value((name, content, "text/csv"))
    at.run()
    period_box = next(t for t in at.text_input if t.label == f"Period for {plain_label(name)}")  # shown as written
    assert period_box.value == f"{m:%Y-%m}"  # filled in from the file name
    _button(at, "Check files").click()
    at.run()
    assert not at.exception
    assert any("Ready to load" in md.value for md in at.markdown)
    engine = ensure_schema(empty_app)
    assert repository.data_version(engine) == (0, 0)  # the dry run stored nothing
    preview = [df.value for df in at.dataframe if "person_id" in df.value.columns]
    assert preview and len(preview[0]) == 2  # the partner sees its own rows before loading
    _button(at, "Confirm and load 1 file").click()
    at.run()
    assert not at.exception
    assert any("Loaded. Every page" in s.value for s in at.success)
    subs, _ = repository.list_submissions(engine)
    assert subs["partner"].tolist() == ["aspirations"] and subs["loaded_by"].tolist() == ["aspirations"]


def test_errors_listed_in_a_table_without_echoing_values(empty_app):
    m = _last_month()
    name = f"attendance_{m:%Y-%m}.csv"
    content = _csv([f"{m:%d/%m/%Y},Jane,dental", f"{m:%d/%m/%Y},P0003,dentist"])
    at = _partner_upload_page()
    at.file_uploader[0].set_value((name, content, "text/csv"))
    at.run()
    _button(at, "Check files").click()
    at.run()
    assert any("Cannot be loaded" in md.value for md in at.markdown)
    errors = next(df.value for df in at.dataframe if "What to fix" in df.value.columns)
    assert len(errors) == 2 and set(errors["Row"]) == {"2", "3"}
    assert "Jane" not in errors.to_csv()
    assert not any(b.label.startswith("Confirm") for b in at.button)
    assert repository.data_version(ensure_schema(empty_app)) == (0, 0)


def test_admin_chooses_the_partner(empty_app):
    at = signed_in({"username": "admin", "role": "admin"}).run()
    at.switch_page("pages/upload.py").run()
    assert not at.exception
    box = next(s for s in at.selectbox if s.label == "Partner the files come from")
    assert "police" in box.options or "Police" in box.options
