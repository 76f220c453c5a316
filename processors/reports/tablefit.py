"""Tables and pages that read well in Word and in LibreOffice's PDF, applied to every rendered report.

* Column widths come from the content: each column is at least as wide as its longest word (so a case ID,
  form ID or date is never broken mid-value, and a header is never split mid-word), and the rest of the
  text width goes to the columns with the most to say.
* Rows never split across pages (``w:cantSplit``); the header row repeats and stays with the first row.
* Headings, and a paragraph introducing a table or a chart, stay with what follows (``w:keepNext``).
* No automatic hyphenation anywhere.

It works on the rendered document, so a template the QA Manager restyled in Word gets the same treatment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from docx.document import Document as DocumentObject
from docx.oxml.ns import nsmap, qn
from lxml import etree

CM_TWIPS = 566.93
PADDING_CM = 0.6           # the cell's left and right margins, and room to spare
MIN_PT = 6.5              # a table with many columns gets smaller text, down to this, rather than broken words
MAX_CHARS = 60             # beyond this a column wraps anyway: do not let one long sentence take the table
BOLD = 1.15
WIDE = set("MWmw%@")
NARROW = set("iljtfrI.,:;'|!() /-")


@lru_cache(maxsize=4096)
def _units(text: str) -> float:
    units = 0.0
    for ch in text:
        if ch in WIDE:
            units += 0.95
        elif ch in NARROW:
            units += 0.36
        elif ch.isupper() or ch.isdigit():
            units += 0.75
        else:
            units += 0.63
    return units


def text_cm(text: str, size_pt: float, bold: bool = False) -> float:
    """An estimate of the width of ``text`` at ``size_pt``: generous enough for Arial in Word and for the wider
    DejaVu Sans that LibreOffice substitutes where Arial is not installed, so that it really fits."""
    return _units(text) * size_pt * 2.54 / 72 * (BOLD if bold else 1.0)


@dataclass(frozen=True)
class Measure:
    """A column's longest word and longest line, in ems (widths scale with the text size)."""

    word: float
    line: float

    @classmethod
    def of(cls, head: str, cells: list[str], bold: bool) -> Measure:
        weight = BOLD if bold else 1.0
        words = {w for text in cells for w in text.split()}
        lines = {t[:MAX_CHARS] for text in cells for t in text.split("\n")}
        word = max([_units(w) * BOLD for w in head.split()] + [_units(w) * weight for w in words], default=1.0)
        line = max([_units(t) * weight for t in lines] + [_units(head) * BOLD], default=0.0)
        return cls(word, max(line, word))

    def cm(self, ems: float, size_pt: float) -> float:
        return ems * size_pt * 2.54 / 72 + PADDING_CM


