"""The meeting loop's pages and panels under every role (AppTest): what each role sees and may not do.

The module's own database: the page tests' returns plus the sample story's two meetings
(``sample_data.meetings``), dated from its last month. Tests that write only add to it, so every test holds
in any order.
"""

from __future__ import annotations

import pytest

from storage.users import User
from tests.pages import sample_db
from tests.pages.conftest import TEST_SECRET, USERS, all_text, signed_in
from ui import navigation
from ui.frame import FAILED


@pytest.fixture(scope="module")
def own_db(tmp_path_factory):
    from core import clock
    from core.periods import add_months, month_start
    from sample_data.meetings import seed_meetings
    from storage.db import ensure_schema

    url = f"sqlite:///{tmp_path_factory.mktemp('meetings') / 'meetings.db'}"
    sample_db.build(url)
    seed_meetings(ensure_schema(url), add_months(month_start(clock.today()), -1))
    return url


@pytest.fixture
def own_app(own_db, monkeypatch):
    from tests.pages.conftest import ROOT

    monkeypatch.setenv("OUTCOMES_DATABASE_URL", own_db)
    monkeypatch.setenv("OUTCOMES_SAMPLE", "1")
    monkeypatch.setenv("OUTCOMES_COOKIE_SECRET", TEST_SECRET)
    monkeypatch.chdir(ROOT)

    def make(role: str):
        at = signed_in(USERS[role])
        at.run()
        return at

    return make


@pytest.fixture
def app_as(own_app):
    return own_app


CHAIR = User("chair", "chair", None, True)
FORMS = ["Sign off these figures", "Set up the meeting", "Raise the action", "Record the decision"]


def _open(app_as, role: str, key: str):
    at = app_as(role)
    page = navigation.page(key)
    if not page.default and navigation.default_page(USERS[role]["role"]) is not page:
        at.switch_page(page.file).run()
    return at


