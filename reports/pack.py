"""The meeting pack (Word), in the shape of a committee paper.

Cover; contents; key messages; exceptions; the group's actions, decisions and commentary;
the performance table; a section per theme (wording, chart, figures); data quality and
completeness; definitions. The restricted and public packs share this structure.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt, RGBColor

from core import formatting as fmt
from core import settings
from metrics.catalogue import CATALOGUE, THEMES, by_id
from reports import docx_print as dp
from reports.data import ReportData
from reports.summary import cell, exceptions, key_messages, performance, revision_rows, signoff_words
from reports.wording import draft

RESTRICTED_MARKING = "OFFICIAL-SENSITIVE"
PUBLIC_MARKING = "OFFICIAL"
TITLE = "Strategy outcomes: performance report"
GROUP = "Southend Strategic Street Prostitution Group"
DRAFT = "DRAFT"
# (heading, width in cm) of the performance table; the widths fill the text width.
PERFORMANCE_COLUMNS = (
    ("Indicator", 3.25),
    ("This period", 1.7),
    ("Previous", 1.7),
    ("Year ago", 1.7),
    ("Year to date", 1.7),
    ("Target", 1.35),
    ("RAG", 1.15),
    ("Against target", 1.6),
    ("Against a year ago", 1.75),
)
# The numbered sections (heading level 1), in order; the contents lists them until Word adds page numbers.
SECTIONS = (
    ("1. Key messages", 1),
    ("2. Exceptions", 1),
    ("3. Actions, decisions and commentary", 1),
    ("4. Performance", 1),
    ("5. Performance by theme", 1),
    ("6. Data quality and completeness", 1),
    ("7. Definitions", 1),
)
CHART_WIDTH_CM = 14.5
KIND_WORDS = {"action": "Action", "decision": "Decision", "commentary": "Commentary"}


@dataclass(frozen=True)
class MeetingItem:
    """An action, decision or comment the group recorded for the period (from the meeting loop)."""

    kind: str  # 'action' | 'decision' | 'commentary'
    text: str
    indicator_id: str | None = None
    owner: str | None = None
    due: date | None = None
    status: str | None = None


def disclosure_rules(threshold: int) -> list[str]:
    """The disclosure rules, in words, for the data quality section and the README of an export."""
    return [
        f"In public outputs a count below {threshold} (other than zero) is not published: it appears as *. "
        "Zero is shown.",
        f"A percentage is not published when the number it counts, the number it is out of, or the "
        f"difference between them is below {threshold} (other than zero).",
        "A mean is not published when fewer women than that are behind it.",
        "Where a breakdown is shown with its total and exactly one part is hidden, the smallest other part is "
        "hidden too, so that no hidden number can be worked out by subtraction. Monthly figures shown beside a "
        "period total are treated the same way, and a year-to-date total of a summed count is published only "
        "when every month in it is.",
        f"The threshold is {threshold}. It can be raised but never switched off for public outputs. Figures are "
        "controlled on the server before they reach any file.",
        "The group's restricted pack shows exact figures and must not be published or shared outside the group.",
    ]


def _isnone(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def marking_of(data: ReportData) -> str:
    return PUBLIC_MARKING if data.public else RESTRICTED_MARKING


def _table(
    doc,
    header: list[str] | None,
    rows: list[list[str]],
    *,
    widths: list[float],
    numeric: set[int] = frozenset(),
    size: float = 9,
    together: bool = False,
):
    """A table that fits the page: fixed widths, header row repeated, rows never split, figures right-aligned.
    With ``header`` None the first row is an ordinary one (a table of facts)."""
    if header is None:
        header, rows = rows[0], rows[1:]
        bold = False
    else:
        bold = True
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    for j, (c, text) in enumerate(zip(t.rows[0].cells, header, strict=True)):
        c.text = text
        for run in c.paragraphs[0].runs:
            run.bold = bold
        if j in numeric:
            dp.right(c)
        dp.small_text(c, size)
    if bold:
        dp.repeat_header(t.rows[0])
    for row in rows:
        r = t.add_row()
        for j, (c, text) in enumerate(zip(r.cells, row, strict=True)):
            c.text = text
            if j in numeric:
                dp.right(c)
            dp.small_text(c, size)
    for r in t.rows:
        dp.keep_row_whole(r)
    dp.fixed_widths(t, widths)
    if together:
        dp.keep_together(t)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)
    return t


def _heading(doc, text: str, level: int):
    h = doc.add_heading(text, level=level)
    h.paragraph_format.keep_with_next = True
    return h


def _page_setup(doc, data: ReportData) -> None:
    marking = marking_of(data)
    for section in doc.sections:
        dp.a4(section)
        head = section.header.paragraphs[0]
        head.text = marking
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        foot.add_run(f"{marking}  ·  {DRAFT}  ·  {data.period.label().split(' (')[0]}  ·  Page ")
        dp.field(foot, "PAGE")
        foot.add_run(" of ")
        dp.field(foot, "NUMPAGES")
        for p in (head, foot):
            for r in p.runs:
                r.font.size = Pt(8)


def _as_at(data: ReportData) -> str:
    if data.as_of:
        return f"the end of {fmt.uk_date(data.as_of, long=True)}"
    if data.data_as_at:
        return f"{fmt.uk_date(data.data_as_at, long=True)}, {data.data_as_at:%H:%M} UTC (latest submission loaded)"
    return "no data has been loaded"


def _cover(doc, data: ReportData) -> None:
    marking = marking_of(data)
    p = doc.add_paragraph()
    run = p.add_run(marking)
    run.bold, run.font.size = True, Pt(16)
    run.font.color.rgb = RGBColor(0xB0, 0x3A, 0x00) if not data.public else RGBColor(0, 0, 0)
    doc.add_heading(TITLE, level=0)
    doc.add_paragraph(GROUP).runs[0].font.size = Pt(14)
    version = (
        "Public version: disclosure control applied. Figures that rest on small numbers are not published "
        "(marked *) so that no woman can be identified."
        if data.public
        else "Restricted version: exact figures for the group's meeting. Do not publish or forward; use the "
        "public version for reports."
    )
    facts = [
        ["Period", data.period.label()],
        ["Data as at", _as_at(data)],
        ["Produced", f"{fmt.uk_date(data.generated_at, long=True)}, {data.generated_at:%H:%M} UTC"],
        ["Protective marking", marking],
        ["Version", version],
        ["Status", f"{DRAFT}: generated from the figures for the group to agree"],
        ["Sign-off", signoff_words(data)],
        ["Contact", str(settings.get("OUTCOMES_REPORT_CONTACT"))],
    ]
    _table(doc, None, facts, widths=[4.0, 11.9], size=10, together=True)
    for row in doc.tables[-1].rows:
        row.cells[0].paragraphs[0].runs[0].bold = True
    contents = doc.add_paragraph("Contents")
    contents.runs[0].bold = True
    contents.paragraph_format.keep_with_next = True
    dp.contents(doc, [text for text, _ in SECTIONS])


def _page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _key_messages(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[0][0], 1)
    for s in key_messages(data):
        doc.add_paragraph(s, style="List Bullet")


def _exceptions(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[1][0], 1)
    doc.add_paragraph(
        "Every indicator off target (red), every special-cause signal in the period, every figure whose "
        "months contradict its rating for the period, and every indicator with incomplete data."
    )
    revision(doc, data)
    items = exceptions(data)
    if not items:
        doc.add_paragraph("There are no exceptions for this period.")
        return
    _table(doc, ["Indicator", "Exception"], [[by_id(i.indicator_id).name, i.text] for i in items], widths=[4.4, 11.5])


def revision(doc, data: ReportData) -> None:
    """'Revised since sign-off' (restricted packs): each figure a later correction changed, signed off and now."""
    rows = revision_rows(data)
    if not rows:
        return
    _heading(doc, "Revised since sign-off", 2)
    doc.add_paragraph(signoff_words(data))
    _table(
        doc,
        ["Indicator", "Signed off", "Now"],
        [[f"{r['name']} ({r['id']})", r["signed off"], r["now"]] for r in rows],
        widths=[9.9, 3.0, 3.0],
        numeric={1, 2},
    )


def actions_section(doc, items: Sequence[MeetingItem]) -> None:
    """The group's actions, decisions and commentary for the period; a note when none were recorded."""
    _heading(doc, SECTIONS[2][0], 1)
    if not items:
        doc.add_paragraph("No actions, decisions or commentary have been recorded for this period.")
        return
    rows = []
    for it in items:
        about = by_id(it.indicator_id).name if it.indicator_id else "General"
        detail = "; ".join(
            x
            for x in (
                f"owner {it.owner}" if it.owner else "",
                f"due {fmt.uk_date(it.due, long=True)}" if it.due else "",
                it.status or "",
            )
            if x
        )
        rows.append([KIND_WORDS.get(it.kind, it.kind.capitalize()), about, it.text, detail or "–"])
    _table(doc, ["Type", "About", "What", "Owner, due, status"], rows, widths=[2.3, 3.4, 6.6, 3.6])


