"""The meeting loop's rules, free-text checks, carried-forward actions, the pack's items, sign-off and revisions,
on both engines."""

from __future__ import annotations

from datetime import date

import pytest

from core.periods import parse
from metrics import meetings as loop
from metrics import permissions
from metrics.api import AttentionItem
from storage.repository import read_audit
from storage.users import User
from tests.metrics import dataset

APRIL = parse("2026-04")
CHAIR = User("chair", "chair", None, True)
AUTHOR = User("author", "author", None, True)
COMMISSIONER = User("commissioner", "commissioner", None, True)
ASPIRATIONS = User("aspirations", "partner", "aspirations", True)
DENTAL = User("dental", "partner", "dental", True)
ADMIN = User("admin", "admin", None, True)


def test_who_may_do_what():
    action = {"owner_partner": "dental"}
    for what in ("create_meeting", "raise_action", "record_decision", "sign_off"):
        assert [u.role for u in (CHAIR, AUTHOR, COMMISSIONER, ASPIRATIONS, ADMIN) if loop.may(u, what)] == ["chair"]
    assert loop.may(CHAIR, "comment", indicator_id="DEN-01")
    assert loop.may(AUTHOR, "comment", indicator_id="DEN-01")
    assert loop.may(DENTAL, "comment", indicator_id="DEN-01")
    assert not loop.may(ASPIRATIONS, "comment", indicator_id="DEN-01")  # not fed by its returns
    assert loop.may(ASPIRATIONS, "comment", indicator_id="ENG-01")
    assert not loop.may(COMMISSIONER, "comment", indicator_id="ENG-01")
    assert not loop.may(ADMIN, "comment", indicator_id="ENG-01")
    assert loop.may(AUTHOR, "mark_public") and loop.may(CHAIR, "mark_public")
    assert not loop.may(DENTAL, "mark_public") and not loop.may(COMMISSIONER, "mark_public")
    assert loop.may(DENTAL, "update_action", action=action) and loop.may(CHAIR, "update_action", action=action)
    assert not loop.may(ASPIRATIONS, "update_action", action=action)
    assert not loop.may(AUTHOR, "update_action", action=action)


def test_partner_indicators_are_those_its_own_returns_feed():
    assert permissions.partner_indicators("dental") == ["HLT-04", "DEN-01"]
    assert "DEN-01" not in permissions.partner_indicators("aspirations")
    assert permissions.partner_indicators(None) == []


def _meeting(engine, held_on=date(2026, 5, 12)) -> int:
    return loop.create_meeting(engine, CHAIR, held_on=held_on, period=APRIL)