def _healthy(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not any(FAILED in e.value for e in at.error), [e.value for e in at.error]
    assert not any("not available to your account" in e.value for e in at.error)


def _buttons(at) -> list[str]:
    return [b.label for b in at.button]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_chair_runs_the_meeting_from_the_meetings_page(app_as):
    at = _open(app_as, "chair", "meetings")
    _healthy(at)
    assert set(FORMS) <= set(_buttons(at))
    text = all_text(at)
    assert "Commission a mobile dental clinic" in text  # the sample story's decision
    log = next(d.value for d in at.dataframe if "Latest note" in d.value.columns and len(d.value) >= 3)
    assert {"Done", "Overdue", "Open"} <= set(log["Status"])
    seen = next(d.value for d in at.dataframe if "Indicator" in d.value.columns)  # the figures as they stood
    assert "Women engaged" in set(seen["Indicator"])


@pytest.mark.parametrize("role", ["commissioner", "author"])
def test_commissioners_and_authors_read_the_meetings_page_but_change_nothing(app_as, role):
    at = _open(app_as, role, "meetings")
    _healthy(at)
    assert not set(FORMS) & set(_buttons(at))
    assert "Save the update" not in _buttons(at) and not at.text_area
    assert "Commission a mobile dental clinic" in all_text(at)


def test_partner_lands_on_its_commentary_page_with_only_its_indicators_published(app_as):
    at = app_as("partner")
    _healthy(at)
    assert at.title[0].value.startswith("Our commentary")
    text = all_text(at)
    subheads = [s.value for s in at.subheader]
    assert "Women engaged (ENG-01)" in subheads
    assert not any("DEN-01" in s or "HLT-01" in s for s in subheads)  # not fed by its returns
    assert "Exact figures" not in text
    assert "published figures" in text
    ours = at.dataframe[0].value
    assert set(ours["Owner"]) == {"Aspirations (drop-in and outreach charity)"}  # only its own actions
    assert "Agree the mobile dental clinic" not in text  # someone else's action
    months = at.dataframe[1].value
    assert list(months.columns) == ["Month", "Signed off", "Since then"]
    assert "Save the update" in _buttons(at)
    assert "Mark for the public pack" not in _buttons(at)  # only authors and the chair mark commentary
    assert "Save commentary" in _buttons(at)


def test_partner_sees_which_of_its_months_are_signed_off(app_as, own_db):
    from metrics import meetings as loop
    from storage.db import ensure_schema

    at = app_as("partner")
    period = at.session_state["period"]
    if loop.signed_off(ensure_schema(own_db), period=period) is None:
        assert set(at.dataframe[1].value["Signed off"]) == {"Not yet"}
        loop.sign_off(ensure_schema(own_db), CHAIR, period=period)
    at = app_as("partner")
    months = at.dataframe[1].value
    assert len(months) == len(period.months()) and all(v.startswith("Yes, ") for v in months["Signed off"])


@pytest.mark.parametrize("role", ["chair", "author", "commissioner"])
def test_commentary_page_for_the_group(app_as, role):
    at = _open(app_as, role, "commentary")
    _healthy(at)
    assert at.selectbox(key="commentary-pick")
    writes = "Save commentary" in _buttons(at)
    assert writes == (role != "commissioner")


@pytest.mark.parametrize("role", ["chair", "commissioner", "author"])
def test_commentary_and_actions_beside_the_figure_on_the_health_page(app_as, role):
    at = _open(app_as, role, "health")
    _healthy(at)
    text = all_text(at)
    assert "The mobile dental clinic has not started yet" in text  # the story's commentary on DEN-01
    assert "Restricted to the group" in text
    table = next(d.value for d in at.dataframe if "The figure since" in d.value.columns)
    assert " now" in table["The figure since"].iloc[0] and "Agree the mobile dental clinic" in table["Action"].iloc[0]
    assert ("Save commentary" in _buttons(at)) == (role != "commissioner")
    assert ("Mark for the public pack" in _buttons(at)) == (role in ("chair", "author"))


@pytest.mark.parametrize("role", ["chair", "commissioner", "author"])
def test_overview_shows_carried_forward_actions_and_commentary_needed(app_as, role):
    at = app_as(role)
    _healthy(at)
    assert "Carried forward for the next meeting" in [h.value for h in at.header]
    carried = next(d.value for d in at.dataframe if "Due" in d.value.columns)
    assert "Overdue" in set(carried["Status"]) and "Done" not in set(carried["Status"])
    assert any("Commentary needed" in w.value for w in at.warning) or "Commentary needed: none" in all_text(at)


def test_partner_writes_commentary_and_personal_data_is_refused_unrepeated(own_app, own_db):
    from metrics import meetings as loop
    from storage.db import ensure_schema

    at = own_app("partner")
    at.text_area(key="comment-text-ENG-01").input("P0042 stopped coming after July")
    at.button(key="FormSubmitter:comment-ENG-01-Save commentary").click().run()
    errors = [e.value for e in at.error]
    assert any("a person reference" in e for e in errors) and not any("P0042" in e for e in errors)
    assert "P0042" not in all_text(at)
    at.text_area(key="comment-text-ENG-01").input("Two sessions were lost to the hall repairs.")
    at.button(key="FormSubmitter:comment-ENG-01-Save commentary").click().run()
    _healthy(at)
    assert any("Commentary saved" in s.value for s in at.success)
    assert "Two sessions were lost to the hall repairs." in all_text(at)
    engine = ensure_schema(own_db)
    texts = [c["text"] for c in loop.commentary(engine, period=at.session_state["period"])]
    assert "Two sessions were lost to the hall repairs." in texts and not any("P0042" in t for t in texts)


def test_chair_raises_an_action_the_owner_closes_it_an_author_marks_commentary(own_app, own_db):
    from metrics import meetings as loop
    from storage.db import ensure_schema

    engine = ensure_schema(own_db)
    at = own_app("chair")
    at.switch_page("pages/meetings.py").run()
    at.text_area(key="action-text").input("Ask the hall for a second room on Thursdays")
    at.multiselect(key="action-ids").select("ENG-01")
    at.selectbox(key="action-partner").select("aspirations")
    at.button(key="FormSubmitter:new-action-Raise the action").click().run()
    _healthy(at)
    [raised] = [a for a in loop.actions(engine) if a["text"].startswith("Ask the hall")]
    assert raised["owner_partner"] == "aspirations" and raised["indicator_ids"] == ["ENG-01"]

    partner = own_app("partner")
    partner.selectbox(key="update-action-ours").select(
        next(a for a in partner.selectbox(key="update-action-ours").options if a.startswith("Ask the hall"))
    )
    partner.radio(key="update-status-ours").set_value("done")
    partner.text_input(key="update-note-ours").input("A second room is booked")
    partner.button(key="FormSubmitter:update-ours-Save the update").click().run()
    _healthy(partner)
    [closed] = [a for a in loop.actions(engine) if a["id"] == raised["id"]]
    assert closed["status"] == "done" and closed["notes"][-1]["note"] == "A second room is booked"

    author = own_app("author")
    author.switch_page("pages/commentary.py").run()
    author.selectbox(key="commentary-pick").select("DEN-01").run()
    [mark] = [b for b in author.button if b.label == "Mark for the public pack"]
    mark.click().run()
    _healthy(author)
    assert any(
        c["indicator_id"] == "DEN-01"
        for c in loop.commentary(engine, period=author.session_state["period"], public_only=True)
    )


def test_chair_signs_off_the_period(own_app, own_db):
    from metrics import meetings as loop
    from storage.db import ensure_schema

    at = own_app("chair")
    at.switch_page("pages/meetings.py").run()
    _button(at, "Sign off these figures").click().run()
    _healthy(at)
    assert any("signed off" in s.value for s in at.success)
    assert loop.signed_off(ensure_schema(own_db), period=at.session_state["period"]) is not None
    assert any("Signed off by the chair" in c.value for c in at.caption)


def test_a_correction_after_sign_off_shows_as_revised_until_signed_off_again(app_as, own_db):
    from datetime import timedelta

    from core.periods import Period, month_end
    from metrics import meetings as loop
    from storage.db import ensure_schema
    from storage.repository import SheetRows, read_return, store_submission, utcnow

    engine = ensure_schema(own_db)
    period = app_as("chair").session_state["period"]
    loop.sign_off(engine, CHAIR, period=period)
    last = period.months()[-1]
    rows = read_return(engine, "attendance", start=last, end=month_end(last), partners=["aspirations"])
    kept = rows[rows["person_id"] != rows["person_id"].iloc[0]].drop(columns=["partner"])  # one woman taken out
    store_submission(
        engine,
        sha256="c" * 64,
        file_name="attendance_correction.xlsx",
        partner="aspirations",
        period=Period(last, month_end(last)),
        loaded_by="aspirations",
        content=b"correction",
        sheets=[SheetRows("attendance", "attendance", kept)],
        warnings=[],
        loaded_at=utcnow() + timedelta(seconds=2),
    )
    at = app_as("chair")
    _healthy(at)
    assert [w.value for w in at.warning if "Revised since sign-off" in w.value]
    changes = next(d.value for d in at.dataframe if "Signed off" in d.value.columns)
    assert "Average attendance per drop-in (ENG-04)" in set(changes["Indicator"])  # fewer women at its sessions
    # The published view (a commissioner's) carries the signed-off figures: it names the sign-off, no revision.
    at = app_as("commissioner")
    _healthy(at)
    assert not [w.value for w in at.warning if "evised since sign-off" in w.value]
    assert any("Published figures: as they stood when the chair signed off" in c.value for c in at.caption)
    partner = app_as("partner")
    assert "revised since sign-off" in " ".join(partner.dataframe[1].value["Since then"])
    loop.sign_off(engine, CHAIR, period=period)
    at = app_as("chair")
    assert not [w.value for w in at.warning if "Revised since sign-off" in w.value]
    assert any("Signed off by the chair" in c.value for c in at.caption)