def _performance(doc, data: ReportData) -> None:
    _heading(doc, SECTIONS[3][0], 1)
    doc.add_paragraph(
        f"One row per indicator for {data.period.label()}. Previous is {_prev_label(data)}; year ago "
        "is the same period a year earlier; year to date runs from the start of the financial year. "
        "Against target and against a year ago: better, similar or worse judged by the intervals, as "
        "the dashboard shows them (see Definitions)."
    )
    rows = []
    for r in performance(data):
        rows.append(
            [
                r.name,
                r.value,
                r.previous,
                r.year_ago,
                r.ytd,
                r.target,
                fmt.RAG_WORDS.get(r.rag or "", "–"),
                r.against_target,
                r.against_year_ago,
            ]
        )
    _table(
        doc,
        [h for h, _ in PERFORMANCE_COLUMNS],
        rows,
        widths=[w for _, w in PERFORMANCE_COLUMNS],
        numeric={1, 2, 3, 4, 5},
        size=8,
    )
    doc.add_paragraph("* not published (a small number, or one that would reveal it); n/r not reported; – no figure.")


def _prev_label(data: ReportData) -> str:
    s = data.sets.get("previous")
    return s.period.label() if s is not None else "the previous period"


def _figures_table(doc, r) -> None:
    """The indicator's own figures: value, what it is out of, interval, status."""
    if r.unit == "breakdown" or r.breakdown:
        rows = [
            [
                fmt.label(c.category),
                "*" if _isnone(c.value) and c.suppressed else ("–" if _isnone(c.value) else fmt.count_text(c.value)),
            ]
            for c in r.breakdown
        ]
        if rows:
            _table(
                doc,
                [(by_id(r.id).breakdown_by or "category").capitalize(), "Number"],
                rows,
                widths=[6, 2.5],
                numeric={1},
                together=True,
            )
        if r.unit == "breakdown":
            return
    if r.unit != "percent":
        return  # a count's or mean's figures are all in the performance table
    head, row = ["This period"], [cell(r)]
    if r.unit == "percent":
        shown = not _isnone(r.numerator) and not _isnone(r.denominator)
        head += ["Count", "Out of", "95% interval"]
        row += [
            fmt.count_text(r.numerator) if shown else "*",
            fmt.count_text(r.denominator) if shown else "*",
            fmt.ci_text(r.lower_ci, r.upper_ci) or "–",
        ]
    head += ["Target", "RAG", "Status"]
    row += [
        "–" if _isnone(r.target) else fmt.number_text(float(r.target), r.unit),
        fmt.RAG_WORDS.get(r.rag or "", "–"),
        fmt.STATUS_WORDS.get(r.status, r.status),
    ]
    widths = {4: [3, 3, 3, 3], 7: [2.3, 2.0, 2.0, 3.2, 2.0, 1.6, 2.4]}[len(head)]
    _table(doc, head, [row], widths=widths, numeric=set(range(len(head) - 2)), together=True)


