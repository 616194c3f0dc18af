"""The one home of formatting: figures, dates, periods, codes, RAG words and badges in plain, respectful words.

Used by the pages, the exports and the charts alike, so a rating or a figure reads the same on the
screen and in every file (no computing here).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from html import escape

import pandas as pd

from core import periods as P

SUPPRESSED = "*"
NOT_REPORTED = "—"

LABELS: dict[str, str] = {
    # drop-in services and health
    "drug_alcohol": "Drug and alcohol",
    "mental_health": "Mental health",
    "sexual_health": "Sexual health",
    "nurse_prescriber": "Nurse prescriber",
    "dental": "Dental",
    "hairdressing": "Hairdressing",
    "arts_crafts": "Arts and crafts",
    "housing_advice": "Housing advice",
    "food": "Food",
    "other": "Other",
    "sti_screen": "STI screen",
    "skin_infection": "Skin infection",
    "wound_care": "Wound care",
    "oral_health": "Oral health",
    "respiratory": "Respiratory",
    "womens_health": "Women's health",
    "breast_screening": "Breast screening",
    "cervical_screening": "Cervical screening",
    "gp_registration": "GP registration",
    # rehab stages
    "not_assessed": "Not assessed",
    "considering": "Considering rehab",
    "ready": "Ready for rehab",
    "referred": "Referred to rehab",
    "admitted": "Admitted to rehab",
    "completed": "Completed rehab",
    "disengaged": "Disengaged",
    "not_recorded": "Not recorded",
    # accommodation, contact, work
    "rough_sleeping": "Rough sleeping",
    "sofa_surfing": "Sofa surfing",
    "hostel": "Hostel",
    "temporary": "Temporary",
    "supported": "Supported",
    "settled": "Settled",
    "unknown": "Unknown",
    "living_with": "Living with her",
    "active": "Active",
    "reduced": "Reduced",
    "stopped": "Stopped",
    # agencies
    "police": "Police",
    "probation": "Probation",
    "housing": "Housing",
    "health": "Health",
    "council": "Council",
    "voluntary": "Voluntary sector",
    # return states
    "on_time": "On time",
    "late": "Late",
    "nil_return": "Nil return",
    "missing": "Missing",
    "not_yet_due": "Not yet due",
    # statuses
    "complete": "Complete",
    "incomplete": "Incomplete",
    "not_reported": "Not reported",
}

RETURN_LABELS = {
    "attendance": "Attendance",
    "outreach": "Outreach",
    "keywork_review": "Key-work review",
    "treatment": "Treatment",
    "health_contacts": "Health contacts",
    "safeguarding": "Safeguarding",
    "police_monthly": "Police monthly",
    "training": "Training",
    "supplies": "Supplies",
    "feedback": "Feedback",
}

# One set of words for each rating, on the screen and in every export (the user guide's).
RAG_WORDS = {"green": "On target", "amber": "Close to target", "red": "Off target"}
STATUS_WORDS = {"complete": "complete", "incomplete": "incomplete", "not_reported": "not reported"}
VARIATION_WORDS = {
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neither": "Special cause: neither better nor worse",
    "common_cause": "Common cause variation",
}


def label(code: object) -> str:
    """A code in plain words: 'oral_health' -> 'Oral health'."""
    if is_missing(code) or code == "":
        return "Not recorded"
    text = str(code)
    return LABELS.get(text, text.replace("_", " ").capitalize())


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def count_text(n: float) -> str:
    """A count, whole and with thousands separators: '1,234'."""
    return f"{int(round(n)):,}"


def number_text(value: float, unit: str) -> str:
    """A figure in its unit: counts whole ('1,234'), percents and means to one decimal place ('41.7%', '3.5')."""
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "mean":
        return f"{value:.1f}"
    return count_text(value)


def value_text(value: object, unit: str, *, suppressed: bool = False, status: str | None = None) -> str:
    """A figure for display: '*' when suppressed, '—' when not reported or without a value."""
    if suppressed:
        return SUPPRESSED
    if status == "not_reported" or is_missing(value):
        return NOT_REPORTED
    return number_text(float(value), unit)  # type: ignore[arg-type]


def change_text(change: object, unit: str) -> str:
    """A change with its sign: '+3', '−1.5 points'."""
    if is_missing(change):
        return ""
    c = float(change)  # type: ignore[arg-type]
    sign = "+" if c > 0 else ("−" if c < 0 else "±")
    if unit == "percent":
        return f"{sign}{abs(c):.1f} points"
    return sign + number_text(abs(c), unit)


def ci_text(lower: object, upper: object) -> str:
    if is_missing(lower) or is_missing(upper):
        return ""
    return f"{float(lower):.1f}–{float(upper):.1f}%"  # type: ignore[arg-type]


def uk_date(d: object, *, long: bool = False) -> str:
    """03/04/2026, or 3 April 2026 with ``long``."""
    if is_missing(d) or d is pd.NaT:
        return ""
    ts = pd.Timestamp(d)  # type: ignore[arg-type]
    if long:
        return f"{ts.day} {ts:%B %Y}"
    return f"{ts:%d/%m/%Y}"


def uk_datetime(d: datetime | pd.Timestamp | None) -> str:
    if is_missing(d) or d is pd.NaT:
        return ""
    return f"{pd.Timestamp(d):%d/%m/%Y %H:%M}"


def month_label(d: date | pd.Timestamp) -> str:
    return f"{pd.Timestamp(d):%b %Y}"


def short_label(p: P.Period) -> str:
    """A period in few words, for comparisons: 'Q1 2026-27', 'Jun 2026', '2025-26' or a date range."""
    q = P.as_quarter(p)
    if q:
        return f"Q{q[1]} {P.fy_label(q[0])}"
    if p.start.day == 1 and p.end == P.month_end(p.start):
        return f"{p.start:%b %Y}"
    if p == P.financial_year(P.fy_of(p.start)):
        return P.fy_label(p.start.year)
    return f"{p.start:%d/%m/%Y} to {p.end:%d/%m/%Y}"


def period_phrase(p: P.Period) -> str:
    """'in April 2026', 'between April and June 2026', 'between 3 April 2026 and 9 May 2026'."""
    if p.start.day == 1 and p.end == P.month_end(p.start):
        return f"in {p.start:%B %Y}"
    if p.start.day == 1 and p.end == P.month_end(p.end):
        first = f"{p.start:%B}" if p.start.year == p.end.year else f"{p.start:%B %Y}"
        return f"between {first} and {p.end:%B %Y}"
    return f"between {uk_date(p.start, long=True)} and {uk_date(p.end, long=True)}"


def end_phrase(p: P.Period) -> str:
    """'at the end of June 2026', or 'on 15 May 2026' for a period that ends mid-month."""
    if p.end == P.month_end(p.end):
        return f"at the end of {p.end:%B %Y}"
    return f"on {uk_date(p.end, long=True)}"


def previous_phrase(p: P.Period) -> str:
    """What the previous period of ``p`` is called in a sentence."""
    if P.as_quarter(p):
        return "the previous quarter"
    if p.start.day == 1 and p.end == P.month_end(p.start):
        return "the previous month"
    return "the previous period of the same length"


def year_ago_phrase(p: P.Period) -> str:
    """What the same period a year earlier is called in a sentence."""
    if P.as_quarter(p):
        return f"the same quarter of {P.fy_label(P.fy_of(p.start) - 1)}"
    return "the same period a year earlier"


def months_phrase(months: list[date]) -> str:
    """'May 2026', 'April and May 2026', 'December 2026 and January 2027'."""
    by_year: dict[int, list[str]] = {}
    for m in sorted(set(months)):
        by_year.setdefault(m.year, []).append(f"{m:%B}")
    return join_words([join_words(names) + f" {year}" for year, names in by_year.items()])


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:$=^\"'])")


def plain(text: object) -> str:
    """Text a person supplied (a file, sheet or user name), made safe to put in Markdown or HTML: shown as
    written, never rendered (no images fetched, no styles, no links, no Streamlit directives)."""
    return _escaped(text, _MARKDOWN_PUNCTUATION)


# In a widget label after fixed words, ``_``, ``-`` and ``.`` cannot start a list or emphasise inside a word,
# and escaping them would change the label's accessible name (what a screen reader says, what tests find).
_LABEL_PUNCTUATION = re.compile(r"([\\`*{}\[\]()#+!|~:$=^\"'])")


def plain_label(text: object) -> str:
    """``plain`` for a name inside a widget's label: still never rendered, but read out as written."""
    return _escaped(text, _LABEL_PUNCTUATION)


