"""User accounts: argon2 password hashes, roles, a back-off after failed sign-ins, provider identities.

Passwords are never stored, logged or audited; only their argon2 hash is kept.
People who sign in through the organisation's identity provider (``st.login``)
have their email address as username (a label) and are matched on the
provider's immutable id recorded on the account (``provider_account``).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.identifiers import refusal, username_problem
from core.partners import partners
from storage import schema, sessions
from storage.repository import audit, utcnow

ROLES: tuple[str, ...] = ("chair", "commissioner", "author", "partner", "admin")
ROLE_LABELS: dict[str, str] = {
    "chair": "Chair of the group (exact figures)",
    "commissioner": "Commissioner (published figures)",
    "author": "Report author (published figures and exports)",
    "partner": "Partner (uploads its own returns)",
    "admin": "Administrator (users, partners, targets)",
}
MAX_FAILED_ATTEMPTS = 5
BACKOFF_START = timedelta(minutes=1)
LOCKOUT = timedelta(minutes=15)  # the longest back-off
THROTTLE_MEMORY = timedelta(hours=24)  # failed sign-ins older than this are forgotten
MIN_FAILURE_SECONDS = 0.4  # every refused sign-in takes this long, whatever the reason
MIN_PASSWORD_LENGTH = 10
DEMO_PASSWORD = "demo"  # noqa: S105 - only for the synthetic sample database

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(ValueError):
    """A request about an account that cannot be carried out (message is for the user)."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    partner: str | None
    active: bool


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    user: User | None
    reason: str  # "ok" | "refused" (wrong password, unknown or switched off: one answer) | "locked"
    locked_until: datetime | None = None


def _row_to_user(row) -> User:
    return User(row["username"], row["role"], row["partner"], bool(row["active"]))


def _check_role(role: str, partner: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"'{role}' is not a role. Roles: {', '.join(ROLES)}")
    if role == "partner":
        if not partner:
            raise AccountError("A partner account needs a partner code")
        if partner not in partners():
            raise AccountError(f"'{partner}' is not a configured partner. Partners: {', '.join(partners())}")
    elif partner:
        raise AccountError("Only partner accounts are tied to a partner")


def _check_password(password: str, *, allow_short: bool = False) -> None:
    if not allow_short and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters")


def get_user(engine: sa.Engine, *, username: str) -> User | None:
    """The account with this username (case-insensitive), or None."""
    u = schema.users
    with engine.connect() as c:
        row = c.execute(sa.select(u).where(sa.func.lower(u.c.username) == username.strip().lower())).mappings().first()
    return _row_to_user(row) if row else None


def create_user(
    engine: sa.Engine,
    *,
    username: str,
    password: str,
    role: str,
    partner: str | None = None,
    created_by: str = "system",
    allow_short_password: bool = False,
) -> User:
    """Add an account. Raises AccountError when the name is taken or the role/partner is wrong."""
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("A username needs 1 to 80 characters")
    problem = username_problem(username)
    if problem:  # every door: the admin page, the command line and the sample accounts (never repeats it)
        raise AccountError(
            refusal(
                problem,
                "This username",
                "choose another (a staff member's organisation email address on its own is fine).",
            )
        )
    _check_role(role, partner)
    _check_password(password, allow_short=allow_short_password)
    if get_user(engine, username=username):
        raise AccountError(f"There is already an account called '{username}'")
    with engine.begin() as c:
        c.execute(
            schema.users.insert().values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                partner=partner or None,
                active=True,
                created_at=utcnow(),
            )
        )
        audit(
            c,
            username=created_by,
            role=None,
            action="user_created",
            detail={"user": username, "role": role, "partner": partner},
        )
    return User(username, role, partner or None, True)


def _update(
    engine: sa.Engine, username: str, values: dict, *, by: str, action: str, detail: dict, ends_sessions: bool = True
) -> None:
    """Change an account, audit it and (unless switching on) end all its sessions, in one transaction."""
    u = schema.users
    with engine.begin() as c:
        res = c.execute(u.update().where(sa.func.lower(u.c.username) == username.strip().lower()).values(**values))
        if not res.rowcount:
            raise AccountError(f"There is no account called '{username}'")
        audit(c, username=by, role=None, action=action, detail={"user": username, **detail})
        if ends_sessions:
            sessions.end_all(c, username=username, reason=action)
        if action in ("password_reset", "user_enabled"):
            clear_lockouts(c, username=username)


def disable_user(engine: sa.Engine, *, username: str, by: str = "system") -> None:
    """Stop an account signing in; its open sessions end at their next interaction."""
    _update(engine, username, {"active": False}, by=by, action="user_disabled", detail={})


def enable_user(engine: sa.Engine, *, username: str, by: str = "system") -> None:
    _update(engine, username, {"active": True}, by=by, action="user_enabled", detail={}, ends_sessions=False)


