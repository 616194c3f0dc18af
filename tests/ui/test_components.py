"""Charts and tables are reused by the contents of their frame, never by how pandas happens to lay it out."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from ui.components import _digest


def _frame() -> pd.DataFrame:
    a = pd.DataFrame({"id": ["ENG-01", "ENG-01"], "value": [3.0, np.nan], "suppressed": [False, True]})
    b = pd.DataFrame({"missing": [["vineyard"], []], "period_start": pd.to_datetime(["2026-04-01", "2026-05-01"])})
    return pd.concat([a, b], axis=1)  # several blocks, as a computed frame has


def test_a_frame_and_its_copy_from_the_cache_have_one_key():
    f = _frame()
    again = pickle.loads(pickle.dumps(f))
    assert _digest(f, {"unit": "count"}) == _digest(again, {"unit": "count"})
    assert _digest(f, {}) == _digest(f.copy(), {})


def test_any_change_gives_another_key():
    f = _frame()
    base = _digest(f, {"unit": "count"})
    assert _digest(f, {"unit": "percent"}) != base
    changed = f.copy()
    changed.loc[1, "missing"] = ["police"]
    assert _digest(changed, {"unit": "count"}) != base
    changed = f.copy()
    changed.loc[0, "value"] = 4.0
    assert _digest(changed, {"unit": "count"}) != base
    assert _digest(f.rename(columns={"value": "v"}), {"unit": "count"}) != base
    assert _digest(f["value"], {}) != _digest(f["value"] + 1, {})


def test_spc_caption_names_each_process_change():
    from datetime import date

    from metrics.spc import ProcessChange, xmr
    from ui.components import spc_caption

    values = pd.Series(
        [10, 12, 11, 13, 12, 11, 20, 21, 22, 19, 20, 21], index=pd.date_range("2025-01-01", periods=12, freq="MS")
    )
    r = xmr(values=values, polarity="up", changes=[ProcessChange(date(2025, 7, 1), "Drop-in moved")])
    text = spc_caption(r)
    assert f"Mean {r.mean:.1f}" in text and "Drop-in moved" in text and "01/07/2025" in text
    assert r.warning and "trial limits" in r.warning  # two periods of 6 points


def test_trend_markers_of_a_page_trend():
    from ui.components import trend_markers_of

    assert trend_markers_of(pd.DataFrame(columns=["id"]), freq="month").empty
    t = pd.DataFrame(
        {
            "id": "ENG-01",
            "period_start": pd.date_range("2026-01-01", periods=5, freq="MS"),
            "numerator": [40, 52, 61, 75, 90],
            "denominator": np.nan,
            "value": [40, 52, 61, 75, 90],
            "suppressed": False,
            "status": "complete",
        }
    )
    got = trend_markers_of(t, freq="month")
    assert got["marker"].tolist() == ["increasing_better"]
    t.loc[2, ["value", "numerator"]] = np.nan
    t.loc[2, "suppressed"] = True
    assert trend_markers_of(t, freq="month")["reason"].iloc[0].startswith("a figure among the last five is hidden")


def test_badges_say_the_rating_the_status_and_the_threshold(monkeypatch):
    from types import SimpleNamespace

    from ui.components import badges

    red = badges(SimpleNamespace(rag="red", status="incomplete", suppressed=False))
    assert "Off target" in red and "Incomplete" in red and "Suppressed" not in red
    assert "Not reported" in badges(SimpleNamespace(rag=None, status="not_reported", suppressed=False))
    assert "Suppressed (1 to 4 " in badges(SimpleNamespace(rag=None, status="complete", suppressed=True))
    monkeypatch.setenv("OUTCOMES_SUPPRESSION_THRESHOLD", "10")
    assert "Suppressed (1 to 9 " in badges(SimpleNamespace(rag=None, status="complete", suppressed=True))
