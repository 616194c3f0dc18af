"""Reading and writing submissions and return rows. The only SQL in the product lives here."""

from __future__ import annotations

import functools
import itertools
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

# Stored times are naive UTC; both come from the product's one clock (core.clock).
utcnow = clock.utcnow
end_of_day = clock.end_of_day


@dataclass
class StoreResult:
    status: str  # "accepted" | "duplicate"
    submission_id: int
    loaded_at: datetime
    replaced: dict[str, int] = field(default_factory=dict)


def _whole(v) -> int:
    # int() would silently truncate 2.5; a count is whole or the caller has a bug.
    if isinstance(v, float | np.floating) and not float(v).is_integer():
        raise ValueError(f"count or scale value {v!r} is not a whole number")
    return int(v)


# Per kind, how one distinct value becomes the Python value the old row-by-row insert bound.
_CANONICAL = {"date": pd.Timestamp.date, "month": pd.Timestamp.date, "count": _whole, "scale": _whole,
              "yesno": None}


def _column_values(kind: str, s: pd.Series, process) -> list:
    """One column as a list of Python values, None where missing, as SQLAlchemy would bind them."""
    if kind not in _CANONICAL:  # text: nothing to convert
        if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
            # Arrow's own conversion (None where missing): up to five times quicker than pandas' (with blanks).
            return pa.array(s.array).to_numpy(zero_copy_only=False).tolist()
        return s.to_numpy(dtype=object, na_value=None).tolist()
    if kind in ("date", "month") and s.dtype.kind == "M":
        # Each distinct day once; numpy makes the date objects itself (NaT becomes None, which stays None).
        days, codes = np.unique(s.to_numpy().astype("datetime64[D]"), return_inverse=True)
        vals = days.astype(object).tolist()
        if process is not None:
            vals = [None if v is None else process(v) for v in vals]
        return np.array(vals, dtype=object)[codes].tolist()
    if kind in ("date", "month"):
        s = pd.to_datetime(s)
    # Convert each distinct value once (a column holds few), then spread back by code; -1 (missing) picks None.
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    conv = _CANONICAL[kind]
    vals = [conv(u) for u in uniques] if conv else list(uniques)
    if process is not None:
        vals = [process(v) for v in vals]
    table = np.fromiter([*vals, None], dtype=object, count=len(vals) + 1)
    return table[codes].tolist()


# Most specific first: SmallInteger and BigInteger are Integers.
_PG_COPY_TYPES = ((sa.SmallInteger, "int2"), (sa.BigInteger, "int8"), (sa.Integer, "int4"), (sa.String, "varchar"),
                  (sa.DateTime, "timestamp"), (sa.Date, "date"), (sa.Boolean, "bool"))


_PG_INT_LIMIT = {"int2": 2**15, "int4": 2**31, "int8": 2**63}


def _pg_copy_type(col_type: sa.types.TypeEngine) -> str:
    for sa_type, pg_name in _PG_COPY_TYPES:
        if isinstance(col_type, sa_type):
            return pg_name
    raise TypeError(f"no binary COPY type for {col_type!r}")


def _check_for_binary_copy(name: str, pg_type: str, values: list, sql: str, errors) -> None:
    """Refuse what binary COPY would get wrong: psycopg wraps integers that overflow the column silently."""
    if pg_type in _PG_INT_LIMIT:
        present = [v for v in values if v is not None]
        limit = _PG_INT_LIMIT[pg_type]
        if present and (min(present) < -limit or max(present) >= limit):
            # The error an INSERT would have raised ("integer out of range"), as SQLAlchemy raises it.
            raise sa.exc.DataError(sql, None, errors.NumericValueOutOfRange(f"{name}: value out of range for {pg_type}"))
    elif pg_type == "varchar" and pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        raise TypeError(f"{name}: a text column holds values that are not text")


