"""The pandera schemas generated from core.returns."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pandera
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from core.periods import parse
from core.returns import RETURNS
from data_loaders import schemas

ROOT = Path(__file__).resolve().parents[2]


def frame(**cols):
    return pd.DataFrame(cols, index=pd.Index(range(2, 2 + len(next(iter(cols.values())))), name="row"))


def run(name, f, *, period=None, service=None):
    schema, rules = schemas.build(RETURNS[name], present=tuple(f.columns), today=date(2026, 11, 25),
                                  period=parse(period) if period else None, service=service)
    return schemas.failures(schema, f, rules)


@pytest.mark.parametrize("name", list(RETURNS))
def test_every_return_has_a_schema_with_every_column(name):
    schema, _rules = schemas.build(RETURNS[name], present=RETURNS[name].column_names, today=date(2026, 1, 1),
                                   period=None, service=None)
    assert set(schema.columns) == set(RETURNS[name].column_names)


def test_lazy_validation_reports_every_failure_with_row_index():
    f = frame(session_date=pd.to_datetime(["2026-04-02", "2026-12-01", "2026-05-01"]).astype("datetime64[us]"),
              person_id=pd.array(["P0001", None, "P0003"], dtype="string"),
              services_used=pd.array(["food;?pizza", "food", None], dtype="string"))
    out = run("attendance", f, period="2026-04")
    got = sorted(zip(out["index"], out["column"], strict=True))
    assert got == [(2, "services_used"), (3, "person_id"), (3, "session_date"), (3, "session_date"),
                   (4, "session_date")]


def test_messages_never_hold_the_value():
    f = frame(course_date=pd.to_datetime(["2026-04-02"]).astype("datetime64[us]"),
              agency=pd.array(["?secretagency"], dtype="string"), staff_trained=[123456.5])
    out = run("training", f)
    assert len(out) == 2
    assert not out["message"].str.contains("secret|123456").any()


def test_own_service_rule_only_for_health_partners():
    f = frame(contact_date=pd.to_datetime(["2026-04-02"]).astype("datetime64[us]"),
              person_id=pd.array(["P0001"], dtype="string"), service=pd.array(["dental"], dtype="string"),
              activity=pd.array(["check_up"], dtype="string"))
    assert run("health_contacts", f).empty
    assert run("health_contacts", f, service="sexual_health")["column"].tolist() == ["service"]


def test_schemas_are_built_once_per_return_columns_day_period_and_service():
    args = dict(present=("session_date", "person_id"), today=date(2026, 11, 25), period=parse("2026-04"), service=None)
    assert schemas.build(RETURNS["attendance"], **args) is schemas.build(RETURNS["attendance"], **args)
    other = schemas.build(RETURNS["attendance"], **{**args, "today": date(2026, 11, 26)})
    assert other is not schemas.build(RETURNS["attendance"], **args)


def _outcome(schema, f, rules):
    try:
        return schemas.failures(schema, f, rules).to_dict("records")
    except Exception as exc:  # noqa: BLE001 - the outcome, whatever it is
        return type(exc)


@pytest.mark.parametrize("wrong", [
    dict(),
    dict(staff_trained=pd.array([3], dtype="Int64")),
    dict(staff_trained=[-1.5]),
    dict(course_date=pd.to_datetime(["2026-04-02"]).astype("datetime64[ns]")),
    dict(course_date=pd.Series(["2026-04-02"], dtype=object)),
    dict(agency=pd.Series(["police"], dtype=object)),
    dict(agency=pd.Series([3.0])),
])
def test_dtypes_are_checked_as_pandera_checks_them(wrong):
    # pandera checks no dtypes column by column (the loader makes them), yet the outcome is the same as when it did.
    f = frame(**{**dict(course_date=pd.to_datetime(["2026-04-02"]).astype("datetime64[us]"),
                        agency=pd.array(["police"], dtype="string"), staff_trained=[3.0]), **wrong})
    schema, rules = schemas.build(RETURNS["training"], present=tuple(f.columns), today=date(2026, 11, 25),
                                  period=None, service=None)
    full = schema.update_columns({c: {"dtype": d} for c, d in schema.metadata["dtypes"].items()})
    assert all(full.columns[c].dtype is not None for c in f.columns)
    assert _outcome(schema, f, rules) == _outcome(full, f, rules)


# The checks as they were written over whole columns: the distinct-value checks must agree with them.
_WHOLE_COLUMN = {
    "activity_service": lambda df: (df["service"].isna() | df["activity"].isna()
                                    | (df["service"] + "|" + df["activity"]).isin(schemas._PAIRS)).fillna(True),
    "reason_nurse": lambda df: (df["reason"].isna() | df["service"].eq("nurse_prescriber")).fillna(True),
    "own_service": lambda df: (df["service"].isna() | df["service"].eq("dental")).fillna(True),
    "child_contact": lambda df: (df["child_contact"].isna() | df["has_children"].ne(False)).fillna(True),
}


def _wide_checks(name, present, service=None):
    schema, _rules = schemas.build(RETURNS[name], present=present, today=date(2026, 11, 25), period=None,
                                   service=service)
    return {c.name: c for c in schema.checks}


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.sampled_from([None, "dental", "nurse_prescriber", "sexual_health", "?x"]),
                          st.sampled_from([None, "check_up", "consultation", "sti_test", "?y"]),
                          st.sampled_from([None, "contraception", "?z"]),
                          st.sampled_from([None, "supervised", "none"]),
                          st.sampled_from([None, True, False])), max_size=30))
def test_checks_across_columns_agree_with_the_whole_column_checks(rows):
    f = pd.DataFrame({
        "service": pd.array([r[0] for r in rows], dtype="string"),
        "activity": pd.array([r[1] for r in rows], dtype="string"),
        "reason": pd.array([r[2] for r in rows], dtype="string"),
        "child_contact": pd.array([r[3] for r in rows], dtype="string"),
        "has_children": pd.array([r[4] for r in rows], dtype="boolean"),
    }, index=pd.Index(range(2, 2 + len(rows)), name="row"))
    checks = {**_wide_checks("health_contacts", ("service", "activity", "reason"), service="dental"),
              **_wide_checks("keywork_review", ("has_children", "child_contact"))}
    assert set(checks) == set(_WHOLE_COLUMN)
    for name, whole in _WHOLE_COLUMN.items():
        got = checks[name]._check_fn(f)
        assert got.tolist() == whole(f).astype(bool).tolist(), name
    # The column checks on distinct values, against the whole-column forms.
    codes = RETURNS["health_contacts"].columns[[c.name for c in RETURNS["health_contacts"].columns].index("service")]
    check = schemas.on_each_distinct(frozenset(codes.codes).__contains__)
    s = f["service"].dropna()
    assert check(s).tolist() == s.isin(list(codes.codes)).tolist()


@settings(deadline=None, max_examples=60)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["food", "clothes", "?pizza", "", "food;clothes",
                                                      "food;?pizza", ";"])), max_size=12))
def test_multi_code_check_agrees_with_the_whole_column_check(items):
    allowed = frozenset({"food", "clothes"})
    s = pd.Series(pd.array(items, dtype="string")).dropna()
    new = schemas.on_each_distinct(lambda x: all(p in allowed for p in x.split(";")))(s)
    old = schemas.on_distinct(lambda u: u.str.split(";").explode().isin(allowed).groupby(level=0).all())(s)
    assert new.tolist() == old.tolist()


@settings(deadline=None, max_examples=80)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["P0001", "P12345", "p0001", "xP0001", "P0001\n", "P000",
                                                      "", " P0001", "P٠٠٠١"])), max_size=12),
       st.sampled_from(["string", "string[python]"]))
def test_the_reference_check_by_arrow_agrees_with_the_str_accessor(items, dtype):
    s = pd.Series(pd.array(items, dtype=dtype), index=pd.RangeIndex(len(items)) + 7)
    new = schemas._fullmatch_or_missing(s, schemas._REFERENCE)
    old = s.str.fullmatch(schemas._REFERENCE).fillna(True)
    assert new.tolist() == old.tolist() and new.index.equals(s.index)


def _random_column(col, draw_values):
    if col.kind in ("date", "month"):
        return pd.Series(pd.to_datetime(draw_values(col, [None, "2026-03-31", "2026-04-01", "2026-04-30", "2026-05-01",
                                                          "2026-12-01"])).astype("datetime64[us]"))
    if col.kind == "reference":
        return pd.Series(pd.array(draw_values(col, [None, "P0001", "P12", "?x"]), dtype="string"))
    if col.kind == "yesno":
        return pd.Series(pd.array(draw_values(col, [None, True, False]), dtype="boolean"))
    if col.kind in ("code", "multi"):
        first = col.codes[0]
        return pd.Series(pd.array(draw_values(col, [None, first, "?zz", f"{first};?zz", f"{first};{col.codes[-1]}"]),
                                  dtype="string"))
    return pd.Series(draw_values(col, [None, 0.0, 1.0, 2.5, -1.0, 3.0, 5.0, 7.0, 1e6]), dtype="float64")


@settings(deadline=None, max_examples=40)
@given(name=st.sampled_from(list(RETURNS)), n=st.integers(0, 8), data=st.data(), period=st.sampled_from([None, "2026-04"]))
def test_checks_passing_missing_cells_find_what_pandera_ignore_na_found(name, n, data, period):
    spec = RETURNS[name]

    def draw_values(col, choices):
        return [data.draw(st.sampled_from(choices)) for _ in range(n)]

    f = pd.DataFrame({c.name: _random_column(c, draw_values) for c in spec.columns})
    f.index = pd.Index(range(2, 2 + n), name="row")
    kwargs = dict(present=tuple(f.columns), today=date(2026, 11, 25), period=parse(period) if period else None,
                  service=None)
    schema, rules = schemas.build(spec, **kwargs)
    old_schema, old_rules = _build_with_ignore_na(spec, **kwargs)
    assert rules == old_rules
    assert _outcome(schema, f, rules) == _outcome(old_schema, f, old_rules)


def _build_with_ignore_na(spec, **kwargs):
    """``schemas.build`` as it was: every column check left to pandera's ``ignore_na``."""
    original = schemas._check
    schemas._check = lambda test, *, name, missing_pass=False: schemas.Check(name, test, ignore_na=True)
    try:
        p = schemas._plan.__wrapped__(spec, kwargs["present"], kwargs["today"], kwargs["period"], kwargs["service"])
        return schemas._schema_of(p), p.rules
    finally:
        schemas._check = original


