"""Raw indicator values for many periods at once, from one read of each return.

Every indicator is computed for a whole list of periods in one vectorised
pass: rows are "exploded" onto the periods (or look-back windows) whose dates
hold them, then grouped by period. Nothing here applies disclosure control,
completeness or targets; ``metrics.api`` does that on top.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.periods import Period
from core.returns import DIRECT_CONTACT
from metrics.catalogue import Breakdown, computes, entry
from storage.repository import data_version, read_return_compact

STATUS_WINDOW_DAYS = 91  # a status row older than end - 91 days is stale
LOOKBACK_DAYS = 364  # "last 12 months" = end - 364 .. end
NOT_RECORDED = "not_recorded"
_EPOCH = np.datetime64("1970-01-01", "D")


def day_number(d: date | datetime | pd.Timestamp) -> int:
    """Days since 1970-01-01: the integer form every period bound takes here."""
    return int((np.datetime64(pd.Timestamp(d).date(), "D") - _EPOCH).astype(np.int64))


# How far before the first period start each return is needed (None: the whole history, for first-ever
# judgements and "previous review" look-backs).
HISTORY_DAYS: dict[str, int | None] = {
    "attendance": None, "outreach": None, "keywork_review": None, "treatment": None,
    "health_contacts": LOOKBACK_DAYS, "safeguarding": 0, "police_monthly": 0, "training": 0,
    "supplies": 0, "feedback": 0,
}


# The columns each return's figures use (every other column is left in the database).
COLUMNS: dict[str, tuple[str, ...]] = {
    "attendance": ("person_id", "services_used"),
    "outreach": ("person_id",),
    "keywork_review": ("person_id", "accommodation", "has_children", "child_contact", "working_status"),
    "treatment": ("person_id", "in_treatment", "rehab_stage"),
    "health_contacts": ("person_id", "service", "activity", "reason", "referral_to"),
    "safeguarding": ("person_id", "risk_level", "care_plan_in_place"),
    "police_monthly": ("violence_reports", "arrests_soliciting", "support_referrals"),
    "training": ("agency", "staff_trained"),
    "supplies": ("item", "quantity"),
    "feedback": ("feel_heard",),
}


class Numbering:
    """Numbers for women's references, one per distinct reference: shared by every table one request reads."""

    def __init__(self) -> None:
        self._known: dict[str, float] = {}

    def of(self, refs: np.ndarray | pd.Series) -> np.ndarray:
        """Each reference's number (NaN where blank); new references get the next numbers, in the order they
        first appear (a categorical's categories are taken as that order)."""
        if isinstance(refs, pd.Series) and isinstance(refs.dtype, pd.CategoricalDtype):
            codes, uniques = refs.cat.codes.to_numpy(), refs.cat.categories
        else:
            codes, uniques = pd.factorize(refs, use_na_sentinel=True)
        known = self._known
        numbers = np.array([known.setdefault(r, float(len(known))) for r in uniques] + [np.nan])
        return numbers[codes]


