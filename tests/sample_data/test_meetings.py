"""The sample story's meetings: dated from its last month, with one action done, one overdue and one open."""

from __future__ import annotations

from datetime import date

import pytest

from core.periods import parse
from sample_data.meetings import meeting_quarters, seed_meetings
from storage.db import ensure_schema


@pytest.mark.parametrize(
    ("last", "first", "second"),
    [
        (date(2026, 10, 1), "2026-27-Q1", "2026-27-Q2"),  # the default story
        (date(2026, 12, 1), "2026-27-Q1", "2026-27-Q2"),
        (date(2027, 1, 1), "2026-27-Q2", "2026-27-Q3"),
        (date(2026, 3, 1), "2025-26-Q2", "2025-26-Q3"),
    ],
)
def test_the_meetings_review_the_two_latest_quarters_before_the_last_month(last, first, second):
    assert meeting_quarters(last) == (parse(first), parse(second))


def test_seeded_meetings_show_the_loop(tmp_path, monkeypatch):
    from metrics import meetings as loop

    engine = ensure_schema(f"sqlite:///{tmp_path / 'm.db'}")
    monkeypatch.setenv("OUTCOMES_TODAY", "2026-11-20")  # the demo's "now": after the story's last month
    seed_meetings(engine, date(2026, 10, 1))
    held = loop.meetings(engine)
    assert [(m["held_on"], m["period"]) for m in held] == [
        (date(2026, 10, 20), parse("2026-27-Q2")),
        (date(2026, 7, 20), parse("2026-27-Q1")),
    ]
    acts = loop.actions(engine)
    assert sorted((a["status"], a["overdue"]) for a in acts) == [("done", False), ("open", False), ("open", True)]
    assert [d["text"] for d in loop.decisions(engine)] == [
        "Commission a mobile dental clinic to visit the drop-in once a month."
    ]
    assert loop.commentary(engine, period=parse("2026-27-Q1"), public_only=True)
    assert loop.signed_off(engine, period=parse("2026-27-Q1")) is not None
    assert loop.signed_off(engine, period=parse("2026-27-Q2"))["signed_at"].date() == date(2026, 10, 20)
