"""Fixtures for the metrics tests: the hand-built dataset in a fresh SQLite database."""

from __future__ import annotations

import pytest

from tests.metrics import dataset

TEST_TARGETS = """
[default]
"ENG-01" = 60
"HLT-01" = 50
"FAM-02" = 40
"HSG-02" = 5

["2026-27"]
"HLT-01" = 65
"""


@pytest.fixture(autouse=True, scope="module")
def _test_targets(tmp_path_factory):
    """The tests' own targets file, so the shipped example targets can change freely (module scope, so it is
    in force before the module-scoped golden results are computed)."""
    path = tmp_path_factory.mktemp("targets") / "test_targets.toml"
    path.write_text(TEST_TARGETS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OUTCOMES_TARGETS_FILE", str(path))
        yield


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
