"""The synthetic story: the facts the sample data is meant to show hold in the generator's frames."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from core.returns import DIRECT_CONTACT, RETURNS
from sample_data.story import build_world, references


@pytest.fixture(scope="module")
def world():
    return build_world()


def restarts(reviews: pd.DataFrame) -> set[str]:
    """Women with two consecutive reviews where contact goes from none/indirect to direct (FAM-01's event)."""
    r = reviews.sort_values(["person_id", "review_date"])
    prev = r.groupby("person_id")["child_contact"].shift()
    hit = prev.isin(["none", "indirect"]) & r["child_contact"].isin(DIRECT_CONTACT)
    return set(r.loc[hit, "person_id"])


def test_every_frame_has_the_return_columns_and_no_key_duplicates(world):
    assert {ret for _, ret in world.frames} == set(RETURNS)
    for (partner, ret), df in world.frames.items():
        spec = RETURNS[ret]
        assert list(df.columns) == list(spec.column_names), (partner, ret)
        if spec.key:
            assert not df.duplicated(list(spec.key)).any(), (partner, ret)
        for col in spec.required:
            assert df[col].notna().all(), (partner, ret, col)


def test_references_are_partnership_references_only(world):
    pattern = re.compile(r"^P\d{4}$")
    for (_, ret), df in world.frames.items():
        if "person_id" in df:
            ids = df["person_id"].dropna()
            assert ids.map(lambda v: bool(pattern.match(v))).all(), ret
    assert list(references(3)) == ["P0001", "P0002", "P0003"]


def test_drop_in_is_on_thursdays_with_15_to_30_women_on_average(world):
    att = world.frames[("aspirations", "attendance")]
    assert (att["session_date"].dt.day_of_week == 3).all()
    per_session = att.groupby("session_date").size()
    assert 15 <= per_session.mean() <= 30
    assert att["person_id"].nunique() >= 0.8 * world.women


def test_new_women_arrive_over_time(world):
    att = world.frames[("aspirations", "attendance")]
    first_seen = att.groupby("person_id")["session_date"].min()
    later = first_seen > pd.Timestamp(world.months[2])
    assert later.sum() >= 3


def test_exactly_three_women_restart_direct_contact_with_their_children(world):
    reviews = world.frames[("aspirations", "keywork_review")]
    assert restarts(reviews) == set(world.facts.restart_women)
    assert len(world.facts.restart_women) == 3


def test_child_contact_is_blank_unless_she_has_children(world):
    k = world.frames[("aspirations", "keywork_review")]
    no_children = k["has_children"].eq(False).fillna(False)
    assert k.loc[no_children, "child_contact"].isna().all()
    share = k.drop_duplicates("person_id")["has_children"].mean()
    assert 0.45 <= share <= 0.75


def test_accommodation_improves_and_rough_sleeping_falls(world):
    k = world.frames[("aspirations", "keywork_review")]
    first = k[k["review_date"] < pd.Timestamp(world.months[1])]
    last = k[k["review_date"] >= pd.Timestamp(world.months[-1])]
    assert (last["accommodation"] == "rough_sleeping").mean() < (first["accommodation"] == "rough_sleeping").mean()
    settled = ["temporary", "supported", "settled"]
    assert last["accommodation"].isin(settled).mean() > first["accommodation"].isin(settled).mean()


def test_working_status_shifts_towards_reduced_or_stopped(world):
    k = world.frames[("aspirations", "keywork_review")]
    first = k[k["review_date"] < pd.Timestamp(world.months[1])]
    last = k[k["review_date"] >= pd.Timestamp(world.months[-1])]
    moved = ["reduced", "stopped"]
    assert last["working_status"].isin(moved).mean() > first["working_status"].isin(moved).mean()


def test_no_dental_contacts_before_the_dental_service_started(world):
    start = pd.Timestamp(world.facts.dental_start)
    for (_, ret), df in world.frames.items():
        if ret == "health_contacts":
            assert not ((df["service"] == "dental") & (df["contact_date"] < start)).any()
    dental = world.frames[("dental", "health_contacts")]
    assert len(dental) > 0 and (dental["contact_date"] >= start).all()
    att = world.frames[("aspirations", "attendance")]
    year_one = att[att["session_date"] < start]
    assert not year_one["services_used"].fillna("").str.contains("dental").any()


def test_oral_health_needs_show_at_the_nurse_prescriber_and_ease_once_dental_starts(world):
    np_ = world.frames[("nurse_prescriber", "health_contacts")]
    start = pd.Timestamp(world.facts.dental_start)
    before = (np_.loc[np_["contact_date"] < start, "reason"] == "oral_health").mean()
    after = (np_.loc[np_["contact_date"] >= start, "reason"] == "oral_health").mean()
    assert before > after > 0


def test_activities_belong_to_their_service_and_reasons_only_to_the_nurse_prescriber(world):
    from core.returns import ACTIVITIES_BY_SERVICE

    for (partner, ret), df in world.frames.items():
        if ret != "health_contacts":
            continue
        assert (df["service"] == partner).all()
        assert df["activity"].isin(ACTIVITIES_BY_SERVICE[partner]).all()
        if partner != "nurse_prescriber":
            assert df["reason"].isna().all()


def test_rehab_a_few_ready_or_referred_and_one_or_two_admitted(world):
    tr = world.frames[("drug_alcohol", "treatment")]
    admitted = set(tr.loc[tr["rehab_stage"].isin(["admitted", "completed"]), "person_id"])
    assert admitted == set(world.facts.admitted_women)
    assert 1 <= len(admitted) <= 2
    ready = set(tr.loc[tr["rehab_stage"].isin(["ready", "referred"]), "person_id"]) - admitted
    assert 2 <= len(ready) <= 8
    assert tr["in_treatment"].mean() > 0.6


def test_police_refer_more_women_to_support_and_arrest_fewer(world):
    po = world.frames[("police", "police_monthly")]
    half = len(po) // 2
    assert po["arrests_soliciting"][half:].sum() < po["arrests_soliciting"][:half].sum()
    assert po["support_referrals"][half:].sum() > po["support_referrals"][:half].sum()


def test_safeguarding_is_fortnightly_and_most_high_risk_women_have_a_care_plan(world):
    sg = world.frames[("safeguarding", "safeguarding")]
    meetings = np.sort(sg["meeting_date"].unique())
    assert set(np.diff(meetings).astype("timedelta64[D]").astype(int)) == {14}
    high = sg[sg["risk_level"] == "high"]
    assert high["care_plan_in_place"].mean() > 0.7


def test_training_reaches_police_and_probation_every_so_often(world):
    tn = world.frames[("trauma_alliance", "training")]
    assert {"police", "probation"} <= set(tn["agency"])
    assert (tn["staff_trained"] >= 1).all()
    quarters = tn["course_date"].dt.to_period("Q-MAR").nunique()
    assert quarters == len({pd.Period(m, "Q-MAR") for m in world.months})


def test_outreach_has_anonymous_contacts_and_supplies_are_handed_out(world):
    for partner in ("aspirations", "vineyard"):
        o = world.frames[(partner, "outreach")]
        assert o["person_id"].isna().sum() > 0
        assert set(o["contact_type"]) <= {"street", "phone", "other"}
        s = world.frames[(partner, "supplies")]
        assert set(s["item"]) == {"condoms", "leaflets"}


def test_vineyard_has_one_missing_month(world):
    o = world.frames[("vineyard", "outreach")]
    months_with_rows = set(o["contact_date"].dt.to_period("M").astype(str))
    expected = {f"{m:%Y-%m}" for m in world.months}
    assert expected - months_with_rows == {f"{world.facts.missing_month:%Y-%m}"}


def test_same_seed_same_world_other_seed_other_world():
    a, b, c = build_world(seed=7), build_world(seed=7), build_world(seed=8)
    for key in a.frames:
        pd.testing.assert_frame_equal(a.frames[key], b.frames[key])
    assert not a.frames[("aspirations", "attendance")].equals(c.frames[("aspirations", "attendance")])


def test_regional_scale_has_over_100000_rows():
    w = build_world(women=2000, months=36)
    assert sum(w.rows_per_return().values()) > 100_000
    # Three years back from October 2026: never a month in the future, which the loader would refuse.
    assert w.months[0] == pd.Timestamp("2023-11-01").date()
    assert w.end == pd.Timestamp("2026-10-31").date()


def test_too_small_a_story_is_refused_with_a_message():
    with pytest.raises(ValueError, match="at least 10 women"):
        build_world(women=3)


def test_past_9999_women_references_wrap_without_key_duplicates():
    assert references(10_000)[-1] == "P0001"  # woman 10,000 shares P0001 with woman 1
    w = build_world(women=10_050, months=3)
    for (partner, ret), df in w.frames.items():
        key = list(RETURNS[ret].key)
        if key:
            assert not df.duplicated(key).any(), (partner, ret)
