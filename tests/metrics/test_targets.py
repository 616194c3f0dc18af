"""Targets from configuration, database overrides, and RAG by polarity."""

from __future__ import annotations

import pytest

from metrics import targets
from metrics.catalogue import by_id


def test_rag_by_polarity():
    r = targets.rag(
        value=[60, 55, 53.9, None, 60, 4, 5.5, 6, 60],
        target=[60, 60, 60, 60, None, 5, 5, 5, 60],
        polarity=["up", "up", "up", "up", "up", "down", "down", "down", "none"],
    )
    # up: 60 meets 60 green; 55 within 10% of 60 (>= 54) amber; 53.9 red; no value / no target -> none
    # down: 4 <= 5 green; 5.5 <= 5.5 amber; 6 red; no polarity -> none
    assert list(r) == ["green", "amber", "red", None, None, "green", "amber", "red", None]


def test_config_default_and_year_override(tmp_path, monkeypatch):
    f = tmp_path / "targets.toml"
    f.write_text('[default]\n"ENG-01" = 50\n"HLT-01" = 60\n\n["2026-27"]\n"HLT-01" = 65\n', encoding="utf-8")
    monkeypatch.setenv("OUTCOMES_TARGETS_FILE", str(f))
    assert targets.config_targets(financial_year=2026) == {"ENG-01": 50.0, "HLT-01": 65.0}
    assert targets.config_targets(financial_year=2025) == {"ENG-01": 50.0, "HLT-01": 60.0}


def test_bad_config_is_explained(tmp_path, monkeypatch):
    f = tmp_path / "targets.toml"
    f.write_text('[default]\n"XYZ-01" = 5\n', encoding="utf-8")
    monkeypatch.setenv("OUTCOMES_TARGETS_FILE", str(f))
    with pytest.raises(targets.TargetsError, match="XYZ-01"):
        targets.config_targets(financial_year=2026)


def test_database_overrides_config(engine, tmp_path, monkeypatch):
    f = tmp_path / "targets.toml"
    f.write_text('[default]\n"ENG-01" = 50\n', encoding="utf-8")
    monkeypatch.setenv("OUTCOMES_TARGETS_FILE", str(f))
    targets.set_target(engine=engine, financial_year=2026, indicator_id="ENG-01", value=70, set_by="admin")
    targets.set_target(engine=engine, financial_year=2026, indicator_id="VOI-01", value=85.5, set_by="admin")
    assert targets.targets_for(engine=engine, financial_year=2026) == {"ENG-01": 70.0, "VOI-01": 85.5}
    assert targets.targets_for(engine=engine, financial_year=2025) == {"ENG-01": 50.0}
    targets.set_target(engine=engine, financial_year=2026, indicator_id="ENG-01", value=None, set_by="admin")
    assert targets.targets_for(engine=engine, financial_year=2026)["ENG-01"] == 50.0
    with pytest.raises(KeyError):
        targets.set_target(engine=engine, financial_year=2026, indicator_id="NOPE", value=1, set_by="admin")


def test_shipped_targets_file_is_valid():
    from tests.conftest import ROOT

    for fy in (2024, 2025, 2026, 2027):
        t = targets.config_targets(financial_year=fy, path=ROOT / "config" / "targets.toml")
        assert t and all(isinstance(v, float) for v in t.values())
        assert all(by_id(i).polarity != "none" for i in t)  # no target without a direction
