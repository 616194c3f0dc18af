"""The pages' door to the figures: one cache per read, keyed by the arguments and this run's data version."""

from __future__ import annotations

from datetime import date

import pytest

from core.periods import Period, quarter
from storage import repository
from ui import data


@pytest.fixture
def versions(tmp_path, monkeypatch):
    """An empty database, with its data version under the test's control."""
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", f"sqlite:///{tmp_path / 'door.db'}")
    now = {"version": (1, 1)}
    monkeypatch.setattr(repository, "data_version", lambda _eng: now["version"])
    data.clear()
    yield now
    data.clear()


def _counting(name: str):
    calls: list[dict] = []

    def read(eng, **arguments):
        calls.append(arguments)
        return (name, len(calls))

    read.__qualname__ = name
    return data.versioned(max_entries=8)(read), calls


def test_the_same_arguments_are_read_once_per_data_version(versions):
    read, calls = _counting("door_once")
    eng = data.engine()
    q1 = quarter(2026, 1)
    assert read(eng, period=q1, public=True) == read(eng, period=Period(q1.start, q1.end), public=True)
    assert len(calls) == 1 and calls[0] == {"period": q1, "public": True}
    read(eng, period=q1, public=False)  # public is part of every key
    read(eng, period=quarter(2026, 2), public=True)
    assert len(calls) == 3
    versions["version"] = (2, 5)  # a new upload: read afresh in the next run
    data.begin_run()
    read(eng, period=q1, public=True)
    assert len(calls) == 4


def test_each_read_has_its_own_cache(versions):
    first, first_calls = _counting("door_first")
    second, second_calls = _counting("door_second")
    eng = data.engine()
    assert first(eng, end=date(2026, 6, 30)) == ("door_first", 1)
    assert second(eng, end=date(2026, 6, 30)) == ("door_second", 1)
    assert len(first_calls) == len(second_calls) == 1


def test_one_run_reads_the_data_version_once(versions, monkeypatch):
    read, _ = _counting("door_version")
    asked = []
    monkeypatch.setattr(repository, "data_version", lambda _eng: asked.append(1) or versions["version"])
    data.begin_run()
    eng = data.engine()
    for year in (2024, 2025, 2026):
        read(eng, period=quarter(year, 1), public=True)
    assert len(asked) == 1