@settings(deadline=None, max_examples=40)
@given(name=st.sampled_from(list(RETURNS)), data=st.data(), period=st.sampled_from([None, "2026-04"]))
def test_checks_on_numpy_arrays_agree_with_the_series_forms(name, data, period):
    # A float64 or datetime64[us] column (the loader's) is checked as a numpy array; the same values in another
    # dtype take the pandas Series form of the check, which is the definition.
    spec = RETURNS[name]
    schema, _rules = schemas.build(spec, present=spec.column_names, today=date(2026, 11, 25),
                                   period=parse(period) if period else None, service=None)
    for col in spec.columns:
        if col.kind in ("date", "month"):
            days = data.draw(st.lists(st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2027, 12, 31))), max_size=8))
            fast = pd.Series(pd.to_datetime(days).astype("datetime64[us]"))
            other = fast.astype("datetime64[ns]")
        elif col.kind in ("count", "scale"):
            nums = data.draw(st.lists(st.one_of(st.none(), st.floats(-3, 12, allow_nan=False),
                                                st.integers(-2, 11).map(float)), max_size=8))
            fast = pd.Series(nums, dtype="float64")
            other = fast.astype("Float64")
        elif col.kind == "reference":
            refs = data.draw(st.lists(st.one_of(st.none(), st.sampled_from(["P0001", "P12", "?x", "P0001\n",
                                                                               "P١٢٣٤", "p0001"])), max_size=8))
            fast = pd.Series(pd.array(refs, dtype="string")).dropna()
            other = fast.astype(object)
        else:
            continue
        for check in schema.columns[col.name].checks:
            got = check._check_fn(fast)
            want = check._check_fn(other)
            assert got.astype(bool).tolist() == want.astype(bool).tolist(), (col.name, check.name)


