"""docs/partner-guidance.md stays in step with the return definitions in core.returns."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.returns import RETURNS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "partner-guidance.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(RETURNS))
def test_every_return_column_code_and_alias_is_in_the_guidance(name):
    spec = RETURNS[name]
    assert f"(`{name}`)" in DOC
    for col in spec.columns:
        assert f"`{col.name}`" in DOC
        for alias in col.aliases:
            assert alias in DOC
        for code in col.codes:
            assert code in DOC, (name, col.name, code)


def test_guidance_covers_refusals_periods_corrections_and_due_dates():
    for phrase in [
        ".xlsm",
        "password",
        ".xls",
        ".ods",
        "NHS number",
        "postcode",
        "what3words",
        "nil return",
        "2026-27-Q1",
        "15th of the following",
        "day first",
        "P0042",
        "blank if it was not recorded",
    ]:
        assert phrase in DOC, phrase
