"""The fast (pure-Python, per distinct value) paths give exactly the answers of the vectorised pandas paths.

The pandas paths (``_..._pandas``) are the definition; the public parsers take the fast way when every text is
ASCII. Each test builds a column of distinct values, runs both and compares values, dtypes and the bad mask.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.returns import ACCOMMODATION
from data_loaders import personal
from data_loaders import values as v

MONTHS = ["Jan", "feb", "MARCH", "Apr", "april", "May", "June", "jul", "Sept", "Sep", "september", "Oct", "nov",
          "December", "Dece", "Ju", "Mayy"]


def _col(items) -> pd.Series:
    # As ``factorize`` gives them: distinct values (blanks included here too, as single-value callers pass them).
    out, seen = [], set()
    for x in items:
        key = (type(x), repr(x))
        if key not in seen:
            seen.add(key)
            out.append(x)
    return pd.Series(out, dtype=object)


def _same(fast: tuple[pd.Series, pd.Series], slow: tuple[pd.Series, pd.Series]) -> None:
    (fv, fb), (sv, sb) = fast, slow
    pd.testing.assert_series_equal(fv, sv, check_exact=True)
    assert np.asarray(fb, dtype=bool).tolist() == np.asarray(sb, dtype=bool).tolist()


ascii_text = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=14)
any_text = st.text(max_size=10)
date_like = st.builds(
    lambda d, m, y, sep, w, day_first: (f"{d}{sep}{m}{sep}{y}" if day_first else f"{y}{sep}{m}{sep}{d}") + w,
    st.integers(0, 40).map(str), st.integers(0, 14).map(str),
    st.sampled_from(["2026", "26", "1899", "1900", "2200", "2201", "0026", "99", "2024"]),
    st.sampled_from(["-", "/", ".", " "]), st.sampled_from(["", " 12:30", "T01:02:03", " 1:2", " 10:00:00.5"]),
    st.booleans())
word_dates = st.builds(lambda d, m, y, suffix, sep: f"{d}{suffix}{sep}{m}{sep}{y}",
                       st.integers(0, 32).map(str), st.sampled_from(MONTHS), st.sampled_from(["2026", "26", "1066"]),
                       st.sampled_from(["", "st", "nd", "th"]), st.sampled_from([" ", "-", ", "]))
month_like = st.one_of(
    st.builds(lambda y, m, sep: f"{y}{sep}{m}", st.sampled_from(["2026", "1899", "2201"]),
              st.integers(0, 13).map(str), st.sampled_from(["-", "/"])),
    st.builds(lambda m, y: f"{m}/{y}", st.integers(0, 13).map(str), st.sampled_from(["2026", "0026", "1899"])),
    st.builds(lambda m, y, sep: f"{m}{sep}{y}", st.sampled_from(MONTHS), st.sampled_from(["2026", "26"]),
              st.sampled_from([" ", "-", ". "])))
cells = st.one_of(
    st.none(), st.just(float("nan")), st.just(""), st.just("  "), st.just(pd.NA), st.just(pd.NaT),
    st.booleans(), st.integers(-3, 3), st.integers(-(2**70), 2**70), st.floats(allow_nan=True),
    st.sampled_from([0.0, 1.0, -0.0, 1e9, 7123456789.0, np.float64(1.0), np.int64(0), np.bool_(True)]),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2300, 1, 1)),
    st.datetimes(min_value=dt.datetime(1850, 1, 1), max_value=dt.datetime(2250, 1, 1)),
    ascii_text, any_text, date_like, word_dates, month_like,
    st.sampled_from(["y", "Yes", " TRUE ", "n", "No", "false", "1", "0", "+5", "-0", "007", "1.50", "-2.25",
                     "12345678901234567", "1e3", "١٢", "P42", "p0042 ", "P００42", "Ｙ", "Rough sleeping",
                     "rough_sleeping", "Sofa-surfing", "Café", "a; b, c", ";;", "hostel;HOSTEL", "ſep 2026"]),
)


@settings(deadline=None, max_examples=300)
@given(st.lists(cells, max_size=12))
def test_types_match_the_pandas_definition(items):
    u = _col(items)
    fast, slow = v.types_of(u), v._types_of_pandas(u)
    for key in ("blank", "str", "num", "bool", "date"):
        assert fast[key].tolist() == slow[key].tolist(), key


@settings(deadline=None, max_examples=300)
@given(st.lists(cells, max_size=12), st.booleans())
def test_dates_match_the_pandas_path(items, months):
    u = _col(items)
    _same(v.parse_date_values(u, months=months), v._parse_date_values_pandas(u, months=months))


@pytest.mark.parametrize("months", [False, True])
def test_every_small_day_month_year_matches_the_pandas_path(months):
    texts = [f"{d}/{m}/{y}" for d, m, y in itertools.product(range(0, 33), range(0, 14), ("2024", "2026", "00", "99"))]
    texts += [f"{y}-{m:02d}-{d}" for d, m, y in itertools.product(range(0, 33), range(0, 14), ("1900", "2200"))]
    u = _col(texts)
    _same(v.parse_date_values(u, months=months), v._parse_date_values_pandas(u, months=months))


@settings(deadline=None, max_examples=300)
@given(st.lists(cells, max_size=12))
def test_references_match_the_pandas_path(items):
    u = _col(items)
    _same(v.normalise_reference_values(u), v._normalise_reference_values_pandas(u))


@settings(deadline=None, max_examples=300)
@given(st.lists(cells, max_size=12))
def test_yesno_match_the_pandas_path(items):
    u = _col(items)
    _same(v.parse_yesno_values(u), v._parse_yesno_values_pandas(u))


@settings(deadline=None, max_examples=300)
@given(st.lists(cells, max_size=12))
def test_codes_match_the_pandas_path(items):
    u = _col(items)
    _same(v.fold_code_values(u, ACCOMMODATION), v._fold_code_values_pandas(u, ACCOMMODATION))
    _same(v.fold_multi_values(u, ACCOMMODATION), v._fold_multi_values_pandas(u, ACCOMMODATION))


@settings(deadline=None, max_examples=300)
@given(st.lists(st.one_of(cells, st.from_regex(r"[+-]?[0-9]{1,17}(\.[0-9]{1,17})?", fullmatch=True)), max_size=12))
def test_numbers_match_the_pandas_path(items):
    u = _col(items)
    _same(v.parse_number_values(u), v._parse_number_values_pandas(u))


personal_text = st.one_of(
    st.from_regex(r"[a-z.]{1,6}@[a-z]{1,5}(\.[a-z]{2,3}){1,2}", fullmatch=True),
    st.from_regex(r"(\+44 ?|0)7[0-9 \-]{9,12}", fullmatch=True),
    st.from_regex(r"\(0[123][0-9]{2,4}\) ?[0-9]{3,4}[ -]?[0-9]{3,4}", fullmatch=True),
    st.from_regex(r"[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}", fullmatch=True),
    st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True),
    st.sampled_from(["943 476 5919", "9434765919", "SW1A 1AA", "sw1a1aa", "call 07700 900123 today",
                     "1AB 2CD", "P0042", "٩٤٣٤٧٦٥٩١٩ and 123456789"]),
)


@settings(deadline=None, max_examples=300)
@given(st.lists(st.one_of(cells, personal_text, st.integers(10**8, 10**13), st.floats(1e8, 1e13)), max_size=12))
def test_personal_data_found_as_the_pandas_path_finds_it(items):
    u = _col(items)
    try:
        slow = personal._classify_pandas(u)
    except UnicodeEncodeError:
        return  # non-ASCII digits beside an NHS-shaped number: the pandas path fails (the file is refused)
    fast = personal.classify(u)
    pd.testing.assert_series_equal(fast, slow)


def test_fast_paths_are_taken_for_ascii_and_calamine_values():
    u = _col(["2026-04-03", dt.date(2026, 4, 3), dt.datetime(2026, 4, 3, 9, 30), "", None, 3.0])
    assert v.kinds_of(u).ascii
    assert not v.kinds_of(_col(["Café"])).ascii


def test_reference_shapes_match_the_pandas_path():
    shapes = ["P", "p", "P1", "p1", "P12345", "P0000", " p0042\t", "P-42", "P 42", "PP42", "P4a", "P+12", "Q0042",
              "P00042", "1P42", "P0x1", "P.12", "p007"]
    u = _col(shapes)
    assert v.kinds_of(u).ascii  # the fast path
    _same(v.normalise_reference_values(u), v._normalise_reference_values_pandas(u))


@settings(deadline=None, max_examples=100)
@given(st.lists(st.lists(st.one_of(cells, personal_text), max_size=6), max_size=4))
def test_columns_classified_together_as_one_at_a_time(columns):
    us = [_col(c) for c in columns]
    try:
        one_by_one = [personal._classify_pandas(u).tolist() for u in us]
    except UnicodeEncodeError:
        return  # as above: the pandas path refuses the file
    assert personal.classify_columns([(u, None) for u in us]) == one_by_one


@settings(deadline=None, max_examples=200)
@given(st.lists(st.one_of(st.none(), st.integers(-(10**9), 10**9)), max_size=30), st.integers(0, 5))
def test_whole_numbers_are_int64_as_round_and_astype_give(items, start):
    from data_loaders.checking import _whole_numbers

    s = pd.Series([np.nan if x is None else float(x) for x in items], dtype="float64",
                  index=pd.RangeIndex(start, start + len(items)))
    pd.testing.assert_series_equal(_whole_numbers(s), s.round().astype("Int64"), check_exact=True)
