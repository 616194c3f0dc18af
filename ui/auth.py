"""Signing in and out: local accounts (argon2) or the organisation's identity provider (``st.login``).

Every sign-in is a server-side session (``storage.sessions``) that each script
run checks against the database: sign-out, a password reset, a role change or
switching the account off ends it at the next interaction, in every tab and on
every app process; so do idling (``OUTCOMES_IDLE_MINUTES``) and age
(``OUTCOMES_SESSION_HOURS``). The browser keeps the session in an HttpOnly
cookie that only ``ui.session_routes`` sets and clears; the page is told to
fetch it with a one-time code right after sign-in.

A provider sign-in is matched on the provider's immutable id for the person
(``users.provider_account``), never on an unverified email; one ID token opens
at most one session, and each sign-in or refusal is audited once.
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
REFUSED = (
    "The username or password is not right, or the account is switched off. After five unsuccessful "
    "attempts in a row, signing in to that account from this computer pauses for a while."
)
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


_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


def oidc_provider() -> tuple[bool, str | None]:
    """(enabled, provider name for ``st.login``) from the ``[auth]`` section of the secrets.

    Either the flat form (``client_id`` … in ``[auth]`` itself: Streamlit's default provider) or one named
    section (``[auth.microsoft]``). Other tables, such as ``client_kwargs``, are options, never providers.
    """
    auth = secrets_dict().get("auth")
    if not isinstance(auth, dict) or not auth.get("redirect_uri"):
        return False, None
    named = [k for k, v in auth.items() if isinstance(v, dict) and any(p in v for p in _PROVIDER_KEYS)]
    if any(p in auth for p in _PROVIDER_KEYS):
        if named:
            raise config.ConfigurationError(
                f"[auth] has both its own client_id and a provider section [auth.{named[0]}]: keep one (docs/login.md)."
            )
        return True, None
    if len(named) != 1:
        raise config.ConfigurationError(
            "[auth] needs exactly one identity provider: client_id, client_secret and server_metadata_url in "
            "[auth] itself or in one section such as [auth.microsoft] (docs/login.md)."
        )
    return True, named[0]


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
            audit(
                engine,
                username=session.username or "(unknown)",
                role=user.role if user else None,
                action="session_ended",
                detail={"reason": reason, "method": session.method},
            )
        _forget()
        st.session_state[_NOTICE] = _ended_message(reason)
        return None
    sessions.touch(engine, session, now=now)
    st.session_state[_SESSION] = session.id
    st.session_state[_USER] = {
        "username": user.username,
        "role": user.role,
        "partner": user.partner,
        "active": user.active,
    }
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


_REFUSAL = "auth_refusal"  # why the provider's sign-in of this browser was refused (for the sign-in page)
REFUSALS = {
    "unknown": "Your organisation account is not linked to an account on this dashboard. Ask the dashboard "
    "administrator to add you; they may need this reference: {subject}",
    "disabled": "Your dashboard account is switched off. Ask the dashboard administrator if you need access.",
    "unverified": "Your organisation has not verified the email address of the account you signed in with, so "
    "the dashboard cannot tell who you are. Sign out and try another account, or ask your IT team.",
    "no_identifier": "The organisation's sign-in did not say who you are (the ID token has no subject). Tell the "
    "dashboard administrator: the identity provider's settings need to change.",
    "ended": "Your session has ended. Sign in again with your organisation account.",
}


def _claims() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:  # st.user without claims (signed out, or an unusual provider answer)
        return {}


def _verified(value) -> bool | None:
    """``email_verified`` as the provider sent it: True, False, or None when it sent no such claim."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _identity_ref(claims: dict, subject: str | None) -> str:
    """One provider sign-in (one ID token): it may open one session, and is audited once."""
    parts = [claims.get(k) for k in ("iss", "iat", "nonce", "auth_time")]
    return sessions.digest(json.dumps([subject, *map(str, parts)]))


def _session_from_provider(engine: sa.Engine) -> int | None:
    """A session from a fresh provider sign-in (Streamlit's identity cookie), or None with the reason noted."""
    enabled, provider = oidc_provider()
    if not (enabled and getattr(st.user, "is_logged_in", False)):
        return None
    claims = _claims()
    subject = str(claims.get("oid") or claims.get("sub") or "").strip() or None
    ref = _identity_ref(claims, subject)
    seen = sessions.identity_outcome(engine, identity_ref=ref)
    if seen is not None:
        # This sign-in already opened a session (now ended, or it would have come back by its cookie), or
        # was refused: it opens nothing again, and is not audited again.
        st.session_state[_REFUSAL] = (seen.removeprefix("refused_"), subject)
        return None
    email = str(claims.get("email") or "").strip() or None
    user, reason = users.provider_account(
        engine,
        issuer=str(claims.get("iss") or ""),
        subject=subject,
        email=email,
        email_verified=_verified(claims.get("email_verified")),
    )
    if reason != "ok" or user is None:
        sessions.record_refusal(engine, identity_ref=ref, reason=reason)
        audit(
            engine,
            username=user.username if user else "(unknown)",
            role=None,
            action="login_failure",
            detail={
                "method": "oidc",
                "provider": provider or "default",
                "reason": reason,
                "issuer": claims.get("iss"),
                "subject": subject,
                "email": email,
            },
        )
        st.session_state[_REFUSAL] = (reason, subject)
        return None
    audit(
        engine,
        username=user.username,
        role=user.role,
        action="login_success",
        detail={"method": "oidc", "provider": provider or "default"},
    )
    _begin(engine, user, "oidc", identity_ref=ref)
    st.session_state.pop(_REFUSAL, None)
    return st.session_state[_SESSION]


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
    return (
        f"You will be signed out in about {minutes} minute{'s' if minutes != 1 else ''} unless you use the "
        "dashboard. Choose *Stay signed in* to carry on."
    )


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
        return (
            f"<script>fetch({json.dumps(session_routes.COOKIE_PATH)}, {{method: 'POST', "
            f"credentials: 'same-origin', cache: 'no-store', body: {json.dumps(code)}}});</script>"
        )
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
    return (
        f"Too many unsuccessful attempts: signing in to this account from this computer is paused for "
        f"{minutes} minute{'s' if minutes != 1 else ''}. Try again then, or ask an administrator to reset "
        "your password."
    )


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
        refusal = st.session_state.get(_REFUSAL) if getattr(st.user, "is_logged_in", False) else None
        if enabled and refusal:
            reason, subject = refusal
            (st.info if reason == "ended" else st.warning)(REFUSALS[reason].format(subject=subject or "none"))
            if st.button(
                "Sign out of your organisation account",
                icon=":material/logout:",
                help="Ends your organisation's sign-in in this browser, so that you can use another account.",
            ):
                st.session_state.pop(_REFUSAL, None)
                st.session_state[_LEAVE] = True
                st.rerun()
        if enabled:
            if st.button("Sign in with your organisation account", type="primary", icon=":material/login:"):
                st.session_state.pop(_REFUSAL, None)
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
