"""The pages' one door to the figures: cached, and keyed by the data version.

A new upload changes ``storage.repository.data_version``, so every page shows
it at once. ``public`` is part of every key: a published-figures session never
receives a figure computed for the group's exact view.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
import streamlit as st

import metrics
from core.periods import Period
from storage import repository
from storage.db import database_url, ensure_schema


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> sa.Engine:
    return ensure_schema(url)


def engine() -> sa.Engine:
    """The engine of the configured database, migrated once per process."""
    return _engine(database_url())


# The data version read once per script run: a page asks for figures dozens of times.
_run = threading.local()


def begin_run() -> None:
    """Read the data version afresh in this run (app.py and every page's context call it)."""
    _run.versions = {}


def run_token() -> object:
    """Changes at every ``begin_run``: lets a page keep other reads for one run (``ui.meetings``)."""
    return getattr(_run, "versions", None)


def _key(eng: sa.Engine) -> tuple[str, tuple[int, int]]:
    url = eng.url.render_as_string(hide_password=True)
    versions = getattr(_run, "versions", None)
    if versions is None:
        return url, repository.data_version(eng)
    if url not in versions:
        versions[url] = repository.data_version(eng)
    return url, versions[url]


def clear() -> None:
    """Forget every cached figure (after a target changes: targets are not part of the data version)."""
    st.cache_data.clear()
    begin_run()


def _plain(value: object) -> object:
    """An argument as a cache key: a period by its dates, a list as a tuple."""
    if isinstance(value, Period):
        return value.start, value.end
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    return value


def versioned(*, max_entries: int) -> Callable[[Callable], Callable]:
    """Cache ``read(eng, **arguments)`` at the boundary, keyed by the database URL (without its password), this
    run's data version and the arguments, so a new upload shows at once."""

    def wrap(read: Callable) -> Callable:
        def cached(url: str, version: tuple[int, int], key: tuple, _arguments: dict):
            # The key holds the URL without its password; the process has one configured database.
            return read(engine(), **_arguments)

        # Streamlit tells cached functions apart by name: each read gets its own cache and its own size.
        cached.__qualname__ = cached.__name__ = f"{read.__qualname__}_cached"
        cached = st.cache_data(show_spinner=False, max_entries=max_entries)(cached)

        @functools.wraps(read)
        def call(eng: sa.Engine, **arguments):
            url, version = _key(eng)
            return cached(url, version, tuple(sorted((k, _plain(v)) for k, v in arguments.items())), arguments)

        return call

    return wrap


@versioned(max_entries=256)
def indicators(eng: sa.Engine, *, period: Period, public: bool, ids: list[str] | None = None):
    """The indicator set for a period (``metrics.compute_indicators``)."""
    return metrics.compute_indicators(engine=eng, period=period, public=public, ids=list(ids) if ids else None)


@versioned(max_entries=128)
def compare(eng: sa.Engine, *, period: Period, public: bool) -> pd.DataFrame:
    return metrics.compare(engine=eng, period=period, public=public)


@versioned(max_entries=64)
def trend_periods(eng: sa.Engine, *, freq: str, end: date, last: int) -> list[Period]:
    """The last ``last`` months or quarters up to ``end`` for which data is held."""
    return metrics.trend_periods(engine=eng, freq=freq, end=end)[-last:]


@versioned(max_entries=256)
def trend(eng: sa.Engine, *, periods: list[Period], public: bool, ids: list[str] | None = None) -> pd.DataFrame:
    """Indicators over ``periods`` (public figures come protected from ``metrics``, over all outputs)."""
    return metrics.trend(engine=eng, periods=list(periods), public=public, ids=list(ids) if ids else None)


@versioned(max_entries=128)
def trend_breakdown(eng: sa.Engine, *, periods: list[Period], public: bool, id: str) -> pd.DataFrame:  # noqa: A002
    return metrics.trend_breakdown(engine=eng, periods=list(periods), public=public, id=id)


@versioned(max_entries=64)
def weekly_attendance(eng: sa.Engine, *, start: date, end: date, public: bool) -> pd.Series:
    return metrics.weekly_attendance(engine=eng, start=start, end=end, public=public)


def weekly_attendance_year(eng: sa.Engine, *, end: date, public: bool) -> pd.Series:
    """Women at each drop-in session over the 12 months to ``end``."""
    return weekly_attendance(eng, start=end - timedelta(days=364), end=end, public=public)


@versioned(max_entries=64)
def service_mix(eng: sa.Engine, *, period: Period, public: bool) -> pd.DataFrame:
    return metrics.service_mix(engine=eng, period=period, public=public)


@versioned(max_entries=64)
def overview(eng: sa.Engine, *, period: Period, public: bool):
    """The meeting overview's indicators, comparisons and attention items, from one evaluation."""
    return metrics.overview(engine=eng, period=period, public=public)


@versioned(max_entries=64)
def trend_markers(eng: sa.Engine, *, end: date, public: bool, freq: str) -> pd.DataFrame:
    """Fingertips' trend marker of every indicator's monthly or quarterly series ending by ``end``."""
    return metrics.trend_markers(engine=eng, end=end, public=public, freqs=(freq,))


@versioned(max_entries=64)
def return_grid(eng: sa.Engine, *, start: date, end: date, today: date) -> pd.DataFrame:
    from metrics import completeness

    return completeness.return_grid(engine=eng, start=start, end=end, today=today)


@versioned(max_entries=64)
def kerb_crawling(eng: sa.Engine, *, period: Period, public: bool) -> pd.DataFrame:
    """Kerb-crawling enforcement actions per month of the period: month, value, suppressed.

    Not an indicator (no total is shown anywhere), so one hidden month cannot be worked out.
    """
    return metrics.kerb_crawling(engine=eng, period=period, public=public)


@versioned(max_entries=32)
def submissions(eng: sa.Engine, *, partner: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The submission history and the sheets of each (``storage.repository.list_submissions``), cached."""
    return repository.list_submissions(eng, partner=partner)


@versioned(max_entries=32)
def refusals(eng: sa.Engine, *, partner: str | None) -> pd.DataFrame:
    """Files that were refused and why (``storage.repository.list_refusals``), cached."""
    return repository.list_refusals(eng, partner=partner)