class _Shared:
    """Whole current tables, kept per engine and data version so that every request reuses one read.

    A page asks for the period's figures, the comparisons and what needs attention: three
    evaluations over the same returns. Keyed by ``data_version`` (which changes with every file
    accepted or refused), so a cached table is never older than the data. Frames here are never
    changed in place: ``Tables`` hands out slices.

    Each table holds ``COLUMNS`` and ``d`` (day number), sorted by day (stable, so rows of one day keep
    the database's order: every figure that depends on order sorts by day first). ``person_id`` is a
    number from the engine's ``Numbering`` (NaN where blank): grouping and joining numbers is several
    times cheaper than text, and the figures only ever count women. Tables are kept per numbering, so
    that a request never mixes two (``clear`` starts a new one).
    """

    def __init__(self, max_tables: int = 24) -> None:
        self._lock = threading.Lock()
        self._by_engine: weakref.WeakKeyDictionary[sa.Engine, OrderedDict] = weakref.WeakKeyDictionary()
        self._numbering: weakref.WeakKeyDictionary[sa.Engine, Numbering] = weakref.WeakKeyDictionary()
        # Reads started ahead (``start``) and not yet taken, by (version, as_of, name): raw, not numbered.
        self._reading: weakref.WeakKeyDictionary[sa.Engine, dict[tuple, Future]] = weakref.WeakKeyDictionary()
        self._max = max_tables

    def numbering(self, engine: sa.Engine) -> Numbering:
        """The numbering new requests on ``engine`` use."""
        with self._lock:
            return self._numbering.setdefault(engine, Numbering())

    def table(self, engine: sa.Engine, name: str, *, as_of: datetime | None, version: tuple[int, int],
              numbering: Numbering | None = None) -> pd.DataFrame:
        return self.tables(engine, [name], as_of=as_of, version=version, numbering=numbering)[name]

    def start(self, engine: sa.Engine, names: list[str], *, as_of: datetime | None, version: tuple[int, int],
              numbering: Numbering | None = None) -> None:
        """Have the tables ``names`` not held yet read in the background (``READERS`` at once, in the order
        given), so that a request computes its first figures while the later tables are still being read.

        Nothing is started for an in-memory SQLite database, which is one connection's alone: its tables are
        read when asked for.
        """
        if not isinstance(engine.pool, sa.pool.QueuePool):
            return
        numbering = numbering or self.numbering(engine)
        with self._lock:
            held = self._by_engine.setdefault(engine, OrderedDict())
            reading = self._reading.setdefault(engine, {})
            for old in [k for k in reading if k[0] != version]:  # older data is never asked for again
                reading.pop(old).cancel()
            for name in dict.fromkeys(names):
                if (version, as_of, name, numbering) not in held and (version, as_of, name) not in reading:
                    reading[(version, as_of, name)] = _readers().submit(_read, engine, name, as_of)

    def tables(self, engine: sa.Engine, names: list[str], *, as_of: datetime | None, version: tuple[int, int],
               numbering: Numbering | None = None) -> dict[str, pd.DataFrame]:
        """Several tables. Those not held yet are read side by side (``start``), then numbered and sorted one
        at a time in the order given, so that a woman's number never depends on which read finished first."""
        numbering = numbering or self.numbering(engine)
        self.start(engine, names, as_of=as_of, version=version, numbering=numbering)
        out: dict[str, pd.DataFrame] = {}
        for name in dict.fromkeys(names):
            key = (version, as_of, name, numbering)
            with self._lock:
                held = self._by_engine.setdefault(engine, OrderedDict())
                if key in held:
                    held.move_to_end(key)
                    out[name] = held[key]
                    continue
                started = self._reading.get(engine, {}).pop(key[:3], None)
            # A read still waiting for a reader is done here rather than waited for.
            df = started.result() if started is not None and not started.cancel() else _read(engine, name, as_of)
            if "person_id" in df:
                with self._lock:
                    df["person_id"] = numbering.of(df["person_id"])
            order = _day_order(df["d"].to_numpy())
            if order is not None:  # rows mostly arrive in day order already
                df = df.take(order).reset_index(drop=True)
            with self._lock:
                for old in [k for k in held if k[0] != version]:  # older data is never asked for again
                    del held[old]
                held[key] = df
                while len(held) > self._max:
                    held.popitem(last=False)
            out[name] = df
        return out

    def clear(self) -> None:
        with self._lock:
            self._by_engine.clear()
            self._numbering.clear()
            for reading in self._reading.values():
                for started in reading.values():
                    started.cancel()
            self._reading.clear()


SHARED = _Shared()

# Tables read at once, in the background: one core is left for the request's own computing. Most of a read is
# SQLite's (or the PostgreSQL server's) and Arrow's work, done without the GIL, so a request computes the
# figures of the tables read first while the others are still being read. On two cores, two readers beside
# the request made the first tables (which every request waits for) slower to come: 3% slower overall.
READERS = max(1, min(4, (os.cpu_count() or 2) - 1))
_READERS: list[ThreadPoolExecutor] = []
_READERS_LOCK = threading.Lock()


def _readers() -> ThreadPoolExecutor:
    """The threads that read tables ahead, shared by every request (started on first use)."""
    with _READERS_LOCK:
        if not _READERS:
            _READERS.append(ThreadPoolExecutor(READERS, thread_name_prefix="read-table"))
        return _READERS[0]


def _read(engine: sa.Engine, name: str, as_of: datetime | None) -> pd.DataFrame:
    return read_return_compact(engine, name, columns=COLUMNS[name], as_of=as_of)


