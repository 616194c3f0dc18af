"""Checking and loading whole files: every return, every tolerance, every refusal, periods, corrections."""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.returns import RETURNS
from data_loaders import checking
from data_loaders.ingest import COULD_NOT_READ, UsageError, ingest_file, validate_file
from storage import repository, schema
from tests.data_loaders.files import GOOD, SENDER, TODAY, csv_bytes, good_xlsx, xlsx


def check(content: bytes, name: str = "return_2026-04.xlsx", partner: str = "aspirations", **kw):
    return validate_file(content=content, file_name=name, partner=partner, today=TODAY, **kw)


def messages(v) -> list[str]:
    return [e["message"] for e in v.errors]


def one_sheet(header, rows, name="attendance", above=()):
    return xlsx({name: [*above, header, *rows]})


# --------------------------------------------------------------------------- good files, every return


@pytest.mark.parametrize("name", list(GOOD))
def test_every_return_good_workbook_is_accepted(name):
    v = check(good_xlsx(name), partner=SENDER[name])
    assert v.errors == []
    assert [s["return"] for s in v.summary] == [name]
    assert v.summary[0]["rows"] == len(GOOD[name][1])
    assert any("Guidance" in w and "ignored" in w for w in v.warnings)
    frame = v.sheets[0].frame
    assert list(frame.columns) == [c for c in RETURNS[name].column_names if c in frame]


@pytest.mark.parametrize("name", list(GOOD))
def test_every_return_good_csv_is_accepted(name):
    header, rows = GOOD[name]
    text_rows = [[x.isoformat() if isinstance(x, date) else x for x in r] for r in rows]
    v = check(csv_bytes([header, *text_rows]), name=f"{name}_2026-04.csv", partner=SENDER[name])
    assert v.errors == []
    assert v.summary[0]["return"] == name


def test_attendance_values_are_canonical():
    v = check(good_xlsx("attendance"))
    f = v.sheets[0].frame
    assert f["person_id"].tolist() == ["P0042", "P0042", "P0043", "P0007"]
    assert f["services_used"].tolist()[:2] == ["food;hairdressing", "drug_alcohol;dental"]
    assert f["services_used"].tolist()[3] == "arts_crafts"
    assert f["session_date"].dt.date.tolist() == [date(2026, 4, d) for d in (2, 9, 16, 23)]


def test_attendance_key_duplicates_are_kept_once_with_a_warning():
    v = check(
        one_sheet(
            ["session_date", "person_id"], [["02/04/2026", "P0042"], ["2026-04-02", "p42"], ["03/04/2026", "P0042"]]
        )
    )
    assert v.errors == []
    assert len(v.sheets[0].frame) == 2
    assert any("repeat an earlier row" in w and "rows 3" in w for w in v.warnings)


def test_key_duplicates_across_two_sheets_of_one_return_are_kept_once():
    header = ["session_date", "person_id"]
    v = check(
        xlsx(
            {
                "attendance": [header, ["02/04/2026", "P0042"], ["03/04/2026", "P0043"]],
                "Sheet2": [header, ["2026-04-02", "p42"], ["02/04/2026", "P0042"], ["04/04/2026", "P0044"]],
            }
        )
    )
    assert v.errors == []
    assert [len(s.frame) for s in v.sheets] == [2, 1]
    assert v.sheets[1].frame["person_id"].tolist() == ["P0044"]
    assert not any("'attendance'" in w and "repeat" in w for w in v.warnings)
    assert any("'Sheet2': 2 row(s) repeat an earlier row" in w and "rows 2, 3" in w for w in v.warnings)


def test_outreach_allows_anonymous_repeats_and_yes_no_forms():
    v = check(good_xlsx("outreach"), partner="vineyard")
    f = v.sheets[0].frame
    assert len(f) == 3 and f["person_id"].isna().sum() == 2
    assert f["condoms_given"].tolist() == [True, True, True]
    assert f["leaflet_given"].tolist()[0] is False and pd.isna(f["leaflet_given"].tolist()[1])


