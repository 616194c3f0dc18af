"""The compact read the figures use: the same rows and values as read_return, in a cheaper form."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from core.periods import parse
from core.returns import RETURNS
from storage.repository import SheetRows, read_return, read_return_compact, store_submission
from tests.metrics import dataset

_EPOCH = np.datetime64("1970-01-01", "D")
_TEXT = ("reference", "code", "multi")


def _data_columns(name: str) -> list[str]:
    spec = RETURNS[name]
    return [c.name for c in spec.columns if c.name != spec.date_column]


def _rows(df: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows as sorted plain tuples, blanks as None (neither read promises an order)."""
    out = [tuple(None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT else
                 (v.item() if isinstance(v, np.generic) else v) for v in r)
           for r in df[columns].astype(object).itertuples(index=False, name=None)]
    return sorted(out, key=repr)


def _assert_same(engine, name: str, *, as_of=None) -> None:
    spec = RETURNS[name]
    cols = _data_columns(name)
    compact = read_return_compact(engine, name, columns=cols, as_of=as_of)
    full = read_return(engine, name, as_of=as_of)
    assert list(compact.columns) == [*cols, "d"]
    assert compact["d"].dtype == np.int64
    full = full.assign(d=(full[spec.date_column].to_numpy("datetime64[D]") - _EPOCH).astype(np.int64))
    assert _rows(compact, [*cols, "d"]) == _rows(full, [*cols, "d"]), name
    for c in cols:
        if spec.column(c).kind in _TEXT:  # each distinct text once, as a categorical's category
            assert isinstance(compact[c].dtype, pd.CategoricalDtype), (name, c)
            assert all(isinstance(v, str) for v in compact[c].cat.categories), (name, c)
        else:  # yes/no, numbers and dates: the very dtype read_return gives
            assert compact[c].dtype == full[c].dtype, (name, c)


def test_compact_read_holds_read_returns_rows_and_values(engine):
    dataset.build(engine)
    for name in RETURNS:
        _assert_same(engine, name)


def test_compact_read_as_of_an_earlier_time(engine):
    dataset.build(engine)
    dataset.correct_attendance(engine)
    _assert_same(engine, "attendance")
    _assert_same(engine, "attendance", as_of=dataset.CORRECTED - timedelta(seconds=1))
    before = read_return_compact(engine, "attendance", columns=["person_id"],
                                 as_of=dataset.LOADED - timedelta(seconds=1))
    assert before.empty and list(before.columns) == ["person_id", "d"]


def test_compact_read_holds_each_distinct_text_once_in_order_of_first_appearance(engine):
    dataset.build(engine)
    df = read_return_compact(engine, "attendance", columns=["person_id"])
    refs = read_return(engine, "attendance")["person_id"]
    # The order matters: women are numbered in the order their references first appear.
    assert list(df["person_id"].cat.categories) == list(pd.unique(refs))


def test_compact_read_of_an_empty_return(engine):
    df = read_return_compact(engine, "treatment", columns=["person_id", "in_treatment", "rehab_stage"])
    assert df.empty and list(df.columns) == ["person_id", "in_treatment", "rehab_stage", "d"]
    assert df["d"].dtype == np.int64


def test_compact_read_of_values_holding_the_join_marks(engine):
    """On SQLite the columns are joined into one text: values holding the marks must still come back whole."""
    frame = pd.DataFrame({
        "session_date": [pd.Timestamp("2026-04-02"), pd.Timestamp("2026-04-02"), pd.Timestamp("2026-04-09"),
                         pd.Timestamp("2026-04-09")],
        "person_id": ["P0001", "P0002", "P0003", "P0004"],
        "services_used": ["food\x1fdental", "\x1e", None, "food"],
    })
    store_submission(engine, sha256="f" * 64, file_name="x.csv", partner="aspirations", period=parse("2026-04"),
                     loaded_by="test", content=b"x", sheets=[SheetRows("attendance", "attendance", frame)],
                     warnings=[])
    _assert_same(engine, "attendance")
    got = read_return_compact(engine, "attendance", columns=["services_used"])
    assert _rows(got, ["services_used"]) == sorted([("food\x1fdental",), ("\x1e",), (None,), ("food",)], key=repr)


def test_compact_read_refuses_a_column_the_return_lacks(engine):
    with pytest.raises(KeyError):
        read_return_compact(engine, "attendance", columns=["rehab_stage"])
