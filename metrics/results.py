"""Result types: one indicator for one period, and the set for a period (with the spec's JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import pandas as pd

from core.periods import Period

Status = Literal["complete", "incomplete", "not_reported"]
Rag = Literal["green", "amber", "red"]

JSON_FIELDS = (
    "id",
    "name",
    "unit",
    "polarity",
    "numerator",
    "denominator",
    "value",
    "lower_ci",
    "upper_ci",
    "suppressed",
    "status",
    "missing",
    "target",
    "rag",
)


@dataclass(frozen=True)
class BreakdownCell:
    category: str
    value: float | int | None
    suppressed: bool = False


@dataclass
class IndicatorResult:
    """One indicator for one period. In a public set every suppressed figure is None in every field."""

    id: str
    name: str
    unit: str
    polarity: str
    numerator: float | int | None
    denominator: float | int | None
    value: float | int | None
    lower_ci: float | None
    upper_ci: float | None
    suppressed: bool
    status: Status
    missing: list[str]
    target: float | None
    rag: Rag | None
    breakdown: list[BreakdownCell] = field(default_factory=list)
    # Distinct women behind a mean (for disclosure control only; never published, None in public sets).
    women: int | None = field(default=None, repr=False)

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in JSON_FIELDS}
        out["missing"] = list(self.missing)
        out["breakdown"] = [
            {"category": c.category, "value": c.value, "suppressed": c.suppressed} for c in self.breakdown
        ]
        return out


@dataclass
class IndicatorSet:
    """Every requested indicator for one period."""

    period: Period
    public: bool
    as_of: date | None
    threshold: int
    results: list[IndicatorResult]

    def by_id(self, indicator_id: str) -> IndicatorResult:
        for r in self.results:
            if r.id == indicator_id:
                return r
        raise KeyError(indicator_id)

    def to_json(self) -> dict:
        """Exactly the JSON of indicators spec section 7."""
        return {
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "public": self.public,
            "indicators": [r.to_json() for r in self.results],
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator; the JSON fields as columns (breakdown left out)."""
        return pd.DataFrame([{k: getattr(r, k) for k in JSON_FIELDS} for r in self.results], columns=list(JSON_FIELDS))
