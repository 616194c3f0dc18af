"""One pandera schema per return, generated from ``core.returns``, run lazily so every error is found.

The schemas see canonical values (already read by ``data_loaders.values``)
and check the rules: required cells, allowed codes, whole numbers and ranges,
dates not in the future and inside the period, and the rules that join
columns (an activity belongs to its service, ...). Failures become messages
that say what is allowed; they never repeat the cell's value.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core.periods import Period
from core.returns import ACTIVITIES_BY_SERVICE, Column, ReturnSpec

if TYPE_CHECKING:
    import pandera.pandas as pa

_PAIRS = frozenset(f"{s}|{a}" for s, acts in ACTIVITIES_BY_SERVICE.items() for a in acts)


def describe_allowed(col: Column) -> str:
    """What a column accepts, in plain words."""
    if col.kind == "date":
        return "a date such as 03/04/2026, 2026-04-03 or 3 Apr 2026 (day first), or an Excel date"
    if col.kind == "month":
        return "a month such as 2026-04 or Apr 2026, or any date in the month"
    if col.kind == "reference":
        return "the partnership reference: P followed by four digits, e.g. P0042"
    if col.kind == "yesno":
        return "Y or N (Yes/No, TRUE/FALSE and 1/0 also work); leave it blank if not recorded"
    if col.kind == "code":
        return "one of: " + ", ".join(col.codes)
    if col.kind == "multi":
        return "one or more of: " + ", ".join(col.codes) + " (separated by ; or ,)"
    if col.kind == "count":
        return f"a whole number, {col.minimum} or more"
    if col.kind == "scale":
        return f"a whole number from {col.scale[0]} to {col.scale[1]}"
    return "a value"


def on_distinct(test):
    """An element-wise check run once per distinct value (most columns repeat a few values)."""

    def check(s: pd.Series) -> pd.Series:
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
        ok = np.asarray(test(pd.Series(uniq, dtype=s.dtype)), dtype=bool)
        return pd.Series(np.where(codes >= 0, ok[np.clip(codes, 0, None)] if ok.size else True, True), index=s.index)

    return check


def on_each_distinct(test):
    """As ``on_distinct``, with ``test`` a plain function of one value (a distinct value is never missing)."""

    def check(s: pd.Series) -> pd.Series:
        codes, uniq = pd.factorize(s, use_na_sentinel=True)
        ok = np.fromiter((bool(test(x)) for x in np.asarray(uniq, dtype=object).tolist()), dtype=bool,
                         count=len(uniq))
        return pd.Series(np.where(codes >= 0, ok[np.clip(codes, 0, None)] if ok.size else True, True), index=s.index)

    return check


def on_distinct_rows(columns: tuple[str, ...], test):
    """A check across columns run once per distinct combination of their values (None where missing).

    For a frame-wide check: pandera's ``ignore_na`` is not needed (``test`` says what a missing value means).
    """

    def check(df: pd.DataFrame) -> pd.Series:
        key = np.zeros(len(df), dtype=np.int64)
        distinct = []
        for c in columns:
            codes, uniq = pd.factorize(df[c], use_na_sentinel=True)
            key = key * (len(uniq) + 1) + (codes + 1)
            distinct.append([None, *np.asarray(uniq, dtype=object).tolist()])
        combos, inverse = np.unique(key, return_inverse=True)
        ok = []
        for k in combos.tolist():
            parts = []
            for vals in reversed(distinct):
                k, j = divmod(k, len(vals))
                parts.append(vals[j])
            ok.append(bool(test(*reversed(parts))))
        return pd.Series(np.asarray(ok, dtype=bool)[inverse.reshape(-1)], index=df.index)

    return check


_REFERENCE = r"P[0-9]{4}"  # the stored form of a person reference


def _fullmatch_or_missing(s: pd.Series, pattern: str) -> pd.Series:
    """For a string column: each cell matches ``pattern`` whole, or is missing. By Arrow at once: the
    ``.str`` accessor spends 0.4 ms a call on its own, and a file calls it for every sheet."""
    hit = pc.fill_null(pc.match_substring_regex(pa.array(s.array), f"^(?:{pattern})$"), True)
    return pd.Series(np.asarray(hit, dtype=bool), index=s.index)
# The dtypes a column has when the loader made it: checks on them run on plain numpy arrays.
_ARRAY_DTYPES = (np.dtype("float64"), np.dtype("datetime64[us]"))


def _on_array(test_array, test_series):
    """A check on a float or date column as a numpy array (missing cells pass); another dtype: as a Series."""

    def check(s: pd.Series) -> pd.Series:
        if s.dtype in _ARRAY_DTYPES:
            v = s.to_numpy()
            return pd.Series(test_array(v) | (np.isnat(v) if v.dtype.kind == "M" else np.isnan(v)), index=s.index)
        return test_series(s) | s.isna()

    return check


def _on_text(test_string, test_other):
    """``test_string`` for a string column (the loader's), ``test_other`` for any other dtype."""

    def check(s: pd.Series) -> pd.Series:
        return test_string(s) if isinstance(s.dtype, pd.StringDtype) else test_other(s)

    return check


@dataclass(frozen=True)
class Check:
    """One named check: ``fn`` takes a column (or, across columns, the frame) and says which rows pass."""

    name: str
    fn: Callable
    ignore_na: bool = False  # let pandera drop missing cells first (``fn`` then never sees them)
    # A cell's verdict depends on its value alone, so every row passes when every distinct value does.
    elementwise: bool = False


def _check(test, *, name: str, missing_pass: bool = False) -> Check:
    """A column check that passes missing cells itself (``missing_pass``: ``test`` already does), so pandera
    need not copy the column without them first (``ignore_na``): the same failures, found for less."""
    if not missing_pass:
        def passing_missing(s: pd.Series, test=test) -> pd.Series:
            return test(s) | s.isna()
        return Check(name, passing_missing, elementwise=True)
    return Check(name, test, elementwise=True)


def _fmt(d: date) -> str:
    return f"{d:%d/%m/%Y}"


@dataclass(frozen=True)
class Rule:
    """A named check: the column it reports against and the message."""

    column: str
    message: str


@dataclass(frozen=True)
class PlanColumn:
    """One column's checks, and whether it may be blank or missing."""

    checks: tuple[Check, ...]
    nullable: bool
    required: bool
    dtype: str  # the dtype the loader gives it


@dataclass(frozen=True)
class Plan:
    """Every rule of one return as plain functions, with its message: what the pandera schema is built
    from (``build``), and what ``passes`` calls directly. Needs no pandera."""

    columns: dict[str, PlanColumn]
    checks: tuple[Check, ...]  # across columns
    rules: dict[str, Rule]


def plan(spec: ReturnSpec, *, present: tuple[str, ...], today: date, period: Period | None,
         service: str | None) -> Plan:
    """The rules for one return's canonical frame. Built once for each return, set of columns, day, period
    and service (a batch of files shares them); shared, so callers must not change it."""
    return _plan(spec, tuple(present), today, period, service)


def build(spec: ReturnSpec, *, present: tuple[str, ...], today: date, period: Period | None,
          service: str | None) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    """The pandera schema for one return's canonical frame, and a message for each named check.

    Built from ``plan`` once for each of its keys; the schema and the rules are shared, so callers must
    not change them.
    """
    return _build(spec, tuple(present), today, period, service)


@functools.lru_cache(maxsize=256)
def _build(spec: ReturnSpec, present: tuple[str, ...], today: date, period: Period | None,
           service: str | None) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    p = _plan(spec, present, today, period, service)
    return _schema_of(p), p.rules


def _schema_of(p: Plan) -> pa.DataFrameSchema:
    import pandera.pandas as pa  # here, not at the top: a sheet that passes never needs pandera

    def check(c: Check) -> pa.Check:
        return pa.Check(c.fn, name=c.name, ignore_na=c.ignore_na)

    columns = {name: pa.Column(None, [check(c) for c in col.checks], nullable=col.nullable, required=col.required)
               for name, col in p.columns.items()}
    return pa.DataFrameSchema(columns, checks=[check(c) for c in p.checks], strict=False, coerce=False,
                              metadata={"dtypes": {name: col.dtype for name, col in p.columns.items()}})


@functools.lru_cache(maxsize=256)
def _plan(spec: ReturnSpec, present: tuple[str, ...], today: date, period: Period | None,
          service: str | None) -> Plan:
    rules: dict[str, Rule] = {}
    columns: dict[str, PlanColumn] = {}
    today_ts = pd.Timestamp(today)
    for col in spec.columns:
        checks: list[Check] = []

        def rule(name: str, message: str, c: Column = col) -> str:
            full = f"{c.name}:{name}"
            rules[full] = Rule(c.name, message)
            return full

        if col.kind in ("date", "month"):
            what = "month" if col.kind == "month" else "date"
            today64 = today_ts.to_datetime64()
            checks.append(_check(_on_array(lambda v, t=today64: v <= t,
                                           lambda s, t=today_ts: s <= t), missing_pass=True,
                                 name=rule("future", f"This {what} is after today ({_fmt(today)}); "
                                             f"a return can only report what has happened.")))
            if period is not None:
                lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
                lo64, hi64 = lo.to_datetime64(), hi.to_datetime64()
                checks.append(_check(
                    _on_array(lambda v, lo=lo64, hi=hi64: (v >= lo) & (v <= hi),
                              lambda s, lo=lo, hi=hi: (s >= lo) & (s <= hi)), missing_pass=True,
                    name=rule("period", f"This {what} is outside the period of this file, {period.label()} "
                              f"({_fmt(period.start)} to {_fmt(period.end)}). Send it with the return for its own "
                              "period, or correct the date.")))
            dtype = "datetime64[us]"
        elif col.kind == "reference":
            # A string column (the loader's) is matched by Arrow at once: references are mostly distinct.
            checks.append(_check(_on_text(lambda s: _fullmatch_or_missing(s, _REFERENCE),
                                          on_distinct(lambda u: u.str.fullmatch(_REFERENCE))),
                                 name=rule("format", describe_allowed(col)), missing_pass=True))
            dtype = "string"
        elif col.kind == "yesno":
            dtype = "boolean"
        elif col.kind == "code":
            checks.append(_check(on_each_distinct(frozenset(col.codes).__contains__), name=rule(
                "code", f"This is not one of the allowed codes. Use {describe_allowed(col)} (labels with spaces "
                "and any capitals are fine, e.g. 'Rough sleeping')."), missing_pass=True))
            dtype = "string"
        elif col.kind == "multi":
            allowed = frozenset(col.codes)
            checks.append(_check(
                on_each_distinct(lambda x, allowed=allowed: all(p in allowed for p in x.split(";"))),
                name=rule("code", f"This holds a code that is not allowed. Use {describe_allowed(col)}."),
                missing_pass=True))
            dtype = "string"
        elif col.kind in ("count", "scale"):
            lo_v, hi_v = (col.minimum, None) if col.kind == "count" else col.scale
            checks.append(_check(
                _on_array(lambda v, lo_v=lo_v, hi_v=hi_v: (v == np.round(v)) & (v >= lo_v) & (v <= (hi_v if hi_v else v)),
                          lambda s, lo_v=lo_v, hi_v=hi_v: (s == s.round()) & (s >= lo_v) & (s <= (hi_v if hi_v else s))),
                missing_pass=True,
                name=rule("range", f"This must be {describe_allowed(col)}.")))
            dtype = "float64"
        else:  # pragma: no cover - every kind is handled above
            raise ValueError(col.kind)
        rule("not_nullable", f"This cell is blank, but {col.name} is required: {describe_allowed(col)}.")
        # The dtype is checked once per frame in ``failures`` (the loader makes every column's dtype itself),
        # not by pandera for each column of each file.
        columns[col.name] = PlanColumn(tuple(checks), nullable=not col.required, required=col.name in present,
                                       dtype=dtype)

    wide: list[Check] = []
    if spec.name == "health_contacts":
        allowed = "; ".join(f"{s}: {', '.join(a)}" for s, a in ACTIVITIES_BY_SERVICE.items())
        rules["activity_service"] = Rule("activity", f"This activity does not belong to the row's service. "
                                                     f"Allowed: {allowed}.")
        wide.append(Check("activity_service", on_distinct_rows(
            ("service", "activity"), lambda s, a: s is None or a is None or f"{s}|{a}" in _PAIRS)))
        if "reason" in present:
            rules["reason_nurse"] = Rule("reason", "A reason is recorded only for nurse_prescriber rows; leave it "
                                                   "blank for other services.")
            wide.append(Check("reason_nurse", on_distinct_rows(
                ("reason", "service"), lambda r, s: r is None or s is None or s == "nurse_prescriber")))
        if service is not None:
            rules["own_service"] = Rule("service", f"This partner may only send rows for its own service, "
                                                   f"{service}; rows of other services must come from that service.")
            wide.append(Check("own_service", on_distinct_rows(("service",), lambda s, sv=service: s is None or s == sv)))
    if spec.name == "keywork_review" and {"has_children", "child_contact"} <= set(present):
        rules["child_contact"] = Rule("child_contact", "Child contact must be blank when has_children is N.")
        wide.append(Check("child_contact", on_distinct_rows(
            ("child_contact", "has_children"), lambda c, h: c is None or h is None or bool(h))))
    return Plan(columns, tuple(wide), rules)


@functools.lru_cache(maxsize=64)
def _dtype_ok(expected: str, actual) -> bool:
    """Pandera's own dtype check for one column dtype (it depends on the dtypes alone)."""
    from pandera.engines.pandas_engine import Engine

    return bool(Engine.dtype(expected).check(Engine.dtype(actual)))


@functools.lru_cache(maxsize=64)
def _dtype_is(expected: str, actual) -> bool:
    # Exactly the dtype the loader makes (pandera would accept it); any other is left to pandera to judge.
    try:
        return pd.api.types.pandas_dtype(expected) == actual
    except TypeError:
        return False


def _with_dtypes(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pa.DataFrameSchema:
    """The schema itself when every column already has its dtype; else one where pandera checks dtypes too."""
    dtypes = (schema.metadata or {}).get("dtypes", {})
    wrong = {c: dtypes[c] for c, t in frame.dtypes.items() if c in dtypes and not _dtype_ok(dtypes[c], t)}
    return schema.update_columns({c: {"dtype": d} for c, d in wrong.items()}) if wrong else schema


_NO_FAILURES = pd.DataFrame(columns=["index", "column", "message"])


def _all_true(output) -> bool:
    # As pandera judges a check's output: a Series passes when all() is true (missing values skipped).
    return bool(output.all()) if isinstance(output, pd.Series | pd.DataFrame) else bool(np.all(output))


def passes(p: Plan, frame: pd.DataFrame, *, distinct: dict[str, pd.Series] | None = None) -> bool:
    """True when validating ``frame`` would find nothing wrong: the plan's checks, called directly.

    Nearly every sheet passes. Pandera (its import, the schema, its result objects: about 10 ms a sheet
    whatever its size) is then needed only for a sheet that fails something, or that this cannot
    judge, for the failure cases. A property test holds the verdict equal to pandera's.

    ``distinct``: for a column, values that include every value in it (the loader has them from
    parsing); element-wise checks then run on those few instead of every row. A value not in the
    column can only make this say False, and pandera then decides.
    """
    for name, col in p.columns.items():
        if name not in frame.columns:
            if col.required:
                return False
            continue
        s = frame[name]
        if not _dtype_is(col.dtype, s.dtype):
            return False
        if not col.nullable and s.isna().any():
            return False
        few = (distinct or {}).get(name)
        if few is not None and few.dtype != s.dtype:
            few = None
        for check in col.checks:
            if check.ignore_na or not _all_true(check.fn(few if few is not None and check.elementwise else s)):
                return False
    return all(not check.ignore_na and _all_true(check.fn(frame)) for check in p.checks)


def find(spec: ReturnSpec, frame: pd.DataFrame, *, today: date, period: Period | None,
         service: str | None, distinct: dict[str, pd.Series] | None = None) -> pd.DataFrame:
    """Every failing (row index, canonical column, message) of one return's canonical ``frame``
    (``distinct`` as for ``passes``)."""
    present = tuple(frame.columns)
    if passes(plan(spec, present=present, today=today, period=period, service=service), frame, distinct=distinct):
        return _NO_FAILURES.copy()
    schema, rules = build(spec, present=present, today=today, period=period, service=service)
    return failures(schema, frame, rules)


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame, rules: dict[str, Rule]) -> pd.DataFrame:
    """Every failing (row index, canonical column, message), from one lazy validation."""
    import pandera.pandas as pa

    try:
        _with_dtypes(schema, frame).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    else:
        return _NO_FAILURES.copy()
    out = []
    for (check, column), grp in fc.groupby(["check", fc["column"].fillna("")], sort=False, dropna=False):
        key = check if check in rules else f"{column}:{check}"
        rule = rules.get(key)
        idx = grp["index"].dropna()
        if idx.size < len(grp):
            # A check that could not run at all is a fault of ours, never a pass.
            raise RuntimeError(f"check {check!r} on {column!r} did not run")
        if rule is None:
            # A check we did not name (a dtype problem): still a clear, value-free message.
            rule = Rule(column or "", "This cell could not be checked; please retype it.")
        out.append(pd.DataFrame({"index": idx.to_numpy(), "column": rule.column, "message": rule.message}))
    if not out:
        return _NO_FAILURES.copy()
    res = pd.concat(out, ignore_index=True).drop_duplicates(["index", "column", "message"])
    return res
