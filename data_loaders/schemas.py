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


def on_each_distinct(test):
    """An element-wise check run once per distinct value (most columns repeat a few values); ``test`` is a
    plain function of one value. A missing cell passes."""

    def check(s: pd.Series) -> pd.Series:
        codes, uniq = pd.factorize(s)
        ok = np.fromiter((bool(test(x)) for x in uniq.tolist()), dtype=bool, count=len(uniq))
        return pd.Series(np.append(ok, True)[codes], index=s.index)  # code -1 (missing): the last, True

    return check


def _fmt(d: date) -> str:
    return f"{d:%d/%m/%Y}"


@dataclass(frozen=True)
class Rule:
    """A named check: the column it reports against and the message."""

    column: str
    message: str


_REFERENCE = r"P[0-9]{4}"  # the stored form of a person reference
_DTYPES = {
    "date": "datetime64[us]",
    "month": "datetime64[us]",
    "reference": "string",
    "yesno": "boolean",
    "code": "string",
    "multi": "string",
    "count": "float64",
    "scale": "float64",
}  # as the loader makes them


def build(
    spec: ReturnSpec, *, present: tuple[str, ...], today: date, period: Period | None, service: str | None
) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    """The pandera schema for one return's canonical frame, and a message for each named check.

    Built once for each return, set of columns, day, period and service (a batch of files shares them);
    the schema and the rules are shared, so callers must not change them.
    """
    return _build(spec, tuple(present), today, period, service)


def _check(test, *, name: str) -> pa.Check:
    """A column check that passes missing cells itself: pandera need not copy the column without them first."""
    return pa.Check(lambda s: test(s).fillna(False).astype(bool) | s.isna(), name=name, ignore_na=False)


def _column_checks(col: Column, *, today: date, period: Period | None, rule) -> list[pa.Check]:
    if col.kind in ("date", "month"):
        what = "month" if col.kind == "month" else "date"
        today_ts = pd.Timestamp(today)
        checks = [
            _check(
                lambda s, t=today_ts: s <= t,
                name=rule(
                    "future", f"This {what} is after today ({_fmt(today)}); a return can only report what has happened."
                ),
            )
        ]
        if period is not None:
            lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
            checks.append(
                _check(
                    lambda s, lo=lo, hi=hi: s.between(lo, hi),
                    name=rule(
                        "period",
                        f"This {what} is outside the period of this file, {period.label()} "
                        f"({_fmt(period.start)} to {_fmt(period.end)}). Send it with the return for its own "
                        "period, or correct the date.",
                    ),
                )
            )
        return checks
    if col.kind == "reference":
        return [_check(lambda s: s.str.fullmatch(_REFERENCE), name=rule("format", describe_allowed(col)))]
    if col.kind == "code":
        return [
            _check(
                lambda s, codes=list(col.codes): s.isin(codes),
                name=rule(
                    "code",
                    f"This is not one of the allowed codes. Use {describe_allowed(col)} (labels with spaces "
                    "and any capitals are fine, e.g. 'Rough sleeping').",
                ),
            )
        ]
    if col.kind == "multi":
        allowed = frozenset(col.codes)
        return [
            _check(
                on_each_distinct(lambda x: all(p in allowed for p in x.split(";"))),
                name=rule("code", f"This holds a code that is not allowed. Use {describe_allowed(col)}."),
            )
        ]
    if col.kind in ("count", "scale"):
        lo, hi = (col.minimum, np.inf) if col.kind == "count" else col.scale
        return [
            _check(
                lambda s, lo=lo, hi=hi: (s == s.round()) & s.between(lo, hi),
                name=rule("range", f"This must be {describe_allowed(col)}."),
            )
        ]
    return []  # yes/no: any value the parser gives is allowed


def _row_check(columns: tuple[str, ...], ok, name: str) -> pa.Check:
    """A check across ``columns``: a row passes when any of them is blank, or ``ok`` holds for it."""

    def check(df: pd.DataFrame) -> pd.Series:
        blank = df[list(columns)].isna().any(axis=1)
        return blank | ok(df).fillna(False).astype(bool)

    return pa.Check(check, name=name, ignore_na=False)


@functools.lru_cache(maxsize=256)
def _build(
    spec: ReturnSpec, present: tuple[str, ...], today: date, period: Period | None, service: str | None
) -> tuple[pa.DataFrameSchema, dict[str, Rule]]:
    rules: dict[str, Rule] = {}
    columns: dict[str, pa.Column] = {}
    for col in spec.columns:

        def rule(name: str, message: str, c: Column = col) -> str:
            full = f"{c.name}:{name}"
            rules[full] = Rule(c.name, message)
            return full

        checks = _column_checks(col, today=today, period=period, rule=rule)
        rule("not_nullable", f"This cell is blank, but {col.name} is required: {describe_allowed(col)}.")
        columns[col.name] = pa.Column(
            _DTYPES[col.kind], checks, nullable=not col.required, required=col.name in present
        )

    wide: list[pa.Check] = []
    if spec.name == "health_contacts":
        allowed = "; ".join(f"{s}: {', '.join(a)}" for s, a in ACTIVITIES_BY_SERVICE.items())
        rules["activity_service"] = Rule(
            "activity", f"This activity does not belong to the row's service. Allowed: {allowed}."
        )
        wide.append(
            _row_check(
                ("service", "activity"),
                lambda df: (df["service"] + "|" + df["activity"]).isin(_PAIRS),
                "activity_service",
            )
        )
        if "reason" in present:
            rules["reason_nurse"] = Rule(
                "reason", "A reason is recorded only for nurse_prescriber rows; leave it blank for other services."
            )
            wide.append(
                _row_check(("reason", "service"), lambda df: df["service"].eq("nurse_prescriber"), "reason_nurse")
            )
        if service is not None:
            rules["own_service"] = Rule(
                "service",
                f"This partner may only send rows for its own service, "
                f"{service}; rows of other services must come from that service.",
            )
            wide.append(_row_check(("service",), lambda df: df["service"].eq(service), "own_service"))
    if spec.name == "keywork_review" and {"has_children", "child_contact"} <= set(present):
        rules["child_contact"] = Rule("child_contact", "Child contact must be blank when has_children is N.")
        wide.append(_row_check(("child_contact", "has_children"), lambda df: df["has_children"], "child_contact"))
    return pa.DataFrameSchema(columns, checks=wide, strict=False, coerce=False), rules


_NO_FAILURES = pd.DataFrame(columns=["index", "column", "message"])


def find(
    spec: ReturnSpec, frame: pd.DataFrame, *, today: date, period: Period | None, service: str | None
) -> pd.DataFrame:
    """Every failing (row index, canonical column, message) of one return's canonical ``frame``."""
    schema, rules = build(spec, present=tuple(frame.columns), today=today, period=period, service=service)
    return failures(schema, frame, rules)


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame, rules: dict[str, Rule]) -> pd.DataFrame:
    """Every failing (row index, canonical column, message), from one lazy validation."""
    try:
        schema.validate(frame, lazy=True)
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
            # A check that could not run at all (or a column of a dtype the loader never makes) is a fault of
            # ours, never a pass.
            raise RuntimeError(f"check {check!r} on {column!r} did not run")
        if rule is None:
            # A check we did not name: still a clear, value-free message.
            rule = Rule(column or "", "This cell could not be checked; please retype it.")
        out.append(pd.DataFrame({"index": idx.to_numpy(), "column": rule.column, "message": rule.message}))
    return pd.concat(out, ignore_index=True).drop_duplicates(["index", "column", "message"])
