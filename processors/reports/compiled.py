"""The report templates of one run, each read, patched and compiled once however many documents use it.

docxtpl's ``DocxTemplate.render`` re-reads the package, cleans the Jinja tags out of Word's runs with regular
expressions (``patch_xml``) and compiles the whole ``document.xml`` as a new Jinja template on every render:
about a third of a second for the quarterly report, which a run renders once per service. ``ReportTemplates``
keeps, for the run, each template's package bytes, each part's patched XML and each compiled Jinja template
(keyed by the patched source, so a template edited on disk is simply a new source), and hands out a fresh
``DocxTemplate`` per document: ``render`` mutates the python-docx document, so every document opens its own
copy of the package, and only what does not depend on the data is shared.

Rendering still goes through docxtpl's own ``render`` (its table fixing, picture ids, headers and footers);
``resolve_listing``, regular expressions over every paragraph and run of the output that only change tab,
bell, newline and form-feed characters inside ``w:t`` text, is skipped when no text has one (``word_text``
writes line breaks and tabs as Word markup, so report text never has them; the pictures' XML has newlines, but
between elements, where ``resolve_listing`` leaves them).
"""

from __future__ import annotations

import io
import marshal
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from types import CodeType

from docx.oxml.ns import qn
from docx.oxml.parser import element_class_lookup
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, Template
from lxml import etree

from processors.reports.painter import Painter
from processors.reports.template_cache import Made, TemplateCache

LISTED_TEXT = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\t\a\n\f]")  # a w:t whose text resolve_listing would change
DOC_PR = qn("wp:docPr")
# python-docx's elements, as its own parser makes them, but every text kept as docxtpl's parser keeps it (python-docx
# drops whitespace between elements), so that the document is the same, byte for byte
RENDERED = etree.XMLParser(resolve_entities=False, huge_tree=True)
RENDERED.set_element_class_lookup(element_class_lookup)
PARAGRAPH = re.compile(r"<w:p([ >])")  # docxtpl's render_xml_part puts each paragraph on a line before compiling
# A table whose grid docxtpl's fix_tables would change: a row with more cells than grid columns (it adds columns),
# or no row whose cells (with their spans) fill the grid (it removes columns). Each row counted in C, by XPath.
GRID = ("count(w:tblGrid/w:gridCol)", ".//w:tr[count(w:tc) > $columns]",
        ".//w:tr[count(w:tc) - count(w:tc/w:tcPr/w:gridSpan) + sum(w:tc/w:tcPr/w:gridSpan/@w:val) >= $columns]")


