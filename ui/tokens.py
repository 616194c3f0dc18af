"""The session cookie's value: a session's random key, signed with the app's secret.

The key alone finds the session (``storage.sessions``); the signature lets a
forged or garbled cookie be turned away without a database look-up, and
changing ``OUTCOMES_COOKIE_SECRET`` signs everyone out. The cookie is set and
cleared only by ``ui.session_routes`` (HttpOnly: page scripts never see it).
"""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE_NAME = "outcomes_session"
_SALT = "outcomes-session-v2"


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT, signer_kwargs={"digest_method": hashlib.sha256})


def seal(*, secret: str, key: str) -> str:
    """The cookie value for a session key."""
    return _serializer(secret).dumps(key)


def unseal(*, secret: str, value: str | None) -> str | None:
    """The session key in a cookie value, or None for anything forged, altered or malformed."""
    if not value or len(value) > 1000:
        return None
    try:
        key = _serializer(secret).loads(value)
    except BadSignature:
        return None
    return key if isinstance(key, str) else None
