"""Who may do what: the one home of the role rules that every page, export and meeting change asks.

The roles are the accounts' (``storage.users.ROLES``). Pages, exports and the meeting loop ask here;
none decides by comparing a role itself. See ``docs/user-guide.md`` for the roles in words.
"""

from __future__ import annotations

from metrics.catalogue import CATALOGUE
from storage.users import User

# The roles that read the indicators (the outcomes pages, the meetings, the definitions).
INDICATOR_READERS = frozenset({"chair", "commissioner", "author"})

# Which roles may open each page (by its ``ui.navigation`` key).
PAGES: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("overview", "engagement", "health", "recovery", "family", "safety", "voice", "meetings"), INDICATOR_READERS
    ),
    "reports": frozenset({"chair", "author"}),
    "commentary": INDICATOR_READERS | {"partner"},
    "returns": INDICATOR_READERS | {"partner", "admin"},
    "upload": frozenset({"partner", "admin"}),
    "definitions": INDICATOR_READERS | {"admin"},
    "admin": frozenset({"admin"}),
}

# What each role may do in the meeting loop. A partner's writes are limited further to its own indicators and
# actions (``may``).
MEETING: dict[str, frozenset[str]] = {
    "create_meeting": frozenset({"chair"}),
    "raise_action": frozenset({"chair"}),
    "record_decision": frozenset({"chair"}),
    "sign_off": frozenset({"chair"}),
    "comment": frozenset({"chair", "author", "partner"}),
    "mark_public": frozenset({"chair", "author"}),
    "update_action": frozenset({"chair", "partner"}),
}


def may_open(role: str | None, page: str) -> bool:
    """Whether a role may open a page."""
    return role is not None and role in PAGES[page]


def sees_exact_figures(user: User) -> bool:
    """Whether this person sees the group's exact figures; everyone else sees the published (disclosure-
    controlled) ones."""
    return user.role == "chair"


def may_export(user: User, *, public: bool) -> bool:
    """Whether this person may build the period's files (pack, workbook, CSV, charts): the public version for
    the chair and report authors, the restricted (exact) one for the chair only."""
    return may_open(user.role, "reports") and (public or sees_exact_figures(user))


def may_download_tables(user: User) -> bool:
    """Report authors may download any page's table as CSV (published figures only)."""
    return user.role == "author"


def own_partner(user: User) -> str | None:
    """The partner whose returns alone this person sees, or None for those who see every partner's."""
    return user.partner if user.role == "partner" else None


def upload_partners(user: User, known: list[str]) -> list[str]:
    """The partners (of ``known``) this person may upload returns for: a partner its own, an administrator any."""
    if user.role == "partner":
        return [user.partner] if user.partner else []
    return list(known) if user.role == "admin" else []


def sees_completeness(user: User) -> bool:
    """Whether this person sees how complete each indicator is (every partner's returns behind it)."""
    return user.role in INDICATOR_READERS | {"admin"}


def partner_indicators(partner: str | None) -> list[str]:
    """The indicators a partner's returns feed (its own sources, spec section 4), in catalogue order."""
    if not partner:
        return []
    return [i.id for i in CATALOGUE if any(s.split("/")[0] == partner for s in i.own_sources)]


def may(user: User, what: str, *, indicator_id: str | None = None, action: dict | None = None) -> bool:
    """Whether ``user`` may do ``what`` (one of ``MEETING``), for this indicator or action where it matters."""
    if user.role not in MEETING[what]:
        return False
    if user.role != "partner":
        return True
    if what == "comment":
        return indicator_id is not None and indicator_id in partner_indicators(user.partner)
    if what == "update_action":
        return action is not None and action.get("owner_partner") == user.partner
    return False
