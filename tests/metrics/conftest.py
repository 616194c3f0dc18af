"""Fixtures for the metrics tests: the hand-built dataset in a fresh SQLite database."""

from __future__ import annotations

import pytest

from tests.metrics import dataset


@pytest.fixture(scope="module")
def golden_engine(tmp_path_factory):
    """The hand-built dataset (``tests/metrics/dataset.py``), built once per test module. Read-only."""
    from storage.db import ensure_schema, get_engine

    url = f"sqlite:///{tmp_path_factory.mktemp('golden') / 'golden.db'}"
    eng = ensure_schema(url)
    dataset.build(eng)
    yield eng
    eng.dispose()
    get_engine.cache_clear()


@pytest.fixture
def built(engine):
    """A fresh database holding the hand-built dataset, for tests that change it."""
    dataset.build(engine)
    return engine
