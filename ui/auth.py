"""Signing in and out: local accounts (argon2) or the organisation's identity provider (``st.login``).

Every sign-in is a server-side session (``storage.sessions``) that each script
run checks against the database: sign-out, a password reset, a role change or
switching the account off ends it at the next interaction, in every tab and on
every app process; so do idling (``OUTCOMES_IDLE_MINUTES``) and age
(``OUTCOMES_SESSION_HOURS``). The browser keeps the session in an HttpOnly
cookie that only ``ui.session_routes`` sets and clears; the page is told to
fetch it with a one-time code right after sign-in.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
import streamlit as st

from core import clock, settings
from storage import sessions, users
from storage.repository import audit
from ui import config, session_routes, tokens

_USER = "auth_user"  # the signed-in account, as the pages read it (current_user)
_SESSION = "auth_session"  # this tab's session id (server memory only)
_HANDOVER = "auth_handover"  # a one-time code the page hands to /session/cookie on this run
_LEAVE = "auth_leave"  # send the browser to /session/end on this run
_NOTICE = "auth_notice"  # why the last session ended, for the sign-in page

WARN_BEFORE = timedelta(minutes=2)
REFUSED = ("The username or password is not right, or the account is switched off. After five unsuccessful "
           "attempts in a row, signing in to that account from this computer pauses for a while.")
_ENDED = {
    "logout": "You signed out, here or in another window.",
    "idle": "You were signed out after {idle} minutes without using the dashboard.",
    "expired": "Your session reached its limit of {hours} hours. Please sign in again.",
    "password_reset": "Your password was reset, so every session of your account ended. Please sign in again.",
    "role_changed": "An administrator changed your account, so please sign in again.",
    "user_disabled": "Your account has been switched off. Ask the dashboard administrator if you need access.",
    "local_login_off": "Local accounts are switched off: sign in with your organisation account.",
}


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
    """The signed-in account for this run (set by ``restore``), if any."""
    u = st.session_state.get(_USER)
    return users.User(**u) if u else None


def _limits() -> tuple[timedelta, timedelta]:
    return timedelta(minutes=config.idle_minutes()), timedelta(hours=config.session_hours())


def _ended_message(reason: str) -> str | None:
    text = _ENDED.get(reason)
    return text.format(idle=config.idle_minutes(), hours=config.session_hours()) if text else None


def _forget() -> None:
    for k in (_USER, _SESSION, _HANDOVER):
        st.session_state.pop(k, None)


def _check(engine: sa.Engine, session_id: int) -> users.User | None:
    """The account of a session that is still live, against the database as it is now; else end it."""
    now = clock.utcnow()
    idle, longest = _limits()
    session = sessions.get(engine, session_id)
    user = users.get_user(engine, username=session.username) if session and session.username else None
    reason = sessions.why_over(session, now=now, idle=idle, longest=longest) if session else "ended"
    if reason is None and (user is None or not user.active):
        reason = "user_disabled"
    if reason is None and session.method == "password" and not local_login_enabled():
        reason = "local_login_off"
    if reason is not None:
        if session is not None and sessions.end(engine, session.id, reason=reason, now=now):
            audit(engine, username=session.username or "(unknown)", role=user.role if user else None,
                  action="session_ended", detail={"reason": reason, "method": session.method})
        _forget()
        st.session_state[_NOTICE] = _ended_message(reason)
        return None
    sessions.touch(engine, session, now=now)
    st.session_state[_SESSION] = session.id
    st.session_state[_USER] = {"username": user.username, "role": user.role, "partner": user.partner,
                               "active": user.active}
    return user


def _session_from_cookie(engine: sa.Engine) -> int | None:
    value = st.context.cookies.get(tokens.COOKIE_NAME) if st.context.cookies else None
    key = tokens.unseal(secret=config.cookie_secret(), value=value)
    session = sessions.by_key(engine, key=key) if key else None
    return session.id if session else None


def restore(engine: sa.Engine) -> users.User | None:
    """The account signed in to this session (from this tab, its cookie or the identity provider), checked now."""
    session_id = st.session_state.get(_SESSION) or _session_from_cookie(engine)
    if session_id is None:
        _forget()
        session_id = _session_from_provider(engine)
    return _check(engine, session_id) if session_id is not None else None


def _begin(engine: sa.Engine, user: users.User, method: str, identity_ref: str | None = None) -> None:
    """Open a session for ``user`` in this tab; the page then fetches its cookie."""
    session_id, code = sessions.start(engine, username=user.username, method=method, identity_ref=identity_ref)
    st.session_state[_SESSION] = session_id
    st.session_state[_HANDOVER] = code
    st.session_state.pop(_NOTICE, None)


def _session_from_provider(engine: sa.Engine) -> int | None:
    enabled, _ = oidc_provider()
    if not (enabled and getattr(st.user, "is_logged_in", False)):
        return None
    email = str(st.user.get("email") or "").strip()
    user = users.get_user(engine, username=email) if email else None
    if user is not None and user.active:
        audit(engine, username=user.username, role=user.role, action="login_success", detail={"method": "oidc"})
        _begin(engine, user, "oidc")
        return st.session_state[_SESSION]
    st.session_state["auth_oidc_unknown"] = True
    return None


def logout(engine: sa.Engine) -> None:
    """Sign out: every session of the account ends now, everywhere; the browser then clears its cookies."""
    user = current_user()
    if user is not None:
        sessions.end_all(engine, username=user.username, reason="logout")
        audit(engine, username=user.username, role=user.role, action="logout", detail={})
    _forget()
    st.session_state[_LEAVE] = True


def idle_notice(engine: sa.Engine) -> str | None:
    """The warning to show when this session is about to end for lack of use; None otherwise."""
    session_id = st.session_state.get(_SESSION)
    session = sessions.get(engine, session_id) if session_id else None
    if session is None or session.ended_at is not None:
        return None
    idle, _ = _limits()
    left = idle - (clock.utcnow() - session.last_seen)
    if left > WARN_BEFORE or left <= timedelta(0):
        return None
    minutes = max(1, round(left.total_seconds() / 60))
    return (f"You will be signed out in about {minutes} minute{'s' if minutes != 1 else ''} unless you use the "
            "dashboard. Choose *Stay signed in* to carry on.")


def stay_signed_in(engine: sa.Engine) -> None:
    """Count a click on *Stay signed in* as use of the dashboard."""
    session_id = st.session_state.get(_SESSION)
    session = sessions.get(engine, session_id) if session_id else None
    if session is not None:
        sessions.touch(engine, session, now=clock.utcnow())


def idle_over(engine: sa.Engine) -> bool:
    """Whether this tab's session has ended (idle, signed out elsewhere, …) since its last run."""
    session_id = st.session_state.get(_SESSION)
    session = sessions.get(engine, session_id) if session_id else None
    if session is None:
        return False
    idle, longest = _limits()
    return sessions.why_over(session, now=clock.utcnow(), idle=idle, longest=longest) is not None