def test_keywork_codes_from_labels():
    f = check(good_xlsx("keywork_review")).sheets[0].frame
    assert f["accommodation"].tolist() == ["rough_sleeping", "hostel", "sofa_surfing"]
    assert f["child_contact"].tolist()[0] == "supervised"
    assert pd.isna(f["has_children"].tolist()[2])  # blank is unknown, never no


def test_police_month_forms_become_first_days():
    header = GOOD["police_monthly"][0]
    rows = [["2026-04", 1, 0, 2, None], ["17/05/2026", 0, 0, 0, 0], [date(2026, 6, 30), 4, 1, 1, 1]]
    v = check(one_sheet(header, rows, name="Police"), name="police_2026-27-Q1.xlsx", partner="police")
    assert v.errors == []
    assert v.sheets[0].frame["month"].dt.date.tolist() == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]


def test_counts_are_whole_and_not_negative_staff_trained_at_least_one():
    rows = [
        ["15/04/2026", "police", 0],
        ["16/04/2026", "health", 2.5],
        ["17/04/2026", "council", -3],
        ["18/04/2026", "housing", "many"],
    ]
    v = check(one_sheet(["course_date", "agency", "staff_trained"], rows, name="training"), partner="trauma_alliance")
    assert [e["row"] for e in v.errors] == [2, 3, 4, 5]
    assert all("whole number, 1 or more" in m for m in messages(v))


def test_scale_is_one_to_five():
    rows = [["09/04/2026", None, 0, 6, 3.5]]
    v = check(one_sheet(GOOD["feedback"][0], rows, name="feedback"))
    assert [e["column"] for e in v.errors] == ["Feel heard", "Feel safe", "Service helpful"]
    assert all("from 1 to 5" in m for m in messages(v))


def test_health_activity_must_belong_to_service_and_reason_only_for_nurse_prescriber():
    header = ["contact_date", "person_id", "service", "activity", "reason"]
    rows = [
        ["04/04/2026", "P0001", "nurse_prescriber", "consultation", "wound care"],
        ["04/04/2026", "P0002", "nurse_prescriber", "sti_screen", None],
        ["04/04/2026", "P0003", "nurse_prescriber", "consultation", "haircut"],
    ]
    v = check(one_sheet(header, rows, name="health contacts"), partner="nurse_prescriber")
    assert [(e["row"], e["column"]) for e in v.errors] == [(3, "activity"), (4, "reason")]
    rows = [["04/04/2026", "P0001", "sexual_health", "sti_screen", "wound_care"]]
    v = check(one_sheet(header, rows, name="health contacts"), partner="sexual_health")
    assert [(e["row"], e["column"]) for e in v.errors] == [(2, "reason")]
    assert "only for nurse_prescriber" in v.errors[0]["message"]


def test_health_partner_may_only_send_its_own_service():
    header = ["contact_date", "person_id", "service", "activity"]
    rows = [["04/04/2026", "P0001", "sexual_health", "sti_screen"], ["04/04/2026", "P0002", "dental", "check up"]]
    v = check(one_sheet(header, rows, name="health_contacts"), partner="sexual_health")
    assert [(e["row"], e["column"]) for e in v.errors] == [(3, "service")]
    assert v.sheets == []


def test_child_contact_must_be_blank_when_no_children():
    header = ["review_date", "person_id", "has_children", "child_contact"]
    rows = [
        ["01/04/2026", "P0001", "N", "none"],
        ["01/04/2026", "P0002", "Y", "none"],
        ["01/04/2026", "P0003", None, "indirect"],
    ]
    v = check(one_sheet(header, rows, name="keywork review"))
    assert [(e["row"], e["column"]) for e in v.errors] == [(2, "child_contact")]


# --------------------------------------------------------------------------- layout tolerances


