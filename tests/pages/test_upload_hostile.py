"""The upload page with hostile and careless files (AppTest): names shown as written, never rendered; a file
built to exhaust the server refused on the page; an impossible period refused plainly."""

from __future__ import annotations

from datetime import date

import pytest

from core.periods import add_months, month_start
from tests.data_loaders.files import shared_string_bomb
from tests.pages.test_upload import _button, _csv, _partner_upload_page, empty_app  # noqa: F401 - a fixture

HOSTILE = "<style>*{display:none}</style>![x](http://example.invalid/a.png)"


def _checked(at, name: str, content: bytes, mime: str = "text/csv", period: str | None = None):
    at.file_uploader[0].set_value((name, content, mime))
    at.run()
    if period is not None:
        next(t for t in at.text_input if t.label.startswith("Period for")).set_value(period)
        at.run()
    _button(at, "Check files").click()
    at.run()
    assert not at.exception
    return at


def _month() -> date:
    return add_months(month_start(date.today()), -1)


def _rendered(at) -> list[str]:
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [w.value for w in at.warning]
    texts += [e.value for e in at.error] + [t.label for t in at.text_input]
    return texts


@pytest.mark.usefixtures("empty_app")
def test_a_file_name_with_html_and_markdown_is_shown_escaped():
    m = _month()
    name = f"{HOSTILE}_{m:%Y-%m}.csv"
    at = _checked(_partner_upload_page(), name, _csv([f"{m:%d/%m/%Y},P0001,dental"]))
    shown = _rendered(at)
    assert any("Ready to load" in t for t in shown)
    assert not any("<style>" in t or "](http" in t or "![" in t for t in shown), shown
    assert any("&lt;style&gt;" in t and r"\!\[x\]" in t for t in shown)


@pytest.mark.usefixtures("empty_app")
def test_a_file_name_with_contact_details_is_not_shown():
    m = _month()
    name = f"Jane jane.doe@example.com_{m:%Y-%m}.csv"
    at = _checked(_partner_upload_page(), name, _csv([f"{m:%d/%m/%Y},P0001,dental"]))
    assert any("Cannot be loaded" in md.value for md in at.markdown)
    frames = [df.value for df in at.dataframe]
    assert any(
        f["What to fix"].str.contains("This file's name looks like an email address").any()
        for f in frames
        if "What to fix" in f
    )
    assert not any("jane.doe" in t for t in [m.value for m in at.markdown])


@pytest.mark.usefixtures("empty_app")
def test_the_shared_string_file_is_refused_on_the_page():
    at = _checked(
        _partner_upload_page(),
        "attendance_2026-10.xlsx",
        shared_string_bomb(),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    frames = [df.value for df in at.dataframe if "What to fix" in df.value]
    assert frames and frames[0]["What to fix"].str.contains("characters when opened").any()


@pytest.mark.usefixtures("empty_app")
def test_an_impossible_period_is_refused_on_the_page():
    m = _month()
    at = _checked(
        _partner_upload_page(), f"attendance_{m:%Y-%m}.csv", _csv([f"{m:%d/%m/%Y},P0001,dental"]), period="9999-12"
    )
    frames = [df.value for df in at.dataframe if "What to fix" in df.value]
    assert frames and frames[0]["What to fix"].str.contains("outside the range of our data").any()
