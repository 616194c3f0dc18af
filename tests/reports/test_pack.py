"""The meeting pack: the shape of a committee paper, set up for print, and a public one with no small count."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pandas as pd
from docx.oxml.ns import qn
from docx.shared import Cm, Mm

from metrics.catalogue import CATALOGUE, THEMES, by_id
from reports.pack import SECTIONS, MeetingItem, build_pack
from reports.summary import exceptions, key_messages, performance
from tests.reports.conftest import tiny_png
from tests.reports.scan import docx_counts, small


def _open(content: bytes):
    return docx.Document(io.BytesIO(content))


def _pack(data, **kw):
    images = {i.id: tiny_png() for i in CATALOGUE}
    return _open(build_pack(data=data, images=images, alt={i: f"Line chart of {i}" for i in images}, **kw))


def _headings(d, level: int | None = None) -> list[str]:
    return [
        p.text
        for p in d.paragraphs
        if p.style.name.startswith("Heading") and (level is None or p.style.name == f"Heading {level}")
    ]


def _body_text(d) -> str:
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def test_the_pack_has_the_shape_of_a_committee_paper(restricted_data):
    d = _pack(restricted_data)
    assert _headings(d, 1) == [s for s, _ in SECTIONS]
    for _, label in THEMES:
        assert label in _headings(d, 2)
    cover = {r.cells[0].text: r.cells[1].text for r in d.tables[0].rows}
    assert list(cover) == [
        "Period",
        "Data as at",
        "Produced",
        "Protective marking",
        "Version",
        "Status",
        "Sign-off",
        "Contact",
    ]
    assert cover["Period"] == "Q1 2026-27 (April to June 2026)" and cover["Protective marking"] == "OFFICIAL-SENSITIVE"
    assert cover["Contact"]
    # The contents: a TOC field listing the sections until Word adds the page numbers.
    xml = d.element.body.xml
    assert 'TOC \\o "1-2"' in xml
    assert d.settings.element.find(qn("w:updateFields")) is not None


def test_key_messages_are_three_to_six_sentences_from_the_figures(restricted_data, public_data):
    for data in (restricted_data, public_data):
        msgs = key_messages(data)
        assert 3 <= len(msgs) <= 6
        assert all(m.endswith(".") for m in msgs)
    msgs = key_messages(restricted_data)
    assert msgs[0].startswith("Of the ") and "off target" in msgs[0]
    assert any(m.startswith("Off target: women engaged (50 against 60)") for m in msgs), msgs
    d = _pack(restricted_data)
    texts = [p.text for p in d.paragraphs]
    start = len(texts) - 1 - texts[::-1].index(SECTIONS[0][0])  # the heading, after the contents
    shown = [p.text for p in d.paragraphs[start + 1 : start + 1 + len(msgs)]]
    assert shown == msgs


def test_exceptions_hold_every_red_and_every_incomplete_or_missing_figure(restricted_data):
    items = exceptions(restricted_data)
    reds = {r.id for r in restricted_data.indicators.results if r.rag == "red"}
    assert reds and {i.indicator_id for i in items if i.kind == "red"} == reds
    assert {i.indicator_id for i in items if i.kind == "incomplete"} == {"DEN-01"}
    assert {i.indicator_id for i in items if i.kind == "not_reported"} == {"RHB-03", "SAF-01"} - {"RHB-03"} | {
        r.id for r in restricted_data.indicators.results if r.status == "not_reported"
    }
    d = _pack(restricted_data)
    table = next(
        t for t in d.tables if t.rows[0].cells[0].text == "Indicator" and t.rows[0].cells[1].text == "Exception"
    )
    assert len(table.rows) == len(items) + 1


def test_a_month_pattern_that_contradicts_the_period_rating_is_an_exception(restricted_data):
    import pandas as pd

    t = restricted_data.trend
    # VOI-01 is green for the quarter (86% against 75%); its last two months are set well below target.
    months = t["id"].eq("VOI-01") & (pd.to_datetime(t["period_start"]) >= pd.Timestamp("2026-04-01"))
    t.loc[months, ["value", "rag"]] = [[90.0, "green"], [40.0, "red"], [41.0, "red"]]
    items = [i for i in exceptions(restricted_data) if i.kind == "pattern"]
    assert [i.indicator_id for i in items] == ["VOI-01"]
    assert "May and June 2026" in items[0].text and "target of 75.0%" in items[0].text


def test_the_actions_section_shows_the_groups_items_or_says_there_are_none(restricted_data):
    d = _pack(restricted_data)
    assert "No actions, decisions or commentary have been recorded for this period." in _body_text(d)
    items = [
        MeetingItem(
            "action",
            "Ask the dental service for the missing May return.",
            indicator_id="DEN-01",
            owner="Data lead",
            due=date(2026, 8, 1),
            status="open",
        ),
        MeetingItem("decision", "Keep the outreach target for the year."),
    ]
    d = _pack(restricted_data, meeting_items=items)
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "Type")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows == [
        ["Action", "Dental access in last 12 months", items[0].text, "owner Data lead; due 1 August 2026; open"],
        ["Decision", "General", items[1].text, "–"],
    ]


def test_the_performance_table_has_a_row_per_indicator(restricted_data, public_data):
    for data in (restricted_data, public_data):
        d = _pack(data)
        t = next(t for t in d.tables if t.rows[0].cells[0].text == "Indicator" and len(t.columns) == 9)
        assert [c.text for c in t.rows[0].cells] == [
            "Indicator",
            "This period",
            "Previous",
            "Year ago",
            "Year to date",
            "Target",
            "RAG",
            "Against target",
            "Against a year ago",
        ]
        assert [r.cells[0].text for r in t.rows[1:]] == [i.name for i in CATALOGUE]
        eng01 = next(r for r in t.rows if r.cells[0].text == "Women engaged")
        # 50 against 60: red, yet the target lies inside 50's 95% interval (about 37 to 66): similar.
        assert [c.text for c in eng01.cells[1:]] == ["50", "44", "n/r", "50", "60", "Off target", "Similar", "–"]
        # Figures right-aligned.
        assert all(eng01.cells[j].paragraphs[0].alignment == 2 for j in range(1, 6))
    d = _pack(public_data)
    t = next(t for t in d.tables if len(t.columns) == 9)
    hlt02 = next(r for r in t.rows if r.cells[0].text == "Mental health support")
    assert hlt02.cells[1].text == "*"


def test_the_pack_is_set_up_for_print(restricted_data):
    d = _pack(restricted_data)
    s = d.sections[0]
    assert abs(s.page_width - Mm(210)) < Mm(0.1) and abs(s.page_height - Mm(297)) < Mm(0.1)
    assert s.left_margin == s.right_margin == Cm(2.54)
    footer = s.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "DRAFT" in s.footer.paragraphs[0].text
    assert "OFFICIAL-SENSITIVE" in s.header.paragraphs[0].text
    # The draft marking is on the cover and in the footer, not on every paragraph.
    assert sum("DRAFT" in p.text for p in d.paragraphs) == 0
    assert sum("DRAFT" in c.text for t in d.tables for r in t.rows for c in r.cells) == 1
    text_width = s.page_width - s.left_margin - s.right_margin
    for t in d.tables[1:]:  # the cover's table of facts has no header row
        assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # the header row repeats
        assert t._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = sum(int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.findall(qn("w:gridCol")))
        assert grid * 635 <= text_width + 635 * 5  # twips to EMU: the table fits the page
    for t in d.tables:
        assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in t.rows)  # rows never split
    for h in d.paragraphs:
        if h.style.name.startswith("Heading"):
            assert h.paragraph_format.keep_with_next


def test_every_chart_has_alt_text(restricted_data):
    d = _pack(restricted_data)
    assert len(d.inline_shapes) == len(CATALOGUE)
    for shape in d.inline_shapes:
        doc_pr = shape._inline.docPr
        assert doc_pr.get("descr", "").startswith("Line chart of ") and doc_pr.get("title", "").startswith("Chart:")


def test_no_code_names_and_no_draft_prefix_in_the_pack(public_data):
    text = _body_text(_pack(public_data))
    assert "DRAFT WORDING" not in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)  # womens_health, not_recorded ...
    assert "no comparable figure" not in text


def test_restricted_pack_is_marked_and_shows_exact_small_counts(restricted_data):
    content = build_pack(data=restricted_data, images={})
    d = _open(content)
    assert "OFFICIAL-SENSITIVE" in d.sections[0].header.paragraphs[0].text
    assert "Restricted version" in _body_text(d)
    assert small(docx_counts(content)), "the test data must hold small counts"


def test_public_pack_says_disclosure_control_and_holds_no_count_from_1_to_4(public_data):
    content = build_pack(data=public_data, images={i.id: tiny_png() for i in CATALOGUE})
    d = _open(content)
    text = _body_text(d)
    assert "disclosure control applied" in text
    assert "OFFICIAL-SENSITIVE" not in text
    counts = docx_counts(content)
    assert len(counts) > 20  # the scan reads real figures
    assert small(counts) == []
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    assert "*" in cells  # suppressed figures are marked, not left out silently


def test_key_messages_agree_with_the_versions_table_and_quote_only_public_figures(restricted_data):
    from dataclasses import replace

    from tests.reports.conftest import comparisons

    # HLT-02 is 3 of 50 (6.0%) in the exact set, hidden in the public one; a year earlier it was 20 of 50.
    ago = restricted_data.sets["year_ago"]
    results = [
        replace(r, numerator=20, denominator=50, value=40.0, status="complete") if r.id == "HLT-02" else r
        for r in ago.results
    ]
    sets = {**restricted_data.sets, "year_ago": replace(ago, results=results)}
    data = replace(restricted_data, sets=sets, comparisons=comparisons(sets))
    assert data.comparison("HLT-02")["judged_year_ago"] == "worse"  # 6.0% against 40.0%: the intervals apart
    msgs = key_messages(data)
    worse = next(m for m in msgs if m.startswith("Worse than the same quarter of 2025-26, judged by the 95% intervals"))
    assert "mental health support" in worse and "6.0%" not in worse and "40.0%" not in worse
    row = next(r for r in performance(data) if r.id == "HLT-02")
    assert row.against_year_ago == "Worse"  # the table beside it says the same


def test_page_and_pack_give_the_same_word_for_the_same_figure(populated, monkeypatch):
    """One judgement (metrics.compare), worded by the overview's table and by the pack's table and sentence;
    the 99.8% setting turns a borderline 'better' into 'similar' in all three alike."""
    import metrics
    from core.periods import fy_of, quarter
    from metrics import markers
    from metrics import targets as targets_mod
    from reports.data import gather
    from reports.wording import draft
    from ui.components import summary_table

    monkeypatch.setenv("OUTCOMES_TODAY", "2026-07-20")
    period = quarter(2026, 1)
    eng = metrics.compute_indicators(engine=populated, period=period, public=True).by_id("ENG-01")
    (lo95,), _ = markers.judge_figures(
        unit=["count"], value=[eng.value], numerator=[eng.value], denominator=[float("nan")], level=95.0
    )
    (lo998,), _ = markers.judge_figures(
        unit=["count"], value=[eng.value], numerator=[eng.value], denominator=[float("nan")], level=99.8
    )
    # A target between the two lower limits: beyond the 95% interval, inside the 99.8% one.
    targets_mod.set_target(
        engine=populated,
        financial_year=fy_of(period.start),
        indicator_id="ENG-01",
        value=round((lo95 + lo998) / 2, 1),
        set_by="test",
    )
    marks = metrics.trend_markers(engine=populated, end=period.end, public=True)
    marks = marks[marks["freq"] == "quarter"]
    for level, word in (("95", "better"), ("99.8", "similar")):
        monkeypatch.setenv("OUTCOMES_CONFIDENCE", level)
        ov = metrics.overview(engine=populated, period=period, public=True)
        page = summary_table(ov.indicators.results, ov.comparisons, marks)
        data = gather(engine=populated, period=period, public=True)
        row = next(r for r in performance(data) if r.id == "ENG-01")
        d = draft(
            result=data.figure("period", "ENG-01", public=True),
            indicator=by_id("ENG-01"),
            period=period,
            threshold=data.threshold,
            comparison=data.comparison("ENG-01", public=True),
        )
        said = "better than the target" if word == "better" else "similar to the target"
        assert page.set_index("ID").loc["ENG-01", "Against target"] == word
        assert row.against_target == word.capitalize()
        assert f"Judged by the {level}% intervals, it is {said}" in d.text, d.text
        # The restricted pack's table says what the restricted page says, indicator by indicator.
        restricted = gather(engine=populated, period=period, public=False)
        ov = metrics.overview(engine=populated, period=period, public=False)
        page = summary_table(ov.indicators.results, ov.comparisons, marks).set_index("ID")
        for r in performance(restricted):
            if r.id in page.index:
                for ours, theirs in (
                    (r.against_target, "Against target"),
                    (r.against_year_ago, "Against a year earlier"),
                ):
                    shown = page.loc[r.id, theirs]
                    assert ours.split(" (")[0] == (shown.capitalize() if shown else "–"), r.id


def test_the_packs_special_causes_rebase_at_a_recorded_process_change(restricted_data):
    """A step when the service changed is a run of special cause on one chart, and none on two: the pack reads
    the administrator's changes as the dashboard's attention list does."""
    from dataclasses import replace

    import numpy as np

    from reports.summary import special_causes

    months = pd.date_range("2024-07-01", "2026-06-01", freq="MS")
    rng = np.random.default_rng(7)
    step = np.where(months >= pd.Timestamp("2025-07-01"), 30.0, 20.0) + rng.normal(0, 1, len(months))
    trend = pd.DataFrame({"id": "SUP-01", "period_start": months, "value": step, "status": "complete"})
    assert "SUP-01" in special_causes(trend, restricted_data)
    data = replace(
        restricted_data,
        process_changes=[
            {
                "changed_on": date(2025, 7, 1),
                "applies_to": ["SUP-01"],
                "reason": "Condoms handed out at the new drop-in too",
            }
        ],
    )
    assert "SUP-01" not in special_causes(trend, data)
    other = replace(
        restricted_data,
        process_changes=[{"changed_on": date(2025, 7, 1), "applies_to": ["ENG-01"], "reason": "Drop-in moved"}],
    )
    assert "SUP-01" in special_causes(trend, other)