def reset_password(
    engine: sa.Engine, *, username: str, password: str, by: str = "system", allow_short_password: bool = False
) -> None:
    """Set a new password, lift any back-off and end the account's sessions."""
    _check_password(password, allow_short=allow_short_password)
    _update(engine, username, {"password_hash": _hasher.hash(password)}, by=by, action="password_reset", detail={})


def set_role(engine: sa.Engine, *, username: str, role: str, partner: str | None = None, by: str = "system") -> None:
    """Change an account's role (and partner, for partner accounts); its sessions end."""
    _check_role(role, partner)
    _update(
        engine,
        username,
        {"role": role, "partner": partner or None},
        by=by,
        action="role_changed",
        detail={"new_role": role, "partner": partner},
    )


def list_users(engine: sa.Engine, *, now: datetime | None = None) -> pd.DataFrame:
    """Every account (never the hash): username, role, partner, active, locked_until, created_at, linked.

    ``locked_until`` is the latest back-off of the name from any source that is still running.
    """
    now = now or utcnow()
    u, t = schema.users, schema.login_throttle
    with engine.connect() as c:
        rows = (
            c.execute(
                sa.select(
                    u.c.username,
                    u.c.role,
                    u.c.partner,
                    u.c.active,
                    u.c.created_at,
                    u.c.oidc_subject.is_not(None).label("linked"),
                ).order_by(u.c.username)
            )
            .mappings()
            .all()
        )
        locks = dict(
            c.execute(
                sa.select(t.c.name_hash, sa.func.max(t.c.locked_until))
                .where(t.c.locked_until > now)
                .group_by(t.c.name_hash)
            ).all()
        )
    table = pd.DataFrame(rows, columns=["username", "role", "partner", "active", "created_at", "linked"])
    table.insert(4, "locked_until", [locks.get(_name_hash(n)) for n in table["username"]])
    return table


def _name_hash(username: str) -> str:
    """What the back-off keeps of a typed name: people sometimes type their password into the name box."""
    return hashlib.sha256(b"outcomes-throttle\0" + username.strip().lower().encode("utf-8")).hexdigest()


def lock_for(failures: int) -> timedelta | None:
    """The back-off after ``failures`` in a row from one source: 1 minute at the fifth, doubling, at most 15."""
    if failures < MAX_FAILED_ATTEMPTS:
        return None
    return min(LOCKOUT, BACKOFF_START * 2 ** (failures - MAX_FAILED_ATTEMPTS))


def _password_matches(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password or "-")
    except (VerifyMismatchError, InvalidHashError, VerificationError):
        return False


def verify(
    engine: sa.Engine, *, username: str, password: str, source: str = "unknown", now: datetime | None = None
) -> LoginResult:
    """Check a password; every outcome is audited and every failure takes at least ``MIN_FAILURE_SECONDS``.

    Failures are counted per typed name and source address (``lock_for``), whether or not the account
    exists or is switched off, so neither the answer nor its timing tells whether a name is real, and
    nobody can lock an account out from another address. The command line never asks for a password.
    """
    started = time.monotonic()
    now = now or utcnow()
    u, t = schema.users, schema.login_throttle
    name = username.strip()
    source = (source or "unknown")[:64]
    key = {"name_hash": _name_hash(name), "source": source}
    with engine.begin() as c:
        c.execute(t.delete().where(t.c.last_failure < now - THROTTLE_MEMORY))
        row = c.execute(sa.select(u).where(sa.func.lower(u.c.username) == name.lower())).mappings().first()
        throttle = (
            c.execute(sa.select(t).where(t.c.name_hash == key["name_hash"], t.c.source == source)).mappings().first()
        )
        # One argon2 verification on every path, against a dummy hash when there is no account.
        matches = _password_matches(row["password_hash"] if row else _DUMMY_HASH, password)
        who = (row["username"], row["role"]) if row else ("(unknown)", None)  # never the typed name
        locked_until = throttle["locked_until"] if throttle else None
        if locked_until is not None and locked_until > now:
            audit(c, username=who[0], role=who[1], action="login_failure", detail={"reason": "locked"})
            result = LoginResult(False, None, "locked", locked_until)
        elif row is not None and row["active"] and matches:
            c.execute(t.delete().where(t.c.name_hash == key["name_hash"], t.c.source == source))
            if _hasher.check_needs_rehash(row["password_hash"]):
                c.execute(u.update().where(u.c.id == row["id"]).values(password_hash=_hasher.hash(password)))
            audit(c, username=who[0], role=who[1], action="login_success", detail={"method": "password"})
            return LoginResult(True, User(row["username"], row["role"], row["partner"], True), "ok")
        else:
            reason = "unknown_user" if row is None else ("disabled" if not row["active"] else "wrong_password")
            failures = (throttle["failures"] if throttle else 0) + 1
            lock = lock_for(failures)
            locked_until = now + lock if lock else None
            values = {"failures": failures, "last_failure": now, "locked_until": locked_until}
            if throttle:
                c.execute(t.update().where(t.c.name_hash == key["name_hash"], t.c.source == source).values(**values))
            else:
                c.execute(t.insert().values(**key, **values))
            audit(
                c, username=who[0], role=who[1], action="login_failure", detail={"reason": reason, "attempt": failures}
            )
            if locked_until is not None:
                audit(
                    c,
                    username=who[0],
                    role=who[1],
                    action="account_locked",
                    detail={"until": locked_until.isoformat(timespec="seconds"), "source": source},
                )
                result = LoginResult(False, None, "locked", locked_until)
            else:
                result = LoginResult(False, None, "refused")
    time.sleep(max(0.0, MIN_FAILURE_SECONDS - (time.monotonic() - started)))
    return result


