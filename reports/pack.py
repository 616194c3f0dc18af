"""The meeting pack (Word): cover, headlines, a section per theme with charts, tables and draft wording."""

from __future__ import annotations

import io
import math

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from metrics.catalogue import CATALOGUE, THEMES
from reports.data import ReportData
from reports.wording import draft, fmt_value

RESTRICTED_MARKING = "OFFICIAL-SENSITIVE"
PUBLIC_MARKING = "OFFICIAL"
STATUS_WORDS = {"complete": "complete", "incomplete": "incomplete", "not_reported": "not reported"}
RAG_WORDS = {"green": "Green (on target)", "amber": "Amber (near target)", "red": "Red (off target)"}
DIRECTION_WORDS = {"better": "better", "worse": "worse", "same": "no change", "no_judgement": "no judgement"}


def disclosure_rules(threshold: int) -> list[str]:
    """The disclosure rules, in words, for the appendix and the README of an export."""
    return [
        f"In public outputs a count below {threshold} (other than zero) is not shown: it appears as * or a blank. "
        "Zero is shown.",
        f"A percentage is not shown when the number of women it counts, the number it is out of, or the "
        f"difference between them is below {threshold} (other than zero).",
        "A mean is not shown when fewer women than that are behind it.",
        "Where a breakdown is shown with its total and exactly one part is hidden, the smallest other part is "
        "hidden too, so that no hidden number can be worked out by subtraction. Monthly figures shown beside a "
        "period total are treated the same way.",
        f"The threshold is {threshold}. It can be raised but never switched off for public outputs. Figures are "
        "controlled on the server before they reach any file.",
        "The group's restricted pack shows exact figures and must not be published or shared outside the group.",
    ]