def test_header_may_sit_under_ten_rows_and_columns_in_any_order():
    above = [["Title"], [], ["a note"]] + [[]] * 7
    v = check(
        one_sheet(
            ["Services used", "PERSON-ID", "Session_Date"], [["food", "P1", "02/04/2026"]], name="Sheet1", above=above
        )
    )
    assert v.errors == [] and v.summary == [{"sheet": "Sheet1", "return": "attendance", "rows": 1}]


def test_header_under_eleven_rows_is_not_found():
    above = [["Title"]] + [[]] * 10
    v = check(one_sheet(["session_date", "person_id"], [["02/04/2026", "P1"]], above=above))
    assert "could not find its header row" in messages(v)[0]


def test_missing_required_column_names_the_column_and_the_sheet():
    v = check(one_sheet(["session_date", "services_used"], [["02/04/2026", "food"]], name="Attendance"))
    assert v.errors[0]["column"] == "person_id"
    assert "Sheet 'Attendance' has no person_id column" in v.errors[0]["message"]


def test_unknown_columns_dropped_with_a_warning_personal_ones_refused():
    v = check(one_sheet(["session_date", "person_id", "Worker"], [["02/04/2026", "P1", "Sam"]]))
    assert v.errors == [] and any("'Worker'" in w for w in v.warnings)
    v = check(one_sheet(["session_date", "person_id", "Surname"], [["02/04/2026", "P1", "Smith"]]))
    assert v.errors[0]["column"] == "Surname" and "personal information" in v.errors[0]["message"]


@pytest.mark.parametrize(("ret", "partner"), [("supplies", "vineyard"), ("outreach", "aspirations")])
def test_place_columns_refused_on_supplies_and_outreach(ret, partner):
    header, rows = GOOD[ret]
    v = check(one_sheet([*header, "Location"], [[*r, "the pier"] for r in rows], name=ret), partner=partner)
    assert v.errors and all(e["column"] == "Location" for e in v.errors)
    assert "records a place" in v.errors[0]["message"]


def test_place_column_elsewhere_is_only_dropped():
    v = check(one_sheet(["session_date", "person_id", "Site"], [["02/04/2026", "P1", "hall"]]))
    assert v.errors == [] and any("'Site'" in w for w in v.warnings)


def test_blank_rows_and_rows_blank_in_every_known_column_are_skipped_with_true_row_numbers():
    rows = [
        ["02/04/2026", "P1", None],
        [None, None, None],
        [None, None, "just a note"],
        ["  ", "", "x"],
        ["31/04/2026", "P2", None],
    ]
    v = check(one_sheet(["session_date", "person_id", "Notes"], rows))
    assert [(e["row"], e["column"]) for e in v.errors] == [(6, "session_date")]


def test_sheets_matched_by_folded_name_or_header_others_ignored():
    content = xlsx(
        {
            "HEALTH-CONTACTS": [
                ["contact_date", "person_id", "service", "activity"],
                ["04/04/2026", "P1", "dental", "emergency"],
            ],
            "more": [["Contact date", "Person ID", "Service", "Activity"], ["05/04/2026", "P2", "dental", "treatment"]],
            "Lookups": [["service", "activity"], ["dental", "check_up"]],
            "Notes": [["Remember to anonymise"]],
        }
    )
    v = check(content, partner="dental")
    assert v.errors == []
    assert [(s["sheet"], s["return"]) for s in v.summary] == [
        ("HEALTH-CONTACTS", "health_contacts"),
        ("more", "health_contacts"),
    ]
    assert sum("ignored" in w for w in v.warnings) == 2


def test_a_partner_may_only_send_its_own_returns():
    v = check(good_xlsx("attendance"), partner="police")
    assert "does not send" in messages(v)[0]


def test_file_with_no_return_at_all():
    v = check(xlsx({"Sheet1": [["hello"], ["world"]]}))
    assert "could not find a return" in messages(v)[0]


# --------------------------------------------------------------------------- personal data


