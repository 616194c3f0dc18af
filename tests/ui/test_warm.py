"""Warming a server process: the default overview's figures are cached before anyone asks, and again after new data."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest

import metrics
from core import clock
from core.periods import latest_complete_quarter
from storage import repository
from tests.pages import sample_db
from ui import data, warm


@pytest.fixture(scope="module")
def warm_db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('warm') / 'warm.db'}"
    sample_db.build(url)
    return url


@pytest.fixture
def fresh(warm_db, monkeypatch):
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", warm_db)
    data.clear()
    yield warm_db
    data.clear()


def _no_computing(monkeypatch) -> None:
    def refuse(**_kw):
        raise AssertionError("computed again: the warm-up did not fill the cache")

    monkeypatch.setattr(metrics, "overview", refuse)
    monkeypatch.setattr(metrics, "trend_markers", refuse)


def test_warm_caches_both_views_of_the_default_overview(fresh, monkeypatch):
    version = warm.warm()
    eng = data.engine()
    assert version == repository.data_version(eng)
    _no_computing(monkeypatch)
    period = latest_complete_quarter(clock.today())
    data.begin_run()
    for public in (False, True):
        got = data.overview(eng, period=period, public=public)
        assert got.indicators.results
        data.trend_markers(eng, end=period.end, public=public, freq="quarter")


def test_keep_warm_warms_again_after_new_data(fresh, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="ui.warm")
    stop = threading.Event()
    thread = threading.Thread(target=warm.keep_warm, args=(stop,), kwargs={"every": 0.2}, daemon=True)
    thread.start()
    eng = data.engine()
    try:
        first = repository.data_version(eng)
        _wait_for(caplog, f"warmed for data version {first}")
        repository.log_refusal(
            eng, sha256="0" * 64, file_name="x.csv", partner="aspirations", loaded_by="test", reasons=[]
        )  # any refused or accepted file is a new data version
        second = repository.data_version(eng)
        assert second != first
        _wait_for(caplog, f"warmed for data version {second}")
    finally:
        stop.set()
        thread.join(timeout=30)
    _no_computing(monkeypatch)
    data.begin_run()
    period = latest_complete_quarter(clock.today())
    assert data.overview(eng, period=period, public=True).indicators.results  # the new version, from the cache


def _wait_for(caplog, text: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if any(text in r.getMessage() for r in caplog.records):
            return
        time.sleep(0.1)
    raise AssertionError(f"never logged: {text}")


def test_serve_starts_warming_with_the_server_and_stops_with_it(monkeypatch):
    import serve

    started = []
    monkeypatch.setattr(warm, "start", lambda: started.append(threading.Event()) or started[-1])

    async def lifespan():
        async with serve._lifespan(serve.app):
            assert len(started) == 1 and not started[0].is_set()
        assert started[0].is_set()

    asyncio.run(lifespan())
