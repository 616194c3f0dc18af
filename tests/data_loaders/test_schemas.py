"""The pandera schemas generated from core.returns."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.periods import parse
from core.returns import RETURNS
from data_loaders import schemas


def frame(**cols):
    return pd.DataFrame(cols, index=pd.Index(range(2, 2 + len(next(iter(cols.values())))), name="row"))


def run(name, f, *, period=None, service=None):
    schema, rules = schemas.build(
        RETURNS[name],
        present=tuple(f.columns),
        today=date(2026, 11, 25),
        period=parse(period) if period else None,
        service=service,
    )
    return schemas.failures(schema, f, rules)


@pytest.mark.parametrize("name", list(RETURNS))
def test_every_return_has_a_schema_with_every_column(name):
    schema, _rules = schemas.build(
        RETURNS[name], present=RETURNS[name].column_names, today=date(2026, 1, 1), period=None, service=None
    )
    assert set(schema.columns) == set(RETURNS[name].column_names)


def test_lazy_validation_reports_every_failure_with_row_index():
    f = frame(
        session_date=pd.to_datetime(["2026-04-02", "2026-12-01", "2026-05-01"]).astype("datetime64[us]"),
        person_id=pd.array(["P0001", None, "P0003"], dtype="string"),
        services_used=pd.array(["food;?pizza", "food", None], dtype="string"),
    )
    out = run("attendance", f, period="2026-04")
    got = sorted(zip(out["index"], out["column"], strict=True))
    assert got == [
        (2, "services_used"),
        (3, "person_id"),
        (3, "session_date"),
        (3, "session_date"),
        (4, "session_date"),
    ]


def test_messages_never_hold_the_value():
    f = frame(
        course_date=pd.to_datetime(["2026-04-02"]).astype("datetime64[us]"),
        agency=pd.array(["?secretagency"], dtype="string"),
        staff_trained=[123456.5],
    )
    out = run("training", f)
    assert len(out) == 2
    assert not out["message"].str.contains("secret|123456").any()


def test_own_service_rule_only_for_health_partners():
    f = frame(
        contact_date=pd.to_datetime(["2026-04-02"]).astype("datetime64[us]"),
        person_id=pd.array(["P0001"], dtype="string"),
        service=pd.array(["dental"], dtype="string"),
        activity=pd.array(["check_up"], dtype="string"),
    )
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


@pytest.mark.parametrize(
    ("wrong", "outcome"),
    [
        (dict(), []),
        (dict(staff_trained=pd.array([3], dtype="Int64")), RuntimeError),
        (dict(course_date=pd.Series(["2026-04-02"], dtype=object)), RuntimeError),
        (dict(agency=pd.Series([3.0])), RuntimeError),
    ],
)
def test_a_column_of_a_dtype_the_loader_never_makes_is_never_passed(wrong, outcome):
    # The loader makes every column's dtype itself; any other is a fault of ours (the file is refused as one
    # we could not read), never a silent pass.
    f = frame(
        **{
            **dict(
                course_date=pd.to_datetime(["2026-04-02"]).astype("datetime64[us]"),
                agency=pd.array(["police"], dtype="string"),
                staff_trained=[3.0],
            ),
            **wrong,
        }
    )
    schema, rules = schemas.build(
        RETURNS["training"], present=tuple(f.columns), today=date(2026, 11, 25), period=None, service=None
    )
    assert _outcome(schema, f, rules) == outcome


def test_every_rule_is_found_in_one_validation():
    f = frame(
        contact_date=pd.to_datetime(["2026-04-02", "2026-04-03", "2026-04-04"]).astype("datetime64[us]"),
        person_id=pd.array(["P0001", "P12", "P0003"], dtype="string"),
        service=pd.array(["dental", "nurse_prescriber", "dental"], dtype="string"),
        activity=pd.array(["consultation", "consultation", "check_up"], dtype="string"),
        reason=pd.array([None, "wound_care", "?haircut"], dtype="string"),
    )
    out = run("health_contacts", f, service="dental")
    got = sorted(zip(out["index"], out["column"], strict=True))
    # Row 2: not a dental activity; 3: not a reference, and not its own service; 4: a reason on a dental row
    # that is not a reason code either.
    assert got == [(2, "activity"), (3, "person_id"), (3, "service"), (4, "reason"), (4, "reason")]
