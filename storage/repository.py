"""Reading and writing submissions and return rows. The only SQL in the product lives here."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from core import clock
from core.identifiers import kept_file_name
from core.periods import Period
from core.returns import RETURNS
from storage import schema
from storage.db import write_transaction
from storage.rows import SheetRows  # callers may import it from here too
from storage.writer import write_rows

# Stored times are naive UTC; both come from the product's one clock (core.clock).
utcnow = clock.utcnow
end_of_day = clock.end_of_day


@dataclass
class StoreResult:
    status: str  # "accepted" | "duplicate"
    submission_id: int
    loaded_at: datetime
    replaced: dict[str, int] = field(default_factory=dict)


# Statements built once (SQLAlchemy then reuses their compiled form without working out a cache key per
# call): storing a file runs each of them once, and a regional load stores hundreds of files.
_FIND_SUBMISSION = sa.select(schema.submissions).where(schema.submissions.c.sha256 == sa.bindparam("b_sha256"))
_INSERT_SUBMISSION = schema.submissions.insert()
_INSERT_ARCHIVED = schema.archived_files.insert()
_INSERT_SHEET = schema.submission_sheets.insert()
_INSERT_AUDIT = schema.audit_log.insert()


@functools.cache
def _supersede(return_name: str) -> sa.Update:
    """Mark a partner's current rows of one return dated in a period as superseded by a submission."""
    t = schema.return_tables[return_name]
    dcol = t.c[RETURNS[return_name].date_column]
    return (
        t.update()
        .where(
            t.c.partner == sa.bindparam("b_partner"),
            t.c.superseded_at.is_(None),
            dcol >= sa.bindparam("b_start"),
            dcol <= sa.bindparam("b_end"),
        )
        .values(superseded_at=sa.bindparam("b_now"), superseded_by=sa.bindparam("b_submission"))
    )


def find_submission(conn: sa.Connection, sha256: str) -> dict | None:
    row = conn.execute(_FIND_SUBMISSION, {"b_sha256": sha256}).mappings().first()
    return dict(row) if row else None


def store_submission(
    engine: sa.Engine,
    *,
    sha256: str,
    file_name: str,
    partner: str,
    period: Period,
    loaded_by: str,
    content: bytes,
    sheets: list[SheetRows],
    warnings: list[str],
    loaded_at: datetime | None = None,
    then: Callable[[sa.Connection, StoreResult], None] | None = None,
) -> StoreResult:
    """Store one accepted file in one transaction.

    Rows the partner sent earlier for the same return, dated in the period,
    are marked superseded (kept as history). An identical file already held
    changes nothing. ``loaded_at`` (naive UTC) is for building sample data and
    tests with realistic submission times; it defaults to now. ``then`` runs in
    the same transaction with the result (the audit record: stored with the
    file or not at all, and one commit instead of two).
    """
    with write_transaction(engine) as conn:
        existing = find_submission(conn, sha256)
        if existing:
            result = StoreResult("duplicate", existing["id"], existing["loaded_at"])
            if then is not None:
                then(conn, result)
            return result
        now = loaded_at or utcnow()
        sub_id = conn.execute(
            _INSERT_SUBMISSION,
            {
                "sha256": sha256,
                "file_name": kept_file_name(file_name, sha256)[:255],
                "partner": partner,
                "period_start": period.start,
                "period_end": period.end,
                "loaded_by": loaded_by,
                "loaded_at": now,
                "status": "accepted",
                "size_bytes": len(content),
                "warnings": list(warnings),
            },
        ).inserted_primary_key[0]
        conn.execute(_INSERT_ARCHIVED, {"submission_id": sub_id, "content": content})
        replaced: dict[str, int] = {}
        for sh in sheets:
            conn.execute(
                _INSERT_SHEET,
                {
                    "submission_id": sub_id,
                    "sheet": sh.sheet[:255],
                    "return_name": sh.return_name,
                    "rows": len(sh.frame),
                },
            )
        for return_name in dict.fromkeys(sh.return_name for sh in sheets):
            t = schema.return_tables[return_name]
            res = conn.execute(
                _supersede(return_name),
                {
                    "b_partner": partner,
                    "b_start": period.start,
                    "b_end": period.end,
                    "b_now": now,
                    "b_submission": sub_id,
                },
            )
            replaced[return_name] = res.rowcount or 0
            for sh in sheets:
                if sh.return_name != return_name or sh.frame.empty:
                    continue
                write_rows(
                    conn, t, return_name, sh.frame, {"submission_id": sub_id, "partner": partner, "valid_from": now}
                )
        result = StoreResult("accepted", sub_id, now, replaced)
        if then is not None:
            then(conn, result)
        return result


