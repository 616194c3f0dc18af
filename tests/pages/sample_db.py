"""A small, deterministic database for the page and browser tests, built by code.

Uses ``sample_data.build_sample`` when the sample builder is available; otherwise
stores synthetic rows for every partner and return through
``storage.repository.store_submission`` (the same path the loader uses).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from core import clock
from core.periods import Period, add_months, month_end
from storage.db import ensure_schema
from storage.repository import SheetRows, store_submission
from storage.users import ensure_demo_accounts

FIRST_MONTH = date(2025, 4, 1)
WOMEN = [f"P{n:04d}" for n in range(1, 41)]


def _months(today: date) -> list[date]:
    out, m = [], FIRST_MONTH
    last = add_months(date(today.year, today.month, 1), -1)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def _frames(month: date, rng: np.random.Generator) -> dict[tuple[str, str], pd.DataFrame]:
    """One month of rows for every (partner, return)."""
    end = month_end(month)
    days = pd.date_range(month, end, freq="D")
    sessions = [d for d in days if d.weekday() == 1]  # Tuesday drop-in
    att = []
    services = [
        "drug_alcohol",
        "mental_health",
        "sexual_health",
        "nurse_prescriber",
        "dental",
        "hairdressing",
        "arts_crafts",
        "food",
    ]
    for s in sessions:
        for p in rng.choice(WOMEN[:30], size=int(rng.integers(9, 16)), replace=False):
            used = rng.choice(services, size=int(rng.integers(1, 3)), replace=False)
            att.append({"session_date": s, "person_id": p, "services_used": ";".join(sorted(used))})
    outreach = [
        {
            "contact_date": days[int(rng.integers(0, len(days)))],
            "person_id": (None if rng.random() < 0.3 else str(rng.choice(WOMEN))),
            "contact_type": str(rng.choice(["street", "phone"])),
            "condoms_given": bool(rng.random() < 0.5),
            "leaflet_given": bool(rng.random() < 0.5),
        }
        for _ in range(18)
    ]
    review_day = pd.Timestamp(month) + pd.Timedelta(days=9)
    keywork = []
    for i, p in enumerate(WOMEN[:28]):
        has_children = i % 3 == 0
        keywork.append(
            {
                "review_date": review_day,
                "person_id": p,
                "accommodation": str(
                    rng.choice(["rough_sleeping", "sofa_surfing", "hostel", "temporary", "supported", "settled"])
                ),
                "has_children": has_children,
                "child_contact": str(rng.choice(["none", "indirect", "supervised", "living_with"]))
                if has_children
                else None,
                "working_status": str(rng.choice(["active", "reduced", "stopped"])),
            }
        )
    treatment = [
        {
            "snapshot_date": review_day + pd.Timedelta(days=5),
            "person_id": p,
            "in_treatment": bool(rng.random() < 0.6),
            "primary_substance": "crack",
            "rehab_stage": str(rng.choice(["not_assessed", "considering", "ready", "referred", "admitted"])),
        }
        for p in WOMEN[:24]
    ]

    def health(service: str, activity: str, n: int, **extra) -> pd.DataFrame:
        rows = []
        for p in rng.choice(WOMEN[:30], size=n, replace=False):
            row = {
                "contact_date": sessions[int(rng.integers(0, len(sessions)))],
                "person_id": p,
                "service": service,
                "activity": activity,
                "reason": None,
                "referral_to": None,
            }
            row.update({k: (v(rng) if callable(v) else v) for k, v in extra.items()})
            rows.append(row)
        return pd.DataFrame(rows)

    police = [
        {
            "month": pd.Timestamp(month),
            "violence_reports": int(rng.integers(2, 9)),
            "arrests_soliciting": int(rng.integers(0, 4)),
            "support_referrals": int(rng.integers(3, 10)),
            "kerb_crawling_actions": int(rng.integers(1, 12)),
        }
    ]
    training = (
        [
            {"course_date": review_day, "agency": str(a), "staff_trained": int(rng.integers(3, 15))}
            for a in ("police", "probation")
        ]
        if month.month % 3 == 1
        else []
    )
    supplies = [
        {"date": review_day, "item": "condoms", "quantity": int(rng.integers(80, 200))},
        {"date": review_day, "item": "leaflets", "quantity": int(rng.integers(10, 40))},
    ]
    feedback = [
        {
            "survey_date": sessions[0],
            "person_id": None,
            "feel_heard": int(rng.integers(2, 6)),
            "feel_safe": int(rng.integers(2, 6)),
            "service_helpful": int(rng.integers(3, 6)),
        }
        for _ in range(9)
    ]
    safeguarding = [
        {
            "meeting_date": sessions[0],
            "person_id": p,
            "risk_level": str(rng.choice(["high", "medium"])),
            "care_plan_in_place": bool(rng.random() < 0.8),
        }
        for p in WOMEN[:8]
    ]
    return {
        ("aspirations", "attendance"): pd.DataFrame(att),
        ("aspirations", "outreach"): pd.DataFrame(outreach[:12]),
        ("vineyard", "outreach"): pd.DataFrame(outreach[12:]),
        ("aspirations", "keywork_review"): pd.DataFrame(keywork),
        ("aspirations", "supplies"): pd.DataFrame(supplies),
        ("vineyard", "supplies"): pd.DataFrame(supplies[:1]),
        ("aspirations", "feedback"): pd.DataFrame(feedback),
        ("drug_alcohol", "treatment"): pd.DataFrame(treatment),
        ("sexual_health", "health_contacts"): health(
            "sexual_health", "sti_screen", 9, referral_to=lambda r: "cervical_screening" if r.random() < 0.3 else None
        ),
        ("mental_health", "health_contacts"): health("mental_health", "support", 7),
        ("nurse_prescriber", "health_contacts"): health(
            "nurse_prescriber",
            "consultation",
            8,
            reason=lambda r: str(r.choice(["skin_infection", "wound_care", "oral_health", "respiratory"])),
        ),
        # Dental is small: counts from 1 to 4 appear, so published views must hide them.
        ("dental", "health_contacts"): health("dental", "check_up", 2),
        ("safeguarding", "safeguarding"): pd.DataFrame(safeguarding),
        ("police", "police_monthly"): pd.DataFrame(police),
        ("trauma_alliance", "training"): pd.DataFrame(training, columns=["course_date", "agency", "staff_trained"]),
    }


def build(db_url: str, *, today: date | None = None, seed: int = 7) -> None:
    """Build the test database at ``db_url`` (sample builder if present) with the demo accounts."""
    try:
        from sample_data import build_sample  # type: ignore[attr-defined]
    except ImportError:
        build_sample = None
    if build_sample is not None:
        build_sample(db_url=db_url)
        ensure_demo_accounts(ensure_schema(db_url))
        return
    today = today or clock.today()
    engine = ensure_schema(db_url)
    rng = np.random.default_rng(seed)
    months = _months(today)
    # Whole quarters go in one file each (fewer transactions, a faster fixture); the last months one by one.
    chunks: list[list[date]] = []
    for m in months:
        recent = m >= add_months(months[-1], -2)
        if chunks and not recent and len(chunks[-1]) < 3 and (m.month - 4) % 3 != 0:
            chunks[-1].append(m)
        else:
            chunks.append([m])
    for chunk in chunks:
        frames = [_frames(m, rng) for m in chunk]
        period = Period(chunk[0], month_end(chunk[-1]))
        for key in frames[0]:
            partner, ret = key
            # The dental service has not sent its latest return: a missing return to show.
            if partner == "dental" and chunk[-1] == months[-1]:
                continue
            frame = pd.concat([f[key] for f in frames], ignore_index=True)
            content = f"{partner}/{ret}/{period.code()}/{seed}".encode()
            late = partner == "police" and chunk[-1] == months[-1]
            loaded = datetime.combine(add_months(chunk[-1], 1) + timedelta(days=25 if late else 9), datetime.min.time())
            store_submission(
                engine,
                sha256=hashlib.sha256(content).hexdigest(),
                file_name=f"{partner}_{ret}_{period.code()}.xlsx",
                partner=partner,
                period=period,
                loaded_by=f"{partner}-user",
                content=content,
                sheets=[SheetRows(ret, ret, frame)],
                warnings=[],
                loaded_at=loaded,
            )
    ensure_demo_accounts(engine)
