"""A small hand-built dataset, stored through storage.repository.store_submission (no loader).

Every value of every indicator for April 2026 is worked out by hand in ``test_golden.py`` from the rows
below. Women are P0001..P0011; P0001-P0006 are engaged in April 2026.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import pandas as pd

from core.periods import parse
from storage.repository import SheetRows, store_submission

N = None
LOADED = datetime(2026, 5, 10, 10, 0)  # every first submission: 10 May 2026, 10:00 UTC
CORRECTED = datetime(2026, 5, 20, 10, 0)  # the attendance correction


def frame(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for c in columns:
        if c.endswith("date") or c in ("date", "month"):
            df[c] = pd.to_datetime(df[c])
    return df


ATT = ["session_date", "person_id", "services_used"]
OUT = ["contact_date", "person_id", "contact_type", "condoms_given", "leaflet_given"]
HC = ["contact_date", "person_id", "service", "activity", "reason", "referral_to"]
TR = ["snapshot_date", "person_id", "in_treatment", "primary_substance", "rehab_stage"]
KW = ["review_date", "person_id", "accommodation", "has_children", "child_contact", "working_status"]
SG = ["meeting_date", "person_id", "risk_level", "care_plan_in_place"]
PM = ["month", "violence_reports", "arrests_soliciting", "support_referrals", "kerb_crawling_actions"]
TRN = ["course_date", "agency", "staff_trained"]
SUP = ["date", "item", "quantity"]
FB = ["survey_date", "person_id", "feel_heard", "feel_safe", "service_helpful"]

ATTENDANCE_MARCH = [("2026-03-26", "P0001", N), ("2026-03-26", "P0002", N)]
ATTENDANCE_APRIL = [
    ("2026-04-02", "P0001", "hairdressing"),
    ("2026-04-09", "P0001", N),
    ("2026-04-16", "P0001", N),
    ("2026-04-02", "P0002", N),
    ("2026-04-09", "P0002", "food;arts_crafts"),
    ("2026-04-16", "P0002", N),
    ("2026-04-23", "P0002", N),
    ("2026-04-02", "P0003", N),
    ("2026-04-09", "P0003", N),
    ("2026-04-30", "P0004", N),
    ("2026-04-16", "P0005", "sexual_health"),
]
OUTREACH_FEB = [("2026-02-14", "P0005", "street", True, N), ("2026-02-14", N, "street", N, N)]
OUTREACH_APRIL = [
    ("2026-04-05", "P0006", "street", True, True),
    ("2026-04-10", "P0001", "phone", N, N),
    ("2026-04-03", N, "street", True, N),
    ("2026-04-12", N, "street", N, N),
    ("2026-04-20", N, "other", N, N),
]
SEXUAL_HEALTH = {
    "2025-04": [("2025-04-30", "P0003", "sexual_health", "sti_screen", N, N)],
    "2025-05": [("2025-05-01", "P0002", "sexual_health", "sti_screen", N, N)],
    "2026-04": [
        ("2026-04-02", "P0001", "sexual_health", "sti_screen", N, "cervical_screening"),
        ("2026-04-10", "P0004", "sexual_health", "contraception", N, "gp_registration"),
        ("2026-04-10", "P0009", "sexual_health", "sti_screen", N, N),
    ],
}
MENTAL_HEALTH = {
    "2026-03": [("2026-03-30", "P0004", "mental_health", "support", N, N)],
    "2026-04": [
        ("2026-04-02", "P0003", "mental_health", "assessment", N, N),
        ("2026-04-09", "P0003", "mental_health", "support", N, N),
        ("2026-04-20", "P0006", "mental_health", "assessment", N, N),
        ("2026-04-15", "P0010", "mental_health", "support", N, N),
    ],
}
NURSE = {
    "2026-03": [("2026-03-31", "P0001", "nurse_prescriber", "consultation", "wound_care", N)],
    "2026-04": [
        ("2026-04-02", "P0001", "nurse_prescriber", "consultation", "skin_infection", N),
        ("2026-04-09", "P0002", "nurse_prescriber", "consultation", "oral_health", "breast_screening"),
        ("2026-04-16", "P0007", "nurse_prescriber", "consultation", "oral_health", N),
        ("2026-04-23", "P0003", "nurse_prescriber", "consultation", N, N),
    ],
}
DENTAL = {
    "2025-04": [("2025-04-15", "P0002", "dental", "check_up", N, N)],
    "2025-11": [("2025-11-20", "P0005", "dental", "check_up", N, N)],
    "2026-04": [("2026-04-22", "P0006", "dental", "emergency", N, N)],
}
TREATMENT = {
    "2025-12": [("2025-12-01", "P0009", True, "alcohol", "completed")],
    "2026-01": [
        ("2026-01-28", "P0003", True, "crack", "admitted"),
        ("2026-01-29", "P0002", True, "opiates", "referred"),
    ],
    "2026-02": [("2026-02-05", "P0008", True, "opiates", "referred")],
    "2026-03": [("2026-03-15", "P0001", True, "crack", "considering"), ("2026-03-10", "P0004", True, N, "considering")],
    "2026-04": [
        ("2026-04-15", "P0001", True, "crack", "ready"),
        ("2026-04-10", "P0004", False, N, N),
        ("2026-04-05", "P0008", True, "opiates", "admitted"),
        ("2026-04-12", "P0009", False, "alcohol", "completed"),
        ("2026-04-20", "P0010", True, "alcohol", "ready"),
    ],
}
KEYWORK = {
    "2026-01": [("2026-01-10", "P0003", N, True, "none", N), ("2026-01-28", "P0004", "settled", N, N, "stopped")],
    "2026-02": [
        ("2026-02-01", "P0002", "rough_sleeping", True, "indirect", "active"),
        ("2026-02-10", "P0011", N, True, "none", N),
    ],
    "2026-03": [
        ("2026-03-05", "P0001", "hostel", True, "none", "active"),
        ("2026-03-01", "P0002", "rough_sleeping", True, "indirect", "active"),
        ("2026-03-01", "P0008", "supported", N, N, "reduced"),
        ("2026-03-10", "P0011", N, True, N, N),
    ],
    "2026-04": [
        ("2026-04-05", "P0001", "temporary", True, "supervised", "reduced"),
        ("2026-04-12", "P0003", N, True, "living_with", N),
        ("2026-04-20", "P0006", "unknown", False, N, "stopped"),
        ("2026-04-02", "P0007", N, True, "indirect", N),
        ("2026-04-25", "P0007", "rough_sleeping", True, "unsupervised", "active"),
        ("2026-04-10", "P0011", "settled", True, "supervised", N),
    ],
}
SAFEGUARDING = {
    "2026-03": [("2026-03-20", "P0009", "high", False)],
    "2026-04": [
        ("2026-04-03", "P0001", "high", True),
        ("2026-04-17", "P0001", "high", False),
        ("2026-04-03", "P0002", "medium", False),
        ("2026-04-17", "P0002", "high", True),
        ("2026-04-03", "P0003", "high", True),
        ("2026-04-17", "P0003", "low", False),
        ("2026-04-17", "P0007", "high", True),
    ],
}
POLICE = {"2026-03": [("2026-03-01", 7, 3, 2, 1)], "2026-04": [("2026-04-01", 4, 2, 6, 0)]}
TRAINING = {
    "2026-03": [("2026-03-28", "council", 8)],
    "2026-04": [("2026-04-10", "police", 12), ("2026-04-24", "probation", 3), ("2026-04-24", "health", 5)],
}
SUPPLIES = {
    "2026-03": [("2026-03-30", "condoms", 70)],
    "2026-04": [("2026-04-02", "condoms", 100), ("2026-04-09", "condoms", 50), ("2026-04-09", "leaflets", 30)],
}
FEEDBACK = {
    "2026-03": [("2026-03-26", N, 5, N, N)],
    "2026-04": [
        ("2026-04-02", "P0001", 5, 4, 5),
        ("2026-04-09", N, 4, N, N),
        ("2026-04-09", "P0002", 3, 3, 3),
        ("2026-04-16", N, N, 2, N),
        ("2026-04-23", N, 2, N, N),
        ("2026-04-30", "P0004", 4, 5, 5),
    ],
}


def submit(
    engine,
    partner: str,
    period: str,
    sheets: dict[str, tuple[list[str], list[tuple]]],
    loaded_at: datetime = LOADED,
    tag: str = "",
):
    """Store one accepted file for ``partner`` and ``period`` holding ``sheets`` (return -> rows)."""
    sha = hashlib.sha256(f"{partner}|{period}|{sorted(sheets)}|{tag}|{loaded_at}".encode()).hexdigest()
    return store_submission(
        engine,
        sha256=sha,
        file_name=f"{partner}_{period}.xlsx",
        partner=partner,
        period=parse(period),
        loaded_by="test",
        content=sha.encode(),
        warnings=[],
        loaded_at=loaded_at,
        sheets=[SheetRows(name, name, frame(cols, rows)) for name, (cols, rows) in sheets.items()],
    )


def build(engine) -> None:
    """Store the whole dataset: everything for April 2026 except vineyard's supplies (missing)."""
    submit(engine, "aspirations", "2026-02", {"outreach": (OUT, OUTREACH_FEB)})
    submit(
        engine,
        "aspirations",
        "2026-03",
        {
            "attendance": (ATT, ATTENDANCE_MARCH),
            "keywork_review": (KW, KEYWORK["2026-03"]),
            "supplies": (SUP, SUPPLIES["2026-03"]),
            "feedback": (FB, FEEDBACK["2026-03"]),
        },
    )
    submit(
        engine,
        "aspirations",
        "2026-04",
        {
            "attendance": (ATT, ATTENDANCE_APRIL),
            "outreach": (OUT, OUTREACH_APRIL),
            "keywork_review": (KW, KEYWORK["2026-04"]),
            "supplies": (SUP, SUPPLIES["2026-04"]),
            "feedback": (FB, FEEDBACK["2026-04"]),
        },
    )
    for month in ("2026-01", "2026-02"):
        submit(engine, "aspirations", month, {"keywork_review": (KW, KEYWORK[month])}, tag="kw")
    submit(engine, "vineyard", "2026-04", {"outreach": (OUT, [])})  # a nil return
    for partner, data in (
        ("sexual_health", SEXUAL_HEALTH),
        ("mental_health", MENTAL_HEALTH),
        ("nurse_prescriber", NURSE),
        ("dental", DENTAL),
    ):
        for month, rows in data.items():
            submit(engine, partner, month, {"health_contacts": (HC, rows)})
    for month, rows in TREATMENT.items():
        submit(engine, "drug_alcohol", month, {"treatment": (TR, rows)})
    for month, rows in SAFEGUARDING.items():
        submit(engine, "safeguarding", month, {"safeguarding": (SG, rows)})
    for month, rows in POLICE.items():
        submit(engine, "police", month, {"police_monthly": (PM, rows)})
    for month, rows in TRAINING.items():
        submit(engine, "trauma_alliance", month, {"training": (TRN, rows)})


def correct_attendance(engine) -> None:
    """A correction to April's attendance, loaded on 20 May: P0004's visit on 30 April was a mistake."""
    rows = [r for r in ATTENDANCE_APRIL if r[1] != "P0004"]
    submit(engine, "aspirations", "2026-04", {"attendance": (ATT, rows)}, loaded_at=CORRECTED, tag="fix")
