"""Every table a person can download as CSV, the submission history among them: no cell can run as a
formula (OWASP), and numbers stay numbers. On both engines: the history comes from the database."""

from __future__ import annotations

import csv
import io

from data_loaders.ingest import ingest_file
from storage.db import get_engine
from storage.users import User
from tests.data_loaders.files import TODAY, good_xlsx
from ui import components, returns
from ui.frame import PageContext

RISKY = '=HYPERLINK("http://example.invalid/x","open")'


def test_submission_history_csv_neutralises_file_names_and_users(engine, db_url, backend, monkeypatch):
    monkeypatch.setenv("OUTCOMES_TODAY", TODAY.isoformat())
    monkeypatch.setenv("OUTCOMES_DATABASE_URL", db_url)  # the pages' cached reads use the configured database
    get_engine.cache_clear()
    name = f"{RISKY}_2026-04.xlsx"
    rep = ingest_file(
        engine=engine,
        content=good_xlsx("attendance"),
        file_name=name,
        partner="aspirations",
        loaded_by="@lead",
        today=TODAY,
    )
    assert rep.status == "accepted", rep.errors
    ctx = PageContext(user=User("author", "author", None, True), engine=engine, period=None, public=True)
    history = returns.submission_history(ctx, partner=None)
    assert history["File"].tolist() == [name]
    rows = list(csv.DictReader(io.StringIO(components.csv_bytes(history).decode("utf-8-sig"))))
    assert rows[0]["File"] == "'" + name
    assert rows[0]["Loaded by"] == "'@lead"
    assert rows[0]["Warnings"].isdigit()  # a count is written as a number, unquoted
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for v in r.values())
