"""Reporting periods: months, financial-year quarters (Apr-Jun = Q1), years and ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-(\d{2})-Q([1-4])$", re.IGNORECASE)
_FY = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
# In a file name: ..._2026-27-Q1.csv or ..._2026-04.xlsx or ..._2026-04-01..2026-06-30.xlsx
_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}|\d{4}-\d{2}-Q[1-4]|\d{4}-\d{2})(?![\d])", re.IGNORECASE)


class PeriodError(ValueError):
    """A period written in a form we do not accept."""


@dataclass(frozen=True, order=True)
class Period:
    """A start and an end date, both inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(f"the period ends ({self.end:%d/%m/%Y}) before it starts ({self.start:%d/%m/%Y})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def months(self) -> list[date]:
        """First days of the months the period touches (partly inside counts)."""
        out, m = [], month_start(self.start)
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out

    def covers(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def label(self) -> str:
        """A plain English label: 'April 2026', 'Q1 2026-27 (April to June 2026)', '1 April 2026 to …'."""
        if self.start.day == 1 and self.end == month_end(self.start):
            return f"{self.start:%B %Y}"
        q = as_quarter(self)
        if q:
            return f"Q{q[1]} {fy_label(q[0])} ({self.start:%B} to {self.end:%B %Y})"
        if self.start == fy_start(
            self.start.year if self.start.month >= 4 else self.start.year - 1
        ) and self.end == add_months(self.start, 12) - timedelta(days=1):
            return f"financial year {fy_label(self.start.year)}"
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"

    def code(self) -> str:
        """The period as written in the spec: '2026-04', '2026-27-Q1' or 'start..end'."""
        if self.start.day == 1 and self.end == month_end(self.start):
            return f"{self.start:%Y-%m}"
        q = as_quarter(self)
        if q:
            return f"{fy_label(q[0])}-Q{q[1]}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, 1)


def month_end(d: date) -> date:
    return add_months(month_start(d), 1) - timedelta(days=1)


def fy_of(d: date) -> int:
    """The financial year (by its starting calendar year) that holds ``d``."""
    return d.year if d.month >= 4 else d.year - 1


def fy_start(fy: int) -> date:
    return date(fy, 4, 1)


def fy_label(fy: int) -> str:
    return f"{fy}-{(fy + 1) % 100:02d}"


def month(year: int, month_: int) -> Period:
    s = date(year, month_, 1)
    return Period(s, month_end(s))


def quarter(fy: int, q: int) -> Period:
    s = add_months(fy_start(fy), 3 * (q - 1))
    return Period(s, add_months(s, 3) - timedelta(days=1))


def financial_year(fy: int) -> Period:
    return Period(fy_start(fy), fy_start(fy + 1) - timedelta(days=1))


def year_to_date(fy: int, q: int) -> Period:
    """The financial year ``fy`` from its start to the end of its quarter ``q``."""
    return Period(fy_start(fy), quarter(fy, q).end)


def standard_periods(fy: int) -> list[Period]:
    """The periods figures are published for in a financial year: its months, its quarters, the year to
    date at the end of Q2 and Q3 (at Q1's end it is Q1, at Q4's the year) and the year."""
    months = monthly(fy_start(fy), financial_year(fy).end)
    return [
        *months,
        *(quarter(fy, q) for q in (1, 2, 3, 4)),
        year_to_date(fy, 2),
        year_to_date(fy, 3),
        financial_year(fy),
    ]


def is_standard(p: Period) -> bool:
    """Whether ``p`` is a month, a financial-year quarter, a year to date at a quarter's end or a year."""
    return p in standard_periods(fy_of(p.start))


def quarter_of(d: date) -> Period:
    fy = fy_of(d)
    q = (d.month - 4) % 12 // 3 + 1
    return quarter(fy, q)


def as_quarter(p: Period) -> tuple[int, int] | None:
    """(fy, q) when ``p`` is exactly a financial-year quarter."""
    q = quarter_of(p.start)
    if q == p:
        return fy_of(p.start), (p.start.month - 4) % 12 // 3 + 1
    return None


# The partnership's data begins in 2000; no return is for a period later than the end of next year.
EARLIEST = date(2000, 1, 1)


def latest() -> date:
    """The last day a period may reach: 31 December of next year (from the product's clock)."""
    from core import clock

    return date(clock.today().year + 1, 12, 31)


def plausible(p: Period, text: str) -> Period:
    """``p`` when it lies within the data's plausible range, else a ``PeriodError`` saying so."""
    last = latest()
    if p.start < EARLIEST or p.end > last:
        raise PeriodError(
            f"'{text}' is outside the range of our data: a period must lie between "
            f"{EARLIEST:%B %Y} and {last:%B %Y}. Check the year"
        )
    return p


def parse(text: str) -> Period:
    """Parse '2026-04', '2026-27-Q1' or '2026-04-01..2026-06-30', within the data's plausible range."""
    t = str(text).strip()
    years = [int(y) for y in re.findall(r"(?<![\d-])\d{4}(?=-)", t)]
    if any(y < EARLIEST.year or y > latest().year for y in years):
        # Checked before any date is built: year 9999's next month is past the calendar.
        raise PeriodError(
            f"'{t}' is outside the range of our data: a period must lie between "
            f"{EARLIEST:%B %Y} and {latest():%B %Y}. Check the year"
        )
    return plausible(_parse(t), t)


def _parse(t: str) -> Period:
    if m := _QUARTER.match(t):
        fy, yy, q = int(m[1]), int(m[2]), int(m[3])
        if (fy + 1) % 100 != yy:
            raise PeriodError(f"'{t}' is not a financial year: after {fy} comes {fy_label(fy)}")
        return quarter(fy, q)
    if m := _MONTH.match(t):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return month(y, mo)
        raise PeriodError(f"'{t}' has no month {mo}")
    if m := _RANGE.match(t):
        try:
            return Period(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
        except ValueError as exc:
            raise PeriodError(f"'{t}' is not a valid date range: {exc}") from None
    raise PeriodError(
        f"'{t}' is not a period. Write a month (2026-04), a financial-year quarter (2026-27-Q1) "
        "or a date range (2026-04-01..2026-06-30)"
    )


def from_filename(name: str) -> Period | None:
    """The period written at the end of a file name, if any."""
    stem = name.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem and not stem.endswith("..") else stem
    found = _IN_NAME.findall(stem)
    for cand in reversed(found):
        try:
            return parse(cand)
        except PeriodError:
            continue
    return None


def spanning_months(dates: pd.Series | list[date]) -> Period | None:
    """The whole months spanned by some dates."""
    import pandas as pd  # here: parsing a period (``parse``) must not need pandas

    s = pd.Series(pd.to_datetime(pd.Series(list(dates)), errors="coerce")).dropna()
    if s.empty:
        return None
    lo, hi = s.min().date(), s.max().date()
    return Period(month_start(lo), month_end(hi))


def previous(p: Period) -> Period:
    """The period of the same kind just before ``p``."""
    if as_quarter(p):
        return quarter_of(add_months(p.start, -3))
    if p.start.day == 1 and p.end == month_end(p.start):
        s = add_months(p.start, -1)
        return Period(s, month_end(s))
    if p.start.day == 1 and p.end.day == month_end(p.end).day:
        n = len(p.months())
        s = add_months(p.start, -n)
        return Period(s, p.start - timedelta(days=1))
    return Period(p.start - timedelta(days=p.days), p.start - timedelta(days=1))


def year_earlier(p: Period) -> Period:
    """The same period a year earlier."""

    def back(d: date) -> date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year - 1, day=28)

    if p.end == month_end(p.end):
        return Period(back(p.start), month_end(back(month_start(p.end))))
    return Period(back(p.start), back(p.end))


def monthly(start: date, end: date) -> list[Period]:
    """Each calendar month from the month of ``start`` to that of ``end``."""
    return [Period(m, month_end(m)) for m in Period(month_start(start), end).months()]


def quarterly(start: date, end: date) -> list[Period]:
    out, q = [], quarter_of(start)
    while q.start <= end:
        out.append(q)
        q = quarter_of(add_months(q.start, 3))
    return out


def last_complete_month(today: date) -> Period:
    """The last calendar month that ended before ``today``."""
    return month(*add_months(month_start(today), -1).timetuple()[:2])


def due_date(month_: date) -> date:
    """The day a month's return is due: the 15th of the following month (due by the end of that day, UK time)."""
    return add_months(month_start(month_), 1).replace(day=15)


def latest_complete_quarter(today: date) -> Period:
    """The last financial-year quarter that ended before ``today``."""
    return previous(quarter_of(today))
