"""Signed login cookies: who signed in and when, signed with the app's secret, with an expiry.

A token says nothing secret (a username and a time) but cannot be forged or
altered without the secret. It stops working when it expires, or when the
account logs out, is disabled, has its password reset or its role changed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer

from core import clock
from storage import users

COOKIE_NAME = "outcomes_session"
_SALT = "outcomes-login-v1"


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def issue(*, secret: str, username: str, now: datetime | None = None) -> str:
    """A signed token for ``username``, issued ``now`` (naive UTC)."""
    now = now or clock.utcnow()
    return _serializer(secret).dumps({"u": username, "t": now.replace(tzinfo=UTC).timestamp()})


def read(*, secret: str, token: str | None, max_age_seconds: int) -> tuple[str, datetime] | None:
    """(username, issued_at) from a valid, unexpired token; None for anything else."""
    if not token or len(token) > 1000:
        return None
    try:
        data = _serializer(secret).loads(token)
        username, issued = str(data["u"]), float(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    issued_at = datetime.fromtimestamp(issued, UTC).replace(tzinfo=None)
    # Expiry by the product's clock (the signature's own timestamp would follow the machine's).
    if (clock.utcnow() - issued_at).total_seconds() > max_age_seconds:
        return None
    return username, issued_at


def user_from_token(engine: sa.Engine, *, secret: str, token: str | None, max_age_seconds: int) -> users.User | None:
    """The active account a cookie signs in, or None (expired, forged, revoked, disabled)."""
    got = read(secret=secret, token=token, max_age_seconds=max_age_seconds)
    if got is None:
        return None
    username, issued_at = got
    user = users.get_user(engine, username=username)
    if user is None or not user.active:
        return None
    if users.sessions_revoked_since(engine, username=user.username, issued_at=issued_at):
        return None
    return user
