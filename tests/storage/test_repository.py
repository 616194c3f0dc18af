"""Storing, replacing and reading back rows, with history."""

from datetime import timedelta

import pandas as pd

from core.periods import parse
from storage.repository import SheetRows, read_coverage, read_return, store_submission


def _attendance(dates_ids):
    return pd.DataFrame(
        {"session_date": [pd.Timestamp(d) for d, _ in dates_ids], "person_id": [p for _, p in dates_ids],
         "services_used": [None] * len(dates_ids)}
    )


def _store(engine, sha, period, rows, partner="aspirations"):
    return store_submission(
        engine, sha256=sha * 64, file_name=f"{sha}.csv", partner=partner, period=parse(period),
        loaded_by="test", content=sha.encode(), sheets=[SheetRows("attendance", "attendance", _attendance(rows))],
        warnings=[],
    )


def test_correction_replaces_rows_in_period_and_keeps_history(engine):
    first = _store(engine, "a", "2026-04", [("2026-04-02", "P0001"), ("2026-04-09", "P0002")])
    _store(engine, "b", "2026-05", [("2026-05-07", "P0003")])
    second = _store(engine, "c", "2026-04", [("2026-04-02", "P0001")])
    assert second.replaced == {"attendance": 2}

    now = read_return(engine, "attendance")
    assert sorted(now.person_id) == ["P0001", "P0003"]
    before = read_return(engine, "attendance", as_of=second.loaded_at - timedelta(microseconds=1))
    assert sorted(before.person_id) == ["P0001", "P0002", "P0003"]
    assert read_return(engine, "attendance", as_of=first.loaded_at - timedelta(seconds=1)).empty
    assert len(read_coverage(engine)) == 3


def test_same_file_twice_is_a_duplicate_and_changes_nothing(engine):
    _store(engine, "a", "2026-04", [("2026-04-02", "P0001")])
    again = _store(engine, "a", "2026-04", [("2026-04-02", "P0001")])
    assert again.status == "duplicate"
    assert len(read_return(engine, "attendance")) == 1


def test_other_partners_rows_are_not_replaced(engine):
    _store(engine, "a", "2026-04", [("2026-04-02", "P0001")], partner="aspirations")
    _store(engine, "b", "2026-04", [("2026-04-03", "P0002")], partner="vineyard")
    assert sorted(read_return(engine, "attendance").partner) == ["aspirations", "vineyard"]