def _mostly_valid(col, pick):
    """A cell that is usually valid for ``col`` and sometimes blank or wrong (``pick`` draws from a list)."""
    bad = pick([False] * 12 + [True])
    if col.kind in ("date", "month"):
        return pick([None, "2026-12-01", "2026-03-31"]) if bad else pick(["2026-04-01", "2026-04-30"])
    if col.kind == "reference":
        return pick([None, "P12"]) if bad else "P0001"
    if col.kind == "yesno":
        return None if bad else pick([True, False])
    if col.kind == "code":
        return pick([None, "?zz"]) if bad else pick([col.codes[0], col.codes[-1]])
    if col.kind == "multi":
        return pick([None, f"{col.codes[0]};?zz"]) if bad else pick([col.codes[0], f"{col.codes[0]};{col.codes[-1]}"])
    lo, hi = (col.minimum, col.minimum + 3) if col.kind == "count" else col.scale
    return pick([None, 2.5, lo - 1.0]) if bad else float(pick([lo, hi]))


@settings(deadline=None, max_examples=150)
@given(name=st.sampled_from(list(RETURNS)), n=st.integers(0, 6), data=st.data(),
       period=st.sampled_from([None, "2026-04"]), service=st.sampled_from([None, "dental"]))
def test_the_direct_pass_agrees_with_pandera(name, n, data, period, service):
    # ``passes`` lets nearly every sheet skip pandera's bookkeeping: it must say "nothing wrong" exactly
    # when pandera finds nothing wrong, whatever the columns, their dtypes and their values.
    spec = RETURNS[name]
    pick = lambda choices: data.draw(st.sampled_from(choices))  # noqa: E731
    cols = {}
    odd_dtype = False
    for col in spec.columns:
        if not col.required and data.draw(st.booleans()) and data.draw(st.booleans()):
            continue  # an optional column the sheet lacks
        cells = [_mostly_valid(col, pick) for _ in range(n)]
        if col.kind in ("date", "month"):
            s = pd.Series(pd.to_datetime(cells).astype("datetime64[us]"))
        elif col.kind in ("reference", "code", "multi"):
            s = pd.Series(pd.array(cells, dtype="string"))
        elif col.kind == "yesno":
            s = pd.Series(pd.array(cells, dtype="boolean"))
        else:
            s = pd.Series(cells, dtype="float64")
        if data.draw(st.integers(0, 19)) == 0:
            s = s.astype(object)  # not the loader's dtype: pandera must judge it
            odd_dtype = True
        cols[col.name] = s
    f = pd.DataFrame(cols, index=pd.Index(range(2, 2 + n), name="row"))
    how = dict(present=tuple(f.columns), today=date(2026, 11, 25), period=parse(period) if period else None,
               service=service)
    schema, _rules = schemas.build(spec, **how)
    try:
        schemas._with_dtypes(schema, f).validate(f, lazy=True)
        pandera_ok = True
    except pandera.errors.SchemaErrors:
        pandera_ok = False
    direct = schemas.passes(schemas.plan(spec, **how), f)
    event(f"pandera finds {'nothing' if pandera_ok else 'something'}; direct pass {direct}")
    if odd_dtype:
        # A dtype the loader never makes is always left to pandera (which may still accept it).
        assert not direct or pandera_ok
        return
    assert direct == pandera_ok
    # And what the loader calls: nothing found exactly when pandera finds nothing, also when checks run on
    # the distinct values parsing gives (each column's, and perhaps a value from a blank row besides).
    found = schemas.find(spec, f, today=how["today"], period=how["period"], service=service)
    assert found.empty == pandera_ok
    distinct = {}
    for c in spec.columns:
        if c.name in f:
            extra = [_mostly_valid(c, pick)] if data.draw(st.booleans()) and len(f) else []
            d = pd.concat([f[c.name].drop_duplicates(), f[c.name].iloc[:0]._constructor(extra, dtype=f[c.name].dtype)
                           if extra else f[c.name].iloc[:0]], ignore_index=True)
            distinct[c.name] = d
    again = schemas.find(spec, f, today=how["today"], period=how["period"], service=service, distinct=distinct)
    assert again.to_dict("records") == found.to_dict("records")


def test_a_sheet_that_passes_is_checked_without_importing_pandera():
    # Pandera's import is a third of the loader's start-up; only a sheet that fails something needs it.
    code = """
import sys
sys.modules["hypothesis"] = None
from datetime import date
import pandas as pd
from core.returns import RETURNS
from data_loaders import schemas
f = pd.DataFrame({"session_date": pd.to_datetime(["2026-04-02"]).astype("datetime64[us]"),
                  "person_id": pd.array(["P0001"], dtype="string")})
assert schemas.find(RETURNS["attendance"], f, today=date(2026, 11, 25), period=None, service=None).empty
assert "pandera" not in sys.modules, "a passing sheet imported pandera"
f["person_id"] = pd.array(["nobody"], dtype="string")
assert len(schemas.find(RETURNS["attendance"], f, today=date(2026, 11, 25), period=None, service=None)) == 1
assert "pandera" in sys.modules
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