def test_personal_data_in_any_sheet_rejects_the_file_naming_the_cell_never_the_value():
    secrets = ["jane.doe@example.org", "07700 900123", "943 476 5919", "SS1 2AB"]
    content = xlsx(
        {
            "attendance": [
                ["session_date", "person_id", "Notes"],
                ["02/04/2026", "P1", secrets[0]],
                ["03/04/2026", "P2", secrets[1]],
            ],
            "Scratch": [["x"], [secrets[2]], [None, None, secrets[3]]],
        }
    )
    v = check(content)
    where = [(e["sheet"], e["row"], e["column"]) for e in v.errors]
    assert where == [("attendance", 2, "Notes"), ("attendance", 3, "Notes"), ("Scratch", 2, "A"), ("Scratch", 3, "C")]
    dumped = json.dumps(v.errors) + json.dumps(v.warnings)
    assert not any(s in dumped for s in secrets)


def test_no_message_ever_contains_the_offending_value():
    bad = {
        "person": "Jane Smith",
        "ref": "P-4242",
        "ref2": "P004242",
        "code": "Castle Hotel",
        "date": "Tuesdayish",
        "count": "lots and lots",
        "yes": "perhaps-ish",
    }
    content = xlsx(
        {
            "keywork_review": [
                ["review_date", "person_id", "accommodation", "has_children"],
                [bad["date"], bad["person"], bad["code"], bad["yes"]],
                ["01/04/2026", bad["ref"], "hostel", "Y"],
                ["01/04/2026", bad["ref2"], "hostel", "Y"],
            ],
            "supplies": [["date", "item", "quantity"], ["02/04/2026", "condoms", bad["count"]]],
        }
    )
    v = check(content)
    assert len(v.errors) == 7
    dumped = json.dumps(v.errors) + json.dumps(v.warnings)
    for value in bad.values():
        assert value not in dumped and value.casefold() not in dumped.casefold()
    assert "4242" not in dumped


# --------------------------------------------------------------------------- errors: all in one pass


def test_every_row_error_is_collected_with_sheet_row_and_column_as_headed():
    content = xlsx(
        {
            "attendance": [
                ["Title"],
                ["Drop in date", "Client Ref", "Services"],
                ["02/04/2026", "P1", "food"],
                ["32/04/2026", "P2", "food"],
                ["02/04/2026", "Jane", "pizza"],
                [None, "P3", None],
                ["2026-12-01", "P4", None],
            ],
            "keywork_review": [
                ["review_date", "person_id", "accommodation", "has_children"],
                ["08/04/2026", "P1", "castle", "maybe"],
            ],
        }
    )
    v = check(content, name="mixed.xlsx", period="2026-04")
    got = [(e["sheet"], e["row"], e["column"]) for e in v.errors]
    assert got == [
        ("attendance", 4, "Drop in date"),
        ("attendance", 5, "Client Ref"),
        ("attendance", 5, "Services"),
        ("attendance", 6, "Drop in date"),
        ("attendance", 7, "Drop in date"),
        ("attendance", 7, "Drop in date"),
        ("keywork_review", 2, "accommodation"),
        ("keywork_review", 2, "has_children"),
    ]
    row7 = [e["message"] for e in v.errors if e["row"] == 7]
    assert any("after today" in m for m in row7) and any("outside the period" in m for m in row7)
    assert "rough_sleeping, sofa_surfing" in v.errors[6]["message"]
    assert v.sheets == []  # nothing of a rejected file is kept


# --------------------------------------------------------------------------- periods and nil returns


def test_period_from_argument_file_name_or_rows():
    rows = [["02/04/2026", "P1"], ["03/05/2026", "P2"]]
    content = one_sheet(["session_date", "person_id"], rows)
    assert check(content, name="a.xlsx", period="2026-27-Q1").period.code() == "2026-27-Q1"
    v = check(content, name="a_2026-04.xlsx")
    assert v.period.code() == "2026-04" and [e["row"] for e in v.errors] == [3]
    v = check(content, name="a.xlsx")
    assert (v.period.start, v.period.end) == (date(2026, 4, 1), date(2026, 5, 31)) and v.errors == []


