"""Which pages exist and where they sit in the menu (pure data); who may open each is ``metrics.permissions``."""

from __future__ import annotations

from dataclasses import dataclass

from metrics import permissions


@dataclass(frozen=True)
class PageDef:
    key: str
    file: str  # relative to the project root
    title: str
    icon: str
    section: str
    needs_period: bool = False
    default: bool = False


PAGES: tuple[PageDef, ...] = (
    PageDef(
        "overview",
        "pages/overview.py",
        "Meeting overview",
        ":material/dashboard:",
        "Outcomes",
        needs_period=True,
        default=True,
    ),
    PageDef("engagement", "pages/engagement.py", "Engagement", ":material/groups:", "Outcomes", needs_period=True),
    PageDef(
        "health", "pages/health.py", "Health and dental", ":material/health_and_safety:", "Outcomes", needs_period=True
    ),
    PageDef("recovery", "pages/recovery.py", "Recovery", ":material/self_improvement:", "Outcomes", needs_period=True),
    PageDef(
        "family",
        "pages/family_housing.py",
        "Family, housing and moving on",
        ":material/home:",
        "Outcomes",
        needs_period=True,
    ),
    PageDef(
        "safety", "pages/safety_justice.py", "Safety and justice", ":material/shield:", "Outcomes", needs_period=True
    ),
    PageDef(
        "voice", "pages/womens_voice.py", "Women's voice", ":material/record_voice_over:", "Outcomes", needs_period=True
    ),
    PageDef(
        "reports", "pages/reports.py", "Reports and exports", ":material/description:", "Outcomes", needs_period=True
    ),
    PageDef(
        "meetings", "pages/meetings.py", "Meetings and actions", ":material/event_note:", "Meetings", needs_period=True
    ),
    PageDef("commentary", "pages/commentary.py", "Commentary", ":material/edit_note:", "Meetings", needs_period=True),
    PageDef("returns", "pages/data_returns.py", "Data returns", ":material/fact_check:", "Data", needs_period=True),
    PageDef("upload", "pages/upload.py", "Upload returns", ":material/upload_file:", "Data"),
    PageDef("definitions", "pages/definitions.py", "Indicator definitions", ":material/menu_book:", "Data"),
    PageDef("admin", "pages/admin.py", "Administration", ":material/admin_panel_settings:", "Administration"),
)

_BY_KEY = {p.key: p for p in PAGES}


def page(key: str) -> PageDef:
    return _BY_KEY[key]


def pages_for(role: str) -> list[PageDef]:
    """The pages a role may open, in menu order."""
    return [p for p in PAGES if permissions.may_open(role, p.key)]


def default_page(role: str) -> PageDef | None:
    """The page a role lands on after signing in."""
    mine = pages_for(role)
    for p in mine:
        if p.default:
            return p
    # Partners land on their commentary (what needs it, their actions); admins on the returns grid.
    return mine[0] if mine else None
