"""The meeting loop's SQL: meetings, commentary, actions and their dated notes, decisions, sign-offs.

Who may write what, and the check of free text for personal data, live in ``metrics.meetings``;
these functions store what they are given. Every write is in the audit log, in the same
transaction (ids and indicators only: never the text).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from core.periods import Period
from storage import schema
from storage.db import write_transaction
from storage.repository import _connection, audit, utcnow

STATUSES = ("open", "done", "dropped")


def _period(row) -> Period:
    return Period(row["period_start"], row["period_end"])


def _audit(conn: sa.Connection, by: tuple[str, str | None], action: str, detail: dict) -> None:
    audit(conn, username=by[0], role=by[1], action=action, detail=detail)


# --------------------------------------------------------------------------- meetings


def create_meeting(
    engine: sa.Engine,
    *,
    held_on: date,
    period: Period,
    data_version: tuple[int, int],
    data_as_of: datetime,
    by: tuple[str, str | None],
    at: datetime | None = None,
) -> int:
    """A meeting on ``held_on`` reviewing ``period``, with the data version its figures came from."""
    m = schema.meetings
    with write_transaction(engine) as conn:
        mid = conn.execute(
            m.insert().values(
                held_on=held_on,
                period_start=period.start,
                period_end=period.end,
                data_version=list(data_version),
                data_as_of=data_as_of,
                created_by=by[0][:80],
                created_at=at or utcnow(),
            )
        ).inserted_primary_key[0]
        _audit(conn, by, "meeting_created", {"meeting": mid, "held_on": held_on.isoformat(), "period": period.code()})
    return int(mid)


def list_meetings(conn: sa.Connection | sa.Engine) -> list[dict]:
    """Every meeting, newest first."""
    m = schema.meetings
    with _connection(conn) as c:
        rows = c.execute(sa.select(m).order_by(m.c.held_on.desc(), m.c.id.desc())).mappings().all()
    return [{**r, "period": _period(r), "data_version": tuple(r["data_version"])} for r in rows]


# --------------------------------------------------------------------------- commentary


def add_commentary(
    engine: sa.Engine,
    *,
    indicator_id: str,
    period: Period,
    text: str,
    partner: str | None,
    by: tuple[str, str | None],
    at: datetime | None = None,
) -> int:
    c = schema.commentary
    with write_transaction(engine) as conn:
        cid = conn.execute(
            c.insert().values(
                indicator_id=indicator_id,
                period_start=period.start,
                period_end=period.end,
                author=by[0][:80],
                author_role=by[1] or "",
                partner=partner,
                text=text,
                public=False,
                written_at=at or utcnow(),
            )
        ).inserted_primary_key[0]
        _audit(
            conn,
            by,
            "commentary_written",
            {"commentary": cid, "indicator": indicator_id, "period": period.code(), "characters": len(text)},
        )
    return int(cid)


def set_commentary_public(engine: sa.Engine, *, commentary_id: int, public: bool, by: tuple[str, str | None]) -> None:
    """Mark commentary for the public pack (or take the mark off)."""
    c = schema.commentary
    with write_transaction(engine) as conn:
        done = conn.execute(
            c.update().where(c.c.id == commentary_id).values(public=public, marked_by=by[0][:80], marked_at=utcnow())
        ).rowcount
        if not done:
            raise KeyError(f"no commentary {commentary_id}")
        _audit(conn, by, "commentary_marked", {"commentary": commentary_id, "public": public})


def read_commentary(
    conn: sa.Connection | sa.Engine,
    *,
    period: Period | None = None,
    indicator_id: str | None = None,
    public_only: bool = False,
) -> list[dict]:
    """Commentary, newest first: for one period (exactly that period) and one indicator when given."""
    c = schema.commentary
    q = sa.select(c).order_by(c.c.written_at.desc(), c.c.id.desc())
    if period is not None:
        q = q.where(c.c.period_start == period.start, c.c.period_end == period.end)
    if indicator_id is not None:
        q = q.where(c.c.indicator_id == indicator_id)
    if public_only:
        q = q.where(c.c.public.is_(True))
    with _connection(conn) as cx:
        return [{**r, "period": _period(r)} for r in cx.execute(q).mappings().all()]


def get_commentary(conn: sa.Connection | sa.Engine, commentary_id: int) -> dict | None:
    c = schema.commentary
    with _connection(conn) as cx:
        r = cx.execute(sa.select(c).where(c.c.id == commentary_id)).mappings().first()
    return {**r, "period": _period(r)} if r else None


# --------------------------------------------------------------------------- actions


def raise_action(
    engine: sa.Engine,
    *,
    meeting_id: int,
    text: str,
    indicator_ids: list[str],
    owner_partner: str | None,
    owner_role: str | None,
    due_on: date,
    by: tuple[str, str | None],
    at: datetime | None = None,
) -> int:
    a = schema.actions
    with write_transaction(engine) as conn:
        aid = conn.execute(
            a.insert().values(
                meeting_id=meeting_id,
                text=text,
                indicator_ids=list(indicator_ids),
                owner_partner=owner_partner,
                owner_role=owner_role,
                due_on=due_on,
                status="open",
                raised_by=by[0][:80],
                raised_at=at or utcnow(),
            )
        ).inserted_primary_key[0]
        _audit(
            conn,
            by,
            "action_raised",
            {
                "action": aid,
                "meeting": meeting_id,
                "indicators": list(indicator_ids),
                "owner": owner_partner or "role",
                "due_on": due_on.isoformat(),
            },
        )
    return int(aid)


def update_action(
    engine: sa.Engine,
    *,
    action_id: int,
    status: str,
    note: str,
    noted_on: date,
    by: tuple[str, str | None],
    at: datetime | None = None,
) -> None:
    """A dated note on an action, setting its status (open, done or dropped)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    a, n = schema.actions, schema.action_notes
    with write_transaction(engine) as conn:
        if not conn.execute(a.update().where(a.c.id == action_id).values(status=status)).rowcount:
            raise KeyError(f"no action {action_id}")
        conn.execute(
            n.insert().values(
                action_id=action_id,
                status=status,
                note=note,
                noted_on=noted_on,
                noted_by=by[0][:80],
                noted_at=at or utcnow(),
            )
        )
        _audit(conn, by, "action_updated", {"action": action_id, "status": status})