class CompilingEnvironment(Environment):
    """A Jinja environment (autoescape on, unknown names an error) whose ``from_string`` compiles each distinct
    source once and then returns the same template: a compiled template renders any number of contexts."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined)
        self.compiled: dict[str, Template] = {}
        self.compilations = 0

    def from_string(self, source, globals=None, template_class=None):  # type: ignore[no-untyped-def]  # noqa: A002
        if globals or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self.compiled.get(source)
        if template is None:
            template = self.compiled[source] = super().from_string(source)
            self.compilations += 1
        return template


class ReportTemplate(DocxTemplate):
    """One document's copy of a report template; what does not depend on the data comes from ``patched``."""

    def __init__(self, package: bytes, patched: Callable[[str], str], env: Environment) -> None:
        super().__init__(io.BytesIO(package))
        self._patched = patched
        self.env = env

    def patch_xml(self, src_xml: str) -> str:
        return self._patched(src_xml)

    def render_xml_part(self, src_xml: str, part: object, context: dict, jinja_env: Environment | None = None
                        ) -> str:
        """docxtpl's, with the paragraphs' line breaks (put in for Jinja's line numbers) taken out again by plain
        replacing: docxtpl's regular expression rewrites each of the SLT report's 12,000 paragraphs through a
        group reference (25 ms). A broken tag raises Jinja's error, as docxtpl's does (build.render words it)."""
        self.current_rendering_part = part
        env = jinja_env or self.env
        xml = env.from_string(jinja_source(src_xml)).render(context)
        xml = xml.replace("\n<w:p>", "<w:p>").replace("\n<w:p ", "<w:p ")
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
        return self.resolve_listing(xml)

    def resolve_listing(self, xml: str) -> str:
        if LISTED_TEXT.search(xml) is None:
            return xml
        return super().resolve_listing(xml)

    def fix_tables(self, xml: str) -> etree._Element:
        """docxtpl's ``fix_tables`` walks every cell of every row of every table (12,000 cells in a quarterly
        report) to find tables whose grid the rendering changed; ours asks each table by XPath, and hands the
        document to docxtpl's own only when a table does need its grid fixed (so the result is always docxtpl's)."""
        tree = self._in_new_document(xml)
        if tree is None:
            tree = etree.fromstring(xml, parser=etree.XMLParser(recover=True))
        w = {"w": tree.nsmap["w"]}
        xpath = etree._Element.xpath  # lxml's own (python-docx's elements narrow it to their namespaces)
        for table in tree.iter(f"{{{w['w']}}}tbl"):
            columns = xpath(table, GRID[0], namespaces=w)
            if (not columns or xpath(table, GRID[1], namespaces=w, columns=columns)
                    or not xpath(table, GRID[2], namespaces=w, columns=columns)):
                return super().fix_tables(xml)
        return tree

    def _in_new_document(self, body: str) -> etree._Element | None:
        """The rendered body parsed as python-docx parses a document, inside a copy of this document's root (its
        other children kept): ``map_tree`` then adopts the new document whole. docxtpl's parses the body alone and
        moves it into the old document, which visits every element again (70 ms for the SLT report's 2.4 MB).
        None when the XML is not well formed (docxtpl's forgiving parser takes it) or there is no document."""
        document = self.__dict__.get("docx")  # not getattr: DocxTemplate hands unknown names to its docx
        if document is None:
            return None
        root = document.element
        shell = etree.tostring(root.makeelement(root.tag, dict(root.attrib), nsmap=root.nsmap), encoding="unicode")
        body = _redeclarations_dropped(body, root.nsmap)
        children = [body if child is root.body else etree.tostring(child, encoding="unicode") for child in root]
        try:
            xml = shell[:-2] + ">" + "".join(children) + f"</{shell[1:].split()[0]}>"
            document = etree.fromstring(xml, RENDERED)
        except etree.XMLSyntaxError:
            return None
        return document.body

    def fix_docpr_ids(self, tree: etree._Element) -> None:
        """Every drawing numbered afresh, as docxtpl does (its own asks the tree by lxml's ``xpath``, which
        python-docx's elements narrow)."""
        for doc_pr in tree.iter(DOC_PR):
            self.docx_ids_index += 1
            doc_pr.set("id", str(self.docx_ids_index))

    def map_tree(self, tree: etree._Element) -> None:
        root = tree.getparent()
        if root is None:  # docxtpl's own tree (a body alone)
            super().map_tree(tree)
            return
        part = self.docx.part
        part._element = root
        self.docx = part.document

    def part_xmls(self) -> list[str]:
        """The XML of the body and of each header and footer, as ``render`` reads them."""
        self.init_docx()
        return [self.get_xml()] + [self.get_part_xml(part) for uri in (self.HEADER_URI, self.FOOTER_URI)
                                   for _, part in self.get_headers_footers(uri)]


DECLARATION = re.compile(r'\sxmlns:([\w.-]+)="([^"]*)"')


def _declaring_tags(xml: str) -> list[tuple[int, int]]:
    """Where the start tags that declare a prefixed namespace are (found from "xmlns:" itself: a text holding it,
    between tags, is told apart by the ">" before it)."""
    spans = []
    at = xml.find("xmlns:")
    while at != -1:
        start = xml.rfind("<", 0, at)
        end = xml.find(">", at) + 1
        if start != -1 and end and xml.find(">", start, at) == -1 and xml[start + 1: start + 2].isalpha():
            spans.append((start, end))
        at = xml.find("xmlns:", max(end, at + 6))
    return spans


def _redeclarations_dropped(xml: str, declared: dict[str | None, str]) -> str:
    """``xml`` without the namespace declarations it repeats from the document's root (``declared``): the body,
    serialized alone, and the pictures' XML declare again what the root declares, and moving the body into the
    document (docxtpl) leaves them out; so do we (the document the same, byte for byte), by the few start tags
    that declare anything rather than by walking 100,000 elements. Left as it is where any of those tags binds
    one of the root's prefixes to another namespace (an inner declaration may then not repeat the root's)."""
    spans = _declaring_tags(xml)
    tags = [xml[start:end] for start, end in spans]
    if any(declared.get(prefix, uri) != uri for tag in tags for prefix, uri in DECLARATION.findall(tag)):
        return xml
    pieces, last = [], 0
    for (start, end), tag in zip(spans, tags):
        pieces += [xml[last:start], DECLARATION.sub(lambda d: "" if declared.get(d[1]) == d[2] else d[0], tag)]
        last = end
    return "".join(pieces) + xml[last:]