def log_refusal(
    engine: sa.Engine, *, sha256: str, file_name: str, partner: str, loaded_by: str, reasons: list[dict]
) -> None:
    """Record that a file was refused: hash, name, partner, time and reasons only."""
    with engine.begin() as conn:
        conn.execute(
            schema.refusals.insert().values(
                sha256=sha256,
                file_name=kept_file_name(file_name, sha256)[:255],
                partner=partner[:40],
                loaded_by=loaded_by[:80],
                attempted_at=utcnow(),
                reasons=reasons,
            )
        )


def _current(t: sa.Table, as_of: datetime | None):
    if as_of is None:
        return t.c.superseded_at.is_(None)
    return sa.and_(t.c.valid_from <= as_of, sa.or_(t.c.superseded_at.is_(None), t.c.superseded_at > as_of))


_TEXT_KINDS = ("reference", "code", "multi")
# Joining a column's values into one text in SQLite: between values, and for a blank.
_SEP, _BLANK = "\x1f", "\x1e"
# Written into the SQL, not bound: SQLite reads a bound separator afresh for every row it joins (the
# regional tables took 0.35 s to join with bound marks, 0.20 s with these).
_SEP_SQL, _BLANK_SQL = (sa.literal_column(f"'{mark}'", sa.String) for mark in (_SEP, _BLANK))


def read_return(
    conn: sa.Connection | sa.Engine,
    return_name: str,
    *,
    columns: tuple[str, ...] | list[str] | None = None,
    as_of: datetime | None = None,
    end: date | None = None,
    start: date | None = None,
    partners: list[str] | None = None,
) -> pd.DataFrame:
    """Current rows of one return (as they stood at ``as_of`` when given), dated from ``start`` to ``end``,
    of ``partners``: the ``columns`` asked for (default ``partner`` and every column of the return).

    Text comes as pandas' str (NaN where blank), dates as datetime64[s], yes/no as True/False (an object column
    with None where some are blank), whole numbers as int64 (float64 with NaN where some are blank).
    """
    spec = RETURNS[return_name]
    t = schema.return_tables[return_name]
    names = ["partner", *spec.column_names] if columns is None else list(columns)
    kinds = ["code" if n == "partner" else spec.column(n).kind for n in names]  # KeyError: not this return's
    cols = [t.c[n] for n in names]
    dcol = t.c[spec.date_column]
    where = [_current(t, as_of)]
    if end is not None:
        where.append(dcol <= end)
    if start is not None:
        where.append(dcol >= start)
    if partners:
        where.append(t.c.partner.in_(partners))
    with _connection(conn) as c:
        sqlite = c.dialect.name == "sqlite"
        forms = _joined_columns(c, cols, sa.and_(*where)) if sqlite else None
        if forms is None:
            # The driver's own rows: SQLAlchemy's per-value result processing (on SQLite, a date parsed in
            # Python for every row) cost seconds a read.
            rows = c.execute(sa.select(*cols).where(*where)).cursor.fetchall()
            forms = [
                _distinct_form(np.fromiter(map(operator.itemgetter(i), rows), dtype=object, count=len(rows)))
                for i in range(len(cols))
            ]
    n = len(forms[0][0]) if forms else 0
    return pd.DataFrame(
        {
            name: _column(kind, codes, distinct, sqlite=sqlite)
            for name, kind, (codes, distinct) in zip(names, kinds, forms, strict=True)
        },
        index=pd.RangeIndex(n),
    )


