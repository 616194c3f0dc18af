"""The session cookie's value: a forged, altered or foreign cookie gives no session key."""

from __future__ import annotations

from ui import tokens

SECRET = "a" * 48


def test_round_trip_and_tamper():
    value = tokens.seal(secret=SECRET, key="k" * 43)
    assert tokens.unseal(secret=SECRET, value=value) == "k" * 43
    assert tokens.unseal(secret="b" * 48, value=value) is None
    assert tokens.unseal(secret=SECRET, value=value[:-2] + "xx") is None
    assert tokens.unseal(secret=SECRET, value="") is None
    assert tokens.unseal(secret=SECRET, value=None) is None
    assert tokens.unseal(secret=SECRET, value="x" * 2000) is None


def test_a_value_signed_for_something_else_is_not_a_key():
    from itsdangerous import URLSafeSerializer

    other = URLSafeSerializer(SECRET, salt="outcomes-login-v1").dumps({"u": "chair", "t": 0})
    assert tokens.unseal(secret=SECRET, value=other) is None
