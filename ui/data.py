"""The pages' one door to the figures: cached, and keyed by the data version.

A new upload changes ``storage.repository.data_version``, so every page shows
it at once. ``public`` is part of every key: a published-figures session never
receives a figure computed for the group's exact view.
"""

from __future__ import annotations

import threading
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


@st.cache_data(show_spinner=False, max_entries=256)
def _indicators(url: str, version: tuple[int, int], start: date, end: date, public: bool, ids: tuple | None):
    return metrics.compute_indicators(engine=_engine_for(url), period=Period(start, end), public=public,
                                      ids=list(ids) if ids else None)


@st.cache_data(show_spinner=False, max_entries=128)
def _compare(url: str, version: tuple[int, int], start: date, end: date, public: bool) -> pd.DataFrame:
    return metrics.compare(engine=_engine_for(url), period=Period(start, end), public=public)


@st.cache_data(show_spinner=False, max_entries=256)
def _trend(url: str, version: tuple[int, int], periods: tuple, public: bool, ids: tuple | None) -> pd.DataFrame:
    return metrics.trend(engine=_engine_for(url), periods=[Period(s, e) for s, e in periods], public=public,
                         ids=list(ids) if ids else None)


@st.cache_data(show_spinner=False, max_entries=128)
def _trend_breakdown(url: str, version: tuple[int, int], periods: tuple, public: bool, id_: str) -> pd.DataFrame:
    return metrics.trend_breakdown(engine=_engine_for(url), periods=[Period(s, e) for s, e in periods],
                                   public=public, id=id_)


@st.cache_data(show_spinner=False, max_entries=64)
def _trend_periods(url: str, version: tuple[int, int], freq: str, end: date) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in metrics.trend_periods(engine=_engine_for(url), freq=freq, end=end)]


@st.cache_data(show_spinner=False, max_entries=64)
def _weekly(url: str, version: tuple[int, int], start: date, end: date, public: bool) -> pd.Series:
    return metrics.weekly_attendance(engine=_engine_for(url), start=start, end=end, public=public)


@st.cache_data(show_spinner=False, max_entries=64)
def _service_mix(url: str, version: tuple[int, int], start: date, end: date, public: bool) -> pd.DataFrame:
    return metrics.service_mix(engine=_engine_for(url), period=Period(start, end), public=public)


@st.cache_data(show_spinner=False, max_entries=64)
def _overview(url: str, version: tuple[int, int], start: date, end: date, public: bool):
    return metrics.overview(engine=_engine_for(url), period=Period(start, end), public=public)


@st.cache_data(show_spinner=False, max_entries=64)
def _return_grid(url: str, version: tuple[int, int], start: date, end: date, today: date) -> pd.DataFrame:
    from metrics import completeness

    return completeness.return_grid(engine=_engine_for(url), start=start, end=end, today=today)


def _engine_for(url: str) -> sa.Engine:
    # The cache key holds the URL without its password; the process has one configured database.
    eng = engine()
    return eng


def indicators(eng: sa.Engine, *, period: Period, public: bool, ids: list[str] | None = None):
    """The indicator set for a period (``metrics.compute_indicators``)."""
    url, v = _key(eng)
    return _indicators(url, v, period.start, period.end, public, tuple(ids) if ids else None)


def compare(eng: sa.Engine, *, period: Period, public: bool) -> pd.DataFrame:
    url, v = _key(eng)
    return _compare(url, v, period.start, period.end, public)


def trend_periods(eng: sa.Engine, *, freq: str, end: date, last: int) -> list[Period]:
    """The last ``last`` months or quarters up to ``end`` for which data is held."""
    url, v = _key(eng)
    got = _trend_periods(url, v, freq, end)[-last:]
    return [Period(s, e) for s, e in got]


def trend(eng: sa.Engine, *, periods: list[Period], public: bool, ids: list[str] | None = None) -> pd.DataFrame:
    """Indicators over ``periods`` (public figures come protected from ``metrics``, over all outputs)."""
    url, v = _key(eng)
    return _trend(url, v, tuple((p.start, p.end) for p in periods), public, tuple(ids) if ids else None)


def trend_breakdown(eng: sa.Engine, *, periods: list[Period], public: bool, id: str) -> pd.DataFrame:  # noqa: A002
    url, v = _key(eng)
    return _trend_breakdown(url, v, tuple((p.start, p.end) for p in periods), public, id)


def weekly_attendance(eng: sa.Engine, *, start: date, end: date, public: bool) -> pd.Series:
    url, v = _key(eng)
    return _weekly(url, v, start, end, public)


def service_mix(eng: sa.Engine, *, period: Period, public: bool) -> pd.DataFrame:
    url, v = _key(eng)
    return _service_mix(url, v, period.start, period.end, public)


def overview(eng: sa.Engine, *, period: Period, public: bool):
    """The meeting overview's indicators, comparisons and attention items, from one evaluation."""
    url, v = _key(eng)
    return _overview(url, v, period.start, period.end, public)


@st.cache_data(show_spinner=False, max_entries=64)
def _trend_markers(url: str, version: tuple[int, int], end: date, public: bool, freq: str) -> pd.DataFrame:
    return metrics.trend_markers(engine=_engine_for(url), end=end, public=public, freqs=(freq,))


def trend_markers(eng: sa.Engine, *, end: date, public: bool, freq: str) -> pd.DataFrame:
    """Fingertips' trend marker of every indicator's monthly or quarterly series ending by ``end``."""
    url, v = _key(eng)
    return _trend_markers(url, v, end, public, freq)


def return_grid(eng: sa.Engine, *, start: date, end: date, today: date) -> pd.DataFrame:
    url, v = _key(eng)
    return _return_grid(url, v, start, end, today)


@st.cache_data(show_spinner=False, max_entries=64)
def _kerb(url: str, version: tuple[int, int], start: date, end: date, public: bool) -> pd.DataFrame:
    return metrics.kerb_crawling(engine=_engine_for(url), period=Period(start, end), public=public)


def kerb_crawling(eng: sa.Engine, *, period: Period, public: bool) -> pd.DataFrame:
    """Kerb-crawling enforcement actions per month of the period: month, value, suppressed.

    Not an indicator (no total is shown anywhere), so one hidden month cannot be worked out.
    """
    url, v = _key(eng)
    return _kerb(url, v, period.start, period.end, public)


def weekly_attendance_year(eng: sa.Engine, *, end: date, public: bool) -> pd.Series:
    """Women at each drop-in session over the 12 months to ``end``."""
    return weekly_attendance(eng, start=end - timedelta(days=364), end=end, public=public)


@st.cache_data(show_spinner=False, max_entries=32)
def _submissions(url: str, version: tuple[int, int], partner: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    return repository.list_submissions(_engine_for(url), partner=partner)


def submissions(eng: sa.Engine, *, partner: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The submission history and the sheets of each (``storage.repository.list_submissions``), cached."""
    url, v = _key(eng)
    return _submissions(url, v, partner)


@st.cache_data(show_spinner=False, max_entries=32)
def _refusals(url: str, version: tuple[int, int], partner: str | None) -> pd.DataFrame:
    return repository.list_refusals(_engine_for(url), partner=partner)


def refusals(eng: sa.Engine, *, partner: str | None) -> pd.DataFrame:
    """Files that were refused and why (``storage.repository.list_refusals``), cached."""
    url, v = _key(eng)
    return _refusals(url, v, partner)