def test_bad_period_or_partner_is_a_usage_error():
    with pytest.raises(UsageError):
        check(good_xlsx("attendance"), period="April")
    with pytest.raises(UsageError):
        check(good_xlsx("attendance"), partner="nobody")


def test_nil_return_is_a_header_and_no_rows():
    v = check(one_sheet(["session_date", "person_id"], [[None, None], []]), name="a_2026-04.xlsx")
    assert v.errors == [] and v.summary == [{"sheet": "attendance", "return": "attendance", "rows": 0}]
    assert len(v.sheets) == 1 and v.sheets[0].frame.empty


def test_nil_return_without_a_period_is_refused_saying_why():
    v = check(one_sheet(["session_date", "person_id"], []), name="a.xlsx")
    assert "cannot tell which period" in messages(v)[0]


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)])
def test_csv_encodings(encoding, bom):
    content = csv_bytes(
        [["Session date", "Client ref", "Notes"], ["02/04/2026", "P1", "café – ‘quiet’ £5"]], encoding=encoding, bom=bom
    )
    v = check(content, name="attendance_2026-04.csv")
    assert v.errors == [] and v.summary[0]["rows"] == 1
    assert any("'Notes'" in w for w in v.warnings)


def test_csv_matched_by_file_name_reports_missing_column():
    v = check(csv_bytes([["session_date", "services_used"], ["02/04/2026", "food"]]), name="attendance_2026-04.csv")
    assert v.errors[0]["column"] == "person_id"


def test_csv_row_numbers_are_spreadsheet_rows():
    v = check(
        csv_bytes([["Register"], [], ["session_date", "person_id"], ["02/04/2026", "x"]]),
        name="r.csv",
        period="2026-04",
    )
    assert [(e["sheet"], e["row"]) for e in v.errors] == [("r.csv", 4)]


# --------------------------------------------------------------------------- the unexpected


def test_unexpected_exception_becomes_a_clear_refusal(monkeypatch, caplog):
    def boom(_content):
        raise RuntimeError("secret cell value P0042 Jane")

    monkeypatch.setattr(checking, "read_workbook", boom)
    v = check(good_xlsx("attendance"))
    assert messages(v) == [COULD_NOT_READ]
    assert "Jane" not in caplog.text


def test_sheet_spanning_too_many_cells_is_refused(monkeypatch):
    monkeypatch.setenv("OUTCOMES_MAX_SHEET_CELLS", "20")
    v = check(good_xlsx("attendance"))
    assert "more than we read in one file" in messages(v)[0]


# --------------------------------------------------------------------------- with the database


def _tables(engine) -> dict[str, list]:
    out = {}
    with engine.connect() as c:
        for name in [
            "submissions",
            "submission_sheets",
            "archived_files",
            "refusals",
            *[t.name for t in schema.return_tables.values()],
        ]:
            out[name] = sorted(map(tuple, c.execute(sa.text(f"SELECT * FROM {name}")).all()), key=repr)
    return out


def load(engine, content, name="attendance_2026-04.xlsx", partner="aspirations", **kw):
    return ingest_file(
        engine=engine, content=content, file_name=name, partner=partner, loaded_by="tester", today=TODAY, **kw
    )


def test_accepted_file_is_stored_archived_and_audited(engine):
    content = good_xlsx("attendance")
    r = load(engine, content, loaded_at=datetime(2026, 5, 3, 10, 0))
    assert r.status == "accepted" and r.errors == []
    rows = repository.read_return(engine, "attendance")
    assert sorted(rows["person_id"]) == ["P0007", "P0042", "P0042", "P0043"]
    subs, _sheets = repository.list_submissions(engine)
    assert subs.iloc[0]["loaded_at"] == datetime(2026, 5, 3, 10, 0)
    assert repository.archived_file(engine, int(subs.iloc[0]["id"])) == content
    with engine.connect() as c:
        actions = [a for (a,) in c.execute(sa.select(schema.audit_log.c.action))]
    assert actions == ["upload"]
    assert set(r.to_json()) == {"file", "sha256", "partner", "period", "status", "sheets", "errors", "warnings"}


