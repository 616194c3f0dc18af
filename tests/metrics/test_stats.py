"""Wilson intervals against OHID's published test data (PHEindicatormethods, read from shared/reference)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics.stats import Z95, wilson, wilson_one
from tests.conftest import SHARED

REF = SHARED / "reference" / "phe-indicator-methods"
Z998 = 3.090232  # two-sided 99.8%


def _sheet(name: str, sheet: str) -> pd.DataFrame:
    path = REF / name
    if not path.exists():
        pytest.skip(f"REFERENCE DATA MISSING: {path}")
    return pd.read_excel(path, sheet_name=sheet, engine="calamine")


def test_proportion_reference_95_and_99_8():
    df = _sheet("testdata_Proportion.xlsx", "testdata_Prop")
    assert len(df) >= 16
    for _, row in df.iterrows():
        mult = float(row["multiplier"])
        lo, hi = wilson(numerator=[row["Numerator"]], denominator=[row["Denominator"]], multiplier=mult)
        lo9, hi9 = wilson(numerator=[row["Numerator"]], denominator=[row["Denominator"]], multiplier=mult, z=Z998)
        if pd.isna(row["lower95_0cl"]):
            assert np.isnan(lo[0]) and np.isnan(hi[0]), row["Area"]
            continue
        assert lo[0] == pytest.approx(row["lower95_0cl"], rel=1e-6), row["Area"]
        assert hi[0] == pytest.approx(row["upper95_0cl"], rel=1e-6), row["Area"]
        assert lo9[0] == pytest.approx(row["lower99_8cl"], rel=1e-5), row["Area"]
        assert hi9[0] == pytest.approx(row["upper99_8cl"], rel=1e-5), row["Area"]


def test_proportion_reference_grouped_sheet():
    df = _sheet("testdata_Proportion.xlsx", "testdata_Prop_g").dropna(subset=["lowercl"])
    lo, hi = wilson(numerator=df["Numerator"].to_numpy(), denominator=df["Denominator"].to_numpy(), multiplier=1)
    np.testing.assert_allclose(lo, df["lowercl"].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(hi, df["uppercl"].to_numpy(), rtol=1e-6)


def test_byars_wilson_reference_wilson_rows():
    df = _sheet("testdata_Byars_Wilson.xlsx", "testdata_B_W")
    df = df[df["method"] == "Wilson"]
    assert len(df) == 6
    for _, row in df.iterrows():
        z = Z95 if row["confidence"] == "95%" else Z998
        lo, hi = wilson(numerator=[row["x"]], denominator=[row["n"]], multiplier=1, z=z)
        assert lo[0] == pytest.approx(row["lowercl"], rel=1e-5)
        assert hi[0] == pytest.approx(row["uppercl"], rel=1e-5)


def test_edges():
    # 0 of n: lower limit exactly 0; n of n: upper exactly 100; 0 of 0: no interval
    lo, hi = wilson_one(numerator=0, denominator=10)
    assert lo == pytest.approx(0, abs=1e-12) and 0 < hi < 100
    lo, hi = wilson_one(numerator=10, denominator=10)
    assert hi == pytest.approx(100) and 0 < lo < 100
    assert wilson_one(numerator=0, denominator=0) == (None, None)
    assert wilson_one(numerator=None, denominator=5) == (None, None)


def test_byars_reference_rows():
    from metrics.stats import byars

    df = _sheet("testdata_Byars_Wilson.xlsx", "testdata_B_W")
    df = df[df["method"] == "Byars"]
    assert len(df) == 7
    for _, row in df.iterrows():
        z = Z95 if row["confidence"] == "95%" else Z998
        lo, hi = byars(count=[row["x"]], z=z)
        if pd.isna(row["lowercl"]):
            assert np.isnan(lo[0])
        else:
            assert lo[0] == pytest.approx(row["lowercl"], rel=1e-5)
        assert hi[0] == pytest.approx(row["uppercl"], rel=1e-5)


def test_limits_by_unit_and_levels():
    from metrics.stats import byars, limits, z_for

    assert z_for(95) == Z95 and z_for("99.8") == pytest.approx(Z998)
    with pytest.raises(ValueError, match="95 or 99.8"):
        z_for(90)
    lo, hi = limits(unit="count", numerator=[0, 1, 65], denominator=[None] * 3, z=Z998)
    assert lo[0] == 0 and lo[1] == 0  # Byar's lower limit of 1 at 99.8% is undefined: a count is never below 0
    assert hi[2] == pytest.approx(94.000291, rel=1e-6)
    lo, hi = limits(unit="mean", numerator=[65], denominator=[5])
    blo, bhi = byars(count=[65])
    assert (lo[0], hi[0]) == pytest.approx((blo[0] / 5, bhi[0] / 5))
    lo, hi = limits(unit="percent", numerator=[65], denominator=[100])
    assert (lo[0], hi[0]) == pytest.approx((55.2544, 73.6358), rel=1e-5)
    assert np.isnan(limits(unit="breakdown", numerator=[3], denominator=[None])[0][0])