def _bulk_insert(conn: sa.Connection, t: sa.Table, return_name: str, frame: pd.DataFrame,
                 fixed: dict[str, object]) -> None:
    """Insert a sheet's rows column-wise in one statement (COPY on PostgreSQL), in ``conn``'s transaction.

    Building SQLAlchemy parameter dicts row by row took seconds for large returns.
    """
    dialect = conn.dialect
    copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
    raw = copy or dialect.name == "sqlite"

    def process(name: str):
        # The raw paths skip SQLAlchemy's type processing, so apply it here (SQLite: ISO date strings, 0/1).
        return t.c[name].type.dialect_impl(dialect).bind_processor(dialect) if raw else None

    n = len(frame)
    names, cols = [], []
    for name, value in fixed.items():
        p = process(name)
        names.append(name)
        cols.append(itertools.repeat(p(value) if p else value, n))
    for c in RETURNS[return_name].columns:
        names.append(c.name)
        cols.append(_column_values(c.kind, frame[c.name], process(c.name)) if c.name in frame
                    else itertools.repeat(None, n))
    rows = zip(*cols, strict=True)
    if not raw:
        conn.execute(t.insert(), [dict(zip(names, r, strict=True)) for r in rows])
        return
    q = dialect.identifier_preparer
    table, col_list = q.format_table(t), ", ".join(q.quote(x) for x in names)
    if copy:
        # Binary COPY: psycopg formats typed rows in C, several times faster than text.
        types = [_pg_copy_type(t.c[x].type) for x in names]
        sql = f"COPY {table} ({col_list}) FROM STDIN (FORMAT BINARY)"
        for name, pg_type, values in zip(names, types, cols, strict=True):
            if isinstance(values, list):  # not a repeated constant or a column the sheet lacks
                _check_for_binary_copy(name, pg_type, values, sql, dialect.loaded_dbapi.errors)
        dbapi_error = dialect.loaded_dbapi.Error
        try:
            with conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as cp:
                cp.set_types(types)
                for r in rows:
                    cp.write_row(r)
        except dbapi_error as exc:
            # Raise what SQLAlchemy raises for the same failure (IntegrityError, DataError, ...).
            raise sa.exc.DBAPIError.instance(sql, None, exc, dbapi_error, hide_parameters=True,
                                             dialect=dialect) from exc
    else:
        conn.exec_driver_sql(f"INSERT INTO {table} ({col_list}) VALUES ({', '.join('?' * len(names))})",
                             list(rows))


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
    return (t.update()
            .where(t.c.partner == sa.bindparam("b_partner"), t.c.superseded_at.is_(None),
                   dcol >= sa.bindparam("b_start"), dcol <= sa.bindparam("b_end"))
            .values(superseded_at=sa.bindparam("b_now"), superseded_by=sa.bindparam("b_submission")))


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
        sub_id = conn.execute(_INSERT_SUBMISSION, {
            "sha256": sha256, "file_name": kept_file_name(file_name, sha256)[:255], "partner": partner,
            "period_start": period.start,
            "period_end": period.end, "loaded_by": loaded_by, "loaded_at": now, "status": "accepted",
            "size_bytes": len(content), "warnings": list(warnings),
        }).inserted_primary_key[0]
        conn.execute(_INSERT_ARCHIVED, {"submission_id": sub_id, "content": content})
        replaced: dict[str, int] = {}
        for sh in sheets:
            conn.execute(_INSERT_SHEET, {"submission_id": sub_id, "sheet": sh.sheet[:255],
                                         "return_name": sh.return_name, "rows": len(sh.frame)})
        for return_name in dict.fromkeys(sh.return_name for sh in sheets):
            t = schema.return_tables[return_name]
            res = conn.execute(_supersede(return_name), {"b_partner": partner, "b_start": period.start,
                                                         "b_end": period.end, "b_now": now, "b_submission": sub_id})
            replaced[return_name] = res.rowcount or 0
            for sh in sheets:
                if sh.return_name != return_name or sh.frame.empty:
                    continue
                _bulk_insert(conn, t, return_name, sh.frame,
                             {"submission_id": sub_id, "partner": partner, "valid_from": now})
        result = StoreResult("accepted", sub_id, now, replaced)
        if then is not None:
            then(conn, result)
        return result