def clear_lockouts(conn: sa.Connection, *, username: str) -> None:
    """Forget the failed sign-ins of a name from every source (a password reset, switching an account on)."""
    t = schema.login_throttle
    conn.execute(t.delete().where(t.c.name_hash == _name_hash(username)))


PROVIDER_REFUSALS = ("unknown", "disabled", "unverified", "no_identifier")


def provider_account(
    engine: sa.Engine, *, issuer: str, subject: str | None, email: str | None, email_verified: bool | None
) -> tuple[User | None, str]:
    """The account a provider sign-in belongs to (if any), and "ok" or why not (one of ``PROVIDER_REFUSALS``).

    Matched on the provider's immutable id (``subject``: Entra's ``oid``, else ``sub``) recorded when the
    account was linked. An account not linked yet is linked at its first sign-in only through an email
    address the provider says it has verified (``email_verified`` true); providers that send no such
    claim (Entra) need an administrator to link the account (``link_identity``).
    """
    if not subject:
        return None, "no_identifier"
    u = schema.users
    with engine.begin() as c:
        row = (
            c.execute(
                sa.select(u).where(
                    u.c.oidc_subject == subject, sa.or_(u.c.oidc_issuer == issuer, u.c.oidc_issuer.is_(None))
                )
            )
            .mappings()
            .first()
        )
        if row is not None and row["oidc_issuer"] is None:  # linked by hand without the issuer: record it now
            c.execute(u.update().where(u.c.id == row["id"]).values(oidc_issuer=issuer))
        if row is None and email_verified is False:
            return None, "unverified"
        if row is None and email_verified is True and email:
            row = (
                c.execute(
                    sa.select(u).where(sa.func.lower(u.c.username) == email.strip().lower(), u.c.oidc_subject.is_(None))
                )
                .mappings()
                .first()
            )
            if row is not None:
                c.execute(u.update().where(u.c.id == row["id"]).values(oidc_issuer=issuer, oidc_subject=subject))
                audit(
                    c,
                    username="sign-in",
                    role=None,
                    action="account_linked",
                    detail={"user": row["username"], "issuer": issuer, "subject": subject, "by": "verified email"},
                )
    if row is None:
        return None, "unknown"
    user = _row_to_user(row)
    return user, ("ok" if user.active else "disabled")


def link_identity(
    engine: sa.Engine, *, username: str, subject: str, issuer: str | None = None, by: str = "system"
) -> None:
    """Tie an account to a person's id at the identity provider (Entra: their Object ID)."""
    subject = subject.strip()
    if not subject or len(subject) > 255:
        raise AccountError("The identifier needs 1 to 255 characters (Entra: the user's Object ID)")
    u = schema.users
    with engine.connect() as c:
        taken = c.execute(
            sa.select(u.c.username).where(
                u.c.oidc_subject == subject, sa.func.lower(u.c.username) != username.strip().lower()
            )
        ).first()
    if taken:
        raise AccountError(f"That identifier is already linked to '{taken[0]}'")
    _update(
        engine,
        username,
        {"oidc_subject": subject, "oidc_issuer": issuer or None},
        by=by,
        action="account_linked",
        detail={"subject": subject, "issuer": issuer},
    )


def unlink_identity(engine: sa.Engine, *, username: str, by: str = "system") -> None:
    """Forget an account's provider id (its provider sessions end)."""
    _update(engine, username, {"oidc_subject": None, "oidc_issuer": None}, by=by, action="account_unlinked", detail={})


def ensure_demo_accounts(engine: sa.Engine) -> list[str]:
    """Create the demo accounts (password "demo") that are missing. Only for the synthetic sample database."""
    wanted = [
        ("chair", "chair", None),
        ("commissioner", "commissioner", None),
        ("author", "author", None),
        ("aspirations", "partner", "aspirations"),
        ("admin", "admin", None),
    ]
    made = []
    for username, role, partner in wanted:
        if get_user(engine, username=username) is None:
            create_user(
                engine,
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                partner=partner,
                created_by="sample",
                allow_short_password=True,
            )
            made.append(username)
    return made