def trend_line(data: ReportData, indicator_id: str) -> str | None:
    """The indicator's trend marker in words, over the last five months for a monthly paper and the last five
    quarters otherwise (Fingertips' test, ``metrics.markers``), or None when the data carry none."""
    m = data.markers
    if m is None or m.empty:
        return None
    freq = "month" if data.period.months() == [data.period.start] else "quarter"
    row = m[(m["id"] == indicator_id) & (m["freq"] == freq)]
    if row.empty or not isinstance(row["words"].iloc[0], str):
        return None
    return f"{row['words'].iloc[0]} (last five {'months' if freq == 'month' else 'quarters'})."


def _themes(doc, data: ReportData, images: dict[str, bytes], alt: dict[str, str], why_no_chart: dict[str, str]):
    results = {r.id: r for r in data.indicators.results}
    _heading(doc, SECTIONS[4][0], 1)
    for key, label in THEMES:
        inds = [i for i in CATALOGUE if i.theme == key and i.id in results]
        if not inds:
            continue
        _heading(doc, label, 2)
        for ind in inds:
            r = results[ind.id]
            _heading(doc, ind.name, 3)
            # Written from the public figures in both versions: authors paste it into published reports.
            d = draft(
                result=data.figure("period", ind.id, public=True),
                indicator=ind,
                period=data.period,
                threshold=data.threshold,
                previous=data.figure("previous", ind.id, public=True),
                ytd=data.figure("ytd", ind.id, public=True),
                ytd_year_ago=data.figure("ytd_year_ago", ind.id, public=True),
                ytd_period=data.sets["ytd"].period if "ytd" in data.sets else None,
                comparison=data.comparison(ind.id, public=True),
            )
            # The indicator's wording, chart and table stay together on one page.
            block = [doc.add_paragraph(" ".join(d.sentences))]
            block += [doc.add_paragraph(c, style="List Bullet") for c in d.caveats]
            if d.note:
                q = doc.add_paragraph()
                q.add_run("Reading this figure: ").italic = True
                q.add_run(d.note)
                block.append(q)
            trend = trend_line(data, ind.id)
            if trend:
                t = doc.add_paragraph()
                t.add_run("Trend: ").bold = True
                t.add_run(trend)
                block.append(t)
            if ind.id in images:
                pic = doc.add_paragraph()
                pic.paragraph_format.keep_with_next = True
                shape = pic.add_run().add_picture(io.BytesIO(images[ind.id]), width=Cm(CHART_WIDTH_CM))
                dp.alt_text(shape, title=f"Chart: {ind.name}", description=alt.get(ind.id, ind.name))
            elif ind.id in why_no_chart:
                block.append(doc.add_paragraph(why_no_chart[ind.id]))
                block[-1].runs[0].italic = True
            for p in block:
                p.paragraph_format.keep_with_next = True
            _figures_table(doc, r)


