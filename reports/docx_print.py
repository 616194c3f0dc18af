"""Print set-up for Word documents that python-docx does not offer directly: fields, repeated header rows,
fixed table layout, rows that do not split, alt text. Each writes the WordprocessingML the standard defines."""

from __future__ import annotations

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

A4 = (Mm(210), Mm(297))
# Word's "Normal" margins, which council templates keep: 2.54 cm all round.
MARGIN = Cm(2.54)
TEXT_WIDTH_CM = 21.0 - 2 * 2.54


def a4(section) -> None:
    """A4 portrait with council margins."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    section.header_distance = section.footer_distance = Cm(1.25)


def field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A field (PAGE, NUMPAGES, TOC ...) with ``placeholder`` as its shown result until Word updates it."""

    def char(kind: str):
        run = OxmlElement("w:r")
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            fc.set(qn("w:dirty"), "true")
        run.append(fc)
        return run

    p = paragraph._p
    p.append(char("begin"))
    instr = OxmlElement("w:r")
    t = OxmlElement("w:instrText")
    t.set(qn("xml:space"), "preserve")
    t.text = f" {instruction} "
    instr.append(t)
    p.append(instr)
    p.append(char("separate"))
    shown = OxmlElement("w:r")
    st = OxmlElement("w:t")
    st.set(qn("xml:space"), "preserve")
    st.text = placeholder
    shown.append(st)
    p.append(shown)
    p.append(char("end"))


def contents(doc, entries: list[str]) -> None:
    """A contents field (headings 1-2) whose shown result lists ``entries`` until Word fills in the page
    numbers (it is asked to update fields on opening; LibreOffice shows the list as it is)."""
    first = doc.add_paragraph()
    paragraphs = [first] + [doc.add_paragraph() for _ in entries[1:]]

    def run_with(el):
        r = OxmlElement("w:r")
        r.append(el)
        return r

    def fld(kind: str):
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            fc.set(qn("w:dirty"), "true")
        return run_with(fc)

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-2" \\h \\z \\u '
    first._p.append(fld("begin"))
    first._p.append(run_with(instr))
    first._p.append(fld("separate"))
    for p, text in zip(paragraphs, entries, strict=True):
        p.paragraph_format.left_indent = Cm(0.5)
        p.paragraph_format.space_after = Pt(2)
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        p._p.append(run_with(t))
    paragraphs[-1]._p.append(fld("end"))
    update_fields_on_open(doc)


def update_fields_on_open(doc) -> None:
    """Ask Word to refresh fields (the contents' page numbers) when the file is opened."""
    settings = doc.settings.element
    el = settings.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        settings.append(el)
    el.set(qn("w:val"), "true")


def repeat_header(row) -> None:
    """The row is repeated at the top of each page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def keep_row_whole(row) -> None:
    """The row is never split across two pages."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def fixed_widths(table, widths_cm: list[float]) -> None:
    """Fixed layout at the given column widths (which must fit the text width)."""
    assert sum(widths_cm) <= TEXT_WIDTH_CM + 0.01, f"table wider than the page: {sum(widths_cm)} cm"
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    width.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(width)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(w * 567)))
    for row in table.rows:
        for c, w in zip(row.cells, widths_cm, strict=True):
            c.width = Cm(w)


def keep_together(table) -> None:
    """A short table stays on one page: every row's text keeps with the next row."""
    for row in table.rows[:-1]:
        for c in row.cells:
            for p in c.paragraphs:
                p.paragraph_format.keep_with_next = True


def alt_text(inline_shape, *, title: str, description: str) -> None:
    """The picture's alternative text, read out by screen readers and shown by Word's Alt Text pane."""
    doc_pr = inline_shape._inline.docPr
    doc_pr.set("title", title)
    doc_pr.set("descr", description)


def right(cell) -> None:
    for p in cell.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def small_text(cell, size: float = 9) -> None:
    for p in cell.paragraphs:
        p.paragraph_format.space_after = Pt(0)
        for r in p.runs:
            r.font.size = Pt(size)