def test_writes_follow_the_rules_and_are_audited(engine, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-06-10")
    with pytest.raises(loop.NotAllowed):
        loop.create_meeting(engine, COMMISSIONER, held_on=date(2026, 5, 12), period=APRIL)
    mid = _meeting(engine)
    with pytest.raises(loop.NotAllowed):
        loop.raise_action(
            engine, DENTAL, meeting_id=mid, text="x", indicator_ids=[], due_on=date(2026, 6, 1), owner_partner="dental"
        )
    with pytest.raises(loop.NotAllowed):
        loop.add_commentary(engine, ASPIRATIONS, indicator_id="DEN-01", period=APRIL, text="Not ours")
    cid = loop.add_commentary(engine, DENTAL, indicator_id="DEN-01", period=APRIL, text="  Two sessions lost.  ")
    [c] = loop.commentary(engine, period=APRIL)
    assert (c["id"], c["text"], c["partner"], c["public"]) == (cid, "Two sessions lost.", "dental", False)
    with pytest.raises(loop.NotAllowed):
        loop.mark_public(engine, DENTAL, commentary_id=cid)
    loop.mark_public(engine, AUTHOR, commentary_id=cid)
    assert [x["id"] for x in loop.commentary(engine, period=APRIL, public_only=True)] == [cid]
    aid = loop.raise_action(
        engine,
        CHAIR,
        meeting_id=mid,
        text="Find Saturday cover",
        indicator_ids=["DEN-01"],
        due_on=date(2026, 6, 1),
        owner_partner="dental",
    )
    with pytest.raises(loop.NotAllowed):
        loop.update_action(engine, ASPIRATIONS, action_id=aid, status="done", note="Not ours")
    loop.update_action(engine, DENTAL, action_id=aid, status="done", note="Cover found")
    [a] = loop.actions(engine, indicator_id="DEN-01")
    assert a["status"] == "done" and a["notes"][0]["noted_on"] == date(2026, 6, 10)
    assert a["owner"] == "Dental service"
    log = read_audit(engine)
    assert {"meeting_created", "commentary_written", "commentary_marked", "action_raised", "action_updated"} <= set(
        log["action"]
    )
    assert set(log.loc[log["action"] == "action_updated", "username"]) == {"dental"}


@pytest.mark.parametrize("text", ["P0042 has not been seen", "Call 07700 900123", "Born 12/03/1985"])
def test_free_text_with_personal_data_is_refused_without_repeating_it(engine, text):
    mid = _meeting(engine)
    calls = [
        lambda: loop.add_commentary(engine, CHAIR, indicator_id="ENG-01", period=APRIL, text=text),
        lambda: loop.raise_action(
            engine, CHAIR, meeting_id=mid, text=text, indicator_ids=[], due_on=date(2026, 6, 1), owner_role="Chair"
        ),
        lambda: loop.record_decision(engine, CHAIR, meeting_id=mid, text=text, indicator_ids=[]),
        lambda: loop.raise_action(
            engine, CHAIR, meeting_id=mid, text="Fine", indicator_ids=[], due_on=date(2026, 6, 1), owner_role=text
        ),
    ]
    for call in calls:
        with pytest.raises(loop.TextRefused) as err:
            call()
        assert text not in str(err.value) and "looks like it holds" in str(err.value)
    assert loop.commentary(engine, period=APRIL) == [] and loop.actions(engine) == [] and loop.decisions(engine) == []


def test_an_action_has_exactly_one_owner(engine):
    mid = _meeting(engine)
    with pytest.raises(loop.TextRefused, match="one owner"):
        loop.raise_action(engine, CHAIR, meeting_id=mid, text="x", indicator_ids=[], due_on=date(2026, 6, 1))
    with pytest.raises(loop.TextRefused, match="one owner"):
        loop.raise_action(
            engine,
            CHAIR,
            meeting_id=mid,
            text="x",
            indicator_ids=[],
            due_on=date(2026, 6, 1),
            owner_partner="dental",
            owner_role="Chair",
        )
    with pytest.raises(KeyError):
        loop.raise_action(
            engine,
            CHAIR,
            meeting_id=mid,
            text="x",
            indicator_ids=["NOPE-1"],
            due_on=date(2026, 6, 1),
            owner_role="Chair",
        )


def test_open_actions_are_carried_forward_overdue_first_and_the_pack_lists_them(engine):
    mid = _meeting(engine)
    later = loop.raise_action(
        engine, CHAIR, meeting_id=mid, text="Later", indicator_ids=[], due_on=date(2026, 9, 1), owner_role="Chair"
    )
    late = loop.raise_action(
        engine,
        CHAIR,
        meeting_id=mid,
        text="Late",
        indicator_ids=["ENG-01"],
        due_on=date(2026, 6, 1),
        owner_partner="aspirations",
    )
    done = loop.raise_action(
        engine, CHAIR, meeting_id=mid, text="Done", indicator_ids=[], due_on=date(2026, 6, 1), owner_role="Chair"
    )
    loop.update_action(engine, CHAIR, action_id=done, status="done", note="Finished")
    loop.record_decision(
        engine, CHAIR, meeting_id=mid, text="Commission a mobile dental clinic", indicator_ids=["DEN-01"]
    )
    restricted = loop.add_commentary(engine, CHAIR, indicator_id="ENG-01", period=APRIL, text="Restricted words")
    public = loop.add_commentary(engine, CHAIR, indicator_id="ENG-02", period=APRIL, text="Public words")
    loop.mark_public(engine, CHAIR, commentary_id=public)
    forward = loop.carried_forward(engine, today=date(2026, 7, 1))
    assert [(a["id"], a["overdue"]) for a in forward] == [(late, True), (later, False)]
    items = loop.pack_items(engine, period=APRIL, today=date(2026, 7, 1))
    assert {a["id"] for a in items.actions} == {later, late, done}  # raised at the period's meeting
    assert [d["text"] for d in items.decisions] == ["Commission a mobile dental clinic"]
    assert [c["id"] for c in items.commentary] == [public] and restricted not in [c["id"] for c in items.commentary]
    group = loop.pack_items(engine, period=APRIL, public=False, today=date(2026, 7, 1))  # the group's own pack
    assert {c["id"] for c in group.commentary} == {public, restricted}
    other = loop.pack_items(engine, period=parse("2026-05"), today=date(2026, 7, 1))
    assert {a["id"] for a in other.actions} == {later, late} and other.decisions == []


def test_commentary_needed_lists_red_and_special_cause_without_commentary():
    items = [
        AttentionItem("red_rag", "ENG-01", "a"),
        AttentionItem("special_cause", "DEN-01", "b"),
        AttentionItem("red_rag", "HLT-01", "c"),
        AttentionItem("missing_return", None, "d"),
        AttentionItem("not_reported", "FAM-01", "e"),
    ]
    written = [{"indicator_id": "HLT-01"}]
    assert [i.indicator_id for i in loop.commentary_needed(items, written)] == ["ENG-01", "DEN-01"]
    assert [i.indicator_id for i in loop.commentary_needed(items, written, indicator_ids=["DEN-01", "HLT-04"])] == [
        "DEN-01"
    ]


def test_sign_off_then_a_correction_shows_as_revised_until_signed_off_again(built, monkeypatch):
    from metrics import compute_indicators

    monkeypatch.setenv("OUTCOMES_TODAY", "2026-05-15")
    with pytest.raises(loop.NotAllowed):
        loop.sign_off(built, AUTHOR, period=APRIL)
    assert loop.signed_off(built, period=APRIL) is None
    loop.sign_off(built, CHAIR, period=APRIL)
    so = loop.signed_off(built, period=APRIL)
    assert so["figures"]["exact"]["ENG-01"]["value"] == 6 and tuple(so["data_version"])[0] > 0
    exact = compute_indicators(engine=built, period=APRIL, public=False)
    assert not loop.revision_of(built, period=APRIL, current=exact).revised
    months = loop.months_signed_off(built, partner="aspirations", months=[date(2026, 4, 1), date(2026, 5, 1)])
    assert list(months["signed_off"]) == [True, False] and not months["changed_since"].any()

    dataset.correct_attendance(built)  # loaded on 20 May, after the sign-off
    exact = compute_indicators(engine=built, period=APRIL, public=False)
    rev = loop.revision_of(built, period=APRIL, current=exact)
    assert rev.revised and rev.files_since == 1
    eng01 = next(c for c in rev.changes if c["id"] == "ENG-01")
    assert (eng01["before"], eng01["after"]) == (6, 5)
    assert loop.months_signed_off(built, partner="aspirations", months=[date(2026, 4, 1)])["changed_since"].all()
    assert not loop.months_signed_off(built, partner="dental", months=[date(2026, 4, 1)])["changed_since"].any()
    public = compute_indicators(engine=built, period=APRIL, public=True)
    for c in loop.revision_of(built, period=APRIL, current=public).changes:  # the published view's own changes
        assert c["after_suppressed"] or c["after"] == public.by_id(c["id"]).value

    assert loop.signed_off_figures(built, period=APRIL, public=False).by_id("ENG-01").value == 6  # as signed off
    assert loop.signed_off_figures(built, period=parse("2026-03"), public=False) is None
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-05-21")
    loop.sign_off(built, CHAIR, period=APRIL)
    assert loop.signed_off_figures(built, period=APRIL, public=False).by_id("ENG-01").value == 5
    assert not loop.revision_of(built, period=APRIL, current=exact).revised


def test_movement_says_which_way_the_figure_went(golden_engine):
    from metrics import compute_indicators

    march = compute_indicators(engine=golden_engine, period=parse("2026-03"), public=False, ids=["ENG-01"])
    april = compute_indicators(engine=golden_engine, period=APRIL, public=False, ids=["ENG-01"])
    m = loop.Movement(then=march.by_id("ENG-01"), now=april.by_id("ENG-01"))
    assert m.change == april.by_id("ENG-01").value - march.by_id("ENG-01").value
    assert m.direction == ("better" if m.change > 0 else "worse" if m.change < 0 else "same")


def test_a_meeting_shows_again_the_figures_exactly_as_they_stood(built, monkeypatch):
    from datetime import datetime

    monkeypatch.setenv("OUTCOMES_TODAY", "2026-05-20T09:00")  # the morning of the day the correction comes (10:00)
    mid = _meeting(built, date(2026, 5, 20))
    dataset.correct_attendance(built)
    meeting = next(m for m in loop.meetings(built) if m["id"] == mid)
    assert meeting["data_as_of"] < datetime(2026, 5, 20, 10, 0)
    seen = loop.figures_seen(built, meeting, public=False)
    assert seen.by_id("ENG-01").value == 6  # as it stood at 09:00, not at the end of that day (5)


# --------------------------------------------------------------------------- public figures rest on the sign-off


def _nurse(engine, months: dict[str, int], *, loaded_at, tag: str = ""):
    """Nurse prescriber consultations: month -> oral health ones (with 6 skin and 3 wound care each month)."""
    for m, oral in months.items():
        rows = [
            (f"{m}-0{1 + i % 9}", "P0001", "nurse_prescriber", "consultation", reason, None)
            for i, reason in enumerate(["oral_health"] * oral + ["skin_infection"] * 6 + ["wound_care"] * 3)
        ]
        dataset.submit(
            engine, "nurse_prescriber", m, {"health_contacts": (dataset.HC, rows)}, loaded_at=loaded_at, tag=tag
        )


def _public_year(engine, fy: int) -> dict:
    """Every public figure of every standard period of ``fy``, with its cells."""
    from core.periods import standard_periods
    from metrics import compute_indicators

    return {
        (p.code(), r.id): (
            r.value,
            r.suppressed,
            r.status,
            r.numerator,
            r.denominator,
            [(c.category, c.value, c.suppressed) for c in r.breakdown],
        )
        for p in standard_periods(fy)
        for r in compute_indicators(engine=engine, period=p, public=True).results
    }


def test_public_figures_of_a_signed_off_year_stay_as_signed_off_and_give_nothing_away(engine, monkeypatch):
    """Every public figure of the year comes from the data at its latest sign-off: a later correction and a
    later month change none of them (so no signed-off figure meets a newer one of an overlapping period), until
    the chair signs off again. The analyst holding every public figure of each version learns nothing."""
    from datetime import datetime

    from metrics import compute_indicators, weekly_attendance
    from metrics.disclosure import protection
    from tests.metrics import attacker

    need = protection(5)
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-12-01")
    _nurse(engine, {"2026-04": 2, "2026-05": 7, "2026-06": 9}, loaded_at=datetime(2026, 7, 10, 10))
    loop.sign_off(engine, CHAIR, period=parse("2026-27-Q1"), at=datetime(2026, 7, 20, 13))
    first, exact_first = attacker.collect(engine, 2026, tag="v1")
    public_first = _public_year(engine, 2026)
    # After the sign-off: July arrives, and May is corrected (a consultation recorded twice), 6 not 7.
    _nurse(engine, {"2026-07": 3}, loaded_at=datetime(2026, 8, 10, 10))
    _nurse(engine, {"2026-05": 6}, loaded_at=datetime(2026, 8, 12, 10), tag="fix")
    _, exact_second = attacker.collect(engine, 2026, tag="v2")
    assert exact_second != {("v2", *k[1:]): v for k, v in exact_first.items()}, "the exact figures did move"
    assert _public_year(engine, 2026) == public_first, "every public figure is as signed off"
    may = compute_indicators(engine=engine, period=parse("2026-05"), public=False).by_id("HLT-03")
    assert may.value == 15  # the group's own pages show the correction
    assert (
        compute_indicators(engine=engine, period=parse("2026-07"), public=True).by_id("HLT-03").status == "not_reported"
    )  # July is not published until the chair signs off again
    assert loop.signed_off_figures(engine, period=parse("2026-27-Q1"), public=True).by_id(
        "HLT-03"
    ) == compute_indicators(engine=engine, period=parse("2026-27-Q1"), public=True).by_id("HLT-03")

    loop.sign_off(engine, CHAIR, period=parse("2026-27-Q1"), at=datetime(2026, 8, 20, 13))
    third, exact_third = attacker.collect(engine, 2026, tag="v3")
    july = compute_indicators(engine=engine, period=parse("2026-07"), public=True).by_id("HLT-03")
    assert july.status == "complete"  # published now, from the data at the new sign-off (protected as ever)
    assert _public_year(engine, 2026)[("2026-05", "HLT-03")][0] in (None, 15)
    for k, v in first.items():  # hidden stays hidden (issue 18's rule holds across sign-offs)
        if v is None:
            assert third[("v3", *k[1:])] is None, f"{k} was hidden and is now shown"
    same = {("v3", *k[1:]): k for k, v in exact_first.items() if exact_third.get(("v3", *k[1:])) == v}
    equations = attacker.sums(2026, set(first), "v1") + attacker.sums(2026, set(third), "v3")
    got = attacker.ranges({**first, **third}, equations, same=same)
    assert {k: r for k, r in got.items() if r[1] - r[0] < need - 1e-6} == {}
    # The drop-in sessions follow the same data (none held here), and a year never signed off is current.
    assert weekly_attendance(engine=engine, start=date(2026, 4, 1), end=date(2026, 9, 30), public=True).empty
    _nurse(engine, {"2026-02": 8}, loaded_at=datetime(2026, 8, 21, 10))
    assert compute_indicators(engine=engine, period=parse("2026-02"), public=True).by_id("HLT-03").value == 17


def test_a_published_view_opens_on_the_latest_period_signed_off(engine):
    from datetime import datetime

    q2, q3 = parse("2026-27-Q2"), parse("2026-27-Q3")
    assert loop.latest_published(engine, period=q3) == q3  # nothing signed off: published as it stands
    loop.sign_off(engine, CHAIR, period=parse("2026-27-Q1"), at=datetime(2026, 7, 20, 13))
    assert loop.latest_published(engine, period=q3) == parse("2026-27-Q1")
    assert loop.latest_published(engine, period=parse("2026-09")) == parse("2026-06")
    assert loop.latest_published(engine, period=parse("2026-03")) == parse("2026-03")  # the year before
    loop.sign_off(engine, CHAIR, period=q2, at=datetime(2026, 10, 20, 13))
    assert loop.latest_published(engine, period=q3) == q2
    assert loop.published_from(engine, period=q3) == {"signed_at": datetime(2026, 10, 20, 13), "period": q2}