def read_actions(conn: sa.Connection | sa.Engine) -> list[dict]:
    """Every action with its meeting's date and its notes (oldest note first), oldest action first."""
    a, m, n = schema.actions, schema.meetings, schema.action_notes
    q = sa.select(a, m.c.held_on, m.c.period_start, m.c.period_end).join(m, m.c.id == a.c.meeting_id).order_by(a.c.id)
    with _connection(conn) as c:
        rows = c.execute(q).mappings().all()
        notes = c.execute(sa.select(n).order_by(n.c.noted_at, n.c.id)).mappings().all()
    by_action: dict[int, list[dict]] = {}
    for r in notes:
        by_action.setdefault(r["action_id"], []).append(dict(r))
    return [
        {**r, "indicator_ids": list(r["indicator_ids"]), "period": _period(r), "notes": by_action.get(r["id"], [])}
        for r in rows
    ]


# --------------------------------------------------------------------------- decisions


def record_decision(
    engine: sa.Engine,
    *,
    meeting_id: int,
    decided_on: date,
    text: str,
    indicator_ids: list[str],
    by: tuple[str, str | None],
    at: datetime | None = None,
) -> int:
    d = schema.decisions
    with write_transaction(engine) as conn:
        did = conn.execute(
            d.insert().values(
                meeting_id=meeting_id,
                decided_on=decided_on,
                text=text,
                indicator_ids=list(indicator_ids),
                recorded_by=by[0][:80],
                recorded_at=at or utcnow(),
            )
        ).inserted_primary_key[0]
        _audit(
            conn, by, "decision_recorded", {"decision": did, "meeting": meeting_id, "indicators": list(indicator_ids)}
        )
    return int(did)


def read_decisions(conn: sa.Connection | sa.Engine) -> list[dict]:
    """Every decision with its meeting's period, newest first."""
    d, m = schema.decisions, schema.meetings
    q = (
        sa.select(d, m.c.held_on, m.c.period_start, m.c.period_end)
        .join(m, m.c.id == d.c.meeting_id)
        .order_by(d.c.decided_on.desc(), d.c.id.desc())
    )
    with _connection(conn) as c:
        return [
            {**r, "indicator_ids": list(r["indicator_ids"]), "period": _period(r)}
            for r in c.execute(q).mappings().all()
        ]


# --------------------------------------------------------------------------- sign-off


def store_signoff(
    engine: sa.Engine,
    *,
    period: Period,
    data_version: tuple[int, int],
    figures: dict,
    by: tuple[str, str | None],
    at: datetime | None = None,
) -> int:
    """The chair's sign-off of a period's figures, with the data version and the figures signed off."""
    s = schema.signoffs
    with write_transaction(engine) as conn:
        sid = conn.execute(
            s.insert().values(
                period_start=period.start,
                period_end=period.end,
                signed_by=by[0][:80],
                signed_at=at or utcnow(),
                data_version=list(data_version),
                figures=figures,
            )
        ).inserted_primary_key[0]
        _audit(
            conn, by, "period_signed_off", {"signoff": sid, "period": period.code(), "data_version": list(data_version)}
        )
    return int(sid)


def record_signoff_published(engine: sa.Engine, *, signoff_id: int, figures: dict, by: tuple[str, str | None]) -> None:
    """Add to a sign-off the public figures it published (worked out once the sign-off is stored, as the
    year's publication rests on it)."""
    s = schema.signoffs
    with write_transaction(engine) as conn:
        row = conn.execute(sa.select(s.c.figures).where(s.c.id == signoff_id)).scalar_one()
        conn.execute(s.update().where(s.c.id == signoff_id).values(figures={**row, "public": figures}))
        _audit(conn, by, "signoff_published", {"signoff": signoff_id})


def read_signoffs(conn: sa.Connection | sa.Engine, *, period: Period | None = None) -> list[dict]:
    """Sign-offs, newest first (of exactly ``period`` when given)."""
    s = schema.signoffs
    q = sa.select(s).order_by(s.c.signed_at.desc(), s.c.id.desc())
    if period is not None:
        q = q.where(s.c.period_start == period.start, s.c.period_end == period.end)
    with _connection(conn) as c:
        return [
            {**r, "period": _period(r), "data_version": tuple(r["data_version"])} for r in c.execute(q).mappings().all()
        ]


def latest_signoff_within(
    conn: sa.Connection | sa.Engine, *, start: date, end: date, by: datetime | None = None
) -> dict | None:
    """The latest sign-off (made by ``by`` when given) of any period lying within ``start`` to ``end``."""
    s = schema.signoffs
    q = (
        sa.select(s)
        .where(s.c.period_start >= start, s.c.period_end <= end)
        .order_by(s.c.signed_at.desc(), s.c.id.desc())
        .limit(1)
    )
    if by is not None:
        q = q.where(s.c.signed_at <= by)
    with _connection(conn) as c:
        r = c.execute(q).mappings().first()
    return {**r, "period": _period(r), "data_version": tuple(r["data_version"])} if r else None
