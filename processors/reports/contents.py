"""The contents list: the template's TOC field, filled in with one entry per heading.

Word would build the list itself only when someone updates fields; LibreOffice never does. So each
Heading 1 and Heading 2 gets a bookmark, and the TOC field's result gets an entry per heading that links
to it and shows its page through a PAGEREF field. The list is written out in full, so Word never asks to
update fields when a report opens: for the PDF, ``unwrap`` removes the outer TOC field so that LibreOffice
computes the PAGEREF page numbers itself, and ``processors.reports.pagenumbers`` then writes those page
numbers into the Word copy's entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from processors.reports.wordfields import (
    TOC_INSTRUCTION,
    bookmark,
    complex_field,
    fld_char,
    instr_run,
    tab_run,
    text_run,
)

LEVELS = ("Heading 1", "Heading 2")
BOOKMARK_BASE = 90000


@dataclass
class Contents:
    entries: int = 0
    wrapper: list[etree._Element] = field(default_factory=list)  # the outer TOC field's own runs

    def unwrap(self) -> None:
        """Remove the outer TOC field (keeping its entries), for a LibreOffice PDF."""
        for run in self.wrapper:
            parent = run.getparent()
            if parent is not None:
                parent.remove(run)
        self.wrapper = []


def _toc_begin(body: etree._Element) -> etree._Element | None:
    """The run that begins the TOC field."""
    for instr in body.iter(qn("w:instrText")):
        if (instr.text or "").strip().upper().startswith("TOC"):
            run = instr.getparent()
            while run is not None:
                char = run.find(qn("w:fldChar"))
                if char is not None and char.get(qn("w:fldCharType")) == "begin":
                    return run
                run = run.getprevious()
    return None


def _field_end(body: etree._Element, begin: etree._Element) -> etree._Element | None:
    depth, started = 0, False
    for char in body.iter(qn("w:fldChar")):
        if char.getparent() is begin:
            started = True
        if not started:
            continue
        kind = char.get(qn("w:fldCharType"))
        depth += {"begin": 1, "end": -1}.get(kind, 0)
        if depth == 0:
            return char.getparent()
    return None


def _paragraph(element: etree._Element) -> etree._Element:
    while element.tag != qn("w:p"):
        element = element.getparent()
    return element


def _text(paragraph: etree._Element) -> str:
    return "".join(t.text or "" for t in paragraph.iter(qn("w:t"))).strip()


def _style_ids(doc: DocumentObject, names: tuple[str, ...]) -> list[str]:
    return [doc.styles[name].style_id for name in names]


def _entry(text: str, anchor: str, style_id: str) -> etree._Element:
    p = OxmlElement("w:p")
    p_pr = OxmlElement("w:pPr")
    style = OxmlElement("w:pStyle")
    style.set(qn("w:val"), style_id)
    p_pr.append(style)
    p.append(p_pr)
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    for run in (text_run(text), tab_run(), *complex_field(f" PAGEREF {anchor} \\h ", "")):
        link.append(run)
    p.append(link)
    return p


def _headings(doc: DocumentObject) -> list[tuple[int, etree._Element]]:
    levels = dict(zip(_style_ids(doc, LEVELS), range(1, len(LEVELS) + 1)))
    found = []
    for p in doc.element.body.iterchildren(qn("w:p")):
        style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) in levels and _text(p):
            found.append((levels[style.get(qn("w:val"))], p))
    return found


def fill_contents(doc: DocumentObject) -> Contents:
    """Replace the TOC field's result with an entry per heading; a document without a TOC field is left alone."""
    body = doc.element.body
    begin = _toc_begin(body)
    end = _field_end(body, begin) if begin is not None else None
    if begin is None or end is None:
        return Contents()
    first, last = _paragraph(begin), _paragraph(end)
    headings = _headings(doc)
    toc_ids = ["TOC1", "TOC2"]
    try:
        toc_ids = _style_ids(doc, ("toc 1", "toc 2"))
    except KeyError:
        pass
    entries = []
    for n, (level, heading) in enumerate(headings):
        name = f"_Toc{BOOKMARK_BASE + n}"
        bookmark(heading, name, BOOKMARK_BASE + n)
        entries.append(_entry(_text(heading), name, toc_ids[level - 1]))
    if not entries:
        entries.append(OxmlElement("w:p"))
        entries[0].append(OxmlElement("w:pPr"))
    wrapper = [fld_char("begin"), instr_run(TOC_INSTRUCTION), fld_char("separate")]
    p_pr = entries[0].find(qn("w:pPr"))
    for offset, run in enumerate(wrapper, start=1):
        entries[0].insert(entries[0].index(p_pr) + offset, run)
    closing = fld_char("end")
    entries[-1].append(closing)
    _replace_span(first, last, entries)
    return Contents(len(headings), [*wrapper, closing])


def _replace_span(first: etree._Element, last: etree._Element, new: list[etree._Element]) -> None:
    parent = first.getparent()
    span, node = [first], first
    while node is not last:
        node = node.getnext()
        span.append(node)
    position = parent.index(first)
    for old in span:
        parent.remove(old)
    for offset, p in enumerate(new):
        parent.insert(position + offset, p)