def jinja_source(patched: str) -> str:
    """A patched part as docxtpl's ``render_xml_part`` hands it to the environment (each paragraph on a line)."""
    return PARAGRAPH.sub(r"\n<w:p\1", patched)


Compiled = list[tuple[str, str, str, bytes]]  # each part: its XML, patched, Jinja source, compiled code (marshal)


def compiled_parts(path: Path, kept: Path | None = None) -> Compiled:
    """What ``ReportTemplates.compile`` makes of the template at ``path``, made in another process (the run's
    painter, while this one reads the quarter) and handed back as data: code objects marshal (Jinja's own
    bytecode cache keeps them so). ``kept``: the folder of compiled templates kept between runs."""
    templates = ReportTemplates(kept)
    out = []
    for xml in templates.open(path).part_xmls():
        patched, source, code = templates.made(xml)
        out.append((xml, patched, source, marshal.dumps(code)))
    return out


class ReportTemplates:
    """The report templates of a run (or of anything that renders several documents from the same templates)."""

    def __init__(self, kept: Path | None = None) -> None:
        self.env = CompilingEnvironment()
        self.kept = TemplateCache(kept)  # compiled templates kept between runs (template_cache.py)
        self._packages: dict[tuple[Path, int, int], bytes] = {}
        self._patched: dict[str, str] = {}
        self._coming: dict[Path, Future[Compiled]] = {}  # compiled by the painter's worker

    def open(self, path: Path) -> ReportTemplate:
        """A fresh document from the template at ``path`` (read again only when the file changed)."""
        self._take(path)
        stat = path.stat()
        key = (path.resolve(), stat.st_mtime_ns, stat.st_size)
        if key not in self._packages:
            self._packages[key] = path.read_bytes()
        return ReportTemplate(self._packages[key], self._patch, self.env)

    def compile_elsewhere(self, painter: Painter | None, paths: Iterable[Path]) -> None:
        """Have the painter's worker compile these templates now, for ``compile`` and ``open`` to take later."""
        if painter is not None:
            for path in paths:
                self._coming[path.resolve()] = painter.submit(compiled_parts, path, self.kept.folder)

    def _take(self, path: Path) -> bool:
        """What the worker compiled of ``path``, if it did (False when it failed: compiled here, errors raised)."""
        coming = self._coming.pop(path.resolve(), None)
        if coming is None:
            return False
        try:
            parts = coming.result()
        except Exception:  # noqa: BLE001 - a broken template, a failed worker: compiled here, raising what it raises
            return False
        for xml, patched, source, code in parts:
            self._patched[xml] = patched
            self._adopt(source, marshal.loads(code))
        return True

    def _adopt(self, source: str, code: CodeType) -> None:
        if source not in self.env.compiled:
            self.env.compiled[source] = Template.from_code(self.env, code, self.env.make_globals(None), None)

    def compile(self, path: Path) -> None:
        """Read the template at ``path`` and compile its body, headers and footers now, for the run's documents to
        reuse: the check at the start of a run (a broken package or tag raises here, before anything is written)
        costs no more than the run's first document would have; nothing, when the painter's worker compiled it
        (``compile_elsewhere``). Raises what python-docx and Jinja raise."""
        if self._take(path):
            return
        for xml in self.open(path).part_xmls():
            self.made(xml)

    def made(self, xml: str) -> Made:
        """A part's patched XML, Jinja source and compiled code: kept from an earlier run, else made now (and kept);
        either way this run's environment has the compiled template."""
        made = self.kept.get(xml)
        if made is None:
            patched = self._patch(xml)
            source = jinja_source(patched)
            made = (patched, source, self.env.compile(source))
            self.env.compilations += 1
            self.kept.put(xml, made)
        patched, source, code = made
        self._patched[xml] = patched
        self._adopt(source, code)
        return made

    def _patch(self, src_xml: str) -> str:
        patched = self._patched.get(src_xml)
        if patched is None:
            patched = self._patched[src_xml] = DocxTemplate.patch_xml(None, src_xml)  # type: ignore[arg-type]
        return patched
