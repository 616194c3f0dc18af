"""Which pages exist, where they sit in the menu and which roles may open each (pure data)."""

from __future__ import annotations

from dataclasses import dataclass

INDICATOR_ROLES = frozenset({"chair", "commissioner", "author"})


@dataclass(frozen=True)
class PageDef:
    key: str
    file: str  # relative to the project root
    title: str
    icon: str
    section: str
    roles: frozenset[str]
    needs_period: bool = False
    default: bool = False


PAGES: tuple[PageDef, ...] = (
    PageDef("overview", "pages/overview.py", "Meeting overview", ":material/dashboard:", "Outcomes",
            INDICATOR_ROLES, needs_period=True, default=True),
    PageDef("engagement", "pages/engagement.py", "Engagement", ":material/groups:", "Outcomes",
            INDICATOR_ROLES, needs_period=True),
    PageDef("health", "pages/health.py", "Health and dental", ":material/health_and_safety:", "Outcomes",
            INDICATOR_ROLES, needs_period=True),
    PageDef("recovery", "pages/recovery.py", "Recovery", ":material/self_improvement:", "Outcomes",
            INDICATOR_ROLES, needs_period=True),
    PageDef("family", "pages/family_housing.py", "Family, housing and moving on", ":material/home:", "Outcomes",
            INDICATOR_ROLES, needs_period=True),
    PageDef("safety", "pages/safety_justice.py", "Safety and justice", ":material/shield:", "Outcomes",
            INDICATOR_ROLES, needs_period=True),
    PageDef("voice", "pages/womens_voice.py", "Women's voice", ":material/record_voice_over:", "Outcomes",
            INDICATOR_ROLES, needs_period=True),
    PageDef("reports", "pages/reports.py", "Reports and exports", ":material/description:", "Outcomes",
            frozenset({"chair", "author"}), needs_period=True),
    PageDef("meetings", "pages/meetings.py", "Meetings and actions", ":material/event_note:", "Meetings",
            INDICATOR_ROLES, needs_period=True),
    PageDef("commentary", "pages/commentary.py", "Commentary", ":material/edit_note:", "Meetings",
            INDICATOR_ROLES | {"partner"}, needs_period=True),
    PageDef("returns", "pages/data_returns.py", "Data returns", ":material/fact_check:", "Data",
            INDICATOR_ROLES | {"partner", "admin"}, needs_period=True),
    PageDef("upload", "pages/upload.py", "Upload returns", ":material/upload_file:", "Data",
            frozenset({"partner", "admin"})),
    PageDef("definitions", "pages/definitions.py", "Indicator definitions", ":material/menu_book:", "Data",
            INDICATOR_ROLES | {"admin"}),
    PageDef("admin", "pages/admin.py", "Administration", ":material/admin_panel_settings:", "Administration",
            frozenset({"admin"})),
)

_BY_KEY = {p.key: p for p in PAGES}


def page(key: str) -> PageDef:
    return _BY_KEY[key]


def allowed(key: str, role: str | None) -> bool:
    """Whether a role may open a page."""
    return role is not None and role in _BY_KEY[key].roles


def pages_for(role: str) -> list[PageDef]:
    """The pages a role sees, in menu order."""
    return [p for p in PAGES if role in p.roles]


def default_page(role: str) -> PageDef | None:
    """The page a role lands on after signing in."""
    mine = pages_for(role)
    for p in mine:
        if p.default:
            return p
    # Partners land on their commentary (what needs it, their actions); admins on the returns grid.
    return mine[0] if mine else None