def _escaped(text: object, punctuation: re.Pattern) -> str:
    t = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return punctuation.sub(r"\\\1", t).replace("\n", " ").replace("\r", " ")


def badge(text: str, tone: str) -> str:
    """An HTML badge (tone: green, amber, red, grey, blue). Text always says what the colour means."""
    return f'<span class="badge badge-{tone}">{escape(text)}</span>'


def rag_badge(rag: str | None) -> str:
    return badge(RAG_WORDS[rag], rag) if rag in RAG_WORDS else ""


def direction_html(direction: str | None, change: object, unit: str, versus: str) -> str:
    """'▲ +3 vs Q4 2025-26 (better)': the arrow's colour follows the indicator's polarity."""
    if is_missing(change) or direction is None:
        return f'<span class="arrow-neutral">–</span> no comparison with {escape(versus)}'
    c = float(change)  # type: ignore[arg-type]
    arrow = "▲" if c > 0 else ("▼" if c < 0 else "▶")
    css = {"better": "arrow-better", "worse": "arrow-worse"}.get(direction, "arrow-neutral")
    word = {"better": "better", "worse": "worse", "same": "no change"}.get(direction, "")
    tail = f" ({word})" if word else ""
    return f'<span class="{css}">{arrow} {escape(change_text(change, unit))}</span> vs {escape(versus)}{escape(tail)}'