def browser_script() -> str | None:
    """The page script due on this run: fetch the new session's cookie, or leave through /session/end."""
    if st.session_state.pop(_LEAVE, False):
        return f"<script>window.location.assign({json.dumps(session_routes.END_PATH)});</script>"
    code = st.session_state.pop(_HANDOVER, None)
    if code:
        return (f"<script>fetch({json.dumps(session_routes.COOKIE_PATH)}, {{method: 'POST', "
                f"credentials: 'same-origin', cache: 'no-store', body: {json.dumps(code)}}});</script>")
    return None


def source_address() -> str:
    """Where a sign-in comes from: the client's address, or the one the TLS proxy on this machine saw."""
    ip = st.context.ip_address
    if not isinstance(ip, str):  # loopback: the reverse proxy (docs/deploy.md), which appends the client's address
        headers = st.context.headers
        forwarded = headers.get("X-Forwarded-For") if headers else None
        ip = forwarded.split(",")[-1].strip() if isinstance(forwarded, str) and forwarded.strip() else "local"
    return ip[:64]


def _lock_message(until: datetime | None) -> str:
    left = (until - clock.utcnow()) if until else timedelta(minutes=1)
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return (f"Too many unsuccessful attempts: signing in to this account from this computer is paused for "
            f"{minutes} minute{'s' if minutes != 1 else ''}. Try again then, or ask an administrator to reset "
            "your password.")


def login_view(engine: sa.Engine) -> None:
    """The sign-in screen: nothing else of the dashboard is shown before sign-in."""
    st.title("Strategy outcomes dashboard")
    st.caption("Southend Strategic Street Prostitution Group")
    left, _ = st.columns([2, 3])
    with left:
        notice = st.session_state.pop(_NOTICE, None)
        if notice:
            st.info(notice, icon=":material/logout:")
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
            result = users.verify(engine, username=username, password=password, source=source_address())
            if result.ok and result.user is not None:
                _begin(engine, result.user, "password")
                st.rerun()
            elif result.reason == "locked":
                st.error(_lock_message(result.locked_until))
            else:
                st.error(REFUSED)
        st.caption("Forgotten your password? Ask the dashboard administrator to reset it.")