def log_refusal(engine: sa.Engine, *, sha256: str, file_name: str, partner: str, loaded_by: str,
                reasons: list[dict]) -> None:
    """Record that a file was refused: hash, name, partner, time and reasons only."""
    with engine.begin() as conn:
        conn.execute(schema.refusals.insert().values(
            sha256=sha256, file_name=kept_file_name(file_name, sha256)[:255], partner=partner[:40], loaded_by=loaded_by[:80],
            attempted_at=utcnow(), reasons=reasons))


def _current(t: sa.Table, as_of: datetime | None):
    if as_of is None:
        return t.c.superseded_at.is_(None)
    return sa.and_(t.c.valid_from <= as_of, sa.or_(t.c.superseded_at.is_(None), t.c.superseded_at > as_of))


def read_return(
    conn: sa.Connection | sa.Engine,
    return_name: str,
    *,
    as_of: datetime | None = None,
    end: date | None = None,
    start: date | None = None,
    partners: list[str] | None = None,
    driver_rows: bool = True,
) -> pd.DataFrame:
    """Current rows of one return (as they stood at ``as_of`` when given), with ``partner``.

    ``driver_rows=False`` takes SQLAlchemy's processed rows instead of the driver's (slower; for
    tests that check the two give the same frame).
    """
    spec = RETURNS[return_name]
    t = schema.return_tables[return_name]
    dcol = t.c[spec.date_column]
    q = sa.select(t.c.partner, *[t.c[c] for c in spec.column_names]).where(_current(t, as_of))
    if end is not None:
        q = q.where(dcol <= end)
    if start is not None:
        q = q.where(dcol >= start)
    if partners:
        q = q.where(t.c.partner.in_(partners))
    names = ["partner", *spec.column_names]
    with _connection(conn) as c:
        sqlite = c.dialect.name == "sqlite"
        result = c.execute(q)
        if driver_rows and (sqlite or c.dialect.name == "postgresql"):
            # The driver's own rows, converted a whole column at a time below: SQLAlchemy's per-value
            # result processing (on SQLite, a date parsed in Python for every row) cost seconds a read.
            rows = result.cursor.fetchall() if result.cursor is not None else []
        else:
            sqlite = False
            rows = [tuple(r) for r in result.all()]  # plain tuples: pandas probes Row objects slowly
    df = pd.DataFrame(rows, columns=names)
    for col in spec.columns:
        s = df[col.name]
        if col.kind in ("date", "month"):
            # SQLite holds ISO text; date objects elsewhere. Same dtype as pandas gives dates.
            df[col.name] = (pd.to_datetime(s, format="%Y-%m-%d").astype("datetime64[s]") if sqlite and len(s)
                            else pd.to_datetime(s))
        elif col.kind == "yesno" and sqlite and len(s):
            # SQLite holds 0/1: back to True/False, blank stays None (object column, as SQLAlchemy gives).
            pick = np.nan_to_num(s.to_numpy(dtype=float, na_value=np.nan), nan=-1).astype(np.int64) + 1
            df[col.name] = pd.Series(_YESNO[pick], index=df.index).infer_objects()
    return df


