"""Build the default Word templates from the form definitions.

The .docx files this writes into templates/ are committed; the QA administrator may then reword them
in Word. `python run.py templates build` writes them afresh (it refuses to overwrite unless --force).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from lxml import etree

from processors.dates import DATE_FORMAT_WORD
from processors.forms.definitions import FORM_TYPES, GRADE_DESCRIPTORS, Field, FormDefinition, Kind, Section
from processors.forms.vocabulary import ACTION_NUMBER_HEADING, TEMPLATE_VERSION_LABEL, ActionPart, form_ref_line
from processors.word import ooxml

GREY = RGBColor(0x59, 0x59, 0x59)
ANSWER_FILL = "E7E6E6"  # the grey answer boxes the instructions mention
LABEL_FILL = "E7EEF7"
DESCRIPTOR_STYLE = "Grade descriptor"
INSTRUCTIONS = ("Please complete every grey box; choose from the lists where there is one. "
                "Return the form by {{ due_date }}.")
FOOTER_REF = form_ref_line("{{ form_ref }}")


class _Ids:
    def __init__(self) -> None:
        self.n = 1000

    def next(self) -> int:
        self.n += 1
        return self.n


def _control(field, ids: _Ids) -> etree._Element:
    if field.prefilled:
        return ooxml.prefilled_control(field.key, field.label, ids.next(), "{{ %s }}" % field.key)
    if field.kind in (Kind.GRADE, Kind.CHOICE):
        return ooxml.dropdown_control(field.key, field.label, ids.next(), field.allowed)
    if field.kind is Kind.DATE:
        return ooxml.date_control(field.key, field.label, ids.next(), DATE_FORMAT_WORD)
    if field.kind is Kind.CHECKBOX:
        return ooxml.checkbox_control(field.key, field.label, ids.next())
    return ooxml.text_control(field.key, field.label, ids.next(), multiline=field.kind is Kind.LONGTEXT)


def _put_control(cell, field, ids: _Ids) -> None:
    """The field's control; a box the person fills in is shaded grey, a pre-filled one left white."""
    paragraph = cell.paragraphs[0]
    paragraph._p.append(_control(field, ids))
    if not field.prefilled:
        _shade(cell, ANSWER_FILL)


def _shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = tc_pr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill})
    tc_pr.append(shd)


def _small(cell, text: str) -> None:
    run = cell.add_paragraph().add_run(text)
    run.font.size, run.font.color.rgb = Pt(8), GREY


def _descriptors(cell) -> None:
    """What each grade means: small grey text in a character style (so the document stays small to read)."""
    for grade, meaning in GRADE_DESCRIPTORS.items():
        paragraph = cell.add_paragraph()
        paragraph.add_run(f"{grade}: ", DESCRIPTOR_STYLE).bold = True
        paragraph.add_run(f"{meaning}.", DESCRIPTOR_STYLE)


def _label(cell, text: str, hint: str = "", field: Field | None = None) -> None:
    p = cell.paragraphs[0]
    p.add_run(text).bold = True
    if hint:
        _small(cell, hint)
    if field is not None and field.kind is Kind.GRADE:  # what each grade means, beside every graded area
        _descriptors(cell)
    _shade(cell, LABEL_FILL)


def _fields_table(doc, section: Section, ids: _Ids) -> Table:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for field in section.fields:
        row = table.add_row()
        row.cells[0].width, row.cells[1].width = Cm(6.5), Cm(10.5)
        _label(row.cells[0], field.label, field.hint, field)
        _put_control(row.cells[1], field, ids)
    return table


def _actions_table(doc, section: Section, ids: _Ids) -> Table:
    rows = len(section.fields) // 3
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (ACTION_NUMBER_HEADING, *(p.heading for p in ActionPart))):
        _label(cell, text)
    for n in range(rows):
        action, owner, due = section.fields[3 * n: 3 * n + 3]
        row = table.add_row()
        row.cells[0].text = str(n + 1)
        for cell, field in zip(row.cells[1:], (action, owner, due)):
            _put_control(cell, field, ids)
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(1.2), Cm(9), Cm(3.6), Cm(3.2))):
            cell.width = width
    return table


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    if "Placeholder Text" not in [s.name for s in doc.styles]:
        style = doc.styles.add_style("Placeholder Text", WD_STYLE_TYPE.CHARACTER)
        style.element.set(qn("w:styleId"), ooxml.PLACEHOLDER_STYLE)
        style.font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    if DESCRIPTOR_STYLE not in [s.name for s in doc.styles]:
        descriptor = doc.styles.add_style(DESCRIPTOR_STYLE, WD_STYLE_TYPE.CHARACTER)
        descriptor.font.size, descriptor.font.color.rgb = Pt(7.5), GREY


