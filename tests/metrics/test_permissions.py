"""Who may do what: the one table of role rules the pages, exports and meeting loop ask."""

from __future__ import annotations

from metrics import permissions as p
from storage.users import ROLES, User

USERS = {r: User(r, r, "aspirations" if r == "partner" else None, True) for r in ROLES}
UNLINKED = User("new-partner", "partner", None, True)


def _who(rule) -> list[str]:
    return [r for r in ROLES if rule(USERS[r])]


def test_only_the_chair_sees_exact_figures():
    assert _who(p.sees_exact_figures) == ["chair"]


def test_exports_public_for_chair_and_authors_restricted_for_the_chair():
    assert _who(lambda u: p.may_export(u, public=True)) == ["chair", "author"]
    assert _who(lambda u: p.may_export(u, public=False)) == ["chair"]
    assert _who(p.may_download_tables) == ["author"]


def test_uploads_a_partner_its_own_an_administrator_any():
    known = ["aspirations", "dental", "police"]
    assert p.upload_partners(USERS["partner"], known) == ["aspirations"]
    assert p.upload_partners(USERS["admin"], known) == known
    assert p.upload_partners(UNLINKED, known) == []
    assert all(p.upload_partners(USERS[r], known) == [] for r in ("chair", "commissioner", "author"))


def test_a_partner_sees_only_its_own_returns():
    assert p.own_partner(USERS["partner"]) == "aspirations"
    assert all(p.own_partner(USERS[r]) is None for r in ROLES if r != "partner")
    assert _who(p.sees_completeness) == ["chair", "commissioner", "author", "admin"]


def test_pages_each_role_may_open():
    opens = {r: {k for k in p.PAGES if p.may_open(r, k)} for r in ROLES}
    assert opens["partner"] == {"commentary", "returns", "upload"}
    assert opens["admin"] == {"returns", "upload", "definitions", "admin"}
    assert opens["commissioner"] == opens["author"] - {"reports"}
    assert "reports" in opens["chair"] and "upload" not in opens["chair"]
    assert not any(p.may_open(None, k) for k in p.PAGES)
