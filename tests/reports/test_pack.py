"""The meeting pack: the shape of a committee paper, set up for print, and a public one with no small count."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
from docx.oxml.ns import qn
from docx.shared import Cm, Mm

from metrics.catalogue import CATALOGUE, THEMES
from reports.pack import SECTIONS, MeetingItem, build_pack
from reports.summary import exceptions, key_messages
from tests.reports.conftest import tiny_png
from tests.reports.scan import docx_counts, small


def _open(content: bytes):
    return docx.Document(io.BytesIO(content))


def _pack(data, **kw):
    images = {i.id: tiny_png() for i in CATALOGUE}
    return _open(build_pack(data=data, images=images, alt={i: f"Line chart of {i}" for i in images}, **kw))


def _headings(d, level: int | None = None) -> list[str]:
    return [p.text for p in d.paragraphs if p.style.name.startswith("Heading")
            and (level is None or p.style.name == f"Heading {level}")]


def _body_text(d) -> str:
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def test_the_pack_has_the_shape_of_a_committee_paper(restricted_data):
    d = _pack(restricted_data)
    assert _headings(d, 1) == [s for s, _ in SECTIONS]
    for _, label in THEMES:
        assert label in _headings(d, 2)
    cover = {r.cells[0].text: r.cells[1].text for r in d.tables[0].rows}
    assert list(cover) == ["Period", "Data as at", "Produced", "Protective marking", "Version", "Status", "Sign-off",
                           "Contact"]
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
    shown = [p.text for p in d.paragraphs[start + 1:start + 1 + len(msgs)]]
    assert shown == msgs


def test_exceptions_hold_every_red_and_every_incomplete_or_missing_figure(restricted_data):
    items = exceptions(restricted_data)
    reds = {r.id for r in restricted_data.indicators.results if r.rag == "red"}
    assert reds and {i.indicator_id for i in items if i.kind == "red"} == reds
    assert {i.indicator_id for i in items if i.kind == "incomplete"} == {"DEN-01"}
    assert {i.indicator_id for i in items if i.kind == "not_reported"} == {"RHB-03", "SAF-01"} - {"RHB-03"} | {
        r.id for r in restricted_data.indicators.results if r.status == "not_reported"}
    d = _pack(restricted_data)
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "Indicator" and t.rows[0].cells[1].text ==
                 "Exception")
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
    items = [MeetingItem("action", "Ask the dental service for the missing May return.", indicator_id="DEN-01",
                         owner="Data lead", due=date(2026, 8, 1), status="open"),
             MeetingItem("decision", "Keep the outreach target for the year.")]
    d = _pack(restricted_data, meeting_items=items)
    table = next(t for t in d.tables if t.rows[0].cells[0].text == "Type")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows == [["Action", "Dental access in last 12 months", items[0].text, "owner Data lead; due 1 August "
                     "2026; open"], ["Decision", "General", items[1].text, "–"]]


def test_the_performance_table_has_a_row_per_indicator(restricted_data, public_data):
    for data in (restricted_data, public_data):
        d = _pack(data)
        t = next(t for t in d.tables if t.rows[0].cells[0].text == "Indicator" and len(t.columns) == 8)
        assert [c.text for c in t.rows[0].cells] == ["Indicator", "This period", "Previous", "Year ago",
                                                      "Year to date", "Target", "RAG", "Direction of travel"]
        assert [r.cells[0].text for r in t.rows[1:]] == [i.name for i in CATALOGUE]
        eng01 = next(r for r in t.rows if r.cells[0].text == "Women engaged")
        assert [c.text for c in eng01.cells[1:]] == ["50", "44", "n/r", "50", "60", "Red", "≈ similar"]
        # Figures right-aligned.
        assert all(eng01.cells[j].paragraphs[0].alignment == 2 for j in range(1, 6))
    d = _pack(public_data)
    t = next(t for t in d.tables if len(t.columns) == 8)
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

    # HLT-02 is 3 of 50 (6.0%) in the exact set, hidden in the public one; its previous figure was 20 of 50.
    prev = restricted_data.sets["previous"]
    results = [replace(r, numerator=20, value=40.0) if r.id == "HLT-02" else r for r in prev.results]
    data = replace(restricted_data, sets={**restricted_data.sets, "previous": replace(prev, results=results)})
    msgs = key_messages(data)
    worse = next(m for m in msgs if m.startswith("Worse than the previous quarter"))
    assert "mental health support" in worse and "6.0%" not in worse and "40.0%" not in worse
