"""One pandera schema per return, generated from ``core.returns``, run lazily so every error is found.

The schemas see canonical values (already read by ``data_loaders.values``)
and check the rules: required cells, allowed codes, whole numbers and ranges,
dates not in the future and inside the period, and the rules that join
columns (an activity belongs to its service, ...). Failures become messages
that say what is allowed; they never repeat the cell's value.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.engines.pandas_engine import Engine

from core.periods import Period
from core.returns import ACTIVITIES_BY_SERVICE, Column, ReturnSpec

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


def _fmt(d: date) -> str:
    return f"{d:%d/%m/%Y}"


@dataclass(frozen=True)
class Rule:
    """A named check: the column it reports against and the message."""

    column: str
    message: str


def build(spec: ReturnSpec, *, present: tuple[str, ...], today: date, period: Period | None,
          service: str | None) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    """The schema for one return's canonical frame, and a message for each named check.

    Built once for each return, set of columns, day, period and service (a batch of files shares them);
    the schema and the rules are shared, so callers must not change them.
    """
    return _build(spec, tuple(present), today, period, service)


@functools.lru_cache(maxsize=256)
def _build(spec: ReturnSpec, present: tuple[str, ...], today: date, period: Period | None,
           service: str | None) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    rules: dict[str, Rule] = {}
    columns: dict[str, pa.Column] = {}
    dtypes: dict[str, str] = {}
    today_ts = pd.Timestamp(today)
    for col in spec.columns:
        checks: list[pa.Check] = []

        def rule(name: str, message: str, c: Column = col) -> str:
            full = f"{c.name}:{name}"
            rules[full] = Rule(c.name, message)
            return full

        if col.kind in ("date", "month"):
            what = "month" if col.kind == "month" else "date"
            checks.append(pa.Check(lambda s, t=today_ts: s <= t,
                                   name=rule("future", f"This {what} is after today ({_fmt(today)}); "
                                             f"a return can only report what has happened.")))
            if period is not None:
                lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
                checks.append(pa.Check(
                    lambda s, lo=lo, hi=hi: (s >= lo) & (s <= hi),
                    name=rule("period", f"This {what} is outside the period of this file, {period.label()} "
                              f"({_fmt(period.start)} to {_fmt(period.end)}). Send it with the return for its own "
                              "period, or correct the date.")))
            dtype = "datetime64[us]"
        elif col.kind == "reference":
            checks.append(pa.Check(on_distinct(lambda u: u.str.fullmatch(r"P[0-9]{4}")),
                                   name=rule("format", describe_allowed(col))))
            dtype = "string"
        elif col.kind == "yesno":
            dtype = "boolean"
        elif col.kind == "code":
            checks.append(pa.Check(lambda s, allowed=list(col.codes): s.isin(allowed), name=rule(
                "code", f"This is not one of the allowed codes. Use {describe_allowed(col)} (labels with spaces "
                "and any capitals are fine, e.g. 'Rough sleeping').")))
            dtype = "string"
        elif col.kind == "multi":
            allowed = frozenset(col.codes)
            checks.append(pa.Check(
                on_distinct(lambda u, allowed=allowed: u.str.split(";").explode().isin(allowed).groupby(level=0).all()),
                name=rule("code", f"This holds a code that is not allowed. Use {describe_allowed(col)}.")))
            dtype = "string"
        elif col.kind in ("count", "scale"):
            lo_v, hi_v = (col.minimum, None) if col.kind == "count" else col.scale
            checks.append(pa.Check(
                lambda s, lo_v=lo_v, hi_v=hi_v: (s == s.round()) & (s >= lo_v) & (s <= (hi_v if hi_v else s)),
                name=rule("range", f"This must be {describe_allowed(col)}.")))
            dtype = "float64"
        else:  # pragma: no cover - every kind is handled above
            raise ValueError(col.kind)
        rule("not_nullable", f"This cell is blank, but {col.name} is required: {describe_allowed(col)}.")
        # The dtype is checked once per frame in ``failures`` (the loader makes every column's dtype itself),
        # not by pandera for each column of each file.
        dtypes[col.name] = dtype
        columns[col.name] = pa.Column(None, checks, nullable=not col.required, required=col.name in present)

    wide: list[pa.Check] = []
    if spec.name == "health_contacts":
        allowed = "; ".join(f"{s}: {', '.join(a)}" for s, a in ACTIVITIES_BY_SERVICE.items())
        rules["activity_service"] = Rule("activity", f"This activity does not belong to the row's service. "
                                                     f"Allowed: {allowed}.")
        wide.append(pa.Check(
            lambda df: (df["service"].isna() | df["activity"].isna()
                        | (df["service"] + "|" + df["activity"]).isin(_PAIRS)).fillna(True),
            name="activity_service"))
        if "reason" in present:
            rules["reason_nurse"] = Rule("reason", "A reason is recorded only for nurse_prescriber rows; leave it "
                                                   "blank for other services.")
            wide.append(pa.Check(
                lambda df: (df["reason"].isna() | df["service"].eq("nurse_prescriber")).fillna(True),
                name="reason_nurse"))
        if service is not None:
            rules["own_service"] = Rule("service", f"This partner may only send rows for its own service, "
                                                   f"{service}; rows of other services must come from that service.")
            wide.append(pa.Check(lambda df, sv=service: (df["service"].isna() | df["service"].eq(sv)).fillna(True),
                                 name="own_service"))
    if spec.name == "keywork_review" and {"has_children", "child_contact"} <= set(present):
        rules["child_contact"] = Rule("child_contact", "Child contact must be blank when has_children is N.")
        wide.append(pa.Check(
            lambda df: (df["child_contact"].isna() | df["has_children"].ne(False)).fillna(True),
            name="child_contact"))
    return pa.DataFrameSchema(columns, checks=wide, strict=False, coerce=False, metadata={"dtypes": dtypes}), rules


@functools.lru_cache(maxsize=64)
def _dtype_ok(expected: str, actual) -> bool:
    """Pandera's own dtype check for one column dtype (it depends on the dtypes alone)."""
    return bool(Engine.dtype(expected).check(Engine.dtype(actual)))


def _with_dtypes(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pa.DataFrameSchema:
    """The schema itself when every column already has its dtype; else one where pandera checks dtypes too."""
    dtypes = (schema.metadata or {}).get("dtypes", {})
    wrong = {c: d for c, d in dtypes.items() if c in frame.columns and not _dtype_ok(d, frame[c].dtype)}
    return schema.update_columns({c: {"dtype": d} for c, d in wrong.items()}) if wrong else schema


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame, rules: dict[str, Rule]) -> pd.DataFrame:
    """Every failing (row index, canonical column, message), from one lazy validation."""
    try:
        _with_dtypes(schema, frame).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
    else:
        return pd.DataFrame(columns=["index", "column", "message"])
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
        return pd.DataFrame(columns=["index", "column", "message"])
    res = pd.concat(out, ignore_index=True).drop_duplicates(["index", "column", "message"])
    return res