def test_same_file_again_changes_nothing_and_says_so(engine):
    content = good_xlsx("attendance")
    load(engine, content)
    before = _tables(engine)
    again = load(engine, content)
    assert again.status == "duplicate" and any("loaded before" in w for w in again.warnings)
    assert _tables(engine) == before


def test_rejected_file_is_logged_without_content_or_values(engine):
    content = one_sheet(["session_date", "person_id", "Notes"], [["02/04/2026", "Jane Smith", "jane@example.org"]])
    r = load(engine, content)
    assert r.status == "rejected" and len(r.errors) == 2
    refusals = repository.list_refusals(engine)
    assert len(refusals) == 1 and refusals.iloc[0]["sha256"] == r.sha256
    logged = json.dumps(refusals.iloc[0]["reasons"])
    assert "Jane" not in logged and "example.org" not in logged
    assert repository.row_counts(engine)["attendance"] == 0
    with engine.connect() as c:
        assert [a for (a,) in c.execute(sa.select(schema.audit_log.c.action))] == ["refusal"]
        assert c.execute(sa.select(sa.func.count()).select_from(schema.archived_files)).scalar() == 0


def test_dry_run_changes_nothing_and_says_what_would_happen(engine):
    content = good_xlsx("attendance")
    before = _tables(engine)
    r = load(engine, content, dry_run=True)
    assert r.status == "accepted" and r.dry_run and list(r.preview) == ["attendance"]
    assert len(r.preview["attendance"]) == 4
    assert _tables(engine) == before
    load(engine, content)
    assert load(engine, content, dry_run=True).status == "duplicate"
    bad = load(engine, one_sheet(["session_date", "person_id"], [["x", "P1"]]), dry_run=True)
    assert bad.status == "rejected"
    assert repository.list_refusals(engine).empty


def test_correction_replaces_the_period_keeps_history_and_leaves_other_months(engine):
    header = ["session_date", "person_id"]
    quarter = one_sheet(header, [["02/04/2026", "P1"], ["07/05/2026", "P2"], ["04/06/2026", "P3"]])
    load(engine, quarter, name="att.xlsx", period="2026-27-Q1", loaded_at=datetime(2026, 7, 1, 9))
    fix = one_sheet(header, [["09/05/2026", "P2"], ["10/05/2026", "P4"]])
    r = load(engine, fix, name="att_2026-05.xlsx", loaded_at=datetime(2026, 7, 10, 9))
    assert r.status == "accepted"
    now = repository.read_return(engine, "attendance").sort_values("session_date")
    assert now["person_id"].tolist() == ["P1", "P2", "P4", "P3"] or now["person_id"].tolist() == [
        "P0001",
        "P0002",
        "P0004",
        "P0003",
    ]
    before = repository.read_return(engine, "attendance", as_of=datetime(2026, 7, 5))
    assert sorted(before["person_id"]) == ["P0001", "P0002", "P0003"]


def test_nil_return_after_data_replaces_it_with_nothing(engine):
    load(engine, one_sheet(["session_date", "person_id"], [["02/04/2026", "P1"]]), loaded_at=datetime(2026, 5, 1))
    r = load(engine, one_sheet(["session_date", "person_id"], []), loaded_at=datetime(2026, 5, 2))
    assert r.status == "accepted" and r.sheets == [{"sheet": "attendance", "return": "attendance", "rows": 0}]
    assert repository.read_return(engine, "attendance").empty
    cov = repository.read_coverage(engine)
    assert sorted(cov["rows"].tolist()) == [0, 1]


