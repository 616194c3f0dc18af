"""Raw indicator values for many periods at once, from one read of each return.

Every indicator is computed for a whole list of periods in one vectorised pass: rows are "exploded" onto
the periods (or look-back windows) whose dates hold them, then counted by period (``metrics.frames``).
Nothing here applies disclosure control, completeness or targets; ``metrics.api`` does that on top.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property

import numpy as np
import pandas as pd
import sqlalchemy as sa

from core.periods import Period
from core.returns import DIRECT_CONTACT, RETURNS
from metrics.catalogue import Breakdown, computes, entry
from metrics.frames import breakdown, by_day, day_number, day_numbers, explode, pairs, per_period, women
from storage.repository import data_version, read_return

STATUS_WINDOW_DAYS = 91  # a status row older than end - 91 days is stale
LOOKBACK_DAYS = 364  # "last 12 months" = end - 364 .. end


# How far before the first period start each return is needed (None: the whole history, for first-ever
# judgements and "previous review" look-backs).
HISTORY_DAYS: dict[str, int | None] = {
    "attendance": None,
    "outreach": None,
    "keywork_review": None,
    "treatment": None,
    "health_contacts": LOOKBACK_DAYS,
    "safeguarding": 0,
    "police_monthly": 0,
    "training": 0,
    "supplies": 0,
    "feedback": 0,
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
    """A number for each woman's reference, the same in every table one request reads: grouping and joining
    numbers is several times cheaper than text, and the figures only ever count women."""

    def __init__(self) -> None:
        self._known: dict[str, float] = {}

    def of(self, refs: pd.Series) -> np.ndarray:
        """Each reference's number (NaN where blank); new references get the next numbers."""
        codes, uniques = pd.factorize(refs, use_na_sentinel=True)
        known = self._known
        return np.array([known.setdefault(r, float(len(known))) for r in uniques] + [np.nan])[codes]


class TableCache:
    """Whole current tables by engine, data version and as-of, so that every request reuses one read.

    A page asks for the period's figures, the comparisons and what needs attention: three evaluations over
    the same returns. ``data_version`` changes with every file accepted or refused, so a table held is never
    older than the data. Each table holds ``COLUMNS`` and ``d`` (day number), sorted by day; ``person_id``
    is a number from the request's ``Numbering``, other text a categorical (comparing a table's few distinct
    texts once, not every row's). Tables are never changed in place: ``Tables`` slices them.
    """

    def __init__(self, max_tables: int = 24) -> None:
        self._lock = threading.Lock()  # pages run in threads
        self._held: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._numbering: OrderedDict[tuple, Numbering] = OrderedDict()
        self._max = max_tables

    def numbering(self, engine: sa.Engine, version: tuple[int, int]) -> Numbering:
        """The numbering requests on ``engine`` at ``version`` share."""
        with self._lock:
            for old in [k for k in self._numbering if k[0] is engine and k[1] != version]:
                del self._numbering[old]  # older data is never asked for again
            numbering = self._numbering.setdefault((engine, version), Numbering())
            self._numbering.move_to_end((engine, version))
            while len(self._numbering) > self._max:
                self._numbering.popitem(last=False)
            return numbering

    def table(
        self, engine: sa.Engine, name: str, *, as_of: datetime | None, version: tuple[int, int], numbering: Numbering
    ) -> pd.DataFrame:
        key = (engine, version, as_of, name, numbering)
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key]
        spec = RETURNS[name]
        df = read_return(engine, name, columns=(spec.date_column, *COLUMNS[name]), as_of=as_of)
        df["d"] = day_numbers(df.pop(spec.date_column))
        for col in COLUMNS[name]:
            if col != "person_id" and spec.column(col).kind in ("code", "multi"):
                df[col] = df[col].astype("category")
        with self._lock:
            if "person_id" in df:
                df["person_id"] = numbering.of(df["person_id"])
            for old in [k for k in self._held if k[0] is engine and k[1] != version]:
                del self._held[old]
            self._held[key] = df = by_day(df)
            while len(self._held) > self._max:
                self._held.popitem(last=False)
        return df

    def clear(self) -> None:
        with self._lock:
            self._held.clear()
            self._numbering.clear()


