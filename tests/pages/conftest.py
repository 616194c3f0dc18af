"""Fixtures for the page tests: one database per test session, built by code, and an AppTest per role."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.pages import sample_db

ROOT = Path(__file__).resolve().parents[2]
TEST_SECRET = "test-cookie-secret-0123456789-abcdefghijklmnop"


@pytest.fixture(scope="session")
def app_db(tmp_path_factory) -> str:
    """The URL of a database with a year and a half of synthetic returns and the demo accounts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.db'}"
    sample_db.build(url)
    return url


@pytest.fixture
def app_env(app_db, monkeypatch):
    """The environment the app runs in during a test."""
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", app_db)
    monkeypatch.setenv("OUTCOMES_SAMPLE", "1")
    monkeypatch.setenv("OUTCOMES_COOKIE_SECRET", TEST_SECRET)
    monkeypatch.chdir(ROOT)
    return app_db


def signed_in(role_user: dict | None):
    """An AppTest of the app, signed in as ``role_user`` (username, role, partner) or signed out."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if role_user is not None:
        sign_in(at, role_user["username"])
    return at


def sign_in(at, username: str) -> int:
    """Give an AppTest a real session of ``username`` (as a sign-in would); its id."""
    from storage import sessions
    from storage.db import database_url, ensure_schema

    session_id, _ = sessions.start(ensure_schema(database_url()), username=username, method="password")
    at.session_state["auth_session"] = session_id
    return session_id


USERS = {
    "chair": {"username": "chair", "role": "chair"},
    "commissioner": {"username": "commissioner", "role": "commissioner"},
    "author": {"username": "author", "role": "author"},
    "partner": {"username": "aspirations", "role": "partner", "partner": "aspirations"},
    "admin": {"username": "admin", "role": "admin"},
}


@pytest.fixture
def app_as(app_env):
    """Factory: ``app_as("chair")`` gives a run AppTest signed in as that demo role."""

    def make(role: str | None):
        at = signed_in(USERS[role] if role else None)
        at.run()
        return at

    return make


def all_text(at) -> str:
    """Every piece of text on the screen (markdown, captions, tables, metrics, headings, alerts)."""
    parts: list[str] = []
    for kind in (
        "markdown",
        "caption",
        "title",
        "header",
        "subheader",
        "text",
        "info",
        "warning",
        "error",
        "success",
        "metric",
        "expander",
        "tabs",
    ):
        for el in getattr(at, kind, []):
            for attr in ("value", "label", "body"):
                v = getattr(el, attr, None)
                if isinstance(v, str):
                    parts.append(v)
    for df in at.dataframe:
        parts.append(df.value.to_csv(index=False))
    for t in at.table:
        parts.append(t.value.to_csv(index=False))
    return "\n".join(parts)


os.environ.setdefault("OUTCOMES_COOKIE_SECRET", TEST_SECRET)