_YESNO = np.array([None, False, True], dtype=object)
_EPOCH = np.datetime64("1970-01-01", "D")
_TEXT_KINDS = ("reference", "code", "multi")
# Joining a column's values into one text in SQLite: between values, and for a blank.
_SEP, _BLANK = "\x1f", "\x1e"
# Written into the SQL, not bound: SQLite reads a bound separator afresh for every row it joins (the
# regional tables took 0.35 s to join with bound marks, 0.20 s with these).
_SEP_SQL, _BLANK_SQL = (sa.literal_column(f"'{mark}'", sa.String) for mark in (_SEP, _BLANK))


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
        parts += [sa.func.count(col), sa.func.group_concat(sa.func.ifnull(col, _BLANK_SQL), _SEP_SQL)] if col.nullable \
            else [sa.func.count(), sa.func.group_concat(col, _SEP_SQL)]
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
    """One column from its distinct form: each distinct value converted once, then spread back."""
    missing = bool((codes < 0).any())
    if kind in _TEXT_KINDS:
        # Each distinct text once, with a small integer per row: comparing, taking and matching those is
        # several times cheaper than doing it to strings, and figures compare these columns often.
        return pd.Series(pd.Categorical.from_codes(codes, [str(v) for v in distinct]))
    if kind == "yesno":
        # SQLite holds 0/1: back to True/False; blank stays None (an object column, as read_return gives).
        conv = [bool(int(v)) if sqlite else v for v in distinct]
        return pd.Series(np.array([*conv, None], dtype=object)[codes], dtype=object).infer_objects()
    if kind in ("date", "month"):
        table = np.array([*(str(v) if sqlite else v for v in distinct), None], dtype="datetime64[D]")
        return pd.Series(table[codes].astype("datetime64[s]"))
    ints = np.array([int(v) for v in distinct], dtype=np.int64)
    if not missing:
        return pd.Series(ints[codes] if len(codes) else np.empty(0, dtype=np.int64))
    return pd.Series(np.append(ints.astype(float), np.nan)[codes])


