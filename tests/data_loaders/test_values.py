"""Cell values: references, dates, months, yes/no, codes, multi-codes, numbers."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.returns import ACCOMMODATION, DROP_IN_SERVICES
from data_loaders import values as v


def _col(items):
    return pd.Series(items, dtype=object)


@pytest.mark.parametrize("raw", ["p42", " P042 ", "P0042", "p0042", "\tP42\n", "P 42".replace(" ", "")])
def test_reference_tolerances(raw):
    assert v.normalise_reference(raw) == "P0042"


@pytest.mark.parametrize("raw", ["P00042", "42", 42, 42.0, "Jane", "P-42", "P 42", "Q0042", "P", "PP42", "P４２"])
def test_reference_refusals(raw):
    assert v.normalise_reference(raw) is None
    _values, bad = v.normalise_references(_col([raw]))
    assert bad.tolist() == [True]


def test_blank_reference_is_missing_not_bad():
    values, bad = v.normalise_references(_col([None, "", "  "]))
    assert values.isna().all() and not bad.any()


@settings(deadline=None, max_examples=40)
@given(
    n=st.integers(0, 9999),
    pad=st.integers(0, 4),
    lower=st.booleans(),
    left=st.sampled_from(["", " ", "  ", "\t"]),
    right=st.sampled_from(["", " ", "\n"]),
)
def test_reference_property_any_spelling_of_a_number_normalises(n, pad, lower, left, right):
    digits = str(n).zfill(min(max(pad, len(str(n))), 4))
    raw = f"{left}{'p' if lower else 'P'}{digits}{right}"
    out = v.normalise_reference(raw)
    assert out == f"P{n:04d}"
    assert v.normalise_reference(out) == out  # idempotent


@settings(deadline=None, max_examples=40)
@given(st.text(max_size=12))
def test_reference_property_output_is_canonical_or_refused(text):
    out = v.normalise_reference(text)
    if out is not None:
        assert len(out) == 5 and out[0] == "P" and out[1:].isascii() and out[1:].isdigit()
        assert out[1:].lstrip("0") == text.strip()[1:].lstrip("0")


@pytest.mark.parametrize(
    "raw",
    [
        date(2026, 4, 3),
        datetime(2026, 4, 3, 14, 5),
        pd.Timestamp("2026-04-03"),
        "2026-04-03",
        "03/04/2026",
        "3/4/2026",
        "03/04/26",
        "3 Apr 2026",
        "3 april 2026",
        "03-Apr-2026",
        "3rd April 2026",
        "2026-04-03 00:00:00",
        " 03/04/2026 ",
    ],
)
def test_date_forms(raw):
    assert v.parse_date(raw) == date(2026, 4, 3)


@pytest.mark.parametrize(
    "raw",
    [
        "31/02/2026",
        "2026-13-01",
        "13/13/2026",
        "Apr 2026",
        "yesterday",
        46115,
        3.5,
        True,
        "03/04",
        "01/01/1066",
        "2026/04/03/01",
    ],
)
def test_date_refusals(raw):
    _values, bad = v.parse_dates(_col([raw]))
    assert bad.tolist() == [True]


def test_slashed_dates_are_day_first():
    assert v.parse_date("04/03/2026") == date(2026, 3, 4)
    assert v.parse_date("12/01/2026") == date(2026, 1, 12)


@settings(deadline=None, max_examples=25)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2068, 12, 31)))
def test_date_property_every_written_form_reads_back(d):
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    forms = [
        d,
        d.isoformat(),
        f"{d:%d/%m/%Y}",
        f"{d.day}/{d.month}/{d.year}",
        f"{d:%d/%m/%y}",
        f"{d.day} {months[d.month - 1]} {d.year}",
        f"{d.day} {months[d.month - 1].upper()} {d.year}",
    ]
    values, bad = v.parse_dates(_col(forms))
    assert not bad.any()
    assert all(x.date() == d for x in values)


@pytest.mark.parametrize(
    "raw", ["2026-04", "Apr 2026", "April 2026", "04/2026", date(2026, 4, 17), "17/04/2026", "2026-04-30"]
)
def test_month_forms_are_first_day(raw):
    assert v.parse_date(raw, months=True) == date(2026, 4, 1)


def test_yes_no_forms_and_blank_is_unknown():
    raw = ["Y", "y", "Yes", "YES", "TRUE", "true", 1, "1", True, "N", "no", "False", 0, "0", False, None, "", " "]
    values, bad = v.apply_on_distinct(_col(raw), v.parse_yesno_values)
    assert not bad.any()
    assert values.tolist()[:9] == [True] * 9
    assert values.tolist()[9:15] == [False] * 6
    assert values[15:].isna().all()  # blank is "not recorded", never "no"


@pytest.mark.parametrize("raw", ["maybe", 2, "yess", "ja"])
def test_yes_no_refusals(raw):
    _values, bad = v.apply_on_distinct(_col([raw]), v.parse_yesno_values)
    assert bad.tolist() == [True]


def test_code_labels_map_to_codes_and_unknowns_are_kept_for_the_schema():
    values, bad = v.apply_on_distinct(
        _col(["Rough sleeping", "SOFA-SURFING", " hostel ", "castle", 3]),
        lambda u: v.fold_code_values(u, ACCOMMODATION),
    )
    assert values[:3].tolist() == ["rough_sleeping", "sofa_surfing", "hostel"]
    assert values[3] not in ACCOMMODATION
    assert bad.tolist() == [False, False, False, False, True]


def test_multi_codes_split_on_semicolon_or_comma():
    values, _bad = v.apply_on_distinct(
        _col(["Food; Hairdressing", "drug alcohol,dental , food", "food;;food"]),
        lambda u: v.fold_multi_values(u, DROP_IN_SERVICES),
    )
    assert values.tolist() == ["food;hairdressing", "drug_alcohol;dental;food", "food"]


def test_numbers():
    values, bad = v.apply_on_distinct(
        _col([3, 3.0, "4", " 5 ", "-1", "2.5", "abc", None, "1e3"]), v.parse_number_values
    )
    assert values[:6].tolist() == [3, 3, 4, 5, -1, 2.5]
    assert bad.tolist() == [False] * 6 + [True, False, True]


def test_parsing_works_on_distinct_values_and_spreads_back():
    col = _col(["p1", "P1", "p1", None, "x"] * 1000)
    values, bad = v.normalise_references(col)
    assert (values[col.index % 5 < 3] == "P0001").all()
    assert bad.sum() == 1000
