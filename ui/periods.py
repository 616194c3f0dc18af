"""The shared period controls (in the sidebar, the same on every page)."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from core import clock
from core import periods as P
from core.periods import Period
from metrics.meetings import latest_published
from ui import data

KINDS = ("Quarter", "Month", "Year to date", "Financial year", "Custom dates")
# Published figures exist for standard periods only (metrics.disclosure.check_published): no custom dates.
PUBLIC_KINDS = KINDS[:-1]


def quarter_options(today: date, *, years: int = 3) -> list[Period]:
    """Financial-year quarters, newest first, from ``years`` financial years ago to the current one."""
    first = P.fy_start(P.fy_of(today) - years)
    return list(reversed(P.quarterly(first, today)))


def month_options(today: date, *, months: int = 36) -> list[Period]:
    return list(reversed(P.monthly(P.add_months(P.month_start(today), -months + 1), today)))


def fy_options(today: date, *, years: int = 3) -> list[Period]:
    return [P.financial_year(fy) for fy in range(P.fy_of(today), P.fy_of(today) - years - 1, -1)]


def ytd_options(today: date, *, years: int = 3) -> list[Period]:
    """Years to date at the end of Q2 and Q3 (at Q1's end it is Q1, at Q4's the year), newest first."""
    return [
        P.year_to_date(fy, q)
        for fy in range(P.fy_of(today), P.fy_of(today) - years - 1, -1)
        for q in (3, 2)
        if P.quarter(fy, q).start <= today
    ]


def _ytd_label(p: Period) -> str:
    return f"{P.fy_label(P.fy_of(p.start))} to the end of {p.end:%B %Y}"


def _quarter_label(p: Period) -> str:
    fy, q = P.as_quarter(p)  # type: ignore[misc]
    return f"Q{q} {P.fy_label(fy)} ({p.start:%b} to {p.end:%b %Y})"


def _published(period: Period, *, public: bool) -> Period:
    """A published view opens on the latest period whose figures the chair has signed off (docs/meetings.md)."""
    if not public:
        return period
    return latest_published(data.engine(), period=period)


def period_controls(*, public: bool, today: date | None = None) -> Period:
    """Pick the period: a quarter (default: the latest complete one), a month, a year to date, a financial year
    or, for exact figures only, custom dates."""
    today = today or clock.today()
    kinds = PUBLIC_KINDS if public else KINDS
    if st.session_state.get("period_kind") not in kinds:  # e.g. custom dates left from an exact-figures session
        st.session_state.pop("period_kind", None)
    st.sidebar.markdown("**Reporting period**")
    kind = st.sidebar.radio(
        "Show figures for", kinds, key="period_kind", horizontal=False, label_visibility="collapsed"
    )
    if kind == "Quarter":
        opts = quarter_options(today)
        default = _published(P.latest_complete_quarter(today), public=public)
        idx = opts.index(default) if default in opts else 0
        chosen = st.sidebar.selectbox("Quarter", opts, index=idx, key="period_quarter", format_func=_quarter_label)
    elif kind == "Month":
        opts = month_options(today)
        last_complete = _published(P.last_complete_month(today), public=public)
        chosen = st.sidebar.selectbox(
            "Month",
            opts,
            index=opts.index(last_complete) if last_complete in opts else 0,
            key="period_month",
            format_func=lambda p: f"{p.start:%B %Y}",
        )
    elif kind == "Year to date":
        opts = ytd_options(today)
        chosen = st.sidebar.selectbox("Year to date", opts, key="period_ytd", format_func=_ytd_label)
    elif kind == "Financial year":
        opts = fy_options(today)
        chosen = st.sidebar.selectbox(
            "Financial year",
            opts,
            index=1 if today.month in (4, 5, 6) else 0,
            key="period_fy",
            format_func=lambda p: P.fy_label(p.start.year),
        )
    else:  # custom dates: exact figures only
        default = P.latest_complete_quarter(today)
        picked = st.sidebar.date_input(
            "From and to (inclusive)",
            value=(default.start, default.end),
            max_value=today,
            format="DD/MM/YYYY",
            key="period_custom",
        )
        if isinstance(picked, tuple | list) and len(picked) == 2:
            chosen = Period(picked[0], picked[1])
        else:
            start = picked[0] if isinstance(picked, tuple | list) and picked else default.start
            chosen = Period(start, start + timedelta(days=0))
            st.sidebar.caption("Pick an end date too.")
    if chosen.end >= today:
        st.sidebar.caption("This period is not over yet: its figures are provisional.")
    st.session_state["period"] = chosen
    return chosen
