"""Server-side sessions: each sign-in is a row that every script run checks.

The browser holds a random key in an HttpOnly cookie; the database keeps only
its SHA-256. A session ends (everywhere at once, on every app process) when its
account signs out, has its password reset or its role changed, is switched off,
or when it has been idle too long or is older than the session length.

Setting the cookie is a hand-over: the script that signs a person in gets a
one-time code (valid for a minute); the page sends it to the small route in
front of the app (``ui.session_routes``), which makes the key, stores its hash
and answers with ``Set-Cookie``. The key itself is never in the page.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from storage import schema
from storage.repository import utcnow

HANDOVER = timedelta(minutes=1)
# last_seen is written at most this often: idle expiry is exact to within it, and a run costs no write.
TOUCH_EVERY = timedelta(seconds=30)


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    id: int
    username: str | None
    method: str
    created_at: datetime
    last_seen: datetime
    ended_at: datetime | None
    end_reason: str | None


def _row(row) -> Session:
    return Session(
        row["id"],
        row["username"],
        row["method"],
        row["created_at"],
        row["last_seen"],
        row["ended_at"],
        row["end_reason"],
    )


def start(
    engine: sa.Engine | sa.Connection,
    *,
    username: str,
    method: str,
    identity_ref: str | None = None,
    now: datetime | None = None,
) -> tuple[int, str]:
    """A new session for ``username``: (its id, the one-time hand-over code for the cookie)."""
    now = now or utcnow()
    code = secrets.token_urlsafe(32)
    values = dict(
        username=username,
        method=method,
        handover_hash=digest(code),
        handover_until=now + HANDOVER,
        identity_ref=identity_ref,
        created_at=now,
        last_seen=now,
    )
    with _begin(engine) as c:
        sid = c.execute(schema.sessions.insert().values(**values).returning(schema.sessions.c.id)).scalar_one()
    return sid, code


def record_refusal(
    engine: sa.Engine | sa.Connection, *, identity_ref: str, reason: str, now: datetime | None = None
) -> None:
    """Remember a refused provider sign-in, so a reload with the same ID token is not audited again."""
    now = now or utcnow()
    with _begin(engine) as c:
        c.execute(
            schema.sessions.insert().values(
                username=None,
                method="oidc",
                identity_ref=identity_ref,
                created_at=now,
                last_seen=now,
                ended_at=now,
                end_reason=f"refused_{reason}",
            )
        )


def identity_outcome(engine: sa.Engine, *, identity_ref: str) -> str | None:
    """What became of a provider ID token: None if never used, "refused_<why>", or "ended" (its session ran)."""
    s = schema.sessions
    with engine.connect() as c:
        row = c.execute(
            sa.select(s.c.end_reason).where(s.c.identity_ref == identity_ref).order_by(s.c.id.desc()).limit(1)
        ).first()
    if row is None:
        return None
    return row[0] if row[0] and row[0].startswith("refused_") else "ended"


def hand_over(engine: sa.Engine, *, code: str, now: datetime | None = None) -> str | None:
    """Exchange a hand-over code (once, within a minute) for the session's new cookie key; None otherwise."""
    if not code or len(code) > 200:
        return None
    now = now or utcnow()
    s = schema.sessions
    key = secrets.token_urlsafe(32)
    with engine.begin() as c:
        res = c.execute(
            s.update()
            .where(
                s.c.handover_hash == digest(code),
                s.c.handover_until >= now,
                s.c.ended_at.is_(None),
                s.c.key_hash.is_(None),
            )
            .values(key_hash=digest(key), handover_hash=None, handover_until=None)
        )
        return key if res.rowcount == 1 else None


def by_key(engine: sa.Engine, *, key: str | None) -> Session | None:
    """The session a cookie key belongs to (ended or not), or None."""
    if not key or len(key) > 200:
        return None
    s = schema.sessions
    with engine.connect() as c:
        row = c.execute(sa.select(s).where(s.c.key_hash == digest(key))).mappings().first()
    return _row(row) if row else None


def get(engine: sa.Engine, session_id: int) -> Session | None:
    s = schema.sessions
    with engine.connect() as c:
        row = c.execute(sa.select(s).where(s.c.id == session_id)).mappings().first()
    return _row(row) if row else None


def why_over(session: Session, *, now: datetime, idle: timedelta, longest: timedelta) -> str | None:
    """Why a session can no longer be used ("logout", "idle", "expired", …), or None while it is live."""
    if session.ended_at is not None:
        return session.end_reason or "ended"
    if now - session.last_seen > idle:
        return "idle"
    if now - session.created_at > longest:
        return "expired"
    return None


def touch(engine: sa.Engine, session: Session, *, now: datetime | None = None) -> None:
    """Record activity (at most every ``TOUCH_EVERY``): idle time counts from the last interaction."""
    now = now or utcnow()
    if now - session.last_seen < TOUCH_EVERY:
        return
    s = schema.sessions
    with engine.begin() as c:
        c.execute(s.update().where(s.c.id == session.id, s.c.ended_at.is_(None)).values(last_seen=now))


def end(engine: sa.Engine | sa.Connection, session_id: int, *, reason: str, now: datetime | None = None) -> bool:
    """End one session; whether it was still open."""
    s = schema.sessions
    with _begin(engine) as c:
        res = c.execute(
            s.update()
            .where(s.c.id == session_id, s.c.ended_at.is_(None))
            .values(ended_at=now or utcnow(), end_reason=reason, handover_hash=None)
        )
    return res.rowcount == 1


def end_all(
    conn: sa.Engine | sa.Connection,
    *,
    username: str,
    reason: str,
    method: str | None = None,
    now: datetime | None = None,
) -> int:
    """End every open session of an account (names compared without case); how many there were."""
    s = schema.sessions
    where = [sa.func.lower(s.c.username) == username.strip().lower(), s.c.ended_at.is_(None)]
    if method is not None:
        where.append(s.c.method == method)
    with _begin(conn) as c:
        res = c.execute(
            s.update().where(*where).values(ended_at=now or utcnow(), end_reason=reason, handover_hash=None)
        )
    return res.rowcount


@contextmanager
def _begin(target: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """A transaction on an engine, or the caller's connection as it is (inside the caller's transaction)."""
    if isinstance(target, sa.Connection):
        yield target
    else:
        with target.begin() as c:
            yield c