def _distinct_form(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per value, distinct values): code -1 where the value is missing."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, np.asarray(uniques, dtype=object)


def _joined_columns(c: sa.Connection, cols: list[sa.Column], where) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """SQLite only: each of ``cols`` over the rows ``where`` holds, in distinct form, from one text per column.

    The driver builds a Python object for every value it returns (most of a large read); joined by
    SQLite into one text per column and split by Arrow, a column costs a few objects. None when a
    value holds the separator or the blank mark, or the text would be too long: read rows instead.
    """
    parts: list = [sa.func.count()]
    for col in cols:
        # A column that may be blank also counts its values, to tell a blank from a value equal to the mark.
        parts += (
            [sa.func.count(col), sa.func.group_concat(sa.func.ifnull(col, _BLANK_SQL), _SEP_SQL)]
            if col.nullable
            else [sa.func.count(), sa.func.group_concat(col, _SEP_SQL)]
        )
    try:
        row = c.execute(sa.select(*parts).where(where)).one()
    except sa.exc.DBAPIError:  # longer than SQLite allows a text to be
        return None
    n, out = row[0], []
    for i in range(len(cols)):
        present, text = row[1 + 2 * i], row[2 + 2 * i]
        if n == 0:
            out.append((np.empty(0, dtype=np.intp), np.empty(0, dtype=object)))
            continue
        pieces = pc.split_pattern(pa.array([str(text)], type=pa.large_string()), _SEP).flatten()
        if len(pieces) != n:
            return None
        enc = pc.dictionary_encode(pieces)
        codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.intp)
        distinct = np.asarray(enc.dictionary.to_pylist(), dtype=object)
        blank = np.flatnonzero(distinct == _BLANK)
        if len(blank):
            if int((codes == blank[0]).sum()) != n - present:  # a real value equal to the blank mark
                return None
            k = int(blank[0])
            codes = np.where(codes == k, -1, codes - (codes > k))
            distinct = np.delete(distinct, k)
        out.append((codes, distinct))
    return out


def _column(kind: str, codes: np.ndarray, distinct: np.ndarray, *, sqlite: bool) -> pd.Series:
    """One column from its distinct form: each distinct value converted once, then spread back (-1: blank)."""
    if kind in _TEXT_KINDS:
        # Arrow spreads the distinct texts by code: pandas' own text dtype (NaN where blank), ten times
        # quicker than from a Python object per row.
        text = pa.DictionaryArray.from_arrays(
            pa.array(codes, mask=codes < 0), pa.array([str(v) for v in distinct], pa.large_string())
        )
        return pd.Series(pd.array(text.cast(pa.large_string()), dtype="str"))
    if kind == "yesno":
        # SQLite holds 0/1: back to True/False; blank stays None (an object column, as pandas holds it).
        conv = [bool(int(v)) if sqlite else v for v in distinct]
        return pd.Series(np.array([*conv, None], dtype=object)[codes], dtype=object).infer_objects()
    if kind in ("date", "month"):
        table = np.array([*(str(v) if sqlite else v for v in distinct), None], dtype="datetime64[D]")
        return pd.Series(table[codes].astype("datetime64[s]"))
    ints = np.array([int(v) for v in distinct], dtype=np.int64)
    if not (codes < 0).any():
        return pd.Series(ints[codes] if len(codes) else np.empty(0, dtype=np.int64))
    return pd.Series(np.append(ints.astype(float), np.nan)[codes])