def missing_text(missing: list[str], *, limit: int = 6) -> str:
    """'aspirations/attendance/2026-04' -> 'Aspirations attendance, April 2026' (plain words, a few at most)."""
    words = []
    for m in missing[:limit]:
        parts = m.split("/")
        if len(parts) == 3:
            partner, ret, month = parts
            try:
                when = f"{pd.Timestamp(month + '-01'):%B %Y}"
            except ValueError:
                when = month
            words.append(f"{partner.replace('_', ' ')} {RETURN_LABELS.get(ret, ret).lower()} ({when})")
        else:
            words.append(m)
    more = len(missing) - limit
    return "; ".join(words) + (f"; and {more} more" if more > 0 else "")


# Fingertips' trend markers as an arrow (its colour follows the polarity) with the words beside it.
TREND_ICONS = {
    "increasing_better": ("▲", "arrow-better"),
    "increasing_worse": ("▲", "arrow-worse"),
    "decreasing_better": ("▼", "arrow-better"),
    "decreasing_worse": ("▼", "arrow-worse"),
    "increasing": ("▲", "arrow-neutral"),
    "decreasing": ("▼", "arrow-neutral"),
    "no_change": ("▶", "arrow-neutral"),
    "cannot_be_calculated": ("✕", "arrow-neutral"),
}
# metrics.compare's better, similar or worse (and higher or lower where no direction is better): the packs'
# words, capitalised, and the pages' words beside a figure.
COMPARISON_WORDS = {"better": "Better", "similar": "Similar", "worse": "Worse", "higher": "Higher", "lower": "Lower"}
JUDGED_WORDS = {k: v.lower() for k, v in COMPARISON_WORDS.items()}


def trend_marker_html(marker: str | None, words: str | None, *, span: str = "") -> str:
    """'▲ Increasing and getting better (last five quarters)': Fingertips' trend marker, icon and words."""
    if not marker or marker not in TREND_ICONS:
        return ""
    arrow, css = TREND_ICONS[marker]
    tail = f" ({span})" if span else ""
    return (
        f'<span class="{css}" role="img" aria-label="trend">{arrow}</span> '
        f"Trend: {escape(str(words or ''))}{escape(tail)}"
    )


def judged_text(*, target: object, year_ago: object, level: object) -> str:
    """'against the target: similar · against a year earlier: better (95% intervals)', or ''."""
    parts = []
    if isinstance(target, str) and target in JUDGED_WORDS:
        parts.append(f"against the target: {JUDGED_WORDS[target]}")
    if isinstance(year_ago, str) and year_ago in JUDGED_WORDS:
        parts.append(f"against a year earlier: {JUDGED_WORDS[year_ago]}")
    if not parts:
        return ""
    lvl = f"{float(level):g}%" if not is_missing(level) else "95%"
    return " · ".join(parts) + f" ({lvl} intervals)"
