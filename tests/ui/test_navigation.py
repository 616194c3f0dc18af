"""Which role sees which page."""

from __future__ import annotations

from pathlib import Path

from metrics import permissions
from ui import navigation

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_file_exists_and_has_its_roles():
    for p in navigation.PAGES:
        assert (ROOT / p.file).is_file(), p.file
    assert {p.key for p in navigation.PAGES} == set(permissions.PAGES)


def test_partner_never_sees_an_indicator_page():
    keys = {p.key for p in navigation.pages_for("partner")}
    assert keys == {"commentary", "returns", "upload"}  # commentary shows published figures only
    assert navigation.default_page("partner").key == "commentary"


def test_commissioner_cannot_upload_and_only_admin_administers():
    assert not permissions.may_open("commissioner", "upload")
    assert [r for r in ("chair", "commissioner", "author", "partner", "admin") if permissions.may_open(r, "admin")] == [
        "admin"
    ]
    assert navigation.default_page("chair").key == "overview"
    assert not permissions.may_open(None, "overview")
    assert not any(permissions.may_open("admin", p.key) for p in navigation.PAGES if p.section == "Outcomes")
