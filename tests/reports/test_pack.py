"""The meeting pack: opens in python-docx, holds its charts and tables, and a public one no small count."""

from __future__ import annotations

import io

import docx

from metrics.catalogue import CATALOGUE, THEMES
from reports.pack import build_pack
from tests.reports.conftest import tiny_png
from tests.reports.scan import docx_counts, small


def _open(content: bytes):
    return docx.Document(io.BytesIO(content))


def test_pack_holds_a_chart_per_indicator_and_its_tables(restricted_data):
    images = {i.id: tiny_png() for i in CATALOGUE}
    d = _open(build_pack(data=restricted_data, images=images))
    assert len(d.inline_shapes) == len(CATALOGUE)
    # headline table + a table per indicator (two for the counts with breakdowns) + definitions
    assert len(d.tables) >= 2 + len(CATALOGUE)
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    for _, label in THEMES:
        assert label in headings
    assert "Appendix A: definitions" in headings and "Appendix B: disclosure control" in headings
    head = d.tables[0]
    assert [c.text for c in head.rows[0].cells] == ["Indicator", "Value", "Change on previous period", "RAG",
                                                      "Status"]
    drafts = [p.text for p in d.paragraphs if p.text.startswith("DRAFT WORDING")]
    assert len(drafts) == len(CATALOGUE)
    assert any("50 women engaged" in t for t in drafts)


def test_restricted_pack_is_marked_and_shows_exact_small_counts(restricted_data):
    d = _open(build_pack(data=restricted_data, images={}))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "OFFICIAL-SENSITIVE" in text
    assert "OFFICIAL-SENSITIVE" in d.sections[0].header.paragraphs[0].text
    assert small(docx_counts(build_pack(data=restricted_data, images={}))), "the test data must hold small counts"


def test_public_pack_says_disclosure_control_and_holds_no_count_from_1_to_4(public_data):
    content = build_pack(data=public_data, images={i.id: tiny_png() for i in CATALOGUE})
    d = _open(content)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "disclosure control applied" in text
    assert "OFFICIAL-SENSITIVE" not in text
    counts = docx_counts(content)
    assert len(counts) > 20  # the scan reads real figures
    assert small(counts) == []
    cells = [c.text for t in d.tables for r in t.rows for c in r.cells]
    assert "*" in cells  # suppressed figures are marked, not left out silently
