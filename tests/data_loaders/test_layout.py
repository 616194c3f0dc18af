"""Matching sheets to returns and finding header rows."""

from __future__ import annotations

import pandas as pd

from data_loaders.layout import find_layout, match_by_name
from data_loaders.reading import RawSheet


def sheet(rows, name="Sheet1"):
    width = max(len(r) for r in rows)
    return RawSheet(name, pd.DataFrame([list(r) + [""] * (width - len(r)) for r in rows], dtype=object))


def test_match_by_folded_name_or_title():
    assert match_by_name("Health Contacts") == "health_contacts"
    assert match_by_name("KEYWORK-REVIEW") == "keywork_review"
    assert match_by_name("Drop-in attendance register") == "attendance"
    assert match_by_name("Guidance") is None
    assert match_by_name("vineyard_outreach_2026-04.csv", contains=True) == "outreach"
    assert match_by_name("health_contacts_2026-04.csv", contains=True) == "health_contacts"


def test_header_row_found_and_columns_mapped_by_alias():
    lay = find_layout(
        sheet([["Register"], [""], ["Client ref", "Drop in date", "Notes"], ["P1", "02/04/2026"]]),
        by_name=None,
        prefer=(),
    )
    assert lay.return_name == "attendance" and lay.header_row == 2
    assert lay.columns == {"person_id": 0, "session_date": 1}
    assert lay.header_of("session_date") == "Drop in date"
    assert any("'Notes'" in w for w in lay.warnings)


def test_header_match_prefers_the_return_with_all_required_columns():
    lay = find_layout(sheet([["Date", "Ref", "Type"]]), by_name=None, prefer=())
    assert lay.return_name == "outreach"
    lay = find_layout(sheet([["Date", "Item", "Quantity"]]), by_name=None, prefer=())
    assert lay.return_name == "supplies"


def test_lookup_sheets_without_a_date_column_are_not_returns():
    assert find_layout(sheet([["service", "activity"], ["dental", "check_up"]]), by_name=None, prefer=()) is None


def test_two_columns_for_the_same_field_is_an_error():
    lay = find_layout(sheet([["date", "session_date", "person_id"]]), by_name="attendance", prefer=())
    assert lay.errors and "both session_date" in lay.errors[0]["message"]