def _set(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    found = parent.find(qn(tag))
    if found is None:
        found = _new(parent, tag)
        parent.append(found)
    for name, value in attrs.items():
        found.set(qn(f"w:{name}"), value)
    return found


@lru_cache(maxsize=64)
def _qualified(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(qn(n) for n in names)


def _ordered(parent: etree._Element, tag: str, before: tuple[str, ...]) -> etree._Element:
    """``parent``'s child ``tag``, created in schema order (before the first of ``before`` present)."""
    found = parent.find(_Q[tag] if tag in _Q else qn(tag))
    if found is not None:
        return found
    found = _new(parent, tag)
    successors = _qualified(before)
    successor = next((c for c in parent if c.tag in successors), None)
    if successor is None:
        parent.append(found)
    else:
        successor.addprevious(found)
    return found


_Q = {name: qn(name) for name in ("w:t", "w:p", "w:tc", "w:tr", "w:tcPr", "w:tcW", "w:trPr", "w:cantSplit",
                                   "w:keepNext", "w:r", "w:rPr", "w:sz", "w:pPr", "w:pStyle", "w:val", "w:w",
                                   "w:type", "w:tbl", "w:tblGrid", "w:gridCol", "w:tblPr", "w:tblPrEx")}


def _new(parent: etree._Element, tag: str) -> etree._Element:
    """A new, unattached element of ``parent``'s document (much quicker than OxmlElement, which parses XML)."""
    return parent.makeelement(_Q[tag] if tag in _Q else qn(tag))


def _size_pt(doc: DocumentObject) -> float:
    try:
        size = doc.styles["Table text"].font.size
    except KeyError:
        size = None
    return size.pt if size is not None else 10.0


def _text_width_cm(doc: DocumentObject) -> float:
    section = doc.sections[0]
    return (section.page_width - section.left_margin - section.right_margin) / 360000


def fitting_size(measures: list[Measure], total_cm: float, size_pt: float) -> float:
    """The text size at which every column's longest word fits the width (``size_pt`` when it already does)."""
    size = size_pt
    while size > MIN_PT and sum(m.cm(m.word, size) for m in measures) > total_cm:
        size -= 0.5
    return size


def column_widths(measures: list[Measure], total_cm: float, size_pt: float) -> list[float]:
    """Widths in cm: each column at least its longest word, then what is left shared by how much each says."""
    least = [m.cm(m.word, size_pt) for m in measures]
    wanted = [m.cm(m.line, size_pt) for m in measures]
    if sum(least) >= total_cm:
        return [w * total_cm / sum(least) for w in least]
    if sum(wanted) <= total_cm:
        spare = total_cm - sum(wanted)
        return [w + spare * w / sum(wanted) for w in wanted]
    room = total_cm - sum(least)
    extra = [w - m for w, m in zip(wanted, least)]
    return [m + room * e / sum(extra) for m, e in zip(least, extra)]


def _cell_text(cell: etree._Element) -> str:
    """The cell's words (its ``w:t`` texts; ``iter`` is several times quicker than ``itertext`` with a tag)."""
    parts = [t.text for t in cell.iter(_Q["w:t"]) if t.text]
    return parts[0] if len(parts) == 1 else "".join(parts)


W_NS = nsmap["w"]
CELL_END, ROW_END = "\ue000", "\ue001"  # private-use characters, never in a report's text (checked below)
_CELL_TEXTS = etree.XSLT(etree.XML(
    f'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:w="{W_NS}">'
    '<xsl:output method="text" encoding="utf-8"/><xsl:template match="/w:tbl"><xsl:for-each select="w:tr">'
    '<xsl:for-each select="w:tc"><xsl:for-each select=".//w:t"><xsl:value-of select="."/></xsl:for-each>'
    f'<xsl:text>{CELL_END}</xsl:text></xsl:for-each><xsl:text>{ROW_END}</xsl:text></xsl:for-each>'
    '</xsl:template></xsl:stylesheet>'))
_CELLS = etree.XPath("count(./w:tr/w:tc)", namespaces=nsmap)


def _texts(table: etree._Element) -> list[list[str]]:
    """Each row's cells' words (their ``w:t`` texts), read by one XSL transform of the table: a Python element for
    each of a big table's 12,000 cells, and for their runs and texts, cost three times as much."""
    rows = [row.split(CELL_END)[:-1] for row in str(_CELL_TEXTS(table)).split(ROW_END)[:-1]]
    if sum(map(len, rows)) != _CELLS(table):  # a text held one of the separators: read cell by cell
        rows = [[_cell_text(c) for c in row.iterchildren(_Q["w:tc"])] for row in table.iterchildren(_Q["w:tr"])]
    return rows


_CELL_WIDTHS = etree.XPath("./w:tr/w:tc/w:tcPr/w:tcW", namespaces=nsmap)  # in one call: far quicker than finds
_TC_W_BEFORE = ("w:gridSpan", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap", "w:tcMar", "w:textDirection",
                "w:tcFitText", "w:vAlign", "w:hideMark")


def fit_table(table: etree._Element, total_cm: float, size_pt: float) -> None:
    """Once over the table's cells to read their text, once to set their widths: linear in the cells (a report's
    table of the quarter's actions has thousands)."""
    grid = table.find(_Q["w:tblGrid"])
    if grid is None:
        return
    grid_cols = grid.findall(_Q["w:gridCol"])
    count = len(grid_cols)
    texts = _texts(table)
    if not texts or any(len(row) != count for row in texts):
        return  # merged cells: leave the table as its author made it
    columns = [list(col) for col in zip(*texts[1:])] or [[] for _ in range(count)]
    # table styles set the header row and the first column in bold
    measures = [Measure.of(head, cells, n == 0) for n, (head, cells) in enumerate(zip(texts[0], columns))]
    size = fitting_size(measures, total_cm, size_pt)
    if size < size_pt:
        _text_size(table, size)
    widths = column_widths(measures, total_cm, size)
    twips = [str(round(w * CM_TWIPS)) for w in widths]
    w, kind, tc_pr_tag, tc_w_tag = _Q["w:w"], _Q["w:type"], _Q["w:tcPr"], _Q["w:tcW"]
    for col, width in zip(grid_cols, twips):
        col.set(w, width)
    tbl_pr = table.find(_Q["w:tblPr"])
    if tbl_pr is not None:
        _set(tbl_pr, "w:tblW", w=str(sum(map(int, twips))), type="dxa")
        _ordered(tbl_pr, "w:tblLayout", ("w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")).set(
            kind, "fixed")
    widths_of = _CELL_WIDTHS(table)
    if len(widths_of) != len(texts) * count:  # some cell has no width yet: give it one
        for row in table.iterchildren(_Q["w:tr"]):
            for cell in row.iterchildren(_Q["w:tc"]):
                tc_pr = cell.find(tc_pr_tag)
                if tc_pr is None:
                    tc_pr = _new(cell, "w:tcPr")
                    cell.insert(0, tc_pr)
                if tc_pr.find(tc_w_tag) is None:
                    _ordered(tc_pr, "w:tcW", _TC_W_BEFORE)
        widths_of = _CELL_WIDTHS(table)
    for n, tc_w in enumerate(widths_of):  # row by row, every row with a cell per column
        tc_w.set(w, twips[n % count])
        tc_w.set(kind, "dxa")


def _text_size(table: etree._Element, size_pt: float) -> None:
    half_points = str(round(size_pt * 2))
    for run in table.iter(qn("w:r")):
        r_pr = run.find(qn("w:rPr"))
        if r_pr is None:
            r_pr = _new(run, "w:rPr")
            run.insert(0, r_pr)
        _ordered(r_pr, "w:sz", ("w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
                                "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                                "w:specVanish", "w:oMath")).set(qn("w:val"), half_points)


_TR_PR_AFTER = ("w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange")
_TR_PR_BEFORE_HEADER = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", *_TR_PR_AFTER)
_P_PR_AFTER_KEEP = ("w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
                    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
                    "w:kinsoku", "w:wordWrap",
                    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
                    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                    "w:pPrChange")


def _p_pr(p: etree._Element) -> etree._Element:
    p_pr = p.find(qn("w:pPr"))
    if p_pr is None:
        p_pr = _new(p, "w:pPr")
        p.insert(0, p_pr)
    return p_pr


def keep_with_next(p: etree._Element) -> None:
    _ordered(_p_pr(p), "w:keepNext", _P_PR_AFTER_KEEP)


def _rows_whole(table: etree._Element) -> None:
    tr_pr_tag, split_tag, before_tag = _Q["w:trPr"], _Q["w:cantSplit"], _Q["w:tblPrEx"]
    for n, row in enumerate(table.iterchildren(_Q["w:tr"])):
        tr_pr = row.find(tr_pr_tag)
        if tr_pr is None:  # most rows: a new trPr holding only cantSplit (no order to keep)
            tr_pr = _new(row, "w:trPr")
            etree.SubElement(tr_pr, split_tag)
            first = row[0] if len(row) else None
            row.insert(1 if first is not None and first.tag == before_tag else 0, tr_pr)
        elif tr_pr.find(split_tag) is None:
            _ordered(tr_pr, "w:cantSplit", _TR_PR_BEFORE_HEADER)
        if n == 0:
            for p in row.iter(_Q["w:p"]):
                keep_with_next(p)


def _heading_ids(doc: DocumentObject) -> set[str]:
    ids = set()
    for style in doc.styles:
        name = getattr(style, "name", "") or ""
        if name.startswith("Heading") or name in ("Title", "Subtitle", "TOC Heading"):
            ids.add(style.style_id)
    return ids


def _has_drawing(p: etree._Element) -> bool:
    return p.find(f".//{qn('w:drawing')}") is not None


def _keeps(doc: DocumentObject) -> None:
    headings = _heading_ids(doc)
    body = list(doc.element.body)
    for n, element in enumerate(body[:-1]):
        if element.tag != qn("w:p"):
            continue
        style = element.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        following = body[n + 1]
        introduces = following.tag == qn("w:tbl") or (following.tag == qn("w:p") and _has_drawing(following))
        if (style is not None and style.get(qn("w:val")) in headings) or introduces or _has_drawing(element):
            keep_with_next(element)


def no_hyphenation(doc: DocumentObject) -> None:
    settings = doc.settings.element
    auto = settings.find(qn("w:autoHyphenation"))
    if auto is not None:
        auto.set(qn("w:val"), "false")
    p_pr = doc.styles["Normal"].element.get_or_add_pPr()
    _ordered(p_pr, "w:suppressAutoHyphens", _P_PR_AFTER_KEEP[_P_PR_AFTER_KEEP.index("w:suppressAutoHyphens") + 1:])


def _separate_tables(doc: DocumentObject) -> None:
    """Two tables side by side in the body (their paragraph tags removed by docxtpl) would merge into one in
    Word and LibreOffice: put an empty paragraph between them."""
    tbl = _Q["w:tbl"]
    for table in list(doc.element.body.iterchildren(tbl)):
        following = table.getnext()
        if following is not None and following.tag == tbl:
            table.addnext(_new(table, "w:p"))


def make_readable(doc: DocumentObject) -> None:
    """Fit every body table to its content and keep rows, headings and what they introduce together."""
    _separate_tables(doc)
    total, size = _text_width_cm(doc), _size_pt(doc)
    for table in doc.element.body.iter(qn("w:tbl")):
        fit_table(table, total, size)
        _rows_whole(table)
    _keeps(doc)
    no_hyphenation(doc)
