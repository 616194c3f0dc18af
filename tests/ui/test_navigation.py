"""Which role sees which page."""

from __future__ import annotations

from pathlib import Path

from ui import navigation

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_file_exists():
    for p in navigation.PAGES:
        assert (ROOT / p.file).is_file(), p.file


def test_partner_never_sees_an_indicator_page():
    keys = {p.key for p in navigation.pages_for("partner")}
    assert keys == {"commentary", "returns", "upload"}  # commentary shows published figures only
    assert navigation.default_page("partner").key == "commentary"


def test_commissioner_cannot_upload_and_only_admin_administers():
    assert not navigation.allowed("upload", "commissioner")
    assert [r for r in ("chair", "commissioner", "author", "partner", "admin") if navigation.allowed("admin", r)] \
        == ["admin"]
    assert navigation.default_page("chair").key == "overview"
    assert not navigation.allowed("overview", None)
    assert not any(navigation.allowed(p.key, "admin") for p in navigation.PAGES if p.section == "Outcomes")