def _data_quality(doc, data: ReportData, notes: list[str]) -> None:
    _heading(doc, SECTIONS[5][0], 1)
    gaps = [r for r in data.indicators.results if r.status != "complete"]
    if gaps:
        from reports.wording import missing_caveats

        rows = [
            [
                r.name,
                fmt.STATUS_WORDS.get(r.status, r.status),
                " ".join(missing_caveats(list(r.missing)))
                or ("No partner has sent the data." if r.status == "not_reported" else "–"),
            ]
            for r in gaps
        ]
        _table(doc, ["Indicator", "Status", "What is missing"], rows, widths=[4.4, 2.2, 9.3])
    else:
        doc.add_paragraph("Every indicator is complete: all partners reported for the whole period.")
    for line in [
        "'Not reported' means no partner sent the data: it is not a zero. 'Incomplete' means some months "
        "or partners are missing; the figure is computed from what was sent.",
        *notes,
    ]:
        doc.add_paragraph(line, style="List Bullet")
    _heading(doc, "Disclosure control", 2)
    for line in disclosure_rules(data.threshold):
        doc.add_paragraph(line, style="List Bullet")


def _definitions(doc) -> None:
    _heading(doc, SECTIONS[6][0], 1)
    doc.add_paragraph(
        "Better, similar or worse (as Fingertips compares): against the target, 'similar' when the "
        "target lies inside the figure's confidence interval; against the same period a year earlier, "
        "'similar' when the two figures' intervals overlap; otherwise better or worse by the "
        "indicator's direction (higher or lower, with no judgement, for an indicator without one). "
        f"The intervals are {_level_words()} (Wilson for a percentage, Byar's for a count). "
        "RAG: on target (green) meets the target, close to target (amber) misses it by no "
        "more than 10% of the target, off target (red) otherwise. Special-cause variation follows the NHS Making "
        "Data Count rules on the last 24 months."
    )
    rows = [
        [
            f"{i.name} ({i.id})",
            f"{i.definition} Source: {', '.join(_source_words(s) for s in i.sources)}.",
            {"up": "higher", "down": "lower"}.get(i.polarity, "no judgement"),
        ]
        for i in CATALOGUE
    ]
    _table(doc, ["Indicator", "Definition", "Better when"], rows, widths=[4.0, 9.6, 2.3])


def _level_words() -> str:
    from metrics.markers import confidence_level

    return f"{confidence_level():g}%"


def _source_words(source: str) -> str:
    from core.partners import partners
    from core.returns import RETURNS

    partner, _, ret = source.partition("/")
    who = partners().get(partner)
    what = RETURNS[ret].title.lower() if ret in RETURNS else fmt.label(ret)
    return f"{who.name if who else fmt.label(partner)} ({what})"


def build_pack(
    *,
    data: ReportData,
    images: dict[str, bytes],
    alt: dict[str, str] | None = None,
    why_no_chart: dict[str, str] | None = None,
    chart_notes: list[str] | None = None,
    meeting_items: Sequence[MeetingItem] = (),
) -> bytes:
    """The meeting pack as .docx bytes.

    ``images``: PNGs keyed by indicator id, ``alt`` their alternative text; ``why_no_chart`` says, for an
    indicator left without a chart, why; ``meeting_items`` are the group's actions, decisions and commentary.
    """
    doc = Document()
    doc.core_properties.title = f"{TITLE}, {data.period.label()} ({marking_of(data)})"
    doc.core_properties.subject = f"{GROUP}: {fmt.period_phrase(data.period)}"
    doc.core_properties.author = "Strategy outcomes dashboard"
    doc.core_properties.keywords = marking_of(data)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(11)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        doc.styles[name].font.name = "Arial"
    _page_setup(doc, data)
    _cover(doc, data)
    _page_break(doc)
    _key_messages(doc, data)
    _exceptions(doc, data)
    actions_section(doc, meeting_items)
    _performance(doc, data)
    _themes(doc, data, images, alt or {}, why_no_chart or {})
    _data_quality(doc, data, chart_notes or [])
    _definitions(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
