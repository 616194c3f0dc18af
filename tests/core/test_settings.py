"""docs/settings.md lists every setting of core/settings.py, with its default and help, and nothing else."""

from __future__ import annotations

import re

import pytest

from core import settings
from core.settings import PROJECT_ROOT, SETTINGS

DOC = PROJECT_ROOT / "docs" / "settings.md"


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    return {p.split("\n", 1)[0].strip(): p.split("\n", 1)[1] for p in parts}


def _shown(default: str | None) -> str:
    return "(none)" if default is None else default.replace(f"{PROJECT_ROOT}/", "")


def test_every_setting_is_documented_with_its_default_and_help():
    sections = _sections()
    for s in SETTINGS:
        assert s.name in sections, f"docs/settings.md has no '## {s.name}' section"
        body = " ".join(sections[s.name].split())
        assert " ".join(s.help.split()) in body, f"{s.name}: help text differs from core/settings.py"
        assert f"Default: `{_shown(s.default)}`" in body, f"{s.name}: default differs from core/settings.py"


TEST_SWITCHES = {
    "OUTCOMES_REQUIRE_POSTGRES",
    "OUTCOMES_REQUIRE_CHROMIUM",
    "OUTCOMES_PG_BIN",
    "OUTCOMES_REQUIRE_AUDIT",
    "OUTCOMES_REQUIRE_LIBREOFFICE",
}


def test_the_doc_lists_no_setting_that_does_not_exist():
    names = {s.name for s in SETTINGS}
    documented = {n for n in _sections() if n.startswith("OUTCOMES_")}
    assert documented == names
    mentioned = set(re.findall(r"\bOUTCOMES_[A-Z_]+\b", DOC.read_text(encoding="utf-8")))
    assert mentioned <= names | TEST_SWITCHES


def test_the_product_reads_no_undeclared_setting():
    """Every OUTCOMES_* name in the product's code is declared in core/settings.py (so it is documented)."""
    names = {s.name for s in SETTINGS}
    product = [
        p
        for p in PROJECT_ROOT.rglob("*.py")
        if p.relative_to(PROJECT_ROOT).parts[0] not in {"tests", ".venv", ".ci", "benchmarks"}
    ]
    used = {
        (n, str(p.relative_to(PROJECT_ROOT)))
        for p in product
        for n in re.findall(r"\bOUTCOMES_[A-Z_]+\b", p.read_text(encoding="utf-8", errors="ignore"))
    }
    assert sorted(u for u in used if u[0] not in names) == []


def test_environment_wins_and_values_are_cast(monkeypatch):
    monkeypatch.setenv("OUTCOMES_SESSION_HOURS", "3")
    assert settings.get("OUTCOMES_SESSION_HOURS") == 3
    monkeypatch.delenv("OUTCOMES_COOKIE_SECRET", raising=False)
    if "OUTCOMES_COOKIE_SECRET" not in settings._overlay:
        assert settings.get("OUTCOMES_COOKIE_SECRET") is None


@pytest.mark.parametrize(("raw", "expected"), [("3", 5), ("5", 5), ("11", 11)])
def test_suppression_threshold_is_never_below_five(monkeypatch, raw, expected):
    monkeypatch.setenv("OUTCOMES_SUPPRESSION_THRESHOLD", raw)
    assert settings.suppression_threshold() == expected