def read_return_compact(
    conn: sa.Connection | sa.Engine,
    return_name: str,
    *,
    columns: tuple[str, ...] | list[str],
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """Current rows of one return (as they stood at ``as_of`` when given), in the compact form figures use.

    Only ``columns`` (no partner), plus ``d``: the return's date as whole days since 1970-01-01. Text
    (references, codes and lists of codes) comes as categoricals whose categories are in order of first
    appearance, yes/no as ``read_return`` gives it, numbers as int64 (float64 when some are blank). The rows
    are ``read_return``'s.
    """
    spec = RETURNS[return_name]
    t = schema.return_tables[return_name]
    kinds = [spec.column(c).kind for c in columns]  # KeyError for a column the return does not have
    cols = [t.c[spec.date_column], *[t.c[c] for c in columns]]
    q = sa.select(*cols).where(_current(t, as_of))
    with _connection(conn) as c:
        sqlite = c.dialect.name == "sqlite"
        forms = _joined_columns(c, cols, _current(t, as_of)) if sqlite else None
        if forms is None:
            result = c.execute(q)
            if sqlite or c.dialect.name == "postgresql":
                # The driver's own rows, as in read_return: SQLAlchemy's per-value processing costs seconds.
                rows = result.cursor.fetchall() if result.cursor is not None else []
            else:
                rows = [tuple(r) for r in result.all()]
            forms = [_distinct_form(np.fromiter(map(operator.itemgetter(i), rows), dtype=object, count=len(rows)))
                     for i in range(len(columns) + 1)]
    n = len(forms[0][0])
    df = pd.DataFrame({name: _column(kind, codes, distinct, sqlite=sqlite)
                       for name, kind, (codes, distinct) in zip(columns, kinds, forms[1:], strict=True)},
                      index=pd.RangeIndex(n))
    # The date: each distinct one converted once (SQLite holds ISO text, other drivers date objects).
    codes, distinct = forms[0]
    days = np.array([str(v) if sqlite else v for v in distinct], dtype="datetime64[D]")
    df["d"] = (days - _EPOCH).astype(np.int64)[codes] if n else np.empty(0, dtype=np.int64)
    return df


def read_coverage(conn: sa.Connection | sa.Engine, *, as_of: datetime | None = None) -> pd.DataFrame:
    """Accepted submissions by (partner, return): period, rows, when loaded."""
    s, sh = schema.submissions, schema.submission_sheets
    q = sa.select(
        s.c.id.label("submission_id"), s.c.partner, sh.c.return_name, s.c.period_start, s.c.period_end,
        sh.c.rows, s.c.loaded_at,
    ).join(sh, sh.c.submission_id == s.c.id)
    if as_of is not None:
        q = q.where(s.c.loaded_at <= as_of)
    with _connection(conn) as c:
        rows = c.execute(q).all()
    df = pd.DataFrame(rows, columns=["submission_id", "partner", "return_name", "period_start", "period_end",
                                     "rows", "loaded_at"])
    for col in ("period_start", "period_end", "loaded_at"):
        df[col] = pd.to_datetime(df[col])
    return df


def list_submissions(conn: sa.Connection | sa.Engine, *, partner: str | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The submission history, newest first (no content), and the sheets of each."""
    s = schema.submissions
    q = sa.select(s.c.id, s.c.partner, s.c.file_name, s.c.sha256, s.c.period_start, s.c.period_end,
                  s.c.loaded_by, s.c.loaded_at, s.c.status, s.c.size_bytes, s.c.warnings).order_by(s.c.id.desc())
    if partner:
        q = q.where(s.c.partner == partner)
    with _connection(conn) as c:
        subs = pd.DataFrame(c.execute(q).mappings().all(), columns=[
            "id", "partner", "file_name", "sha256", "period_start", "period_end", "loaded_by", "loaded_at",
            "status", "size_bytes", "warnings"])
        sheets = pd.DataFrame(c.execute(sa.select(schema.submission_sheets)).mappings().all(),
                              columns=["id", "submission_id", "sheet", "return_name", "rows"])
    return subs, sheets


def list_refusals(conn: sa.Connection | sa.Engine, *, partner: str | None = None) -> pd.DataFrame:
    r = schema.refusals
    q = sa.select(r.c.id, r.c.partner, r.c.file_name, r.c.sha256, r.c.loaded_by, r.c.attempted_at,
                  r.c.reasons).order_by(r.c.id.desc())
    if partner:
        q = q.where(r.c.partner == partner)
    with _connection(conn) as c:
        return pd.DataFrame(c.execute(q).mappings().all(),
                            columns=["id", "partner", "file_name", "sha256", "loaded_by", "attempted_at", "reasons"])


def archived_file(conn: sa.Connection | sa.Engine, submission_id: int) -> bytes | None:
    with _connection(conn) as c:
        return c.execute(sa.select(schema.archived_files.c.content)
                         .where(schema.archived_files.c.submission_id == submission_id)).scalar()


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


def audit(conn_or_engine: sa.Connection | sa.Engine, *, username: str, role: str | None, action: str,
          detail: dict) -> None:
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


def write_target(engine: sa.Engine, *, financial_year: int, indicator_id: str, value: float | None,
                 set_by: str) -> None:
    """Set (or, with ``value`` None, remove) the database target of one indicator for one financial year."""
    t = schema.targets
    with write_transaction(engine) as conn:
        conn.execute(t.delete().where(t.c.financial_year == financial_year, t.c.indicator_id == indicator_id))
        if value is not None:
            conn.execute(t.insert().values(financial_year=financial_year, indicator_id=indicator_id,
                                           value=float(value), set_by=set_by[:80], set_at=utcnow()))


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
    rows = [{"financial_year": financial_year, "key": k[:120], "hidden": bool(h), "value": None if h else v,
             "recorded_at": now} for k, (h, v) in figures.items()]
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(t)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.financial_year, t.c.key],
            set_={"hidden": t.c.hidden | stmt.excluded.hidden,
                  "value": sa.case((t.c.hidden | stmt.excluded.hidden, None), else_=stmt.excluded.value),
                  "recorded_at": stmt.excluded.recorded_at})
        conn.execute(stmt, rows)
