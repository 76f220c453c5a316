"""The contents list's page numbers, written into the Word copy from the PDF LibreOffice made of it.

A report's contents entries each carry a PAGEREF field. Rather than ask Word to update fields when the report
opens (a prompt people learn to click away), the page of each heading is read from the PDF (the same
document, laid out by LibreOffice) and written as the fields' shown result: Word shows it as it is, and
still updates it if someone asks. Without a PDF the entries keep their links and show no page numbers.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

DOCUMENT = "word/document.xml"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _entries(root: etree._Element) -> list[tuple[str, etree._Element]]:
    """(heading text, the w:t that shows its page) for each contents entry."""
    found = []
    for link in root.iter(qn("w:hyperlink")):
        if not (link.get(qn("w:anchor")) or "").startswith("_Toc"):
            continue
        runs = list(link.iter(qn("w:r")))
        separate = next((n for n, r in enumerate(runs)
                         if (c := r.find(qn("w:fldChar"))) is not None and c.get(qn("w:fldCharType")) == "separate"),
                        None)
        if separate is None or separate + 1 >= len(runs):
            continue
        shown = runs[separate + 1].find(qn("w:t"))
        if shown is not None:
            found.append((_flat("".join(t.text or "" for t in runs[0].iter(qn("w:t")))), shown))
    return found


def heading_pages(pdf: Path, headings: list[str]) -> list[int | None]:
    """The page (from 1) of each heading, in document order. The PDF's own contents list names every heading
    first, so the body's headings are searched for after the last entry of that list."""
    pages = [_flat(page.extract_text() or "") for page in PdfReader(str(pdf)).pages]
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page + " "
    last = text.find(headings[-1]) if headings else -1
    position = last + len(headings[-1]) if last >= 0 else 0
    found: list[int | None] = []
    for heading in headings:
        at = text.find(heading, position)
        if at < 0:
            found.append(None)
            continue
        found.append(max(n for n, s in enumerate(starts) if s <= at) + 1)
        position = at + len(heading)
    return found


def number_contents(docx: Path, pdf: Path) -> int:
    """Write the page numbers into ``docx``'s contents list; returns how many entries got one."""
    with zipfile.ZipFile(docx) as z:
        members = {info: z.read(info.filename) for info in z.infolist()}
    info = next(i for i in members if i.filename == DOCUMENT)
    root = etree.fromstring(members[info])
    entries = _entries(root)
    if not entries:
        return 0
    numbered = 0
    for (_, shown), page in zip(entries, heading_pages(pdf, [h for h, _ in entries])):
        if page is not None:
            shown.text = str(page)
            numbered += 1
    members[info] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for member, data in members.items():
            out.writestr(member, data)
    partial = docx.with_name(docx.name + ".partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(docx)
    return numbered
