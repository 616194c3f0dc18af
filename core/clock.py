"""The product's one clock: what "today" and "now" are.

Every part of the product that needs the date or the time asks here; nothing
else calls ``date.today()`` or ``datetime.now()`` (``tests/core/test_clock.py``
fails when a module does). Time is UK local time (``OUTCOMES_TIMEZONE``,
Europe/London by default), so a due date "the 15th" means the end of the 15th
in Southend, in British Summer Time as in winter.

``OUTCOMES_TODAY`` fixes the clock for demos, training sessions and tests:

- a date (``2026-11-20``): that day, at the real local time of day, so that
  durations (sign-in expiry, lockouts) still pass;
- a local date and time (``2026-11-15T23:30``): that instant, frozen.

See ``docs/time.md`` for how every "today" in the product follows from this.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core import settings


def zone() -> ZoneInfo:
    """The product's local time zone."""
    return ZoneInfo(settings.get("OUTCOMES_TIMEZONE"))


def _fixed() -> datetime | None:
    raw = settings.get("OUTCOMES_TODAY")
    if not raw:
        return None
    raw = raw.strip()
    try:
        if "T" in raw or " " in raw:
            return datetime.fromisoformat(raw).replace(tzinfo=zone())
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(
            f"OUTCOMES_TODAY must be a date (2026-11-20) or a local date and time (2026-11-15T23:30); it is {raw!r}."
        ) from exc
    real = datetime.now(zone())  # the one place the wall clock is read, besides the line below
    return datetime.combine(day, real.time().replace(tzinfo=None), tzinfo=zone())


def now() -> datetime:
    """Now, as an aware datetime in local time."""
    fixed = _fixed()
    return fixed if fixed is not None else datetime.now(zone())


def today() -> date:
    """Today's local date."""
    return now().date()


def utcnow() -> datetime:
    """Now in UTC without tzinfo, as the database stores times."""
    return now().astimezone(UTC).replace(tzinfo=None)


def end_of_day(d: date) -> datetime:
    """The last instant of local day ``d``, as stored (naive UTC)."""
    local = datetime.combine(d + timedelta(days=1), time(0), tzinfo=zone()) - timedelta(microseconds=1)
    return local.astimezone(UTC).replace(tzinfo=None)


def local(stored: datetime) -> datetime:
    """A stored (naive UTC) time as an aware local time."""
    return stored.replace(tzinfo=UTC).astimezone(zone())
