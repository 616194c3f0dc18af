"""Indicators computed from the stored returns: the catalogue, periods, CIs, completeness, targets, disclosure
control, comparisons, trends and SPC. See ``docs/indicators.md``."""

from metrics import catalogue, completeness, disclosure, markers, spc, targets
from metrics.api import (
    AttentionItem,
    attention,
    compare,
    compute_indicators,
    default_period,
    kerb_crawling,
    overview,
    service_mix,
    trend,
    trend_breakdown,
    trend_markers,
    trend_periods,
    weekly_attendance,
)
from metrics.catalogue import CATALOGUE, THEMES, Indicator
from metrics.results import BreakdownCell, IndicatorResult, IndicatorSet
from metrics.spc import SPCResult, xmr

__all__ = [
    "CATALOGUE",
    "THEMES",
    "AttentionItem",
    "BreakdownCell",
    "Indicator",
    "IndicatorResult",
    "IndicatorSet",
    "SPCResult",
    "attention",
    "catalogue",
    "compare",
    "completeness",
    "compute_indicators",
    "default_period",
    "disclosure",
    "kerb_crawling",
    "markers",
    "overview",
    "service_mix",
    "spc",
    "targets",
    "trend",
    "trend_breakdown",
    "trend_markers",
    "trend_periods",
    "weekly_attendance",
    "xmr",
]
