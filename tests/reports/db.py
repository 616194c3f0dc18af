"""A small database built by code through the storage layer (no committed binaries)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import pandas as pd

from core.periods import Period, monthly
from storage.repository import SheetRows, store_submission


def _store(engine, *, partner: str, period: Period, sheets: list[SheetRows]) -> None:
    body = repr([(s.return_name, s.frame.to_dict("list")) for s in sheets]).encode()
    store_submission(
        engine,
        sha256=hashlib.sha256(body + partner.encode()).hexdigest(),
        file_name=f"{partner}_{period.code()}.xlsx",
        partner=partner,
        period=period,
        loaded_by="test",
        content=body,
        sheets=sheets,
        warnings=[],
        loaded_at=datetime(2026, 7, 10, 9, 0),
    )


def populate(engine, *, first: date = date(2026, 1, 1), last: date = date(2026, 6, 30)) -> None:
    """Attendance, outreach (a few anonymous contacts), police and training returns, month by month."""
    for k, m in enumerate(monthly(first, last)):
        sessions = pd.date_range(m.start, m.end, freq="W-WED")
        women = 30 + 4 * k  # more women each month
        att = pd.DataFrame(
            [
                (d, f"P{w:04d}", "drug_alcohol;hairdressing" if w % 3 == 0 else "food")
                for d in sessions
                for w in range(1, women + 1)
                if (w + d.day) % 2 == 0
            ],
            columns=["session_date", "person_id", "services_used"],
        )
        anon = 2 + k % 2  # 2 or 3 anonymous contacts a month: small counts
        out = pd.DataFrame(
            {
                "contact_date": [m.start + timedelta(days=i) for i in range(anon + 6)],
                "person_id": [None] * anon + [f"P{100 + i:04d}" for i in range(6)],
                "contact_type": "street",
                "condoms_given": True,
                "leaflet_given": False,
            }
        )
        _store(
            engine,
            partner="aspirations",
            period=m,
            sheets=[SheetRows("attendance", "attendance", att), SheetRows("outreach", "outreach", out)],
        )
        police = pd.DataFrame(
            {
                "month": [m.start],
                "violence_reports": [3 + k],
                "arrests_soliciting": [2],
                "support_referrals": [6 + k],
                "kerb_crawling_actions": [1],
            }
        )
        _store(engine, partner="police", period=m, sheets=[SheetRows("police", "police_monthly", police)])
        training = pd.DataFrame(
            {
                "course_date": [m.start + timedelta(days=9)] * 2,
                "agency": ["police", "probation"],
                "staff_trained": [12 + k, 2],
            }
        )
        _store(engine, partner="trauma_alliance", period=m, sheets=[SheetRows("training", "training", training)])
