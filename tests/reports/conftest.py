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
from reports.data import ReportData, comparison_periods
from tests.needs import need

PERIOD = quarter(2026, 1)  # April to June 2026
PREVIOUS = quarter(2025, 4)
THRESHOLD = 5

# id -> (numerator, denominator) for percents, value for counts and means; previous value alongside.
FIGURES: dict[str, tuple] = {
    "ENG-01": (50, None, 44),
    "ENG-02": (3, None, 9),
    "ENG-03": (21, 50, 40.0),
    "ENG-04": (12.4, None, 11.0),
    "ENG-05": (2, None, 7),
    "HLT-01": (31, 50, 55.0),
    "HLT-02": (3, 50, 8.0),
    "HLT-03": (17, None, 15),
    "HLT-04": (6, None, 3),
    "DEN-01": (12, 50, 20.0),
    "DEN-02": (4, None, 6),
    "DRG-01": (22, 50, 44.0),
    "RHB-01": (9, None, 9),
    "RHB-02": (1, None, 0),
    "RHB-03": (None, None, None),
    "FAM-01": (0, None, 2),
    "FAM-02": (7, 9, 70.0),
    "HSG-01": (30, 41, 70.0),
    "HSG-02": (6, None, 4),
    "EXT-01": (18, 40, 40.0),
    "SAF-01": (None, None, None),
    "SAF-02": (23, None, 19),
    "CJS-01": (14, 18, 60.0),
    "WKF-01": (38, None, 12),
    "WID-01": (16, 50, 30.0),
    "SUP-01": (1250, None, 1100),
    "VOI-01": (25, 29, 80.0),
}
TARGETS = {"ENG-01": 60.0, "HLT-01": 60.0, "HSG-02": 5.0, "VOI-01": 75.0}
BREAKDOWNS = {
    "RHB-03": [("considering", 8), ("ready", 6), ("referred", 3), ("admitted", 11), ("not_recorded", 14)],
    "HLT-03": [("skin_infection", 6), ("wound_care", 7), ("oral_health", 4)],
    "WKF-01": [("police", 20), ("probation", 12), ('=HYPERLINK("http://x")', 6)],
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
            status, missing = (
                "not_reported",
                [
                    "safeguarding/safeguarding/2026-04",
                    "safeguarding/safeguarding/2026-05",
                    "safeguarding/safeguarding/2026-06",
                ],
            )
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
        out.append(
            IndicatorResult(
                id=ind.id,
                name=ind.name,
                unit=ind.unit,
                polarity=ind.polarity,
                numerator=num,
                denominator=den,
                value=val,
                lower_ci=lo,
                upper_ci=hi,
                suppressed=False,
                status=status,
                missing=missing,
                target=target,
                rag=_rag(val, target, ind.polarity),
                breakdown=cells,
                women=women,
            )
        )
    return out


def previous_results() -> list[IndicatorResult]:
    """The previous quarter: FIGURES' previous values (percents out of the same denominators)."""
    out = []
    for r in exact_results():
        prev = FIGURES[r.id][2]
        if r.unit == "percent" and prev is not None and r.denominator:
            num = round(prev * r.denominator / 100)
            lo, hi = wilson_one(numerator=num, denominator=r.denominator)
            out.append(
                replace(
                    r,
                    numerator=num,
                    value=num / r.denominator * 100,
                    lower_ci=lo,
                    upper_ci=hi,
                    status="complete",
                    missing=[],
                    rag=_rag(num / r.denominator * 100, r.target, r.polarity),
                    breakdown=[],
                )
            )
        elif r.unit in ("count", "mean") and prev is not None:
            out.append(
                replace(
                    r,
                    numerator=prev if r.unit == "count" else r.numerator,
                    value=prev,
                    status="complete",
                    missing=[],
                    rag=_rag(prev, r.target, r.polarity),
                    breakdown=[],
                )
            )
        else:
            out.append(
                replace(
                    r,
                    numerator=None,
                    denominator=None,
                    value=None,
                    lower_ci=None,
                    upper_ci=None,
                    status="not_reported",
                    rag=None,
                    breakdown=[],
                    missing=[],
                )
            )
    return out


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
            rows.append(
                {
                    "id": ind.id,
                    "unit": ind.unit,
                    "period_start": pd.Timestamp(m.start),
                    "period_end": pd.Timestamp(m.end),
                    "period_label": f"{m.start:%b %Y}",
                    "numerator": float(n),
                    "denominator": den,
                    "value": val,
                    "lower_ci": None,
                    "upper_ci": None,
                    "women": n,
                    "status": "complete",
                    "target": TARGETS.get(ind.id),
                    "rag": None,
                }
            )
    df = pd.DataFrame(rows)
    for c in ("denominator", "lower_ci", "upper_ci"):
        df[c] = df[c].astype(float)
    if public:
        df = protect_frame(frame=df, threshold=THRESHOLD)
    else:
        df = df.drop(columns=["women"]).assign(suppressed=False)
    return df.drop(columns=["unit"])


def _sets(public: bool) -> dict[str, IndicatorSet]:
    """The period (Q1: its year to date is itself), the previous quarter, and a year earlier (not reported)."""
    periods = comparison_periods(PERIOD)
    results = {
        "period": exact_results(),
        "previous": previous_results(),
        "year_ago": [
            replace(
                r,
                numerator=None,
                denominator=None,
                value=None,
                lower_ci=None,
                upper_ci=None,
                status="not_reported",
                rag=None,
                breakdown=[],
            )
            for r in exact_results()
        ],
    }
    results["ytd"], results["ytd_year_ago"] = results["period"], results["year_ago"]
    out = {}
    for key, res in results.items():
        s = IndicatorSet(period=periods[key], public=False, as_of=None, threshold=THRESHOLD, results=res)
        out[key] = apply_to_set(indicator_set=s, threshold=THRESHOLD) if public else s
    return out


def _f(x) -> float:
    return float("nan") if x is None else float(x)


def comparison_of(now: IndicatorResult, year_ago: IndicatorResult | None) -> dict:
    """A row of ``metrics.compare`` for ``now`` against ``year_ago``, judged as compare judges (by
    ``metrics.markers``, at the level set by ``OUTCOMES_CONFIDENCE``)."""
    from metrics import markers

    level = markers.confidence_level()
    pair = [now, year_ago or replace(now, value=None, numerator=None, denominator=None)]
    lo, hi = markers.judge_figures(
        unit=[r.unit for r in pair],
        value=[_f(r.value) for r in pair],
        numerator=[_f(r.numerator) for r in pair],
        denominator=[_f(r.denominator) for r in pair],
        level=level,
    )
    v = [None if r.value is None or r.value != r.value else float(r.value) for r in pair]
    return {
        "id": now.id,
        "value": v[0],
        "year_ago_value": v[1],
        "confidence": level,
        "judged_target": markers.against_target(
            value=v[0], lower=lo[0], upper=hi[0], target=now.target, polarity=now.polarity
        ),
        "judged_year_ago": markers.against_earlier(
            value=v[0],
            lower=lo[0],
            upper=hi[0],
            earlier=v[1],
            earlier_lower=lo[1],
            earlier_upper=hi[1],
            polarity=now.polarity,
        ),
    }


def comparisons(sets: dict[str, IndicatorSet]) -> pd.DataFrame:
    """``metrics.compare`` of the period in ``sets`` (its year ago is not reported: no year-ago judgement)."""
    ago = {r.id: r for r in sets["year_ago"].results}
    return pd.DataFrame([comparison_of(r, ago.get(r.id)) for r in sets["period"].results])


def report_data(*, public: bool) -> ReportData:
    sets, public_sets = _sets(public), _sets(True)
    return ReportData(
        period=PERIOD,
        public=public,
        threshold=THRESHOLD,
        as_of=None,
        data_as_at=datetime(2026, 7, 16, 9, 30),
        generated_at=datetime(2026, 7, 20, 10, 0),
        sets=sets,
        public_sets=public_sets,
        trend=trend(public),
        public_trend=trend(True),
        first_month=date(2025, 4, 1),
        comparisons=comparisons(sets),
        public_comparisons=comparisons(public_sets),
    )


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


def chart_png(width: int = 1800, height: int = 760) -> bytes:
    """A chart-sized PNG made by code (Pillow), standing in for a rendered chart where the page layout matters."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 235, dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def with_status(r: IndicatorResult, **kw) -> IndicatorResult:
    return replace(r, **kw)


def require_chromium() -> None:
    """Skip LOUDLY where Chromium is missing; fail instead when OUTCOMES_REQUIRE_CHROMIUM=1 (CI)."""
    from reports.render import chromium_path

    need(
        chromium_path() is not None,
        "CHROMIUM MISSING: chart rendering NOT TESTED. Install chromium (apt-get install chromium) "
        "or set BROWSER_PATH.",
        flag="OUTCOMES_REQUIRE_CHROMIUM",
    )


@pytest.fixture
def populated(engine):
    """The shared fresh engine, with six months of attendance, outreach, police and training returns."""
    from tests.reports.db import populate

    populate(engine)
    return engine