def read_coverage(conn: sa.Connection | sa.Engine, *, as_of: datetime | None = None) -> pd.DataFrame:
    """Accepted submissions by (partner, return): period, rows, when loaded."""
    s, sh = schema.submissions, schema.submission_sheets
    q = sa.select(
        s.c.id.label("submission_id"),
        s.c.partner,
        sh.c.return_name,
        s.c.period_start,
        s.c.period_end,
        sh.c.rows,
        s.c.loaded_at,
    ).join(sh, sh.c.submission_id == s.c.id)
    if as_of is not None:
        q = q.where(s.c.loaded_at <= as_of)
    with _connection(conn) as c:
        rows = c.execute(q).all()
    df = pd.DataFrame(
        rows, columns=["submission_id", "partner", "return_name", "period_start", "period_end", "rows", "loaded_at"]
    )
    for col in ("period_start", "period_end", "loaded_at"):
        df[col] = pd.to_datetime(df[col])
    return df


def list_submissions(
    conn: sa.Connection | sa.Engine, *, partner: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The submission history, newest first (no content), and the sheets of each."""
    s = schema.submissions
    q = sa.select(
        s.c.id,
        s.c.partner,
        s.c.file_name,
        s.c.sha256,
        s.c.period_start,
        s.c.period_end,
        s.c.loaded_by,
        s.c.loaded_at,
        s.c.status,
        s.c.size_bytes,
        s.c.warnings,
    ).order_by(s.c.id.desc())
    if partner:
        q = q.where(s.c.partner == partner)
    with _connection(conn) as c:
        subs = pd.DataFrame(
            c.execute(q).mappings().all(),
            columns=[
                "id",
                "partner",
                "file_name",
                "sha256",
                "period_start",
                "period_end",
                "loaded_by",
                "loaded_at",
                "status",
                "size_bytes",
                "warnings",
            ],
        )
        sheets = pd.DataFrame(
            c.execute(sa.select(schema.submission_sheets)).mappings().all(),
            columns=["id", "submission_id", "sheet", "return_name", "rows"],
        )
    return subs, sheets


def list_refusals(conn: sa.Connection | sa.Engine, *, partner: str | None = None) -> pd.DataFrame:
    r = schema.refusals
    q = sa.select(
        r.c.id, r.c.partner, r.c.file_name, r.c.sha256, r.c.loaded_by, r.c.attempted_at, r.c.reasons
    ).order_by(r.c.id.desc())
    if partner:
        q = q.where(r.c.partner == partner)
    with _connection(conn) as c:
        return pd.DataFrame(
            c.execute(q).mappings().all(),
            columns=["id", "partner", "file_name", "sha256", "loaded_by", "attempted_at", "reasons"],
        )


def archived_file(conn: sa.Connection | sa.Engine, submission_id: int) -> bytes | None:
    with _connection(conn) as c:
        return c.execute(
            sa.select(schema.archived_files.c.content).where(schema.archived_files.c.submission_id == submission_id)
        ).scalar()


def data_version(conn: sa.Connection | sa.Engine) -> tuple[int, int]:
    """Changes whenever a file is accepted or refused: a cache key for everything computed from the data."""
    with _connection(conn) as c:
        a = c.execute(sa.select(sa.func.coalesce(sa.func.max(schema.submissions.c.id), 0))).scalar()
        b = c.execute(sa.select(sa.func.coalesce(sa.func.max(schema.refusals.c.id), 0))).scalar()
    return int(a), int(b)


def row_counts(conn: sa.Connection | sa.Engine) -> dict[str, int]:
    """Current rows held per return."""
    out = {}
    with _connection(conn) as c:
        for name, t in schema.return_tables.items():
            out[name] = c.execute(sa.select(sa.func.count()).select_from(t).where(t.c.superseded_at.is_(None))).scalar()
    return out


def audit(
    conn_or_engine: sa.Connection | sa.Engine, *, username: str, role: str | None, action: str, detail: dict
) -> None:
    """Append to the audit log (never personal data values)."""
    row = {"at": utcnow(), "username": username[:80], "role": role, "action": action, "detail": detail}
    if isinstance(conn_or_engine, sa.Engine):
        with conn_or_engine.begin() as c:
            c.execute(_INSERT_AUDIT, row)
    else:
        conn_or_engine.execute(_INSERT_AUDIT, row)


class _connection:
    """Use a given connection as is, or open one from an engine."""

    def __init__(self, conn: sa.Connection | sa.Engine):
        self._given = conn
        self._opened: sa.Connection | None = None

    def __enter__(self) -> sa.Connection:
        if isinstance(self._given, sa.Engine):
            self._opened = self._given.connect()
            return self._opened
        return self._given

    def __exit__(self, *exc) -> None:
        if self._opened is not None:
            self._opened.close()


def read_audit(
    conn: sa.Connection | sa.Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Audit log entries, newest first, filtered by time (naive UTC, inclusive), user and action; the latest
    ``limit`` of them where given."""
    a = schema.audit_log
    q = sa.select(a.c.id, a.c.at, a.c.username, a.c.role, a.c.action, a.c.detail).order_by(a.c.id.desc())
    if since is not None:
        q = q.where(a.c.at >= since)
    if until is not None:
        q = q.where(a.c.at <= until)
    if username:
        q = q.where(a.c.username == username)
    if action:
        q = q.where(a.c.action == action)
    if limit is not None:
        q = q.limit(limit)
    with _connection(conn) as c:
        df = pd.DataFrame(c.execute(q).mappings().all(), columns=["id", "at", "username", "role", "action", "detail"])
    df["at"] = pd.to_datetime(df["at"])
    return df


def read_targets(conn: sa.Connection | sa.Engine) -> pd.DataFrame:
    """Targets set in the database (overriding configuration): financial_year, indicator_id, value."""
    t = schema.targets
    with _connection(conn) as c:
        rows = c.execute(sa.select(t.c.financial_year, t.c.indicator_id, t.c.value, t.c.set_by, t.c.set_at)).all()
    return pd.DataFrame(rows, columns=["financial_year", "indicator_id", "value", "set_by", "set_at"])


def write_target(
    engine: sa.Engine, *, financial_year: int, indicator_id: str, value: float | None, set_by: str
) -> None:
    """Set (or, with ``value`` None, remove) the database target of one indicator for one financial year."""
    t = schema.targets
    with write_transaction(engine) as conn:
        conn.execute(t.delete().where(t.c.financial_year == financial_year, t.c.indicator_id == indicator_id))
        if value is not None:
            conn.execute(
                t.insert().values(
                    financial_year=financial_year,
                    indicator_id=indicator_id,
                    value=float(value),
                    set_by=set_by[:80],
                    set_at=utcnow(),
                )
            )


def read_published(conn: sa.Connection | sa.Engine, *, financial_year: int) -> dict[str, tuple[bool, float | None]]:
    """What public outputs have shown of a financial year: key -> (hidden, value shown)."""
    t = schema.published_figures
    with _connection(conn) as c:
        rows = c.execute(sa.select(t.c.key, t.c.hidden, t.c.value).where(t.c.financial_year == financial_year)).all()
    return {k: (bool(h), None if v is None else float(v)) for k, h, v in rows}


def record_published(engine: sa.Engine, *, financial_year: int, figures: dict[str, tuple[bool, float | None]]) -> None:
    """Record figures of a financial year as published: key -> (hidden, value shown). A figure once recorded
    hidden stays hidden, whatever a later (or concurrent) call records."""
    if not figures:
        return
    t = schema.published_figures
    now = utcnow()
    rows = [
        {
            "financial_year": financial_year,
            "key": k[:120],
            "hidden": bool(h),
            "value": None if h else v,
            "recorded_at": now,
        }
        for k, (h, v) in figures.items()
    ]
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(t)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.financial_year, t.c.key],
            set_={
                "hidden": t.c.hidden | stmt.excluded.hidden,
                "value": sa.case((t.c.hidden | stmt.excluded.hidden, None), else_=stmt.excluded.value),
                "recorded_at": stmt.excluded.recorded_at,
            },
        )
        conn.execute(stmt, rows)
