"""The formula-injection guard every export uses (OWASP: risky text gets a leading single quote)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.cells import neutral, neutral_frame


@pytest.mark.parametrize("text", ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_risky_text_is_quoted(text):
    assert neutral(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", "5", "a=b", -5, -2.5, 0, None, 3.0])
def test_other_values_are_unchanged(value):
    assert neutral(value) == value


def test_a_frame_keeps_its_numbers_as_numbers():
    frame = pd.DataFrame(
        {
            "File": ["=evil.csv", "ok.xlsx", None],
            "Change": [-5, 3, 0],
            "Rate": [-1.5, 2.0, None],
            "@heading": ["-x", "+y", "z"],
        }
    )
    out = neutral_frame(frame)
    assert out["File"].tolist()[:2] == ["'=evil.csv", "ok.xlsx"] and pd.isna(out["File"].iloc[2])
    assert out["Change"].dtype == frame["Change"].dtype and out["Change"].tolist() == [-5, 3, 0]
    assert out["Rate"].iloc[0] == -1.5
    assert list(out.columns) == ["File", "Change", "Rate", "'@heading"]
    assert out["'@heading"].tolist() == ["'-x", "'+y", "z"]
    back = pd.read_csv(io.StringIO(out.to_csv(index=False)))
    assert back["Change"].tolist() == [-5, 3, 0]  # a negative number is still a number in the file
    assert frame["File"].iloc[0] == "=evil.csv"  # the caller's frame is not changed
