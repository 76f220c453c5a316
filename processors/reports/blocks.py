"""Building blocks of the report templates: styles, page furniture, templated tables, lists and charts.

Tables are real Word tables in a Word table style, with one templated row (docxtpl ``{%tr %}``), so the QA
Manager can restyle them in Word. Every table and list says something when it has nothing to show.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Row
from docx.text.paragraph import Paragraph

from processors.forms.vocabulary import GRADES
from processors.reports.wordfields import fld_simple

TABLE_STYLE = "Light Grid Accent 1"
NO_DATA_STYLE = "No data"
TABLE_TEXT_STYLE = "Table text"
TEXT_WIDTH_CM = 17.0
GREY = RGBColor(0x59, 0x59, 0x59)
NAVY = RGBColor(0x1F, 0x3A, 0x5F)
GRADE_HEADERS = list(GRADES)
GRADE_CELLS = [f"r.counts[{n}]" for n in range(len(GRADES))]


# --- styles and page ------------------------------------------------------------------------

def styles(doc: DocumentObject) -> None:
    found = doc.styles
    found["Normal"].font.name = "Arial"
    found["Normal"].font.size = Pt(10)
    found["Normal"].paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 24), ("Heading 1", 15), ("Heading 2", 12), ("Heading 3", 10.5)):
        found[name].font.name = "Arial"
        found[name].font.size = Pt(size)
        found[name].font.color.rgb = NAVY
    for level in (1, 2):
        style = found.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.element.set(qn("w:styleId"), f"TOC{level}")
        style.base_style = found["Normal"]
        style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        style.paragraph_format.space_after = Pt(2)
        style.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        style.font.bold = level == 1
    cells = found.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cells.base_style = found["Normal"]
    cells.font.size = Pt(8.5)
    cells.paragraph_format.space_after = Pt(0)
    note = found.add_style(NO_DATA_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = found["Normal"]
    note.font.italic = True
    note.font.color.rgb = GREY
    found["Caption"].font.color.rgb = GREY


def page_furniture(doc: DocumentObject, footer_text: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    header = section.header.paragraphs[0]
    header.add_run("OFFICIAL - SENSITIVE    {{ organisation }}").font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.add_run(footer_text + "    Page ").font.size = Pt(8)
    footer._p.append(fld_simple("PAGE", "1"))
    footer.add_run(" of ").font.size = Pt(8)
    footer._p.append(fld_simple("NUMPAGES", "1"))


# --- building blocks ------------------------------------------------------------------------

def para(doc: DocumentObject, text: str, style: str | None = None) -> Paragraph:
    return doc.add_paragraph(text, style=style)


def tag(doc: DocumentObject, text: str) -> None:
    """A paragraph holding only a {%p ... %} tag: docxtpl removes the paragraph itself."""
    doc.add_paragraph("{%p " + text + " %}")


def _repeat_header(row: _Row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def loop_table(doc: DocumentObject, rows: str, headers: list[str], cells: list[str], widths: list[float],
               numeric: int = 0) -> None:
    """A table with a header row and one templated row per item of ``rows``; the last ``numeric`` columns
    are right-aligned numbers."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = TABLE_STYLE
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _repeat_header(table.rows[0])
    for n, text in enumerate(headers):
        table.rows[0].cells[n].text = text
    table.rows[1].cells[0].text = "{%tr for r in " + rows + " %}"
    for n, expr in enumerate(cells):
        table.rows[2].cells[n].text = "{{ " + expr + " }}"
        if n >= len(cells) - numeric:
            for row in table.rows[:3]:
                row.cells[n].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table.rows[3].cells[0].text = "{%tr endfor %}"
    for column, width in zip(table.columns, widths):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)
            cell.paragraphs[0].style = TABLE_TEXT_STYLE


def table_block(doc: DocumentObject, table: str, headers: list[str], cells: list[str], widths: list[float],
                numeric: int = 0) -> None:
    """The table when it has rows; otherwise the sentence that says there is nothing to show."""
    tag(doc, f"if {table}.rows")
    loop_table(doc, f"{table}.rows", headers, cells, widths, numeric)
    tag(doc, "else")
    para(doc, "{{ " + table + ".empty }}", NO_DATA_STYLE)
    tag(doc, "endif")


def bullets(doc: DocumentObject, table: str) -> None:
    tag(doc, f"if {table}.rows")
    tag(doc, f"for item in {table}.rows")
    para(doc, "{{ item }}", "List Bullet")
    tag(doc, "endfor")
    tag(doc, "else")
    para(doc, "{{ " + table + ".empty }}", NO_DATA_STYLE)
    tag(doc, "endif")


def chart(doc: DocumentObject, key: str) -> None:
    tag(doc, f"if {key}")
    para(doc, "{{ " + key + ".image }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "Figure: {{ " + key + ".title }}", "Caption").alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(doc, "endif")


def page_break(doc: DocumentObject) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