def _page(doc, organisation_expr: str, title: str) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2))
    sec.top_margin = sec.bottom_margin = Cm(2)
    header = sec.header.paragraphs[0]
    header.text = f"OFFICIAL - SENSITIVE    {organisation_expr}    {title}"
    header.runs[0].font.size = Pt(8)
    footer = sec.footer.paragraphs[0]
    version = TEMPLATE_VERSION_LABEL + "{{ template_version }}"
    footer_text = f"{FOOTER_REF}  ·  {{{{ form_title }}}}  ·  {version}  ·  Page "
    footer.add_run(footer_text).font.size = Pt(8)
    for instr in ("PAGE", "NUMPAGES"):
        fld = footer._p.makeelement(qn("w:fldSimple"), {qn("w:instr"): instr})
        fld.append(ooxml.run("1"))
        footer._p.append(fld)
        if instr == "PAGE":
            footer.add_run(" of ").font.size = Pt(8)


def build_template(definition: FormDefinition, target: Path) -> Path:
    doc = Document()
    _styles(doc)
    _page(doc, "{{ organisation }}", definition.title)
    doc.core_properties.title = definition.title
    doc.core_properties.subject = definition.framework_ref
    doc.core_properties.author = "QA forms automation"
    doc.add_heading(definition.title, level=0)
    intro = doc.add_paragraph(definition.purpose)
    intro.runs[0].font.color.rgb = GREY
    doc.add_paragraph(f"{definition.framework_ref}. {INSTRUCTIONS}")
    ids = _Ids()
    for section in definition.sections:
        doc.add_heading(section.title, level=1)
        if section.intro:
            doc.add_paragraph(section.intro)
        if section.table == "actions":
            _actions_table(doc, section, ids)
        else:
            _fields_table(doc, section, ids)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


LETTER_FILENAME = "thank_you_letter.docx"
LETTER_FIELDS = ("organisation", "letter_date", "form_ref", "values", "practitioner", "nominated_by", "nominator_role",
                 "what_was_done", "difference_for_child", "senior_leader", "signatory",
                 "signatory_title")  # what act.notices fills in; senior_leader = signatory, for older templates
LETTERHEAD = "{{ organisation }}"
LETTER_BODY = (
    ("{{ letter_date }}", None),
    ("Dear {{ practitioner }},", None),
    ("Thank you", 1),
    ("{{ nominated_by }} ({{ nominator_role }}) has shared an example of your practice with the Quality Assurance "
     "team, and I wanted to thank you personally.", None),
    ("What you did", 2),
    ("{{ what_was_done }}", None),
    ("The difference it made", 2),
    ("{{ difference_for_child }}", None),
    ("{% if values %}Your practice shows our values: {{ values }}.{% endif %}", None),
    ("Recognising and sharing practice like this helps us all to do things better for children. "
     "Thank you for the difference you make.", None),
    ("With thanks,", None),
)
SIGNATURE_LINE = "_" * 36


def _letterhead(doc) -> None:
    """The letterhead area at the top of every page: the organisation's name over a rule."""
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin, sec.header_distance = Cm(3), Cm(1)
    head = sec.header.paragraphs[0]
    run = head.add_run(LETTERHEAD)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(16), RGBColor(0x1F, 0x3A, 0x5F)
    sub = sec.header.add_paragraph().add_run("Quality Assurance")
    sub.font.size, sub.font.color.rgb = Pt(9), GREY
    p_pr = sec.header.paragraphs[-1]._p.get_or_add_pPr()
    borders = p_pr.makeelement(qn("w:pBdr"), {})
    borders.append(borders.makeelement(qn("w:bottom"), {qn("w:val"): "single", qn("w:sz"): "8",
                                                         qn("w:space"): "4", qn("w:color"): "1F3A5F"}))
    p_pr.append(borders)


def _signature(doc) -> None:
    """Space to sign, then the signatory's name and job title."""
    space = doc.add_paragraph(SIGNATURE_LINE)
    space.paragraph_format.space_before = Cm(2)  # room for a handwritten signature above the line
    name = doc.add_paragraph()
    name.add_run("{{ signatory }}").bold = True
    name.paragraph_format.space_after = Pt(0)
    doc.add_paragraph("{{ signatory_title }}")
    ref = doc.add_paragraph().add_run("Good Practice Evidence Record {{ form_ref }}")
    ref.font.size, ref.font.color.rgb = Pt(8), GREY


def build_letter(target: Path) -> Path:
    """The thank-you letter a senior leader signs for recorded good practice (QAF 8.5.4)."""
    doc = Document()
    _styles(doc)
    _letterhead(doc)
    for text, heading in LETTER_BODY:
        if heading:
            doc.add_heading(text, level=heading)
        else:
            doc.add_paragraph(text)
    _signature(doc)
    doc.core_properties.title = "Thank you for your good practice"
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def build_all(folder: Path, *, force: bool = False) -> list[Path]:
    written = []
    for definition in FORM_TYPES.values():
        target = folder / definition.filename
        if target.exists() and not force:
            continue
        written.append(build_template(definition, target))
    if force or not (folder / LETTER_FILENAME).exists():
        written.append(build_letter(folder / LETTER_FILENAME))
    return written
