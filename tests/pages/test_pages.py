"""Every page under every role that may see it (AppTest), on a database built by code.

Each test checks that the page runs without an error, shows its key figures,
and holds nothing the role must not see.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from metrics import permissions
from tests.pages.conftest import all_text
from ui import navigation
from ui.frame import FAILED

INDICATOR_PAGES = ["overview", "engagement", "health", "recovery", "family", "safety", "voice"]
SMALL = re.compile(r"^[1-4]$")
# Columns that hold counts of things other than women (never disclosure-controlled figures).
NOT_FIGURES = {"Warnings", "Period", "Month", "Session", "Loaded", "Tried", "ID", "Better", "Was due"}


def _open(app_as, role: str, key: str):
    at = app_as(role)
    page = navigation.page(key)
    if not page.default:
        at.switch_page(page.file).run()
    return at


def _assert_healthy(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert not any(FAILED in e for e in errors), errors
    assert not any("not available to your account" in e for e in errors), errors


def _small_cells(at) -> list[str]:
    """Every displayed table cell, tile value or chart hover text that is a count from 1 to 4."""
    found = []
    for df in at.dataframe:
        frame = df.value
        for col in frame.columns:
            if str(col) in NOT_FIGURES:
                continue
            for v in frame[col].astype(str):
                if SMALL.match(v.strip()):
                    found.append(f"table {col}: {v}")
    for md in at.markdown:
        found += [f"tile: {m}" for m in re.findall(r'class="tile-value">([1-4])<', md.value)]
        found += [f"line: {m}" for m in re.findall(r"^\*\*([1-4])\*\* in ", md.value)]
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec.get("data", []):
            for h in trace.get("hovertext") or []:
                if re.search(r": [1-4]( \(|$)", str(h)):
                    found.append(f"chart hover: {h}")
            if trace.get("type") == "bar":
                found += [f"bar text: {t}" for t in trace.get("text") or [] if SMALL.match(str(t))]
    return found


@pytest.mark.parametrize("role", ["chair", "commissioner", "author"])
@pytest.mark.parametrize("key", INDICATOR_PAGES)
def test_indicator_pages_run_for_every_role_that_may_see_them(app_as, role, key):
    at = _open(app_as, role, key)
    _assert_healthy(at)
    assert at.title[0].value == navigation.page(key).title or key == "overview"
    text = all_text(at)
    assert "Period: **Q" in text  # the default period is a quarter
    if role == "chair":
        assert "Exact figures" in text
    else:
        assert "Published figures" in text
        small = _small_cells(at)
        assert not small, f"{role} sees counts from 1 to 4 on {key}: {small[:10]}"
    assert at.get("plotly_chart") or key == "overview"


def test_overview_shows_headline_tiles_attention_and_every_indicator(app_as):
    at = _open(app_as, "chair", "overview")
    _assert_healthy(at)
    headers = [h.value for h in at.header]
    assert headers == [
        "Headline figures",
        "What needs attention",
        "Carried forward for the next meeting",
        "Every indicator",
    ]
    tiles = [m.value for m in at.markdown if 'class="tile"' in m.value]
    assert len(tiles) == 8  # the headline indicators
    assert any("Women engaged" in t for t in tiles)
    assert any("Dental access" in t for t in tiles)
    assert all("vs Q" in t for t in tiles)  # change against the previous quarter and a year earlier
    summary = at.dataframe[0].value
    assert len(summary) == 26  # every indicator but the pathway breakdown
    assert {"Against target", "Against a year earlier", "Trend"} <= set(summary.columns)
    assert summary.set_index("ID").loc["HLT-01", "Trend"].startswith("Cannot be calculated: each figure covers")
    assert "Off target (" in all_text(at)  # the attention list names off-target indicators


@pytest.mark.parametrize(("role", "key"), [("chair", "overview"), ("commissioner", "overview"), ("chair", "health")])
def test_tiles_show_the_trend_marker_in_words_and_as_an_icon(app_as, role, key):
    at = _open(app_as, role, key)
    _assert_healthy(at)
    tiles = [m.value for m in at.markdown if 'class="tile"' in m.value]
    assert tiles and all("Trend: " in t and 'aria-label="trend"' in t for t in tiles)
    assert all("(last 5 quarters)" in t for t in tiles)  # the default period is a quarter
    words = ("No significant change", "Increasing", "Decreasing", "Cannot be calculated: ")
    assert all(any(w in t for w in words) for t in tiles)


def test_chair_sees_exact_small_counts_the_commissioner_does_not(app_as):
    chair = _open(app_as, "chair", "health")
    commissioner = _open(app_as, "commissioner", "health")
    assert _small_cells(chair), "the test data should hold small counts on the health page"
    assert not _small_cells(commissioner)
    assert "*" in all_text(commissioner)


def test_health_page_puts_dental_first(app_as):
    at = _open(app_as, "chair", "health")
    _assert_healthy(at)
    assert [h.value for h in at.header][0].startswith("Dental care")


def test_engagement_page_has_spc_chart_with_making_data_count_captions(app_as):
    at = _open(app_as, "commissioner", "engagement")
    _assert_healthy(at)
    text = all_text(at)
    assert "Variation" in text and "Assurance" in text
    assert "Weekly drop-in attendance" in [h.value for h in at.header]
    sessions = next(df.value for df in at.dataframe if "Session" in df.value.columns)
    assert len(sessions) > 40  # a year of weekly sessions, dates written the UK way
    assert re.match(r"\d{2}/\d{2}/\d{4}$", sessions["Session"].iloc[0])


def test_engagement_chart_starts_new_limits_at_a_recorded_process_change(app_as, app_env):
    """A change an administrator recorded (in the database) rebases the chart, which shows it with its reason."""
    from storage import process_changes
    from storage.db import ensure_schema

    engine = ensure_schema(app_env)
    cid = process_changes.add_change(
        engine,
        changed_on=date(2026, 3, 3),
        reason="Drop-in moved to the new building",
        applies_to=["attendance"],
        by=("admin", "admin"),
    )
    try:
        at = _open(app_as, "commissioner", "engagement")
        _assert_healthy(at)
        text = all_text(at)
        assert "worked out afresh from 03/03/2026: Drop-in moved to the new building" in text
        spc = next(c for c in at.get("plotly_chart") if "Process change" in c.proto.spec)
        assert "Drop-in moved to the new building" in spc.proto.spec
    finally:
        process_changes.remove_change(engine, change_id=cid, by=("admin", "admin"))
    at = _open(app_as, "commissioner", "engagement")
    assert "Drop-in moved to the new building" not in all_text(at)  # removed: the chart has one period again


def test_every_chart_has_its_figures_in_a_table(app_as):
    at = _open(app_as, "author", "safety")
    _assert_healthy(at)
    charts = at.get("plotly_chart")
    assert charts
    assert len(at.dataframe) >= len(charts)


def test_author_gets_downloads_commissioner_does_not(app_as):
    author = _open(app_as, "author", "overview")
    commissioner = _open(app_as, "commissioner", "overview")
    assert [b.label for b in author.get("download_button")]
    assert not commissioner.get("download_button")


@pytest.mark.parametrize("role", ["chair", "commissioner", "author", "partner", "admin"])
def test_data_returns_page(app_as, role):
    at = _open(app_as, role, "returns")
    _assert_healthy(at)
    grid = at.dataframe[0].value
    text = all_text(at)
    if role == "partner":
        assert set(grid["Return"]) == {"Attendance", "Outreach", "Key-work review", "Supplies", "Feedback"}
        assert "How complete each indicator is" not in [h.value for h in at.header]
        assert "Women engaged" not in text
        assert "dental" not in text.lower()  # another partner's returns stay out of sight
    else:
        assert any("Dental" in r for r in grid["Partner and return"])
        assert "✗ Missing" in grid.to_csv()
        assert "Files loaded" in [h.value for h in at.header]
    if role in ("commissioner", "author"):
        assert not _small_cells(at)


@pytest.mark.parametrize("role", ["chair", "commissioner", "author", "admin"])
def test_definitions_page(app_as, role):
    at = _open(app_as, role, "definitions")
    _assert_healthy(at)
    labels = [e.label for e in at.expander]
    assert len(labels) == 27
    assert "DEN-01 · Dental access in last 12 months" in labels
    assert "Read with care" in all_text(at)


@pytest.mark.parametrize("role", ["partner", "admin"])
def test_upload_page_opens(app_as, role):
    at = _open(app_as, role, "upload")
    _assert_healthy(at)
    assert at.file_uploader
    if role == "partner":
        assert not at.selectbox or "Partner the files come from" not in [s.label for s in at.selectbox]
    else:
        assert "Partner the files come from" in [s.label for s in at.selectbox]


def test_admin_page(app_as):
    at = _open(app_as, "admin", "admin")
    _assert_healthy(at)
    users = at.dataframe[0].value
    assert {"chair", "commissioner", "author", "aspirations", "admin"} <= set(users["Username"])
    assert "password_hash" not in " ".join(map(str, users.columns))
    assert [t.label for t in at.tabs] == ["Accounts", "Targets", "Process changes", "Partners", "Audit log"]


@pytest.mark.parametrize("role", ["chair", "commissioner", "author", "partner", "admin"])
def test_menu_offers_only_the_role_s_pages_and_pages_check_the_role(app_as, role):
    at = app_as(role)
    _assert_healthy(at)
    allowed = {p.file for p in navigation.pages_for(role)}
    for page in navigation.PAGES:
        if page.file in allowed:
            continue
        # Not in the menu: AppTest cannot even switch to it.
        with pytest.raises(ValueError):
            at.switch_page(page.file)


# pages/reports.py cannot run as a main script (its folder would shadow the reports package); its own
# tests (tests/pages/test_reports.py) cover its role check.
@pytest.mark.parametrize("key", [p.key for p in navigation.PAGES if p.key != "reports"])
def test_a_page_opened_directly_checks_the_role_itself(app_env, key):
    """Even run on its own (no menu), a page shows nothing without a signed-in, allowed account."""
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import ROOT, USERS

    page = navigation.page(key)
    at = AppTest.from_file(str(ROOT / page.file), default_timeout=60).run()
    assert "Please log in" in " ".join(w.value for w in at.warning)
    assert not at.dataframe and not at.get("plotly_chart")
    wrong = next((r for r in USERS if not permissions.may_open(r, key)), None)
    if wrong:
        at = AppTest.from_file(str(ROOT / page.file), default_timeout=60)
        at.session_state["auth_user"] = {"active": True, "partner": None, **USERS[wrong]}
        at.run()
        assert "not available to your account" in " ".join(e.value for e in at.error)
        assert not at.dataframe and not at.get("plotly_chart")


def test_signed_out_sees_only_the_login_form(app_as):
    at = app_as(None)
    _assert_healthy(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert [b.label for b in at.button] == ["Log in"]
    assert not at.dataframe and not at.get("plotly_chart")
    text = all_text(at)
    assert "Women engaged" not in text and "Meeting overview" not in text
    with pytest.raises(ValueError):
        at.switch_page("pages/overview.py")


def test_sample_banner_on_every_page(app_as):
    at = app_as(None)
    assert any("Sample data" in h.value for h in at.html)
    for role in ("partner", "chair"):  # (AppTest keeps st.html only on a session's first page)
        at = app_as(role)
        assert any("Sample data" in h.value for h in at.html)


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("commissioner", "Month"),
        ("commissioner", "Year to date"),
        ("commissioner", "Financial year"),
        ("chair", "Custom dates"),
    ],
)
def test_period_kinds(app_env, role, kind):
    from tests.pages.conftest import USERS, signed_in

    # (Chosen through the widget's state before the first run: AppTest re-runs only the page afterwards.)
    at = signed_in(USERS[role])
    at.session_state["period_kind"] = kind
    at.run()
    _assert_healthy(at)
    assert at.sidebar.radio[0].value == kind
    caption = next(c.value for c in at.caption if c.value.startswith("Period:"))
    if kind == "Month":
        assert re.search(r"Period: \*\*[A-Z][a-z]+ \d{4}\*\*", caption)
    elif kind == "Financial year":
        assert "financial year" in caption
    else:
        assert "Q" in caption or " to " in caption
    assert role == "chair" or not _small_cells(at)


@pytest.mark.parametrize("key", ["overview", "engagement", "returns"])
def test_an_empty_database_shows_not_reported_not_zero(tmp_path, monkeypatch, key):
    from storage.db import ensure_schema
    from storage.users import ensure_demo_accounts
    from tests.pages.conftest import ROOT, TEST_SECRET, USERS, signed_in

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    ensure_demo_accounts(ensure_schema(url))
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", url)
    monkeypatch.setenv("OUTCOMES_COOKIE_SECRET", TEST_SECRET)
    monkeypatch.chdir(ROOT)
    at = signed_in(USERS["chair"]).run()
    if key != "overview":
        at.switch_page(navigation.page(key).file).run()
    _assert_healthy(at)
    text = all_text(at)
    if key == "overview":
        assert "Not reported" in text and "—" in text
        tiles = [m.value for m in at.markdown if 'class="tile"' in m.value]
        assert tiles and not any('tile-value">0<' in t for t in tiles)
    if key == "returns":
        assert "No files have been loaded yet." in text


@pytest.mark.parametrize(("role", "custom"), [("chair", True), ("commissioner", False), ("author", False)])
def test_only_exact_figures_may_be_asked_for_custom_dates(app_env, role, custom):

    from tests.pages.conftest import USERS, signed_in

    at = signed_in(USERS[role])
    at.session_state["period_kind"] = "Custom dates"  # left from an earlier session: not offered in public
    at.run()
    _assert_healthy(at)
    kinds = list(at.sidebar.radio[0].options)
    assert ("Custom dates" in kinds) == custom
    assert "Year to date" in kinds and "Quarter" in kinds
    if not custom:
        assert "Period: **Q" in all_text(at)  # back on the default quarter


def test_a_page_asked_for_an_unpublished_period_says_which_periods_are_published():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(
        "from datetime import date\n"
        "from core.periods import Period\n"
        "from metrics import disclosure\n"
        "from ui import frame\n"
        "try:\n"
        "    disclosure.check_published(Period(date(2026, 4, 8), date(2026, 6, 30)))\n"
        "except disclosure.NotPublished as exc:\n"
        "    frame.page_failed('Meeting overview', exc)\n"
    )
    at.run()
    assert not at.exception and not at.error
    assert "a month, a financial-year quarter" in at.warning[0].value
