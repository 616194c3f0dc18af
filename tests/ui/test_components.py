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