class Tables:
    """Each return at most once per request, as it stood at ``as_of``; rows from ``start`` (less the
    return's look-back in ``HISTORY_DAYS``) to ``end``, sliced from the whole table in ``SHARED``.
    """

    def __init__(self, *, engine: sa.Engine, as_of: datetime | None, end: date | None,
                 start: date | None = None) -> None:
        self._engine = engine
        self._as_of = as_of
        self._end = end
        self._start = start
        self._version: tuple[int, int] | None = None
        self._numbering: Numbering | None = None
        self._cache: dict[str, pd.DataFrame] = {}
        self.reads: list[str] = []  # for tests: which tables were read, in order

    def prefetch(self, names: list[str]) -> None:
        """Have the shared tables ``names`` read in the background, in this order, before they are asked for."""
        self._begin()
        SHARED.start(self._engine, [n for n in names if n not in self._cache], as_of=self._as_of,
                      version=self._version, numbering=self._numbering)

    def _begin(self) -> None:
        if self._version is None:
            self._version = data_version(self._engine)
            self._numbering = SHARED.numbering(self._engine)

    def get(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._begin()
            df = SHARED.table(self._engine, name, as_of=self._as_of, version=self._version,
                              numbering=self._numbering)
            back = HISTORY_DAYS.get(name)
            since = None if self._start is None or back is None else self._start - timedelta(days=back)
            # The shared table is sorted by day: the rows wanted are one slice (no copy).
            days = df["d"].to_numpy()
            a = 0 if since is None else int(np.searchsorted(days, day_number(since), "left"))
            b = len(df) if self._end is None else int(np.searchsorted(days, day_number(self._end), "right"))
            self._cache[name] = df.iloc[a:max(a, b)].reset_index(drop=True)
            self.reads.append(name)
        return self._cache[name]


def _day_order(days: np.ndarray) -> np.ndarray | None:
    """The stable order that sorts ``days``; None when they are sorted already."""
    return None if bool((days[1:] >= days[:-1]).all()) else np.argsort(days, kind="stable")


def _windows(days: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``explode``'s rows: the position of each output row in the input, and its window."""
    # Shared tables come sorted by day already: then the stable order is the rows as they are.
    order = _day_order(days)
    if order is None:
        order = np.arange(len(days))
    sorted_days = days[order]
    a = np.searchsorted(sorted_days, lo, "left")
    b = np.searchsorted(sorted_days, hi, "right")
    counts = np.maximum(b - a, 0)
    pidx = np.repeat(np.arange(len(lo)), counts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = np.arange(int(counts.sum())) + np.repeat(a - starts, counts)
    return order[pos], pidx


def explode(df: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, *, day: str = "d") -> pd.DataFrame:
    """``df``'s rows repeated once for each window [lo[p], hi[p]] that holds their day, with column ``p``.

    Works by sorting once and slicing with ``searchsorted``: cost grows with the output, not rows x periods.
    """
    if df.empty or len(lo) == 0:
        return df.iloc[0:0].assign(p=pd.Series(dtype=np.int64))
    rows, p = _windows(df[day].to_numpy(np.int64), lo, hi)
    out = df.iloc[rows].reset_index(drop=True)
    out["p"] = p
    return out


def explode_distinct(df: pd.DataFrame, lo: np.ndarray, hi: np.ndarray, cols: list[str], *,
                     keep: str = "first") -> pd.DataFrame:
    """The rows of ``explode`` distinct in (p, ``cols``), the first or last of each (as ``drop_duplicates``),
    without building the rows that are dropped."""
    if df.empty or len(lo) == 0:
        return explode(df, lo, hi)
    rows, p = _windows(df["d"].to_numpy(np.int64), lo, hi)
    key = _key_of([p, *(df[c].to_numpy()[rows] for c in cols)])
    if key is None:  # text references (a plain read): the frame way
        return explode(df, lo, hi).drop_duplicates(["p", *cols], keep=keep)
    kept = ~pd.Series(key).duplicated(keep=keep).to_numpy()
    out = df.iloc[rows[kept]].reset_index(drop=True)
    out["p"] = p[kept]
    return out


def _per_period(values: pd.Series, n: int) -> np.ndarray:
    return values.reindex(range(n), fill_value=0).to_numpy(float)


# (period, woman) pairs as one int64: the period times this, plus the woman's number.
_PAIR = np.int64(1) << 32


def _pairs(df: pd.DataFrame) -> np.ndarray:
    """Each row's (p, person_id) as one number. A blank reference counts as one more woman in its period, as
    ``drop_duplicates`` has it."""
    person = df["person_id"].to_numpy(np.float64)
    who = np.where(np.isnan(person), _PAIR - 1, person).astype(np.int64)
    return df["p"].to_numpy(np.int64) * _PAIR + who


def _women_of(pairs: np.ndarray, n: int) -> np.ndarray:
    """Distinct women per period, from ``_pairs``."""
    return np.bincount(pd.unique(pairs) // _PAIR, minlength=n).astype(float)  # hashed: no sort


def _numbered(df: pd.DataFrame) -> bool:
    """Whether women are numbers here (the shared tables' form; a frame read plainly holds references)."""
    return df["person_id"].dtype.kind == "f"


def _women(df: pd.DataFrame, n: int) -> np.ndarray:
    """Distinct women per period."""
    if df.empty:
        return np.zeros(n)
    if not _numbered(df):
        return _per_period(df.drop_duplicates(["p", "person_id"]).groupby("p").size(), n)
    # Numbers, not drop_duplicates and groupby on a frame: at regional scale a page asks this hundreds of times.
    return _women_of(_pairs(df), n)


def _key_of(columns: list[np.ndarray]) -> np.ndarray | None:
    """Each row's whole numbers in ``columns`` (NaN allowed) as one int64, equal only where all are equal;
    None when a column holds anything else (text references) or the numbers would not fit."""
    key, span = np.zeros(len(columns[0]), dtype=np.int64), 1
    for v in columns:
        if v.dtype.kind not in "iuf" or not len(v):
            return None
        blank = np.isnan(v) if v.dtype.kind == "f" else None
        lo, hi = (np.nanmin(v), np.nanmax(v)) if blank is None or not blank.all() else (0, 0)
        radix = int(hi) - int(lo) + 2  # the last digit stands for a blank
        span *= radix
        if span >= 1 << 62:
            return None
        digit = (v - lo) if blank is None else np.where(blank, radix - 1, v - lo)
        key = key * radix + digit.astype(np.int64)
    return key


def _distinct(df: pd.DataFrame, cols: list[str], *, keep: str = "first") -> pd.DataFrame:
    """``df.drop_duplicates(cols, keep=keep)``: over numbers, one hashed pass of one key instead of a hash of
    every column (a page asks this of the largest tables)."""
    key = _key_of([df[c].to_numpy() for c in cols])
    if key is None:
        return df.drop_duplicates(cols, keep=keep)
    return df[~pd.Series(key).duplicated(keep=keep).to_numpy()]


def _rows(df: pd.DataFrame, n: int, where: pd.Series | np.ndarray | None = None) -> np.ndarray:
    """Rows per period (of those ``where`` holds)."""
    p = df["p"].to_numpy(np.int64)
    return np.bincount(p if where is None else p[np.asarray(where, dtype=bool)], minlength=n).astype(float)


def _sum(df: pd.DataFrame, col: str, n: int) -> np.ndarray:
    return _per_period(pd.to_numeric(df[col]).groupby(df["p"]).sum(), n) if len(df) else np.zeros(n)


def _yes(s: pd.Series) -> pd.Series:
    """True only where a yes/no answer is yes; blank (unknown) is not yes."""
    return s.isin([True])


def _has_code(s: pd.Series, codes: tuple[str, ...]) -> pd.Series:
    """Multi-value cells (codes separated by ; or ,) holding any of ``codes``."""
    pattern = re.compile(r"(?:^|[;,])\s*(?:" + "|".join(codes) + r")\s*(?:$|[;,])")
    # A column holds few distinct cells: match each once, then spread back (blank never matches).
    cells, distinct = pd.factorize(s, use_na_sentinel=True)
    hit = np.array([pattern.search(str(v)) is not None for v in distinct] + [False], dtype=bool)
    return pd.Series(hit[cells], index=s.index)


def _text(s: pd.Series) -> pd.Series:
    """Text as object values: the shared tables hold text columns as categoricals, which take no new values."""
    return s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s


def _breakdown(df: pd.DataFrame, col: str, *, weight: str | None = None, person: bool = False) -> pd.DataFrame:
    """Long frame (p, category, value) counting rows, summing ``weight`` or counting distinct women."""
    if df.empty:
        return pd.DataFrame({"p": pd.Series(dtype=np.int64), "category": pd.Series(dtype=str),
                             "value": pd.Series(dtype=float)})
    values = df[col]
    if isinstance(values.dtype, pd.CategoricalDtype) and not person:
        return _breakdown_of_codes(df["p"].to_numpy(np.int64), values,
                                   None if weight is None else pd.to_numeric(df[weight]).to_numpy(float))
    cat = _text(values).fillna(NOT_RECORDED).astype(str)
    frame = df.assign(category=cat)
    if weight:
        g = pd.to_numeric(frame[weight]).groupby([frame["p"], frame["category"]]).sum()
    elif person:
        g = frame.drop_duplicates(["p", "category", "person_id"]).groupby(["p", "category"]).size()
    else:
        g = frame.groupby(["p", "category"]).size()
    return g.rename("value").astype(float).reset_index()


def _breakdown_of_codes(p: np.ndarray, values: pd.Series, weights: np.ndarray | None) -> pd.DataFrame:
    """``_breakdown`` of a categorical column, counted (or weights summed) per (period, code) by ``bincount``:
    the same frame, in the same order, as grouping the text."""
    names = np.append(values.cat.categories.astype(str).to_numpy(object), NOT_RECORDED)
    # Sorted as groupby sorts text; a blank joins a category that is itself "not_recorded", as fillna does.
    labels, label_of = np.unique(names, return_inverse=True)
    codes = values.cat.codes.to_numpy()
    key = p * len(labels) + label_of[np.where(codes < 0, len(names) - 1, codes)]
    rows = np.bincount(key)
    cells = np.flatnonzero(rows)  # the (period, category) pairs that occur, as groupby lists them
    value = rows[cells] if weights is None else np.bincount(key, weights=np.nan_to_num(weights))[cells]
    return pd.DataFrame({"p": cells // len(labels), "category": pd.Series(labels[cells % len(labels)], dtype=str),
                         "value": value.astype(float)})


@dataclass
class Raw:
    """One indicator's raw figures for every period: arrays indexed by period position."""

    numerator: np.ndarray
    denominator: np.ndarray | None = None
    women: np.ndarray | None = None  # distinct women behind a mean (disclosure control)
    breakdown: pd.DataFrame | None = None


class Calculator:
    """Computes indicators for ``periods`` from ``tables``; shared pieces (cohort, statuses) are built once."""

    def __init__(self, *, tables: Tables, periods: list[Period]) -> None:
        self.tables = tables
        self.periods = periods
        self.n = len(periods)
        self.lo = np.array([day_number(p.start) for p in periods], dtype=np.int64)
        self.hi = np.array([day_number(p.end) for p in periods], dtype=np.int64)

    # --- shared pieces -------------------------------------------------------------------------
    @cached_property
    def contacts(self) -> pd.DataFrame:
        """Attendance and outreach rows with a person: (person_id, d)."""
        att, out = self.tables.get("attendance"), self.tables.get("outreach")
        named = out["person_id"].notna().to_numpy()
        return pd.DataFrame({"person_id": np.concatenate([att["person_id"].to_numpy(), out["person_id"].to_numpy()[named]]),
                             "d": np.concatenate([att["d"].to_numpy(), out["d"].to_numpy()[named]])})

    @cached_property
    def cohort(self) -> pd.DataFrame:
        """(p, person_id) of engaged women."""
        return explode_distinct(self.contacts, self.lo, self.hi, ["person_id"])[["p", "person_id"]]

    @cached_property
    def eng01(self) -> np.ndarray:
        return _women(self.cohort, self.n)

    @cached_property
    def attendance_in_period(self) -> pd.DataFrame:
        return explode(self.tables.get("attendance"), self.lo, self.hi)

    @cached_property
    def _cohort_pairs(self) -> pd.Index:
        return pd.Index(pd.unique(_pairs(self.cohort)))  # its hash table is built once, on first use

    def women_in_cohort(self, df: pd.DataFrame, where: pd.Series | np.ndarray | None = None) -> np.ndarray:
        """Distinct women per period among the rows of ``df`` (with p, person_id; those ``where`` holds) whose
        woman is engaged in that period."""
        if where is not None and not (_numbered(df) and _numbered(self.cohort)):
            df, where = df[np.asarray(where, dtype=bool)], None
        if df.empty:
            return np.zeros(self.n)
        if not (_numbered(df) and _numbered(self.cohort)):
            return _women(df.merge(self.cohort, on=["p", "person_id"], how="inner"), self.n)
        pairs = _pairs(df)
        return self.women_in_cohort_of(pairs if where is None else pairs[np.asarray(where, dtype=bool)])

    def women_in_cohort_of(self, pairs: np.ndarray) -> np.ndarray:
        """``women_in_cohort`` of (period, woman) pairs from ``_pairs``."""
        # A hashed membership test on numbers, not a join of the frames on (p, person_id).
        return _women_of(pairs[self._cohort_pairs.get_indexer(pairs) >= 0], self.n)

    def current(self, name: str) -> pd.DataFrame:
        """Each woman's current status row per period: latest row in [end - 91, end]. One row per period and
        woman, so counting its rows (``_rows``) counts women."""
        key = f"_current_{name}"
        if key not in self.__dict__:
            # explode gives each window's rows in day order (a day's rows in table order), so a woman's
            # last row in a window is her latest: no sort needed.
            self.__dict__[key] = explode_distinct(self.tables.get(name), self.hi - STATUS_WINDOW_DAYS, self.hi,
                                                  ["person_id"], keep="last")
        return self.__dict__[key]

    @cached_property
    def _health_by_service(self) -> dict[str, pd.DataFrame]:
        # One pass over the service column instead of comparing every row's text once per indicator.
        h = self.tables.get("health_contacts")
        codes, services = pd.factorize(h["service"], use_na_sentinel=True)
        # Rows grouped by service in one stable sort: each service's rows in table order, one take each.
        order = np.argsort(codes, kind="stable")
        ends = np.cumsum(np.bincount(codes[codes >= 0], minlength=len(services)))
        first = int((codes < 0).sum())  # blanks (code -1) sort first
        return {s: h.take(order[first + (ends[i - 1] if i else 0):first + ends[i]]) for i, s in enumerate(services)}

    def health(self, *, service: str | None = None) -> pd.DataFrame:
        h = self.tables.get("health_contacts")
        if service is None:
            return h
        return self._health_by_service.get(service, h.iloc[0:0])

    def percent_of_cohort(self, rows: pd.DataFrame, where: pd.Series | np.ndarray | None = None) -> Raw:
        return Raw(self.women_in_cohort(rows, where), self.eng01)

    def women_in_last_12_months(self, rows: pd.DataFrame) -> pd.DataFrame:
        """One row of ``rows`` per period and woman with a row in the period's last 12 months."""
        return explode_distinct(rows, self.hi - LOOKBACK_DAYS, self.hi, ["person_id"])

    def in_period(self, rows: pd.DataFrame) -> pd.DataFrame:
        return explode(rows, self.lo, self.hi)


# --- the indicators ------------------------------------------------------------------------------

@computes("ENG-01")
def _eng01(c: Calculator) -> Raw:
    return Raw(c.eng01)


@computes("ENG-02")
def _eng02(c: Calculator) -> Raw:
    if c.cohort.empty:
        return Raw(np.zeros(c.n))
    first = c.contacts.groupby("person_id")["d"].min().rename("first")
    co = c.cohort.join(first, on="person_id")
    new = co[co["first"].to_numpy() >= c.lo[co["p"].to_numpy()]]
    return Raw(_women(new, c.n))


@computes("ENG-03")
def _eng03(c: Calculator) -> Raw:
    att = c.attendance_in_period
    if att.empty:
        return Raw(np.zeros(c.n), c.eng01)
    days = _distinct(att, ["p", "person_id", "d"])
    if _numbered(days) and _numbered(c.cohort):  # sessions counted per (period, woman) number: one hash
        sessions = pd.Series(_pairs(days)).value_counts(sort=False)
        return Raw(c.women_in_cohort_of(sessions.index.to_numpy()[sessions.to_numpy() >= 3]), c.eng01)
    sessions = days.groupby(["p", "person_id"]).size()
    sustained = sessions[sessions >= 3].reset_index()[["p", "person_id"]]
    return Raw(c.women_in_cohort(sustained), c.eng01)


@computes("ENG-04")
def _eng04(c: Calculator) -> Raw:
    att = c.attendance_in_period
    if att.empty:
        z = np.zeros(c.n)
        return Raw(z, z.copy(), z.copy())
    pairs = _rows(_distinct(att, ["p", "person_id", "d"]), c.n)
    sessions = _rows(_distinct(att, ["p", "d"]), c.n)
    return Raw(pairs, sessions, _women(att, c.n))


@computes("ENG-05")
def _eng05(c: Calculator) -> Raw:
    out = c.tables.get("outreach")
    return Raw(_rows(c.in_period(out[out["person_id"].isna()]), c.n))


@computes("HLT-01")
def _hlt01(c: Calculator) -> Raw:
    h = c.health(service="sexual_health")
    return c.percent_of_cohort(c.women_in_last_12_months(h[h["activity"] == "sti_screen"]))


@computes("HLT-02")
def _hlt02(c: Calculator) -> Raw:
    return c.percent_of_cohort(c.in_period(c.health(service="mental_health")))


@computes("HLT-03")
def _hlt03(c: Calculator) -> Raw:
    rows = c.in_period(c.health(service="nurse_prescriber"))
    return Raw(_rows(rows, c.n), breakdown=_breakdown(rows, "reason"))


@computes("HLT-04")
def _hlt04(c: Calculator) -> Raw:
    h = c.health()
    return Raw(_rows(c.in_period(h[h["referral_to"].isin(["breast_screening", "cervical_screening"])]), c.n))


@computes("DEN-01")
def _den01(c: Calculator) -> Raw:
    return c.percent_of_cohort(c.women_in_last_12_months(c.health(service="dental")))


@computes("DEN-02")
def _den02(c: Calculator) -> Raw:
    h = c.health(service="nurse_prescriber")
    return Raw(_rows(c.in_period(h[h["reason"] == "oral_health"]), c.n))


@computes("DRG-01")
def _drg01(c: Calculator) -> Raw:
    cur = c.current("treatment")
    return c.percent_of_cohort(cur, _yes(cur["in_treatment"]))


@computes("RHB-01")
def _rhb01(c: Calculator) -> Raw:
    cur = c.current("treatment")
    return Raw(_rows(cur, c.n, cur["rehab_stage"].isin(["ready", "referred"])))


@computes("RHB-02")
def _rhb02(c: Calculator) -> Raw:
    t = c.tables.get("treatment")
    adm = t[t["rehab_stage"].isin(["admitted", "completed"])]
    first = adm.groupby("person_id", as_index=False)["d"].min()
    return Raw(_women(c.in_period(first), c.n))


@computes("RHB-03")
def _rhb03(c: Calculator) -> Raw:
    cur = c.current("treatment")
    return Raw(_rows(cur, c.n), breakdown=_breakdown(cur, "rehab_stage"))


@computes("FAM-01")
def _fam01(c: Calculator) -> Raw:
    r = c.tables.get("keywork_review")
    if not _numbered(r):
        r = r.sort_values(["person_id", "d"], kind="stable")
        prev = r.groupby("person_id")["child_contact"].shift()
        return Raw(_women(c.in_period(r[prev.isin(["none", "indirect"]) & r["child_contact"].isin(DIRECT_CONTACT)]),
                          c.n))
    # Each woman's reviews in day order (as the stable sort above), compared with the review before.
    person = r["person_id"].to_numpy(float)
    order = np.lexsort((r["d"].to_numpy(), person))
    ps = person[order]
    was = r["child_contact"].isin(["none", "indirect"]).to_numpy()[order]
    now = r["child_contact"].isin(DIRECT_CONTACT).to_numpy()[order]
    restarted = order[1:][(ps[1:] == ps[:-1]) & was[:-1] & now[1:]]  # NaN is no woman: never equal
    return Raw(_women(c.in_period(r.take(np.sort(restarted))), c.n))


@computes("FAM-02")
def _fam02(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    parents = _yes(cur["has_children"])
    return Raw(_rows(cur, c.n, parents & cur["child_contact"].isin(DIRECT_CONTACT)), _rows(cur, c.n, parents))


@computes("HSG-01")
def _hsg01(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    known = cur["accommodation"].notna() & (cur["accommodation"] != "unknown")
    safe = known & cur["accommodation"].isin(["temporary", "supported", "settled"])
    return Raw(_rows(cur, c.n, safe), _rows(cur, c.n, known))


@computes("HSG-02")
def _hsg02(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    return Raw(_rows(cur, c.n, cur["accommodation"] == "rough_sleeping"))


@computes("EXT-01")
def _ext01(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    known = cur["working_status"].notna()
    return Raw(_rows(cur, c.n, known & cur["working_status"].isin(["reduced", "stopped"])), _rows(cur, c.n, known))


@computes("SAF-01")
def _saf01(c: Calculator) -> Raw:
    # explode gives each window's rows in day order (a day's rows in table order): a woman's last is her latest.
    latest = explode_distinct(c.tables.get("safeguarding"), c.lo, c.hi, ["person_id"], keep="last")
    high = latest["risk_level"] == "high"  # one row per period and woman: counting rows counts women
    return Raw(_rows(latest, c.n, high & _yes(latest["care_plan_in_place"])), _rows(latest, c.n, high))


@computes("SAF-02")
def _saf02(c: Calculator) -> Raw:
    return Raw(_sum(c.in_period(c.tables.get("police_monthly")), "violence_reports", c.n))


@computes("CJS-01")
def _cjs01(c: Calculator) -> Raw:
    pm = c.in_period(c.tables.get("police_monthly"))
    referred = _sum(pm, "support_referrals", c.n)
    return Raw(referred, referred + _sum(pm, "arrests_soliciting", c.n))


@computes("WKF-01")
def _wkf01(c: Calculator) -> Raw:
    tr = c.in_period(c.tables.get("training"))
    return Raw(_sum(tr, "staff_trained", c.n), breakdown=_breakdown(tr, "agency", weight="staff_trained"))


@computes("WID-01")
def _wid01(c: Calculator) -> Raw:
    att = c.attendance_in_period
    return c.percent_of_cohort(att[_has_code(att["services_used"], ("hairdressing", "arts_crafts"))])


@computes("SUP-01")
def _sup01(c: Calculator) -> Raw:
    s = c.tables.get("supplies")
    return Raw(_sum(c.in_period(s[s["item"] == "condoms"]), "quantity", c.n))


@computes("VOI-01")
def _voi01(c: Calculator) -> Raw:
    f = c.in_period(c.tables.get("feedback"))
    answered = f[f["feel_heard"].notna()]
    return Raw(_rows(answered[pd.to_numeric(answered["feel_heard"]) >= 4], c.n), _rows(answered, c.n))


# --- breakdowns beyond the spec's three, for pages (accommodation over time, service mix) ----------

@computes("accommodation")
def _accommodation(c: Calculator) -> pd.DataFrame:
    return _breakdown(c.current("keywork_review"), "accommodation")


@computes("working_status")
def _working_status(c: Calculator) -> pd.DataFrame:
    return _breakdown(c.current("keywork_review"), "working_status")


@computes("services")
def _services(c: Calculator) -> pd.DataFrame:
    att = c.attendance_in_period
    if att.empty:
        return _breakdown(att, "services_used")
    codes = _text(att["services_used"]).fillna("").astype(str).str.split(r"[;,]", regex=True)
    ex = att.assign(service=codes).explode("service")
    ex["service"] = ex["service"].str.strip()
    ex = ex[ex["service"].fillna("") != ""]
    return _breakdown(ex, "service", person=True)


def compute_raw(*, calc: Calculator, ids: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw figures, long: (p, id, numerator, denominator, value, women, unit, polarity) of the indicators among
    ``ids``, and breakdown cells (p, id, category, value) of theirs and of the page breakdowns among them."""
    frames, cells = [], []
    for key in ids:
        got = entry(key)
        raw = got.compute(calc)
        if isinstance(got, Breakdown):
            if len(raw):
                cells.append(raw.assign(id=key))
            continue
        num = np.asarray(raw.numerator, float)
        den = None if raw.denominator is None else np.asarray(raw.denominator, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = num if den is None else np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
        value = {"percent": ratio * 100, "mean": ratio}.get(got.unit, num)
        frames.append(pd.DataFrame({
            "p": np.arange(calc.n), "id": key, "numerator": num,
            "denominator": np.full(calc.n, np.nan) if den is None else den,
            "value": value,
            "women": np.full(calc.n, np.nan) if raw.women is None else np.asarray(raw.women, float),
            "unit": got.unit, "polarity": got.polarity,
        }))
        if raw.breakdown is not None and len(raw.breakdown):
            cells.append(raw.breakdown.assign(id=key))
    raw_frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["p", "id", "numerator", "denominator", "value", "women", "unit", "polarity"])
    cell_frame = pd.concat(cells, ignore_index=True) if cells else pd.DataFrame(
        {"p": pd.Series(dtype=np.int64), "category": pd.Series(dtype=str), "value": pd.Series(dtype=float),
         "id": pd.Series(dtype=str)})
    return raw_frame, cell_frame
