"""Formatting: figures, UK dates, periods in words, RAG words and badges: one set of words everywhere."""

from __future__ import annotations

from datetime import date

from core import formatting as fmt
from core.periods import Period, financial_year, month, quarter


def test_numbers_in_their_unit():
    assert fmt.number_text(1234.4, "count") == "1,234" and fmt.count_text(1234.6) == "1,235"
    assert fmt.number_text(41.66, "percent") == "41.7%" and fmt.number_text(3.25, "mean") == "3.2"
    assert fmt.change_text(-1234, "count") == "−1,234" and fmt.change_text(0.5, "mean") == "+0.5"


def test_values():
    assert fmt.value_text(12, "count") == "12"
    assert fmt.value_text(1234, "count") == "1,234"
    assert fmt.value_text(41.66, "percent") == "41.7%"
    assert fmt.value_text(None, "count") == "—"
    assert fmt.value_text(3, "count", suppressed=True) == "*"
    assert fmt.value_text(0, "count", status="not_reported") == "—"
    assert fmt.value_text(0, "count") == "0"


def test_changes_and_directions():
    assert fmt.change_text(3, "count") == "+3"
    assert fmt.change_text(-1.25, "percent") == "−1.2 points" or fmt.change_text(-1.25, "percent") == "−1.3 points"
    assert fmt.change_text(None, "count") == ""
    html = fmt.direction_html("worse", -2, "count", "Q1 2026-27")
    assert "arrow-worse" in html and "▼" in html and "(worse)" in html
    assert "no comparison" in fmt.direction_html(None, None, "count", "Q1")


def test_dates_and_periods():
    assert fmt.uk_date(date(2026, 4, 3)) == "03/04/2026"
    assert fmt.uk_date(date(2026, 4, 3), long=True) == "3 April 2026"
    assert fmt.short_label(quarter(2026, 1)) == "Q1 2026-27"
    assert fmt.short_label(month(2026, 6)) == "Jun 2026"
    assert fmt.short_label(financial_year(2025)) == "2025-26"
    assert fmt.short_label(Period(date(2026, 4, 3), date(2026, 5, 1))) == "03/04/2026 to 01/05/2026"


def test_periods_in_sentences():
    assert fmt.period_phrase(quarter(2026, 1)) == "between April and June 2026"
    assert fmt.period_phrase(month(2026, 5)) == "in May 2026"
    assert fmt.period_phrase(quarter(2026, 4)) == "between January and March 2027"
    assert fmt.period_phrase(Period(date(2026, 4, 3), date(2026, 5, 9))) == "between 3 April 2026 and 9 May 2026"
    assert fmt.end_phrase(quarter(2026, 1)) == "at the end of June 2026"
    assert fmt.end_phrase(Period(date(2026, 5, 1), date(2026, 5, 15))) == "on 15 May 2026"
    assert fmt.previous_phrase(quarter(2026, 1)) == "the previous quarter"
    assert fmt.previous_phrase(month(2026, 5)) == "the previous month"
    assert fmt.months_phrase([date(2027, 1, 1), date(2026, 12, 1)]) == "December 2026 and January 2027"
    assert fmt.months_phrase([date(2026, 5, 1), date(2026, 4, 1), date(2026, 6, 1)]) == "April, May and June 2026"


def test_labels_and_missing():
    assert fmt.label("oral_health") == "Oral health"
    assert fmt.label("sti_screen") == "STI screen"
    assert fmt.label("womens_health") == "Women's health"
    assert fmt.label(None) == "Not recorded" and fmt.label("") == "Not recorded"
    text = fmt.missing_text(["dental/health_contacts/2026-10"])
    assert text == "dental health contacts (October 2026)"
    assert "and 2 more" in fmt.missing_text([f"police/police_monthly/2026-0{i}" for i in range(1, 9)], limit=6)


def test_badges_say_what_the_colour_means():
    assert "Off target" in fmt.rag_badge("red")
    assert fmt.rag_badge(None) == ""
    assert fmt.RAG_WORDS == {"green": "On target", "amber": "Close to target", "red": "Off target"}


def test_trend_marker_html_has_an_icon_and_the_words():
    html = fmt.trend_marker_html("increasing_better", "Increasing and getting better", span="last 5 quarters")
    assert "▲" in html and "arrow-better" in html and "Increasing and getting better (last 5 quarters)" in html
    assert "arrow-worse" in fmt.trend_marker_html("decreasing_worse", "Decreasing and getting worse")
    cannot = fmt.trend_marker_html("cannot_be_calculated", "Cannot be calculated: a figure <hidden>")
    assert "✕" in cannot and "&lt;hidden&gt;" in cannot
    assert fmt.trend_marker_html(None, None) == ""


def test_judged_text():
    assert fmt.judged_text(target="similar", year_ago="better", level=95.0) == (
        "against the target: similar · against a year earlier: better (95% intervals)"
    )
    assert (
        fmt.judged_text(target=None, year_ago="worse", level=99.8) == "against a year earlier: worse (99.8% intervals)"
    )
    assert fmt.judged_text(target=float("nan"), year_ago=None, level=95) == ""
