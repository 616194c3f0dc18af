"""The one read of a return: the columns asked for, the rows current at a time, in one set of dtypes."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from core.periods import parse
from core.returns import RETURNS
from storage.repository import SheetRows, read_return, store_submission
from tests.metrics import dataset


def test_every_return_reads_with_one_dtype_per_kind(engine):
    dataset.build(engine)
    for name, spec in RETURNS.items():
        df = read_return(engine, name)
        assert list(df.columns) == ["partner", *spec.column_names] and len(df), name
        for c in spec.columns:
            s = df[c.name]
            if c.kind in ("date", "month"):
                assert s.dtype == "datetime64[s]", (name, c.name)
            elif c.kind in ("count", "scale"):
                assert s.dtype == (np.int64 if s.notna().all() else np.float64), (name, c.name)
            elif c.kind == "yesno":
                assert s.dtype == (bool if s.notna().all() else object), (name, c.name)
                assert set(s.dropna()) <= {True, False}
            else:
                assert s.dtype == "str" and all(isinstance(v, str) for v in s.dropna()), (name, c.name)


def test_only_the_columns_asked_for_as_the_data_stood(engine):
    dataset.build(engine)
    dataset.correct_attendance(engine)
    now = read_return(engine, "attendance", columns=["person_id", "session_date"])
    assert list(now.columns) == ["person_id", "session_date"]
    before = read_return(engine, "attendance", columns=["person_id"], as_of=dataset.CORRECTED - timedelta(seconds=1))
    assert len(before) != len(now)
    assert read_return(engine, "attendance", columns=["person_id"], as_of=dataset.LOADED.replace(hour=9)).empty


def test_a_return_with_no_rows(engine):
    df = read_return(engine, "treatment", columns=["person_id", "in_treatment", "snapshot_date"])
    assert df.empty and list(df.columns) == ["person_id", "in_treatment", "snapshot_date"]


def test_values_holding_the_join_marks_read_back_whole(engine):
    """On SQLite the columns are joined into one text: values holding the marks must still come back whole."""
    frame = pd.DataFrame(
        {
            "session_date": [
                pd.Timestamp("2026-04-02"),
                pd.Timestamp("2026-04-02"),
                pd.Timestamp("2026-04-09"),
                pd.Timestamp("2026-04-09"),
            ],
            "person_id": ["P0001", "P0002", "P0003", "P0004"],
            "services_used": ["food\x1fdental", "\x1e", None, "food"],
        }
    )
    store_submission(
        engine,
        sha256="f" * 64,
        file_name="x.csv",
        partner="aspirations",
        period=parse("2026-04"),
        loaded_by="test",
        content=b"x",
        sheets=[SheetRows("attendance", "attendance", frame)],
        warnings=[],
    )
    got = read_return(engine, "attendance").sort_values("person_id")
    assert got["services_used"].fillna("blank").tolist() == ["food\x1fdental", "\x1e", "blank", "food"]


def test_a_column_the_return_lacks_is_refused(engine):
    with pytest.raises(KeyError):
        read_return(engine, "attendance", columns=["rehab_stage"])
