"""Process changes in storage, on both engines: recorded, listed oldest first, removed, each write audited."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from storage import process_changes as store
from storage.repository import read_audit

BY = ("ann", "admin")


def test_changes_are_stored_listed_oldest_first_and_removed(engine):
    later = store.add_change(
        engine,
        changed_on=date(2026, 1, 12),
        reason="Drop-in moved to the new building",
        applies_to=["attendance", "ENG-04"],
        by=BY,
        at=datetime(2026, 1, 13, 9, 0),
    )
    first = store.add_change(
        engine, changed_on=date(2025, 4, 1), reason="Dental service started", applies_to=None, by=BY
    )
    got = store.list_changes(engine)
    assert [(c["id"], c["changed_on"], c["reason"], c["applies_to"]) for c in got] == [
        (first, date(2025, 4, 1), "Dental service started", None),
        (later, date(2026, 1, 12), "Drop-in moved to the new building", ["attendance", "ENG-04"]),
    ]
    assert got[1]["recorded_by"] == "ann" and got[1]["recorded_at"] == datetime(2026, 1, 13, 9, 0)
    store.remove_change(engine, change_id=first, by=BY)
    assert [c["id"] for c in store.list_changes(engine)] == [later]
    with pytest.raises(KeyError):
        store.remove_change(engine, change_id=first, by=BY)


def test_every_write_is_audited_without_the_reason(engine):
    cid = store.add_change(
        engine,
        changed_on=date(2026, 1, 12),
        reason="Drop-in moved to the new building",
        applies_to=["attendance"],
        by=BY,
    )
    store.remove_change(engine, change_id=cid, by=BY)
    added = read_audit(engine, action="process_change_added")
    removed = read_audit(engine, action="process_change_removed")
    assert added.detail.iloc[0] == {
        "change": cid,
        "date": "2026-01-12",
        "charts": ["attendance"],
        "characters": len("Drop-in moved to the new building"),
    }
    assert removed.detail.iloc[0] == {"change": cid, "date": "2026-01-12", "charts": ["attendance"]}
    assert set(added.username) == set(removed.username) == {"ann"} and set(added.role) == {"admin"}
    assert "building" not in repr(added.detail.tolist()) + repr(removed.detail.tolist())