SHARED = TableCache()


class Tables:
    """Each return at most once per request, as it stood at ``as_of``; rows from ``start`` (less the
    return's look-back in ``HISTORY_DAYS``) to ``end``, sliced from the whole table in ``SHARED``.
    """

    def __init__(
        self, *, engine: sa.Engine, as_of: datetime | None, end: date | None, start: date | None = None
    ) -> None:
        self._engine = engine
        self._as_of = as_of
        self._end = end
        self._start = start
        self._version: tuple[int, int] | None = None
        self._numbering: Numbering | None = None
        self._cache: dict[str, pd.DataFrame] = {}
        self.reads: list[str] = []  # for tests: which tables were read, in order

    def get(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            if self._version is None:
                self._version = data_version(self._engine)
                self._numbering = SHARED.numbering(self._engine, self._version)
            df = SHARED.table(self._engine, name, as_of=self._as_of, version=self._version, numbering=self._numbering)
            back = HISTORY_DAYS.get(name)
            since = None if self._start is None or back is None else self._start - timedelta(days=back)
            # The shared table is sorted by day: the rows wanted are one slice (no copy).
            days = df["d"].to_numpy()
            a = 0 if since is None else int(np.searchsorted(days, day_number(since), "left"))
            b = len(df) if self._end is None else int(np.searchsorted(days, day_number(self._end), "right"))
            self._cache[name] = df.iloc[a : max(a, b)].reset_index(drop=True)
            self.reads.append(name)
        return self._cache[name]


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


def _breakdown(df: pd.DataFrame, col: str, *, weight: str | None = None, person: bool = False) -> pd.DataFrame:
    """Long frame (p, category, value) counting rows, summing ``weight`` or counting distinct women."""
    return breakdown(df.drop_duplicates(["p", col, "person_id"]) if person else df, col, weights=weight)


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
        return pd.concat(
            [att[["person_id", "d"]], out.loc[out["person_id"].notna(), ["person_id", "d"]]], ignore_index=True
        )

    @cached_property
    def cohort(self) -> pd.DataFrame:
        """(p, person_id) of engaged women."""
        return self.in_period(self.contacts, each_woman="first")[["p", "person_id"]]

    @cached_property
    def eng01(self) -> np.ndarray:
        return women(self.cohort, self.n)

    @cached_property
    def attendance_in_period(self) -> pd.DataFrame:
        return self.in_period(self.tables.get("attendance"))

    def in_period(self, rows: pd.DataFrame, *, each_woman: str | None = None) -> pd.DataFrame:
        """``rows`` once for each period holding their day, with ``p`` (``explode``)."""
        return explode(rows, self.lo, self.hi, each_woman=each_woman)

    def women_in_last_12_months(self, rows: pd.DataFrame) -> pd.DataFrame:
        """One row of ``rows`` per period and woman with a row in the period's last 12 months."""
        return explode(rows, self.hi - LOOKBACK_DAYS, self.hi, each_woman="first")

    def current(self, name: str) -> pd.DataFrame:
        """Each woman's current status row per period: her latest row in [end - 91, end]. One row per period
        and woman, so counting its rows counts women."""
        key = f"_current_{name}"
        if key not in self.__dict__:
            self.__dict__[key] = explode(
                self.tables.get(name), self.hi - STATUS_WINDOW_DAYS, self.hi, each_woman="last"
            )
        return self.__dict__[key]

    def health(self, *, service: str | None = None) -> pd.DataFrame:
        h = self.tables.get("health_contacts")
        return h if service is None else h[h["service"] == service]

    def rows(self, df: pd.DataFrame, where: pd.Series | np.ndarray | None = None) -> np.ndarray:
        """Rows per period (of those ``where`` holds)."""
        return per_period(df, self.n, where)

    def total(self, df: pd.DataFrame, col: str) -> np.ndarray:
        """``col`` summed per period."""
        return per_period(df, self.n, weights=col)

    def women(self, df: pd.DataFrame) -> np.ndarray:
        """Distinct women per period."""
        return women(df, self.n)

    @cached_property
    def _cohort_pairs(self) -> np.ndarray:
        return pairs(self.cohort["p"].to_numpy(), self.cohort["person_id"].to_numpy(float))

    def women_in_cohort(self, df: pd.DataFrame, where: pd.Series | np.ndarray | None = None) -> np.ndarray:
        """Distinct women per period among the rows of ``df`` (those ``where`` holds) engaged in that period."""
        return women(df, self.n, where, among=self._cohort_pairs)

    def percent_of_cohort(self, rows: pd.DataFrame, where: pd.Series | np.ndarray | None = None) -> Raw:
        return Raw(self.women_in_cohort(rows, where), self.eng01)


# --- the indicators ------------------------------------------------------------------------------


@computes("ENG-01")
def _eng01(c: Calculator) -> Raw:
    return Raw(c.eng01)


@computes("ENG-02")
def _eng02(c: Calculator) -> Raw:
    first = c.contacts.groupby("person_id")["d"].min().rename("first")
    co = c.cohort.join(first, on="person_id")
    return Raw(c.women(co[co["first"].to_numpy() >= c.lo[co["p"].to_numpy()]]))


@computes("ENG-03")
def _eng03(c: Calculator) -> Raw:
    sessions = c.attendance_in_period.drop_duplicates(["p", "person_id", "d"]).groupby(["p", "person_id"]).size()
    return Raw(c.women_in_cohort(sessions[sessions >= 3].reset_index()), c.eng01)


@computes("ENG-04")
def _eng04(c: Calculator) -> Raw:
    att = c.attendance_in_period
    pairs = c.rows(att.drop_duplicates(["p", "person_id", "d"]))
    sessions = c.rows(att.drop_duplicates(["p", "d"]))
    return Raw(pairs, sessions, c.women(att))


@computes("ENG-05")
def _eng05(c: Calculator) -> Raw:
    out = c.tables.get("outreach")
    return Raw(c.rows(c.in_period(out[out["person_id"].isna()])))


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
    return Raw(c.rows(rows), breakdown=_breakdown(rows, "reason"))


@computes("HLT-04")
def _hlt04(c: Calculator) -> Raw:
    h = c.health()
    return Raw(c.rows(c.in_period(h[h["referral_to"].isin(["breast_screening", "cervical_screening"])])))


@computes("DEN-01")
def _den01(c: Calculator) -> Raw:
    return c.percent_of_cohort(c.women_in_last_12_months(c.health(service="dental")))


@computes("DEN-02")
def _den02(c: Calculator) -> Raw:
    h = c.health(service="nurse_prescriber")
    return Raw(c.rows(c.in_period(h[h["reason"] == "oral_health"])))


@computes("DRG-01")
def _drg01(c: Calculator) -> Raw:
    cur = c.current("treatment")
    return c.percent_of_cohort(cur, _yes(cur["in_treatment"]))


@computes("RHB-01")
def _rhb01(c: Calculator) -> Raw:
    cur = c.current("treatment")
    return Raw(c.rows(cur, cur["rehab_stage"].isin(["ready", "referred"])))


@computes("RHB-02")
def _rhb02(c: Calculator) -> Raw:
    t = c.tables.get("treatment")
    first = t[t["rehab_stage"].isin(["admitted", "completed"])].groupby("person_id", as_index=False)["d"].min()
    return Raw(c.women(c.in_period(first)))


@computes("RHB-03")
def _rhb03(c: Calculator) -> Raw:
    cur = c.current("treatment")
    return Raw(c.rows(cur), breakdown=_breakdown(cur, "rehab_stage"))


@computes("FAM-01")
def _fam01(c: Calculator) -> Raw:
    # Each woman's reviews in day order, each compared with the one before.
    r = c.tables.get("keywork_review").sort_values(["person_id", "d"], kind="stable")
    prev = r.groupby("person_id")["child_contact"].shift()
    return Raw(c.women(c.in_period(r[prev.isin(["none", "indirect"]) & r["child_contact"].isin(DIRECT_CONTACT)])))


@computes("FAM-02")
def _fam02(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    parents = _yes(cur["has_children"])
    return Raw(c.rows(cur, parents & cur["child_contact"].isin(DIRECT_CONTACT)), c.rows(cur, parents))


@computes("HSG-01")
def _hsg01(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    known = cur["accommodation"].notna() & (cur["accommodation"] != "unknown")
    safe = known & cur["accommodation"].isin(["temporary", "supported", "settled"])
    return Raw(c.rows(cur, safe), c.rows(cur, known))


@computes("HSG-02")
def _hsg02(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    return Raw(c.rows(cur, cur["accommodation"] == "rough_sleeping"))


@computes("EXT-01")
def _ext01(c: Calculator) -> Raw:
    cur = c.current("keywork_review")
    known = cur["working_status"].notna()
    return Raw(c.rows(cur, known & cur["working_status"].isin(["reduced", "stopped"])), c.rows(cur, known))


@computes("SAF-01")
def _saf01(c: Calculator) -> Raw:
    latest = c.in_period(c.tables.get("safeguarding"), each_woman="last")  # one row a woman
    high = latest["risk_level"] == "high"
    return Raw(c.rows(latest, high & _yes(latest["care_plan_in_place"])), c.rows(latest, high))


@computes("SAF-02")
def _saf02(c: Calculator) -> Raw:
    return Raw(c.total(c.in_period(c.tables.get("police_monthly")), "violence_reports"))


@computes("CJS-01")
def _cjs01(c: Calculator) -> Raw:
    pm = c.in_period(c.tables.get("police_monthly"))
    referred = c.total(pm, "support_referrals")
    return Raw(referred, referred + c.total(pm, "arrests_soliciting"))


@computes("WKF-01")
def _wkf01(c: Calculator) -> Raw:
    tr = c.in_period(c.tables.get("training"))
    return Raw(c.total(tr, "staff_trained"), breakdown=_breakdown(tr, "agency", weight="staff_trained"))


@computes("WID-01")
def _wid01(c: Calculator) -> Raw:
    att = c.attendance_in_period
    return c.percent_of_cohort(att[_has_code(att["services_used"], ("hairdressing", "arts_crafts"))])


@computes("SUP-01")
def _sup01(c: Calculator) -> Raw:
    s = c.tables.get("supplies")
    return Raw(c.total(c.in_period(s[s["item"] == "condoms"]), "quantity"))


@computes("VOI-01")
def _voi01(c: Calculator) -> Raw:
    f = c.in_period(c.tables.get("feedback"))
    answered = f[f["feel_heard"].notna()]
    return Raw(c.rows(answered[pd.to_numeric(answered["feel_heard"]) >= 4]), c.rows(answered))


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
    codes = att["services_used"].astype(object).fillna("").astype(str).str.split(r"[;,]", regex=True)
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
        frames.append(
            pd.DataFrame(
                {
                    "p": np.arange(calc.n),
                    "id": key,
                    "numerator": num,
                    "denominator": np.full(calc.n, np.nan) if den is None else den,
                    "value": value,
                    "women": np.full(calc.n, np.nan) if raw.women is None else np.asarray(raw.women, float),
                    "unit": got.unit,
                    "polarity": got.polarity,
                }
            )
        )
        if raw.breakdown is not None and len(raw.breakdown):
            cells.append(raw.breakdown.assign(id=key))
    raw_frame = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["p", "id", "numerator", "denominator", "value", "women", "unit", "polarity"])
    )
    cell_frame = (
        pd.concat(cells, ignore_index=True)
        if cells
        else pd.DataFrame(
            {
                "p": pd.Series(dtype=np.int64),
                "category": pd.Series(dtype=str),
                "value": pd.Series(dtype=float),
                "id": pd.Series(dtype=str),
            }
        )
    )
    return raw_frame, cell_frame
