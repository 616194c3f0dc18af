"""Shared fixtures. Databases are built by code; nothing binary is committed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"


@pytest.fixture
def db_url(tmp_path) -> str:
    """A fresh, empty SQLite database file for one test."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def engine(db_url):
    """An engine on a fresh database migrated to the latest schema."""
    from storage.db import ensure_schema, get_engine

    eng = ensure_schema(db_url)
    yield eng
    eng.dispose()
    get_engine.cache_clear()
