"""Local user accounts: argon2 password hashes, roles, lockout after failed attempts.

Passwords are never stored, logged or audited; only their argon2 hash is kept.
Usernames of people signing in through the organisation's identity provider
(``st.login``) are their email addresses, so the same table maps them to a role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.partners import partners
from storage import schema
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
LOCKOUT = timedelta(minutes=15)
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
    locked_until: datetime | None = None

    @property
    def public(self) -> bool:
        """Whether this person may see only disclosure-controlled figures."""
        return self.role in ("commissioner", "author")


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    user: User | None
    reason: str  # "ok" | "wrong" | "locked" | "disabled"
    locked_until: datetime | None = None


def _row_to_user(row) -> User:
    return User(row["username"], row["role"], row["partner"], bool(row["active"]), row["locked_until"])


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


def create_user(engine: sa.Engine, *, username: str, password: str, role: str, partner: str | None = None,
                created_by: str = "system", allow_short_password: bool = False) -> User:
    """Add an account. Raises AccountError when the name is taken or the role/partner is wrong."""
    username = username.strip()
    if not username or len(username) > 80:
        raise AccountError("A username needs 1 to 80 characters")
    _check_role(role, partner)
    _check_password(password, allow_short=allow_short_password)
    if get_user(engine, username=username):
        raise AccountError(f"There is already an account called '{username}'")
    with engine.begin() as c:
        c.execute(schema.users.insert().values(
            username=username, password_hash=_hasher.hash(password), role=role, partner=partner or None,
            active=True, failed_attempts=0, locked_until=None, created_at=utcnow()))
        audit(c, username=created_by, role=None, action="user_created",
              detail={"user": username, "role": role, "partner": partner})
    return User(username, role, partner or None, True)


def _update(engine: sa.Engine, username: str, values: dict, *, by: str, action: str, detail: dict) -> None:
    u = schema.users
    with engine.begin() as c:
        res = c.execute(u.update().where(sa.func.lower(u.c.username) == username.strip().lower()).values(**values))
        if not res.rowcount:
            raise AccountError(f"There is no account called '{username}'")
        audit(c, username=by, role=None, action=action, detail={"user": username, **detail})


def disable_user(engine: sa.Engine, *, username: str, by: str = "system") -> None:
    """Stop an account signing in (its open sessions end at their next page load)."""
    _update(engine, username, {"active": False}, by=by, action="user_disabled", detail={})


def enable_user(engine: sa.Engine, *, username: str, by: str = "system") -> None:
    _update(engine, username, {"active": True, "failed_attempts": 0, "locked_until": None}, by=by,
            action="user_enabled", detail={})


def reset_password(engine: sa.Engine, *, username: str, password: str, by: str = "system",
                   allow_short_password: bool = False) -> None:
    """Set a new password and lift any lockout (open sessions end)."""
    _check_password(password, allow_short=allow_short_password)
    _update(engine, username, {"password_hash": _hasher.hash(password), "failed_attempts": 0, "locked_until": None},
            by=by, action="password_reset", detail={})


def set_role(engine: sa.Engine, *, username: str, role: str, partner: str | None = None, by: str = "system") -> None:
    """Change an account's role (and partner, for partner accounts)."""
    _check_role(role, partner)
    _update(engine, username, {"role": role, "partner": partner or None}, by=by, action="role_changed",
            detail={"new_role": role, "partner": partner})


def list_users(engine: sa.Engine) -> pd.DataFrame:
    """Every account (never the hash): username, role, partner, active, locked_until, created_at."""
    u = schema.users
    with engine.connect() as c:
        rows = c.execute(sa.select(u.c.username, u.c.role, u.c.partner, u.c.active, u.c.failed_attempts,
                                   u.c.locked_until, u.c.created_at).order_by(u.c.username)).mappings().all()
    return pd.DataFrame(rows, columns=["username", "role", "partner", "active", "failed_attempts", "locked_until",
                                       "created_at"])


