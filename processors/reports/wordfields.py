"""Word fields in WordprocessingML: simple fields (PAGE), complex fields (TOC, PAGEREF) and bookmarks."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from processors.word import ooxml

TOC_INSTRUCTION = r' TOC \o "1-2" \h \z \u '
TOC_PLACEHOLDER = "Right-click here and choose Update Field to refresh the contents list."


def text_run(text: str) -> etree._Element:
    return ooxml.run(text)


def tab_run() -> etree._Element:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:tab"))
    return run


def fld_simple(instruction: str, shown: str) -> etree._Element:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    field.append(text_run(shown))
    return field


def fld_char(kind: str) -> etree._Element:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def instr_run(instruction: str) -> etree._Element:
    run = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = instruction
    run.append(text)
    return run


def complex_field(instruction: str, shown: str) -> list[etree._Element]:
    """The runs of a field whose result Word (and LibreOffice, for PAGEREF) computes."""
    return [fld_char("begin"), instr_run(instruction), fld_char("separate"), text_run(shown), fld_char("end")]


def toc_field_paragraph(paragraph: etree._Element) -> None:
    """Make ``paragraph`` hold a whole TOC field with placeholder text (the template's contents list)."""
    for run in (fld_char("begin"), instr_run(TOC_INSTRUCTION), fld_char("separate"), text_run(TOC_PLACEHOLDER),
                fld_char("end")):
        paragraph.append(run)


def bookmark(paragraph: etree._Element, name: str, ident: int) -> None:
    """Wrap the paragraph's content in a bookmark."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    p_pr = paragraph.find(qn("w:pPr"))
    paragraph.insert(0 if p_pr is None else paragraph.index(p_pr) + 1, start)
    paragraph.append(end)
