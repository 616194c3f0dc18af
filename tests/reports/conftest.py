"""Report data built by code: an exact indicator set with small numbers in it, and its public copy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from core.periods import monthly, quarter
from metrics.catalogue import CATALOGUE
from metrics.disclosure import apply_to_set, protect_frame
from metrics.results import BreakdownCell, IndicatorResult, IndicatorSet
from metrics.stats import wilson_one
from reports.data import ReportData

PERIOD = quarter(2026, 1)  # April to June 2026
PREVIOUS = quarter(2025, 4)
THRESHOLD = 5

# id -> (numerator, denominator) for percents, value for counts and means; previous value alongside.
FIGURES: dict[str, tuple] = {
    "ENG-01": (50, None, 44), "ENG-02": (3, None, 9), "ENG-03": (21, 50, 40.0), "ENG-04": (12.4, None, 11.0),
    "ENG-05": (2, None, 7), "HLT-01": (31, 50, 55.0), "HLT-02": (3, 50, 8.0), "HLT-03": (17, None, 15),
    "HLT-04": (6, None, 3), "DEN-01": (12, 50, 20.0), "DEN-02": (4, None, 6), "DRG-01": (22, 50, 44.0),
    "RHB-01": (9, None, 9), "RHB-02": (1, None, 0), "RHB-03": (None, None, None), "FAM-01": (0, None, 2),
    "FAM-02": (7, 9, 70.0), "HSG-01": (30, 41, 70.0), "HSG-02": (6, None, 4), "EXT-01": (18, 40, 40.0),
    "SAF-01": (None, None, None), "SAF-02": (23, None, 19), "CJS-01": (14, 18, 60.0), "WKF-01": (38, None, 12),
    "WID-01": (16, 50, 30.0), "SUP-01": (1250, None, 1100), "VOI-01": (25, 29, 80.0),
}
TARGETS = {"ENG-01": 60.0, "HLT-01": 60.0, "HSG-02": 5.0, "VOI-01": 75.0}
BREAKDOWNS = {
    "RHB-03": [("considering", 8), ("ready", 6), ("referred", 3), ("admitted", 11), ("not_recorded", 14)],
    "HLT-03": [("skin_infection", 6), ("wound_care", 7), ("oral_health", 4)],
    "WKF-01": [("police", 20), ("probation", 12), ("=HYPERLINK(\"http://x\")", 6)],
}


def _rag(value: float | None, target: float | None, polarity: str) -> str | None:
    if value is None or target is None:
        return None
    good = value >= target if polarity != "down" else value <= target
    if good:
        return "green"
    return "amber" if abs(value - target) <= 0.1 * target else "red"


def exact_results() -> list[IndicatorResult]:
    out = []
    for ind in CATALOGUE:
        a, b, _prev = FIGURES[ind.id]
        num = den = val = lo = hi = None
        status, missing, women = "complete", [], None
        if ind.id == "SAF-01":
            status, missing = "not_reported", ["safeguarding/safeguarding/2026-04", "safeguarding/safeguarding/2026-05",
                                               "safeguarding/safeguarding/2026-06"]
        elif ind.unit == "percent":
            num, den = a, b
            val = num / den * 100
            lo, hi = wilson_one(numerator=num, denominator=den)
        elif ind.unit == "mean":
            num, den, val, women = 124, 10, a, 30
        elif ind.unit == "count":
            num = val = a
        cells = [BreakdownCell(c, v, False) for c, v in BREAKDOWNS.get(ind.id, [])]
        if ind.id == "DEN-01":
            status, missing = "incomplete", ["dental/health_contacts/2026-05"]
        if ind.id == "ENG-02":
            missing = ["=cmd|' /C calc'!A0/outreach/2026-04"]
        target = TARGETS.get(ind.id)
        out.append(IndicatorResult(
            id=ind.id, name=ind.name, unit=ind.unit, polarity=ind.polarity, numerator=num, denominator=den,
            value=val, lower_ci=lo, upper_ci=hi, suppressed=False, status=status, missing=missing, target=target,
            rag=_rag(val, target, ind.polarity), breakdown=cells, women=women))
    return out


def comparison(public: bool) -> pd.DataFrame:
    rows = []
    for ind in CATALOGUE:
        a, b, prev = FIGURES[ind.id]
        value = None if a is None else (a / b * 100 if ind.unit == "percent" else a)
        if public and ind.unit == "count":
            value = None if value is not None and 0 < value < THRESHOLD else value
            prev = None if prev is not None and 0 < prev < THRESHOLD else prev
        if public and ind.id in ("HLT-02",):  # 3 of 50: suppressed
            value = None
        change = None if value is None or prev is None else value - prev
        direction = None
        if change is not None:
            if change == 0:
                direction = "same"
            elif ind.polarity == "none":
                direction = "no_judgement"
            else:
                direction = "better" if (change > 0) == (ind.polarity == "up") else "worse"
        rows.append({"id": ind.id, "value": value, "previous_value": prev, "year_ago_value": None,
                     "change_previous": change, "change_year_ago": None, "direction_previous": direction,
                     "direction_year_ago": None, "previous_period": PREVIOUS.label(),
                     "year_ago_period": "Q1 2025-26"})
    return pd.DataFrame(rows)


def trend(public: bool) -> pd.DataFrame:
    """Monthly figures, April 2025 to June 2026, some of them small."""
    months = monthly(date(2025, 4, 1), PERIOD.end)
    rows = []
    for k, ind in enumerate(CATALOGUE):
        if ind.unit == "breakdown":
            continue
        for j, m in enumerate(months):
            n = (3 * k + 5 * j) % 17 + (0 if j % 4 else 2)  # includes 1..4 for some months
            den = n + 10 if ind.unit == "percent" else None
            val = (n / den * 100) if den else float(n)
            rows.append({"id": ind.id, "unit": ind.unit, "period_start": pd.Timestamp(m.start),
                         "period_end": pd.Timestamp(m.end), "period_label": f"{m.start:%b %Y}", "numerator": float(n),
                         "denominator": den, "value": val, "lower_ci": None, "upper_ci": None, "women": n,
                         "status": "complete", "target": TARGETS.get(ind.id), "rag": None})
    df = pd.DataFrame(rows)
    for c in ("denominator", "lower_ci", "upper_ci"):
        df[c] = df[c].astype(float)
    if public:
        df = protect_frame(frame=df, threshold=THRESHOLD)
    else:
        df = df.drop(columns=["women"]).assign(suppressed=False)
    return df.drop(columns=["unit"])


def report_data(*, public: bool) -> ReportData:
    exact = IndicatorSet(period=PERIOD, public=False, as_of=None, threshold=THRESHOLD, results=exact_results())
    pub = apply_to_set(indicator_set=exact, threshold=THRESHOLD)
    chosen = pub if public else exact
    return ReportData(period=PERIOD, public=public, threshold=THRESHOLD, as_of=None,
                      data_as_at=datetime(2026, 7, 16, 9, 30), generated_at=datetime(2026, 7, 20, 10, 0),
                      indicators=chosen, comparison=comparison(public), trend=trend(public),
                      public_indicators=pub, public_comparison=comparison(True))


@pytest.fixture
def restricted_data() -> ReportData:
    return report_data(public=False)


@pytest.fixture
def public_data() -> ReportData:
    return report_data(public=True)


def tiny_png() -> bytes:
    """A real 2x2 PNG made by code (Pillow), standing in for a rendered chart."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.full((2, 2, 3), 200, dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def with_status(r: IndicatorResult, **kw) -> IndicatorResult:
    return replace(r, **kw)


def require_chromium() -> None:
    """Skip LOUDLY where Chromium is missing; fail instead when OUTCOMES_REQUIRE_CHROMIUM=1 (CI)."""
    import os

    from reports.render import chromium_path

    if chromium_path() is None:
        msg = ("CHROMIUM MISSING: chart rendering NOT TESTED. Install chromium (apt-get install chromium) "
               "or set BROWSER_PATH.")
        if os.environ.get("OUTCOMES_REQUIRE_CHROMIUM") == "1":
            pytest.fail(msg + " OUTCOMES_REQUIRE_CHROMIUM=1 requires it.")
        pytest.skip(msg)


@pytest.fixture
def populated(engine):
    """The shared fresh engine, with six months of attendance, outreach, police and training returns."""
    from tests.reports.db import populate

    populate(engine)
    return engine
