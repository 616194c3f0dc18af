"""Signing in and out: local accounts (argon2) or the organisation's identity provider (``st.login``).

A signed cookie with an expiry keeps a person signed in across page reloads. The
cookie is read from ``st.context.cookies`` and written by a one-line script in
the page (``st.html`` runs in the page itself, not in a frame).
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
import streamlit as st

from core import settings
from storage import users
from storage.repository import audit
from ui import config, tokens

_USER = "auth_user"
_TOKEN = "auth_cookie_token"
_CLEAR = "auth_clear_cookie"
_METHOD = "auth_method"


def secrets_dict() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets file: every setting comes from the environment
        return {}


def oidc_provider() -> tuple[bool, str | None]:
    """(enabled, provider name) for ``st.login``, from the ``[auth]`` section of the secrets."""
    auth = secrets_dict().get("auth")
    if not isinstance(auth, dict) or not auth.get("redirect_uri"):
        return False, None
    named = [k for k, v in auth.items() if isinstance(v, dict)]
    return True, (named[0] if len(named) == 1 else None)


def local_login_enabled() -> bool:
    """Local accounts may be switched off once everyone signs in through the identity provider."""
    raw = settings.get("OUTCOMES_LOCAL_LOGIN")
    return str(raw if raw is not None else "1").strip().lower() not in ("0", "false", "no", "off")


def current_user() -> users.User | None:
    """The signed-in account for this session, if any."""
    u = st.session_state.get(_USER)
    return users.User(**u) if u else None


def _remember(user: users.User, method: str) -> None:
    st.session_state[_USER] = {"username": user.username, "role": user.role, "partner": user.partner,
                               "active": user.active}
    st.session_state[_METHOD] = method


def restore(engine: sa.Engine) -> users.User | None:
    """Sign the session in from a valid cookie or the identity provider; check a signed-in account is still active."""
    user = current_user()
    if user is not None:
        fresh = users.get_user(engine, username=user.username)
        if fresh is None or not fresh.active or fresh.role != user.role or fresh.partner != user.partner:
            # Disabled or changed by an administrator: this session ends now.
            forget()
            return None
        return user
    secret = config.cookie_secret()
    token = st.context.cookies.get(tokens.COOKIE_NAME) if st.context.cookies else None
    user = tokens.user_from_token(engine, secret=secret, token=token, max_age_seconds=config.session_hours() * 3600)
    if user is not None:
        _remember(user, "cookie")
        return user
    enabled, _ = oidc_provider()
    if enabled and getattr(st.user, "is_logged_in", False):
        email = str(st.user.get("email") or "").strip()
        user = users.get_user(engine, username=email) if email else None
        if user is not None and user.active:
            audit(engine, username=user.username, role=user.role, action="login_success", detail={"method": "oidc"})
            _remember(user, "oidc")
            return user
        st.session_state["auth_oidc_unknown"] = True
    return None


def forget() -> None:
    """End this session's sign-in and clear the cookie in the browser."""
    for k in (_USER, _TOKEN, _METHOD):
        st.session_state.pop(k, None)
    st.session_state[_CLEAR] = True


def logout(engine: sa.Engine) -> None:
    """Log out: audited, and every cookie issued before now stops working."""
    user = current_user()
    method = st.session_state.get(_METHOD)
    if user is not None:
        audit(engine, username=user.username, role=user.role, action="logout", detail={})
    forget()
    if method == "oidc":
        st.logout()


def cookie_script() -> str | None:
    """The script that sets (after sign-in) or clears (after sign-out) the login cookie, if one is due."""
    secure = "(location.protocol === 'https:' ? '; Secure' : '')"
    if st.session_state.get(_TOKEN):
        token = json.dumps(st.session_state[_TOKEN])
        max_age = config.session_hours() * 3600
        return (f"<script>document.cookie = '{tokens.COOKIE_NAME}=' + {token} + "
                f"'; Max-Age={max_age}; Path=/; SameSite=Strict' + {secure};</script>")
    if st.session_state.pop(_CLEAR, False):
        return (f"<script>document.cookie = '{tokens.COOKIE_NAME}=; Max-Age=0; Path=/; SameSite=Strict' "
                f"+ {secure};</script>")
    return None


def _lock_message(until: datetime | None) -> str:
    return ("This account is locked for 15 minutes after five unsuccessful attempts. "
            "Try again later, or ask an administrator to reset your password.")


def login_view(engine: sa.Engine) -> None:
    """The sign-in screen: nothing else of the dashboard is shown before sign-in."""
    st.title("Strategy outcomes dashboard")
    st.caption("Southend Strategic Street Prostitution Group")
    left, _ = st.columns([2, 3])
    with left:
        enabled, provider = oidc_provider()
        if st.session_state.pop("auth_oidc_unknown", False):
            st.warning("Your organisation account is not set up for this dashboard. "
                       "Ask an administrator to add your email address.")
        if enabled:
            if st.button("Sign in with your organisation account", type="primary", icon=":material/login:"):
                if provider:
                    st.login(provider)
                else:
                    st.login()
            if local_login_enabled():
                st.caption("Or use a local account:")
        if not local_login_enabled():
            return
        with st.form("login", border=True):
            st.subheader("Log in")
            username = st.text_input("Username", autocomplete="username", max_chars=80)
            password = st.text_input("Password", type="password", autocomplete="current-password", max_chars=200)
            submitted = st.form_submit_button("Log in", type="primary")
        if submitted:
            if not username.strip() or not password:
                st.error("Enter your username and password.")
                return
            result = users.verify(engine, username=username, password=password)
            if result.ok and result.user is not None:
                _remember(result.user, "password")
                st.session_state[_TOKEN] = tokens.issue(secret=config.cookie_secret(), username=result.user.username)
                st.rerun()
            elif result.reason == "locked":
                st.error(_lock_message(result.locked_until))
            elif result.reason == "disabled":
                st.error("This account is switched off. Ask an administrator if you need access.")
            else:
                st.error("The username or password is not right. After five unsuccessful attempts the "
                         "account is locked for 15 minutes.")
        st.caption("Forgotten your password? Ask the dashboard administrator to reset it.")
