"""Storing, replacing and reading back rows, with history."""

from datetime import timedelta

import pandas as pd
import pytest

from core.periods import parse
from storage.repository import SheetRows, read_coverage, read_return, store_submission


def _attendance(dates_ids):
    return pd.DataFrame(
        {
            "session_date": [pd.Timestamp(d) for d, _ in dates_ids],
            "person_id": [p for _, p in dates_ids],
            "services_used": [None] * len(dates_ids),
        }
    )


def _store(engine, sha, period, rows, partner="aspirations"):
    return store_submission(
        engine,
        sha256=sha * 64,
        file_name=f"{sha}.csv",
        partner=partner,
        period=parse(period),
        loaded_by="test",
        content=sha.encode(),
        sheets=[SheetRows("attendance", "attendance", _attendance(rows))],
        warnings=[],
    )


def test_correction_replaces_rows_in_period_and_keeps_history(engine):
    first = _store(engine, "a", "2026-04", [("2026-04-02", "P0001"), ("2026-04-09", "P0002")])
    _store(engine, "b", "2026-05", [("2026-05-07", "P0003")])
    second = _store(engine, "c", "2026-04", [("2026-04-02", "P0001")])
    assert second.replaced == {"attendance": 2}

    now = read_return(engine, "attendance")
    assert sorted(now.person_id) == ["P0001", "P0003"]
    before = read_return(engine, "attendance", as_of=second.loaded_at - timedelta(microseconds=1))
    assert sorted(before.person_id) == ["P0001", "P0002", "P0003"]
    assert read_return(engine, "attendance", as_of=first.loaded_at - timedelta(seconds=1)).empty
    assert len(read_coverage(engine)) == 3


def test_same_file_twice_is_a_duplicate_and_changes_nothing(engine):
    _store(engine, "a", "2026-04", [("2026-04-02", "P0001")])
    again = _store(engine, "a", "2026-04", [("2026-04-02", "P0001")])
    assert again.status == "duplicate"
    assert len(read_return(engine, "attendance")) == 1


def test_other_partners_rows_are_not_replaced(engine):
    _store(engine, "a", "2026-04", [("2026-04-02", "P0001")], partner="aspirations")
    _store(engine, "b", "2026-04", [("2026-04-03", "P0002")], partner="vineyard")
    assert sorted(read_return(engine, "attendance").partner) == ["aspirations", "vineyard"]


# --------------------------------------------------------------------------- audit log


def _audit_rows(engine):
    import sqlalchemy as sa

    from storage.schema import audit_log

    with engine.connect() as c:
        return c.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()


def test_read_audit_filters_by_time_user_and_action(engine):
    from datetime import datetime

    from storage.repository import audit, read_audit

    audit(engine, username="ann", role="admin", action="login", detail={})
    audit(engine, username="bob", role="partner", action="upload", detail={"rows": 3})
    audit(engine, username="ann", role="admin", action="upload", detail={"rows": 5})

    everything = read_audit(engine)
    assert list(everything.columns) == ["id", "at", "username", "role", "action", "detail"]
    assert list(everything.username) == ["ann", "bob", "ann"]  # newest first
    assert list(read_audit(engine, username="ann", action="upload").detail) == [{"rows": 5}]
    assert read_audit(engine, since=datetime(2999, 1, 1)).empty
    assert len(read_audit(engine, until=datetime(2999, 1, 1), since=datetime(2000, 1, 1))) == 3
    assert read_audit(engine, until=datetime(2000, 1, 1)).empty


def test_audit_log_is_append_only_in_the_database(engine):
    import sqlalchemy as sa

    from storage.repository import audit
    from storage.schema import audit_log

    audit(engine, username="ann", role="admin", action="login", detail={})
    before = _audit_rows(engine)
    for stmt in (audit_log.update().values(username="someone else"), audit_log.delete()):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with engine.begin() as c:
                c.execute(stmt)
    if engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with engine.begin() as c:
                c.exec_driver_sql("TRUNCATE audit_log")
    assert _audit_rows(engine) == before
    audit(engine, username="bob", role="partner", action="upload", detail={})  # appending still works
    assert len(_audit_rows(engine)) == 2


def test_blank_yes_no_and_count_cells_read_back_blank(engine):
    from tests.metrics import dataset

    dataset.submit(
        engine,
        "aspirations",
        "2026-05",
        {
            "outreach": (
                dataset.OUT,
                [("2026-05-02", "P0001", "street", None, True), ("2026-05-03", None, "phone", False, None)],
            ),
            "feedback": (dataset.FB, [("2026-05-07", "P0002", 5, None, 3), ("2026-05-07", None, None, 4, None)]),
        },
    )
    dataset.submit(
        engine, "aspirations", "2026-06", {"outreach": (dataset.OUT, [("2026-06-02", "P0001", "street", True, False)])}
    )
    may = read_return(engine, "outreach", end=parse("2026-05").end).sort_values("contact_date")
    assert may["person_id"].fillna("blank").tolist() == ["P0001", "blank"]
    assert may["condoms_given"].tolist() == [None, False] and may["leaflet_given"].tolist() == [True, None]
    fb = read_return(engine, "feedback").sort_values("feel_safe")
    assert fb["feel_heard"].dtype == "float64" and fb["feel_heard"].isna().tolist() == [True, False]
    june = read_return(engine, "outreach", start=parse("2026-06").start)
    assert june["condoms_given"].tolist() == [True] and june["condoms_given"].dtype == bool
    assert june["contact_date"].dtype == "datetime64[s]" and june["contact_date"].dt.day.tolist() == [2]


def test_what_runs_after_storing_shares_the_files_transaction(engine):
    from storage.repository import audit, read_audit

    seen = []

    def then(conn, result):
        seen.append((result.status, result.submission_id))
        audit(conn, username="test", role=None, action="upload", detail={"id": result.submission_id})

    stored = store_submission(
        engine,
        sha256="e" * 64,
        file_name="e.csv",
        partner="aspirations",
        period=parse("2026-04"),
        loaded_by="t",
        content=b"e",
        sheets=[SheetRows("attendance", "attendance", _attendance([("2026-04-02", "P0001")]))],
        warnings=[],
        then=then,
    )
    assert seen == [("accepted", stored.submission_id)]
    assert len(read_audit(engine)) == 1

    def fails(conn, result):
        raise RuntimeError("the audit record could not be written")

    with pytest.raises(RuntimeError):
        store_submission(
            engine,
            sha256="f" * 64,
            file_name="f.csv",
            partner="aspirations",
            period=parse("2026-04"),
            loaded_by="t",
            content=b"f",
            warnings=[],
            then=fails,
            sheets=[SheetRows("attendance", "attendance", _attendance([("2026-04-03", "P0002")]))],
        )
    # Nothing of the second file stayed: its rows did not replace the first file's.
    assert read_return(engine, "attendance")["person_id"].tolist() == ["P0001"]
    assert len(read_audit(engine)) == 1


def test_a_refused_file_whose_name_holds_personal_data_is_logged_by_fingerprint(engine, backend):
    import sqlalchemy as sa

    from storage import repository as repo

    repo.log_refusal(
        engine,
        sha256="cd" * 32,
        file_name="Jane jane.doe@example.com.xlsx",
        partner="aspirations",
        loaded_by="t",
        reasons=[],
    )
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT file_name FROM refusals")).scalars().all() == ["file-cdcdcdcdcdcd.xlsx"]