def verify(engine: sa.Engine, *, username: str, password: str, now: datetime | None = None) -> LoginResult:
    """Check a password. Five failures in a row lock the account for 15 minutes. Every outcome is audited."""
    now = now or utcnow()
    u = schema.users
    name = username.strip()
    with engine.begin() as c:
        row = c.execute(sa.select(u).where(sa.func.lower(u.c.username) == name.lower())).mappings().first()
        if row is None:
            try:
                _hasher.verify(_DUMMY_HASH, password or "-")
            except VerificationError:
                pass
            # The typed name is not recorded: people sometimes type their password into it.
            audit(c, username="(unknown)", role=None, action="login_failure", detail={"reason": "unknown_user"})
            return LoginResult(False, None, "wrong")
        user = _row_to_user(row)
        where = u.c.id == row["id"]
        if not row["active"]:
            audit(c, username=user.username, role=user.role, action="login_failure", detail={"reason": "disabled"})
            return LoginResult(False, None, "disabled")
        if row["locked_until"] is not None and row["locked_until"] > now:
            audit(c, username=user.username, role=user.role, action="login_failure", detail={"reason": "locked"})
            return LoginResult(False, None, "locked", row["locked_until"])
        failed = 0 if row["locked_until"] is not None else int(row["failed_attempts"] or 0)
        try:
            ok = _hasher.verify(row["password_hash"], password)
        except (VerifyMismatchError, InvalidHashError, VerificationError):
            ok = False
        if ok:
            values: dict = {"failed_attempts": 0, "locked_until": None}
            if _hasher.check_needs_rehash(row["password_hash"]):
                values["password_hash"] = _hasher.hash(password)
            c.execute(u.update().where(where).values(**values))
            audit(c, username=user.username, role=user.role, action="login_success", detail={"method": "password"})
            return LoginResult(True, User(user.username, user.role, user.partner, True), "ok")
        failed += 1
        locked_until = now + LOCKOUT if failed >= MAX_FAILED_ATTEMPTS else None
        c.execute(u.update().where(where).values(failed_attempts=failed, locked_until=locked_until))
        audit(c, username=user.username, role=user.role, action="login_failure",
              detail={"reason": "wrong_password", "attempt": failed})
        if locked_until is not None:
            audit(c, username=user.username, role=user.role, action="account_locked",
                  detail={"until": locked_until.isoformat(timespec="seconds")})
            return LoginResult(False, None, "locked", locked_until)
        return LoginResult(False, None, "wrong")


def sessions_revoked_since(engine: sa.Engine, *, username: str, issued_at: datetime) -> bool:
    """Whether the account logged out, was disabled, re-passworded or changed role after ``issued_at``.

    A signed login cookie issued before any of these no longer signs anyone in.
    """
    a = schema.audit_log
    with engine.connect() as c:
        n = c.execute(sa.select(sa.func.count()).select_from(a).where(
            a.c.at > issued_at,
            a.c.action.in_(("logout", "user_disabled", "password_reset", "role_changed")),
            sa.or_(a.c.username == username, a.c.detail["user"].as_string() == username),
        )).scalar()
    return bool(n)


def ensure_demo_accounts(engine: sa.Engine) -> list[str]:
    """Create the demo accounts (password "demo") that are missing. Only for the synthetic sample database."""
    wanted = [("chair", "chair", None), ("commissioner", "commissioner", None), ("author", "author", None),
              ("aspirations", "partner", "aspirations"), ("admin", "admin", None)]
    made = []
    for username, role, partner in wanted:
        if get_user(engine, username=username) is None:
            create_user(engine, username=username, password=DEMO_PASSWORD, role=role, partner=partner,
                        created_by="sample", allow_short_password=True)
            made.append(username)
    return made


def recent_audit(engine: sa.Engine, *, limit: int = 500) -> pd.DataFrame:
    """The latest audit entries, newest first: at, username, role, action, detail."""
    a = schema.audit_log
    with engine.connect() as c:
        rows = c.execute(sa.select(a.c.at, a.c.username, a.c.role, a.c.action, a.c.detail)
                         .order_by(a.c.id.desc()).limit(limit)).mappings().all()
    return pd.DataFrame(rows, columns=["at", "username", "role", "action", "detail"])
