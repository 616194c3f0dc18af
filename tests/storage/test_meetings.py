"""The meeting loop's storage on both engines: each write lands, is audited in the same transaction, reads back."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.periods import parse
from storage import meetings as store
from storage.repository import read_audit

Q1 = parse("2026-27-Q1")
BY = ("chair", "chair")


def _meeting(engine, held_on=date(2026, 7, 20)) -> int:
    return store.create_meeting(
        engine, held_on=held_on, period=Q1, data_version=(3, 1), data_as_of=datetime(2026, 7, 20, 9, 0), by=BY
    )


def test_meetings_keep_their_period_and_data_version(engine):
    first = _meeting(engine, date(2026, 7, 20))
    second = _meeting(engine, date(2026, 10, 19))
    got = store.list_meetings(engine)
    assert [m["id"] for m in got] == [second, first]  # newest first
    assert got[1]["period"] == Q1 and got[1]["data_version"] == (3, 1)
    assert got[1]["data_as_of"] == datetime(2026, 7, 20, 9, 0)


def test_actions_have_owners_due_dates_and_dated_notes(engine):
    mid = _meeting(engine)
    aid = store.raise_action(
        engine,
        meeting_id=mid,
        text="Ask the dental service about Saturday sessions",
        indicator_ids=["DEN-01", "DEN-02"],
        owner_partner="dental",
        owner_role=None,
        due_on=date(2026, 9, 1),
        by=BY,
    )
    none = store.raise_action(
        engine,
        meeting_id=mid,
        text="Review the strategy's wording",
        indicator_ids=[],
        owner_partner=None,
        owner_role="Chair",
        due_on=date(2026, 8, 1),
        by=BY,
    )
    store.update_action(
        engine,
        action_id=aid,
        status="done",
        note="Two Saturday sessions agreed",
        noted_on=date(2026, 8, 20),
        by=("dental", "partner"),
    )
    acts = {a["id"]: a for a in store.read_actions(engine)}
    assert acts[aid]["status"] == "done" and acts[aid]["indicator_ids"] == ["DEN-01", "DEN-02"]
    assert [(n["status"], n["noted_on"], n["noted_by"]) for n in acts[aid]["notes"]] == [
        ("done", date(2026, 8, 20), "dental")
    ]
    assert acts[none]["indicator_ids"] == [] and acts[none]["owner_role"] == "Chair"
    assert acts[none]["status"] == "open" and acts[none]["held_on"] == date(2026, 7, 20)
    with pytest.raises(ValueError, match="status"):
        store.update_action(engine, action_id=aid, status="finished", note="x", noted_on=date(2026, 8, 21), by=BY)
    with pytest.raises(KeyError):
        store.update_action(engine, action_id=999, status="done", note="x", noted_on=date(2026, 8, 21), by=BY)


def test_commentary_public_mark_and_reads(engine):
    cid = store.add_commentary(
        engine,
        indicator_id="DEN-01",
        period=Q1,
        text="Fewer sessions in June.",
        partner="dental",
        by=("dental", "partner"),
    )
    store.add_commentary(
        engine, indicator_id="ENG-01", period=parse("2026-27-Q2"), text="Other period.", partner=None, by=BY
    )
    assert [c["id"] for c in store.read_commentary(engine, period=Q1)] == [cid]
    assert store.read_commentary(engine, period=Q1, public_only=True) == []
    store.set_commentary_public(engine, commentary_id=cid, public=True, by=("author", "author"))
    got = store.read_commentary(engine, period=Q1, public_only=True)
    assert [(c["id"], c["public"], c["marked_by"]) for c in got] == [(cid, True, "author")]
    assert store.get_commentary(engine, cid)["partner"] == "dental"
    with pytest.raises(KeyError):
        store.set_commentary_public(engine, commentary_id=999, public=True, by=BY)


def test_decisions_and_signoffs(engine):
    mid = _meeting(engine)
    store.record_decision(
        engine,
        meeting_id=mid,
        decided_on=date(2026, 7, 20),
        text="Commission a mobile dental clinic to visit the drop-in",
        indicator_ids=["DEN-01"],
        by=BY,
    )
    [d] = store.read_decisions(engine)
    assert d["period"] == Q1 and d["indicator_ids"] == ["DEN-01"] and d["held_on"] == date(2026, 7, 20)
    store.store_signoff(engine, period=Q1, data_version=(3, 1), figures={"exact": {"ENG-01": {"value": 5}}}, by=BY)
    later = store.store_signoff(engine, period=Q1, data_version=(4, 1), figures={"exact": {}}, by=BY)
    offs = store.read_signoffs(engine, period=Q1)
    assert offs[0]["id"] == later and offs[0]["data_version"] == (4, 1)
    assert offs[1]["figures"] == {"exact": {"ENG-01": {"value": 5}}}
    assert store.read_signoffs(engine, period=parse("2026-27-Q2")) == []


def test_the_latest_signoff_within_a_year_and_its_published_figures(engine):
    fy = (date(2026, 4, 1), date(2027, 3, 31))
    assert store.latest_signoff_within(engine, start=fy[0], end=fy[1]) is None
    q1 = store.store_signoff(
        engine, period=Q1, data_version=(3, 1), figures={"exact": {}}, by=BY, at=datetime(2026, 7, 20, 13, 0)
    )
    q2 = store.store_signoff(
        engine,
        period=parse("2026-27-Q2"),
        data_version=(5, 1),
        figures={"exact": {}},
        by=BY,
        at=datetime(2026, 10, 20, 13, 0),
    )
    store.store_signoff(
        engine, period=parse("2025-26-Q4"), data_version=(6, 1), figures={}, by=BY, at=datetime(2026, 11, 1, 9, 0)
    )  # the year before: not within
    assert store.latest_signoff_within(engine, start=fy[0], end=fy[1])["id"] == q2
    assert store.latest_signoff_within(engine, start=fy[0], end=fy[1], by=datetime(2026, 10, 20, 12, 59))["id"] == q1
    assert store.latest_signoff_within(engine, start=fy[0], end=fy[1], by=datetime(2026, 7, 20, 12, 0)) is None
    store.record_signoff_published(engine, signoff_id=q2, figures={"ENG-01": {"value": 40, "suppressed": False}}, by=BY)
    got = store.latest_signoff_within(engine, start=fy[0], end=fy[1])
    assert got["figures"] == {"exact": {}, "public": {"ENG-01": {"value": 40, "suppressed": False}}}
    assert read_audit(engine)["action"].tolist().count("signoff_published") == 1


def test_every_write_is_audited_without_its_text(engine):
    mid = _meeting(engine)
    cid = store.add_commentary(engine, indicator_id="DEN-01", period=Q1, text="Secret words here", partner=None, by=BY)
    store.set_commentary_public(engine, commentary_id=cid, public=True, by=BY)
    aid = store.raise_action(
        engine,
        meeting_id=mid,
        text="Action words",
        indicator_ids=[],
        owner_partner="police",
        owner_role=None,
        due_on=date(2026, 9, 1),
        by=BY,
    )
    store.update_action(engine, action_id=aid, status="dropped", note="Note words", noted_on=date(2026, 9, 2), by=BY)
    store.record_decision(
        engine, meeting_id=mid, decided_on=date(2026, 7, 20), text="Decision words", indicator_ids=[], by=BY
    )
    store.store_signoff(engine, period=Q1, data_version=(1, 0), figures={}, by=BY)
    log = read_audit(engine)
    assert set(log["action"]) >= {
        "meeting_created",
        "commentary_written",
        "commentary_marked",
        "action_raised",
        "action_updated",
        "decision_recorded",
        "period_signed_off",
    }
    assert "words" not in " ".join(map(str, log["detail"]))
