"""The sample story's two earlier meetings: commentary, actions (one done, one overdue, one still open), a
decision and a sign-off at each, so the demo shows the meeting loop working.

Every date follows from the story's last month (never a fixed calendar date): the meetings review the two
latest whole financial-year quarters before that month and are held on the 20th of the month after each
quarter ends (returns are due by the 15th). Written through ``metrics.meetings``, so the rules and the
free-text checks apply to the demo too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from core.periods import Period, add_months, month_start, previous, quarter_of
from metrics import meetings as loop
from storage.users import User

CHAIR = User("chair", "chair", None, True)
AUTHOR = User("author", "author", None, True)
ASPIRATIONS = User("aspirations", "partner", "aspirations", True)


def _held(quarter: Period) -> date:
    return add_months(month_start(quarter.end), 1) + timedelta(days=19)


def _at(day: date, hour: int = 11) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def meeting_quarters(last_month: date) -> tuple[Period, Period]:
    """(the earlier meeting's quarter, the later one's): the two latest quarters ended before ``last_month``."""
    q = quarter_of(last_month)
    later = q if q.end < month_start(last_month) else previous(q)
    if later.end >= month_start(last_month):
        later = previous(later)
    return previous(later), later


def seed_meetings(engine: sa.Engine, last_month: date) -> None:
    """Two meetings, relative to the story's last month (see the module docstring)."""
    first_q, second_q = meeting_quarters(last_month)
    first_day, second_day = _held(first_q), _held(second_q)

    first = loop.create_meeting(engine, CHAIR, held_on=first_day, period=first_q, at=_at(first_day, 9))
    c = loop.add_commentary(
        engine,
        ASPIRATIONS,
        indicator_id="ENG-01",
        period=first_q,
        at=_at(first_day, 8),
        text="Fewer women came to the drop-in in the summer: two sessions were lost when the "
        "hall was closed for repairs. Outreach covered the gap where it could.",
    )
    loop.mark_public(engine, AUTHOR, commentary_id=c)
    loop.add_commentary(
        engine,
        CHAIR,
        indicator_id="DEN-01",
        period=first_q,
        at=_at(first_day, 10),
        text="Dental access is well short of target. Most women cannot get an NHS dentist; the "
        "group agreed to bring treatment to the drop-in.",
    )
    loop.record_decision(
        engine,
        CHAIR,
        meeting_id=first,
        indicator_ids=["DEN-01", "DEN-02"],
        at=_at(first_day, 12),
        text="Commission a mobile dental clinic to visit the drop-in once a month.",
    )
    done = loop.raise_action(
        engine,
        CHAIR,
        meeting_id=first,
        indicator_ids=["ENG-01"],
        owner_partner="aspirations",
        due_on=first_day + timedelta(days=28),
        at=_at(first_day, 12),
        text="Find a second room so the drop-in can run while the hall is closed.",
    )
    loop.update_action(
        engine,
        CHAIR,
        action_id=done,
        status="done",
        at=_at(first_day + timedelta(days=21)),
        note="The church hall next door is available on Thursdays; sessions resumed.",
    )
    loop.raise_action(
        engine,
        CHAIR,
        meeting_id=first,
        indicator_ids=["DEN-01"],
        owner_role="Public health lead",
        due_on=second_day - timedelta(days=14),
        at=_at(first_day, 12),
        text="Agree the mobile dental clinic's first visit date with the dental service.",
    )
    loop.sign_off(engine, CHAIR, period=first_q, at=_at(first_day, 13))

    second = loop.create_meeting(engine, CHAIR, held_on=second_day, period=second_q, at=_at(second_day, 9))
    loop.add_commentary(
        engine,
        CHAIR,
        indicator_id="DEN-01",
        period=second_q,
        at=_at(second_day, 10),
        text="The mobile dental clinic has not started yet: its first visit date is still to be "
        "agreed, so dental access has not moved.",
    )
    loop.raise_action(
        engine,
        CHAIR,
        meeting_id=second,
        indicator_ids=["VOI-01"],
        owner_partner="aspirations",
        due_on=second_day + timedelta(days=120),
        at=_at(second_day, 12),
        text="Run a feedback week at the drop-in so more women can say how the service feels.",
    )
    # The public figures of the year come from the data at this latest sign-off (docs/meetings.md).
    loop.sign_off(engine, CHAIR, period=second_q, at=_at(second_day, 13))