_refs = st.integers(1, 9999).map(lambda n: st.sampled_from([f"P{n:04d}", f"p{n}", f" P{n:03d} "]))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 30), st.integers(1, 9999), st.sampled_from(["food", "Dental", None])), max_size=25
    ),
    as_csv=st.booleans(),
)
def test_property_loading_the_same_file_twice_changes_nothing(db_url, rows, as_csv):
    from storage.db import ensure_schema

    engine = ensure_schema(db_url)
    table = [["session_date", "person_id", "services_used"], *[[f"{d:02d}/04/2026", f"p{n}", s] for d, n, s in rows]]
    content = csv_bytes(table) if as_csv else xlsx({"attendance": table})
    first = load(engine, content, name="attendance_2026-04." + ("csv" if as_csv else "xlsx"))
    assert first.status in ("accepted", "duplicate")
    before = _tables(engine)
    second = load(engine, content, name="attendance_2026-04." + ("csv" if as_csv else "xlsx"))
    assert second.status == "duplicate"
    assert _tables(engine) == before


def test_a_correction_from_one_partner_leaves_another_partners_rows(engine):
    header, rows = GOOD["outreach"]
    load(
        engine,
        one_sheet(header, rows, name="outreach"),
        name="outreach_2026-04.xlsx",
        partner="vineyard",
        loaded_at=datetime(2026, 5, 1),
    )
    load(
        engine,
        one_sheet(header, rows[:1], name="outreach"),
        name="outreach_2026-04.xlsx",
        partner="aspirations",
        loaded_at=datetime(2026, 5, 2),
    )
    fix = load(
        engine,
        one_sheet(header, rows[:2], name="outreach"),
        name="outreach_fix_2026-04.xlsx",
        partner="vineyard",
        loaded_at=datetime(2026, 5, 3),
    )
    assert fix.status == "accepted"
    now = repository.read_return(engine, "outreach")
    assert now.groupby("partner").size().to_dict() == {"aspirations": 1, "vineyard": 2}
    then = repository.read_return(engine, "outreach", as_of=datetime(2026, 5, 2, 12))
    assert then.groupby("partner").size().to_dict() == {"aspirations": 1, "vineyard": 3}


def test_dry_run_of_a_duplicate_says_so(engine):
    content = good_xlsx("attendance")
    load(engine, content)
    r = load(engine, content, dry_run=True)
    assert r.status == "duplicate" and any("loaded before" in w for w in r.warnings)


def test_a_sheet_part_with_any_name_is_scanned_for_entities():
    import io
    import zipfile

    from tests.data_loaders.files import rezip

    content = good_xlsx("attendance")
    z = zipfile.ZipFile(io.BytesIO(content))
    rels = z.read("xl/_rels/workbook.xml.rels").decode().replace("worksheets/sheet1.xml", "worksheets/sheet1.dat")
    sheet = z.read("xl/worksheets/sheet1.xml")
    hostile = rezip(
        content,
        replace={
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/worksheets/sheet1.xml": b'<?xml version="1.0"?><!DOCTYPE a><a/>',
        },
        add={"xl/worksheets/sheet1.dat": b'<?xml version="1.0"?><!DOCTYPE b [<!ENTITY c "d">]>' + sheet},
    )
    assert "document type or entity" in messages(check(hostile))[0]


def test_csv_header_wins_over_a_misleading_file_name():
    content = csv_bytes([["date", "item", "quantity"], ["05/04/2026", "condoms", 10]])
    v = check(content, name="vineyard_outreach_2026-04.csv", partner="vineyard")
    assert v.errors == [] and v.summary[0]["return"] == "supplies"


def test_storing_refuses_bytes_other_than_those_checked(engine):
    from data_loaders.ingest import store_validated

    content = csv_bytes([["session_date", "person_id"], ["02/04/2026", "P0001"]])
    checked = validate_file(content=content, file_name="attendance_2026-04.csv", partner="aspirations")
    assert checked.ok
    with pytest.raises(ValueError, match="not the file that was checked"):
        store_validated(engine=engine, checked=checked, content=content + b"\n", loaded_by="t")
    assert store_validated(engine=engine, checked=checked, content=content, loaded_by="t").status == "accepted"
