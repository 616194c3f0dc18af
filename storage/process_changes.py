"""The process changes' SQL: dates when a service changed the way it works, each with its reason.

Who may record one, and the checks of the reason and the charts, live in ``metrics.spc``; these
functions store what they are given. Every write is in the audit log, in the same transaction
(the date, the charts and the reason's length: never the reason's text).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from storage import schema
from storage.db import write_transaction
from storage.repository import _connection, audit, utcnow


def add_change(
    engine: sa.Engine,
    *,
    changed_on: date,
    reason: str,
    applies_to: list[str] | None,
    by: tuple[str, str | None],
    at: datetime | None = None,
) -> int:
    """Record a process change on ``changed_on`` (``applies_to``: the charts, or None for every chart)."""
    t = schema.process_changes
    with write_transaction(engine) as conn:
        cid = conn.execute(
            t.insert().values(
                changed_on=changed_on,
                reason=reason,
                applies_to=applies_to,
                recorded_by=by[0][:80],
                recorded_at=at or utcnow(),
            )
        ).inserted_primary_key[0]
        audit(
            conn,
            username=by[0],
            role=by[1],
            action="process_change_added",
            detail={
                "change": int(cid),
                "date": changed_on.isoformat(),
                "charts": applies_to or "all",
                "characters": len(reason),
            },
        )
    return int(cid)


def remove_change(engine: sa.Engine, *, change_id: int, by: tuple[str, str | None]) -> None:
    """Take a recorded process change away (``KeyError`` when there is none with that id)."""
    t = schema.process_changes
    with write_transaction(engine) as conn:
        row = conn.execute(sa.select(t.c.changed_on, t.c.applies_to).where(t.c.id == change_id)).first()
        if row is None:
            raise KeyError(f"no process change {change_id}")
        conn.execute(t.delete().where(t.c.id == change_id))
        audit(
            conn,
            username=by[0],
            role=by[1],
            action="process_change_removed",
            detail={"change": int(change_id), "date": row.changed_on.isoformat(), "charts": row.applies_to or "all"},
        )


def list_changes(conn: sa.Connection | sa.Engine) -> list[dict]:
    """Every recorded process change, oldest first: id, changed_on, reason, applies_to (None: every chart),
    recorded_by, recorded_at."""
    t = schema.process_changes
    with _connection(conn) as c:
        rows = c.execute(sa.select(t).order_by(t.c.changed_on, t.c.id)).mappings().all()
    return [dict(r) for r in rows]