def _is_none(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def display(x, unit: str, *, suppressed: bool = False) -> str:
    if _is_none(x):
        return "*" if suppressed else "–"
    return fmt_value(float(x), unit)


def value_text(r) -> str:
    if r.status == "not_reported":
        return "not reported"
    if r.unit == "breakdown":
        return "see breakdown"
    return display(r.value, r.unit, suppressed=bool(r.suppressed))


def change_text(row: dict | None, unit: str) -> str:
    if not row or _is_none(row.get("change_previous")):
        return "–"
    c = float(row["change_previous"])
    num = fmt_value(abs(c), "percent" if unit == "percent" else unit).replace("%", " points")
    sign = "+" if c > 0 else ("−" if c < 0 else "")
    word = DIRECTION_WORDS.get(row.get("direction_previous") or "", "")
    return f"{sign}{num}" + (f" ({word})" if word else "")


def _table(doc, header: list[str], rows: list[list[str]], *, widths: list[float] | None = None):
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Light Grid Accent 1"
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    if widths:
        for row in t.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Cm(w)
    return t


def _marking(doc, data: ReportData) -> str:
    marking = PUBLIC_MARKING if data.public else RESTRICTED_MARKING
    for section in doc.sections:
        for part in (section.header, section.footer):
            p = part.paragraphs[0]
            p.text = marking + ("" if data.public else " — exact figures for the group only")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return marking


def _as_at(data: ReportData) -> str:
    if data.as_of:
        return f"the end of {data.as_of.day} {data.as_of:%B %Y}"
    if data.data_as_at:
        return f"{data.data_as_at.day} {data.data_as_at:%B %Y} {data.data_as_at:%H:%M} UTC (latest submission loaded)"
    return "no data has been loaded"


def _cover(doc, data: ReportData, marking: str) -> None:
    p = doc.add_paragraph()
    run = p.add_run(marking)
    run.bold, run.font.size = True, Pt(16)
    run.font.color.rgb = RGBColor(0xD5, 0x5E, 0x00) if not data.public else RGBColor(0, 0, 0)
    doc.add_heading("Strategy outcomes: meeting pack", level=0)
    doc.add_paragraph("Southend Strategic Street Prostitution Group")
    doc.add_paragraph(f"Period: {data.period.label()}")
    doc.add_paragraph(f"Data as at: {_as_at(data)}")
    doc.add_paragraph(f"Produced: {data.generated_at.day} {data.generated_at:%B %Y %H:%M} UTC")
    if data.public:
        doc.add_paragraph("Public version: disclosure control applied. Small numbers are not shown (marked *) so "
                          "that no woman can be identified; see the appendix for the rules.")
    else:
        doc.add_paragraph("Restricted version: exact figures for the group's meeting. Do not publish or forward. "
                          "Use the public version for reports.")
    doc.add_paragraph("Draft wording in each section is generated from the figures for authors to edit. It never "
                      "gives a small number, even in this version.")


def _headlines(doc, data: ReportData) -> None:
    doc.add_heading("Headline figures", level=1)
    catalogue = {i.id: i for i in CATALOGUE}
    rows = []
    heads = [r for r in data.indicators.results if getattr(catalogue.get(r.id), "headline", False)] or \
        list(data.indicators.results)
    for r in heads:
        rows.append([f"{r.id} {r.name}", value_text(r), change_text(data.comparison_row(r.id), r.unit),
                     RAG_WORDS.get(r.rag or "", "–"), STATUS_WORDS.get(r.status, r.status)])
    _table(doc, ["Indicator", "Value", "Change on previous period", "RAG", "Status"], rows,
           widths=[6.5, 2.5, 3.5, 2.5, 2.5])


def _indicator_table(doc, r, row: dict | None) -> None:
    if r.unit == "breakdown" or r.breakdown:
        rows = [[str(c.category).replace("_", " "), display(c.value, "count", suppressed=bool(c.suppressed))]
                for c in r.breakdown]
        if r.unit != "breakdown":
            rows.append(["total", value_text(r)])
        _table(doc, ["Category", "Number"], rows or [["none", "–"]], widths=[8, 4])
        if r.unit == "breakdown":
            return
    ci = "–" if _is_none(r.lower_ci) else f"{r.lower_ci:.1f} to {r.upper_ci:.1f}"
    rows = [
        ["Value", value_text(r)],
        ["Numerator", display(r.numerator, "count", suppressed=bool(r.suppressed))],
        ["Denominator", display(r.denominator, "count", suppressed=bool(r.suppressed))],
        ["95% confidence interval", ci],
        ["Previous period", "–" if not row else display(row.get("previous_value"), r.unit)],
        ["Change", change_text(row, r.unit)],
        ["Target", "–" if _is_none(r.target) else fmt_value(float(r.target), r.unit)],
        ["RAG", RAG_WORDS.get(r.rag or "", "–")],
        ["Status", STATUS_WORDS.get(r.status, r.status)],
    ]
    if r.unit in ("count", "mean"):
        rows = [x for x in rows if x[0] not in ("Numerator", "Denominator", "95% confidence interval")]
    _table(doc, ["", "Figure"], rows, widths=[6, 6])


def _themes(doc, data: ReportData, images: dict[str, bytes]) -> None:
    results = {r.id: r for r in data.indicators.results}
    for key, label in THEMES:
        inds = [i for i in CATALOGUE if i.theme == key and i.id in results]
        if not inds:
            continue
        doc.add_page_break()
        doc.add_heading(label[:1].upper() + label[1:], level=1)
        for ind in inds:
            r = results[ind.id]
            row = data.comparison_row(ind.id)
            doc.add_heading(f"{ind.id} {ind.name}", level=2)
            if ind.id in images:
                doc.add_picture(io.BytesIO(images[ind.id]), width=Cm(16))
            _indicator_table(doc, r, row)
            # Written from the public figures in both versions: authors paste it into published reports.
            d = draft(result=data.public_indicators.by_id(ind.id), indicator=ind, period=data.period,
                      threshold=data.threshold, comparison=data.comparison_row(ind.id, public=True))
            p = doc.add_paragraph()
            p.add_run("DRAFT WORDING (edit before use): ").bold = True
            p.add_run(" ".join(d.sentences))
            for c in d.caveats:
                doc.add_paragraph(c, style="List Bullet")
            if d.note:
                q = doc.add_paragraph()
                q.add_run("Reading this figure: ").italic = True
                q.add_run(d.note)


def _appendix(doc, data: ReportData) -> None:
    doc.add_page_break()
    doc.add_heading("Appendix A: definitions", level=1)
    rows = [[i.id, i.name, i.definition, {"up": "higher is better", "down": "lower is better"}.get(i.polarity,
             "no judgement"), ", ".join(i.sources)] for i in CATALOGUE]
    _table(doc, ["ID", "Name", "Definition", "Polarity", "Sources"], rows, widths=[1.6, 3.4, 7, 2.2, 3.4])
    doc.add_heading("Appendix B: disclosure control", level=1)
    for line in disclosure_rules(data.threshold):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_paragraph("A status of 'not reported' means no partner sent the data: it is not a zero. 'Incomplete' "
                      "means some months or partners are missing; the figure is computed from what was sent.")


def build_pack(*, data: ReportData, images: dict[str, bytes]) -> bytes:
    """The meeting pack as .docx bytes; ``images`` are PNGs keyed by indicator id."""
    doc = Document()
    doc.core_properties.title = f"Strategy outcomes meeting pack {data.period.code()} {data.marking}"
    doc.core_properties.author = "Strategy outcomes dashboard"
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(11)
    marking = _marking(doc, data)
    _cover(doc, data, marking)
    _headlines(doc, data)
    _themes(doc, data, images)
    _appendix(doc, data)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
