"""A caller's mistakes (an unknown partner, a period we cannot read), found before any file is opened.

Needs neither pandas nor the database layer: the command line answers a usage error at once, and forks
its checking processes before it imports either (``data_loaders.cli``).
"""

from __future__ import annotations

from core import partners as partners_mod
from core import periods
from core.periods import Period


class UsageError(ValueError):
    """A caller's mistake (unknown partner, a period we cannot read): not a refusal of the file."""


def resolve_partner(code: str) -> partners_mod.Partner:
    p = partners_mod.partner(code)
    if p is None:
        known = ", ".join(sorted(partners_mod.partners()))
        raise UsageError(f"unknown partner '{code}'. Known partners: {known}")
    return p


def resolve_period(period: Period | str | None) -> Period | None:
    if period is None or isinstance(period, Period):
        return period
    try:
        return periods.parse(period)
    except periods.PeriodError as exc:
        raise UsageError(str(exc)) from None
