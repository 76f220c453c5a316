"""Read a returned form (.docx or PDF) into a ParsedForm: which form it is, and the raw answers by field key.

DOCX: one lxml pass over the content controls. Each control is matched to a field by its tag, else its
title (alias), else the label in the table cell to its left (LibreOffice 7.4 drops tags, and the titles
of dropdowns, when it re-saves a form). Text left in a cell whose control was deleted, rows added to the
actions table and legacy form fields are read too.
PDF: Word's "Save as PDF" keeps no fields, so the text is read label by label, and the actions table by
its columns; a PDF with real form fields (AcroForm) is read from those.
Nothing here decides whether an answer is valid: that is validation's job.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree
from pypdf import PdfReader

from .controls import (
    SAFE_PARSER,
    Control,
    enclosing_cell,
    is_prompt,
    iter_legacy_fields,
    read_control,
    text_outside,
    visible_text,
)
from .forms import BY_CODE, FORM_TYPES, FormDefinition, Kind
from .models import FormIdentity, ParsedForm
from .ooxml import BOX_CHECKED, CUSTOM_PROPS_NS, VT_NS, W_NS, w
from .reading_errors import UnreadableFile
from .safety import (
    DEFAULT_LIMITS,
    DOCUMENT_PART,
    MB,
    FileKind,
    check_zip,
    damaged_reason,
    open_zip,
    read_limited,
    read_member,
    sniff,
)

__all__ = ["UnreadableFile", "parse_file", "parse_docx", "parse_pdf"]

FORM_REF = re.compile(r"Form\s*ref:?\s*((\d{4}-C\d{2})-([A-Z]{3})-\d{3,})")
TEMPLATE_VERSION = re.compile(r"template\s+v(\d+(?:\.\d+)*)")
ACTION_KEY = re.compile(r"^action_(\d+)(_owner|_due)?$")
ACTION_LABEL = re.compile(r"^action (\d+)( owner| due date)?$")
ACTION_COLUMNS = {"action": "", "owner": "_owner", "due date": "_due"}
ACTION_SUFFIX = {None: "", " owner": "_owner", " due date": "_due"}
PROPERTY_NAMES = {"QA form ID": "form_id", "QA form type": "form_type", "QA template version": "version",
                  "QA cycle": "cycle"}
_PUNCTUATION = re.compile(r"[^\w\s]+")
_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
W_SDT, W_TBL, W_TR, W_TC, W_P = w("sdt"), w("tbl"), w("tr"), w("tc"), w("p")
W_SDT_PR, W_TAG, W_ALIAS = w("sdtPr"), w("tag"), w("alias")
NESTED_SDT = f".//{W_SDT}"
_DOCTYPE_UTF16 = "<!DOCTYPE".encode("utf-16-le")


def parse_file(path: Path, max_bytes: int = 20 * MB) -> ParsedForm:
    """Read one returned file. Raises UnreadableFile (with a reason to act on) for anything unusable."""
    data = read_limited(path, max_bytes)
    sha = hashlib.sha256(data).hexdigest()
    if sniff(data, path.name) is FileKind.PDF:
        return parse_pdf(data, path, sha)
    return parse_docx(data, path, sha)


def norm(text: str) -> str:
    """Labels compared without case, punctuation or extra spaces: "Child's initials:" ~ "child s initials"."""
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def unknown_template() -> UnreadableFile:
    titles = "; ".join(d.title for d in FORM_TYPES.values())
    return UnreadableFile(f"this is not one of our QA forms: it has no form reference and none of the form titles "
                          f"({titles}). Please fill in the form you were sent and return that file")


# ================================================================================================
# DOCX
# ================================================================================================

def parse_docx(data: bytes, source: Path, sha256: str = "") -> ParsedForm:
    with open_zip(data) as package:
        check_zip(package, DEFAULT_LIMITS)
        xml = read_member(package, DOCUMENT_PART)
        document = document_root(xml)
        identity, form_type, notes = read_identity(package, document)
    reader = FieldReader(FORM_TYPES[form_type], notes)
    reader.read(document, has_legacy=b"ffData" in xml)
    return ParsedForm(source=source, identity=identity, form_type=form_type, values=reader.values,
                      sha256=sha256 or hashlib.sha256(data).hexdigest(), notes=reader.notes)


def parse_part(data: bytes) -> etree._Element:
    """Parse one XML part safely: no DTD, no entities (Word never writes them), no network.

    A declaration in the first bytes is refused unparsed; one hidden further on (after a long comment) is
    parsed without resolving anything and refused from the document's doctype.
    """
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head or _DOCTYPE_UTF16 in head:
        raise _entities()
    try:
        root = etree.fromstring(data, SAFE_PARSER)
    except etree.XMLSyntaxError:
        raise UnreadableFile(damaged_reason()) from None
    if root.getroottree().docinfo.doctype:
        raise _entities()
    return root


def _entities() -> UnreadableFile:
    return UnreadableFile("this document contains XML entity declarations, which Word never writes and which can be "
                          "used to attack a computer, so it was not read: ask the sender to save the form again from "
                          "Word and send it again, and tell IT if the file was unexpected")


def document_root(xml: bytes) -> etree._Element:
    root = parse_part(xml)
    if root.tag == f"{{{_STRICT_NS}}}document":
        raise UnreadableFile("this form was saved as 'Strict Open XML Document': open it in Word, save it as "
                             "'Word Document (*.docx)', then put it back in the inbox")
    if root.tag != w("document"):
        raise UnreadableFile(damaged_reason())
    return root


# --- identity ----------------------------------------------------------------------------------

def read_identity(package: zipfile.ZipFile, document: etree._Element
                  ) -> tuple[FormIdentity | None, str, list[str]]:
    """(identity, form type, notes): document properties first, then the footer, then the title."""
    identity = identity_from_properties(package)
    if identity is not None:
        return identity, identity.form_type, []
    identity = identity_from_text(_footer_text(package))
    if identity is not None:
        return identity, identity.form_type, [f"{identity.form_id} identified by the form reference in its footer "
                                              "(its document properties were missing)"]
    body = document.find(w("body"))
    form_type = form_type_from_title(visible_text(body) if body is not None else "")
    if form_type is None:
        raise unknown_template()
    return None, form_type, [f"no form reference found: read as a {FORM_TYPES[form_type].title} from its title"]


def identity_from_properties(package: zipfile.ZipFile) -> FormIdentity | None:
    if "docProps/custom.xml" not in package.namelist():
        return None
    props: dict[str, str] = {}
    for prop in parse_part(read_member(package, "docProps/custom.xml", MB)).iter(f"{{{CUSTOM_PROPS_NS}}}property"):
        name = PROPERTY_NAMES.get(prop.get("name", ""))
        if name and len(prop) and str(prop[0].tag).startswith(f"{{{VT_NS}}}"):
            props[name] = (prop[0].text or "").strip()
    form_id, form_type = props.get("form_id", ""), props.get("form_type", "")
    if not form_id:
        return None
    if form_type not in FORM_TYPES:
        from_id = identity_from_text(f"Form ref: {form_id}")
        if from_id is None:
            return None
        form_type = from_id.form_type
    return FormIdentity(form_id, form_type, props.get("version", ""), props.get("cycle", ""))


def identity_from_text(text: str) -> FormIdentity | None:
    """From a printed 'Form ref: 2026-C09-TPA-001 ... template v1.0' line (footer or PDF text)."""
    for match in FORM_REF.finditer(text):
        definition = BY_CODE.get(match.group(3))
        if definition is not None:
            version = TEMPLATE_VERSION.search(text, match.end(), match.end() + 200)
            return FormIdentity(match.group(1), definition.key, version.group(1) if version else "", match.group(2))
    return None


def form_type_from_title(text: str) -> str | None:
    flat = norm(text)
    for definition in FORM_TYPES.values():
        if norm(definition.title) in flat:
            return definition.key
    return None


def _footer_text(package: zipfile.ZipFile) -> str:
    parts = [n for n in package.namelist() if re.fullmatch(r"word/(footer|header)\d*\.xml", n)]
    return "\n".join(visible_text(parse_part(read_member(package, n, MB))) for n in parts)


# --- field lookups, once per form type ---------------------------------------------------------

@dataclass(frozen=True)
class FieldLookup:
    definition: FormDefinition
    kinds: dict[str, Kind]
    by_label: dict[str, str]


@cache
def lookup(form_type: str) -> FieldLookup:
    definition = FORM_TYPES[form_type]
    by_label: dict[str, str] = {}
    for f in definition.fields:
        by_label.setdefault(norm(f.label), f.key)
    return FieldLookup(definition, {f.key: f.kind for f in definition.fields}, by_label)


def field_kind(key: str, fields: FieldLookup) -> Kind:
    if key in fields.kinds:
        return fields.kinds[key]
    return Kind.DATE if key.endswith("_due") else Kind.TEXT if key.endswith("_owner") else Kind.LONGTEXT


def key_from_name(name: str, fields: FieldLookup) -> str | None:
    """A field key from a control's tag or title, a legacy field's name or a PDF field's name."""
    if name in fields.kinds:
        return name
    wanted = norm(name)
    if wanted in fields.kinds:
        return wanted
    key = fields.by_label.get(wanted)
    if key is None and fields.definition.action_rows:
        match = ACTION_KEY.match(name) or ACTION_KEY.match(wanted.replace(" ", "_"))
        if match:
            return f"action_{match.group(1)}{match.group(2) or ''}"
        label = ACTION_LABEL.match(wanted)
        if label:
            return f"action_{label.group(1)}{ACTION_SUFFIX[label.group(2)]}"
    return key


# --- tables: what a cell's row and column say --------------------------------------------------

@dataclass(frozen=True)
class TableShape:
    """An actions table's columns (index -> key suffix) and row numbers; both empty for other tables."""

    action_columns: dict[int, str]
    numbers: dict[etree._Element, int]

    @property
    def is_actions(self) -> bool:
        return bool(self.action_columns)


def table_shape(table: etree._Element) -> TableShape:
    rows = table.findall(W_TR)
    if not rows:
        return TableShape({}, {})
    headers = [norm(visible_text(c)) for c in rows[0].findall(W_TC)]
    columns = {i: ACTION_COLUMNS[h] for i, h in enumerate(headers) if h in ACTION_COLUMNS}
    if "" not in columns.values() or len(columns) < 2:
        return TableShape({}, {})
    return TableShape(columns, row_numbers(rows[1:]))


def row_numbers(rows: list[etree._Element]) -> dict[etree._Element, int]:
    """Each actions row's number: the number in its first cell, else (blank or repeated) its position."""
    typed: list[int | None] = []
    for row in rows:
        first = row.find(W_TC)
        text = visible_text(first).strip().rstrip(".") if first is not None else ""
        typed.append(int(text) if text.isdigit() else None)
    numbers: dict[etree._Element, int] = {}
    taken: set[int] = set()
    for position, (row, number) in enumerate(zip(rows, typed), start=1):
        if number is None or number in taken:
            number = position if position not in taken and position not in typed else max(taken | {0}) + 1
        numbers[row] = number
        taken.add(number)
    return numbers


# --- the document's fields ---------------------------------------------------------------------

@dataclass
class FieldReader:
    """Collects the raw values of one document: controls, then legacy fields, then labelled cells."""

    definition: FormDefinition
    notes: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)
    _owners: dict[str, etree._Element] = field(default_factory=dict)  # key -> the control that answered it
    _shapes: dict[etree._Element, TableShape] = field(default_factory=dict)
    _used_cells: set[etree._Element] = field(default_factory=set)
    titled: int = 0   # controls found by their title because their tag was lost

    def __post_init__(self) -> None:
        self.fields = lookup(self.definition.key)

    def read(self, document: etree._Element, has_legacy: bool) -> None:
        for sdt in document.iter(W_SDT):
            self.read_control(sdt)
        if self.titled:
            self.notes.append(f"{self.titled} box(es) had lost their names (the form was re-saved by another "
                              "program): matched by their titles")
        if has_legacy:
            self.read_legacy(document)
        if self._missing() or self._actions_may_have_more_rows():
            self.read_labelled_cells(document)

    def put(self, key: str, value: str, how: str = "") -> None:
        """Record a value; a non-empty value already read for the key is kept."""
        old = self.values.get(key)
        if old:
            if value and value != old:
                self.notes.append(f"{key}: two boxes answer it; the first was kept")
            return
        self.values[key] = value
        if how:
            self.notes.append(f"{key} {how}")

    # where a control or cell belongs

    def key_from_cell(self, cell: etree._Element | None) -> str | None:
        row = cell.getparent() if cell is not None else None
        table = row.getparent() if row is not None else None
        if cell is None or row is None or table is None or table.tag != W_TBL:
            return None
        cells = row.findall(W_TC)
        column = cells.index(cell)
        shape = self._shapes.get(table)
        if shape is None:
            shape = self._shapes[table] = table_shape(table)
        if shape.is_actions:
            suffix = shape.action_columns.get(column)
            number = shape.numbers.get(row)
            return None if suffix is None or number is None else f"action_{number}{suffix}"
        first = cells[0]
        if first is cell:
            return None
        label = first.find(W_P)
        return self.fields.by_label.get(norm(visible_text(label if label is not None else first)))

    # content controls

    def read_control(self, sdt: etree._Element) -> None:
        if next(sdt.iterdescendants(W_SDT), None) is not None:
            return  # a container (LibreOffice wraps each check box in a titled control): its inner one answers
        control = read_control(sdt)
        key = self.key_from_names(control.tag, control.alias)
        if key and key != control.tag:
            self.titled += 1
        outer = _outer_control(sdt) if not key else None
        if outer is not None:
            key = self.key_from_names(*_names(outer))
        no_full_date = control.kind == "date" and control.value == control.text
        cell = enclosing_cell(sdt) if not key or control.is_empty or no_full_date else None
        if not key:
            key = self.key_from_cell(cell)
            if not key:
                return
            self.notes.append(f"{key} read from the label beside its box ('{_label_of(key, self.fields)}')")
        if key in self._owners:
            cell = cell if cell is not None else enclosing_cell(sdt)
            key = self._unique(key, cell)
        self._owners.setdefault(key, sdt)
        if cell is not None:
            self._used_cells.add(cell)
        self.put(key, self.control_value(key, control, cell))

    def key_from_names(self, tag: str, alias: str) -> str | None:
        if tag in self.fields.kinds:
            return tag
        return (tag and key_from_name(tag, self.fields)) or (alias and key_from_name(alias, self.fields)) or None

    def _unique(self, key: str, cell: etree._Element | None) -> str:
        """A copied actions row repeats another row's tags: number it by its own row instead."""
        if not ACTION_KEY.match(key):
            return key
        by_row = self.key_from_cell(cell)
        if by_row and by_row not in self._owners:
            self.notes.append(f"{by_row} read from an added actions row (its boxes repeat {key}'s name)")
            return by_row
        return key

    def control_value(self, key: str, control: Control, cell: etree._Element | None) -> str:
        if control.kind == "checkbox":
            return control.value
        if control.showing_placeholder or is_prompt(control.text):
            beside = ""
            if cell is not None and sum(1 for _ in cell.iterdescendants(W_SDT)) == 1:
                beside = text_outside(cell, control.element)
            if beside:
                self.notes.append(f"{key} read from text typed beside its box, not in it")
            return beside
        if control.kind == "date":
            if control.value != control.text or cell is None:
                return control.value   # the ISO date from w:fullDate
            return visible_text(cell).strip() or control.text  # LibreOffice can split the text around the box
        return control.text.strip()

    # legacy form fields

    def read_legacy(self, document: etree._Element) -> None:
        for legacy in iter_legacy_fields(document):
            cell = enclosing_cell(legacy.element)
            key = self.key_from_names(legacy.name, "") or self.key_from_cell(cell)
            if not key:
                continue
            if cell is not None:
                self._used_cells.add(cell)
            self.put(key, "" if is_prompt(legacy.value) else legacy.value, "read from a legacy form field")

    # labelled cells without controls

    def _missing(self) -> bool:
        return any(f.key not in self.values for f in self.definition.fields)

    def _actions_may_have_more_rows(self) -> bool:
        return any(len(shape.numbers) > self.definition.action_rows
                   for shape in self._shapes.values() if shape.is_actions)

    def read_labelled_cells(self, document: etree._Element) -> None:
        for table in document.iter(W_TBL):
            for cell in table.iter(W_TC):
                if cell in self._used_cells or cell.find(NESTED_SDT) is not None:
                    continue
                key = self.key_from_cell(cell)
                if key is None or key in self.values:
                    continue
                text = visible_text(cell).strip()
                kind = field_kind(key, self.fields)
                if text or key in self.fields.kinds:
                    value = "" if is_prompt(text) else _checkbox_text(text) if kind is Kind.CHECKBOX else text
                    self.put(key, value, "read from the text in its table cell (no box there)")


def _checkbox_text(text: str) -> str:
    return "true" if BOX_CHECKED in text or text.strip().lower() in ("x", "yes", "true", "\u2611", "\u2713") \
        else "false"


def _val(node: etree._Element | None) -> str:
    return (node.get(f"{{{W_NS}}}val") or "") if node is not None else ""


def _names(sdt: etree._Element) -> tuple[str, str]:
    pr = sdt.find(W_SDT_PR)
    return (_val(pr.find(W_TAG)), _val(pr.find(W_ALIAS))) if pr is not None else ("", "")


def _label_of(key: str | None, fields: FieldLookup) -> str:
    if key is None:
        return ""
    return next((f.label for f in fields.definition.fields if f.key == key), key.replace("_", " "))


def _outer_control(sdt: etree._Element) -> etree._Element | None:
    """The control around a nested one, if any (within the same cell)."""
    for ancestor in sdt.iterancestors(W_SDT, W_TC, w("body")):
        return ancestor if ancestor.tag == W_SDT else None
    return None


# ================================================================================================
# PDF
# ================================================================================================

PDF_MAX_PAGES = 40
_ACTIONS_HEADER = re.compile(r"\bAction\b\s+\bOwner\b\s+\bDue date\b")


def parse_pdf(data: bytes, source: Path, sha256: str = "") -> ParsedForm:
    reader = open_pdf(data)
    pages = page_texts(reader)
    fields = acroform_fields(reader)
    text = "\n".join(pages)
    identity = identity_from_text(text) or identity_from_text(" ".join(f"Form ref: {v}" for v in fields.values()))
    form_type = identity.form_type if identity else form_type_from_title(text + " " + _pdf_title(reader))
    if form_type is None:
        if not text.strip() and not fields:
            raise UnreadableFile("this PDF is a scan or picture of the form, with no text that can be read: please "
                                 "return the Word form (.docx) itself, or a PDF saved from Word (File > Save As > PDF)")
        raise unknown_template()
    definition = FORM_TYPES[form_type]
    values = labelled_values(body_text(pages), definition)
    notes = [f"{identity.form_id if identity else definition.title}: read from a PDF by its printed labels"]
    if definition.action_rows:
        values.update(pdf_actions(reader, pages))
    if fields:
        notes += merge_acroform(fields, lookup(form_type), values)
    return ParsedForm(source=source, identity=identity, form_type=form_type, values=values,
                      sha256=sha256 or hashlib.sha256(data).hexdigest(), notes=notes)


def _damaged_pdf() -> UnreadableFile:
    return UnreadableFile("this PDF is damaged or incomplete (it may not have finished copying): save it again from "
                          "Word (File > Save As > PDF), or better return the Word form itself, then put it back in "
                          "the inbox")


def open_pdf(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFile("this PDF is password-protected, so it cannot be read: save it again without a "
                                 "password, or return the Word form itself, then put it back in the inbox")
        len(reader.pages)
    except UnreadableFile:
        raise
    except Exception:  # pypdf raises many kinds of error on a broken file; each means the same to the reader
        raise _damaged_pdf() from None
    return reader


def page_texts(reader: PdfReader) -> list[str]:
    try:
        return [page.extract_text() or "" for page in reader.pages[:PDF_MAX_PAGES]]
    except Exception:  # as above: a content stream pypdf cannot read
        raise _damaged_pdf() from None


def _pdf_title(reader: PdfReader) -> str:
    try:
        return str((reader.metadata or {}).get("/Title", "") or "")
    except Exception:  # metadata is optional; a broken dictionary is not worth a rejection
        return ""


def body_text(pages: list[str]) -> str:
    """The pages' text without the repeated page header and the 'Form ref' footer lines."""
    firsts = [p.strip().splitlines()[0] if p.strip() else "" for p in pages]
    header = firsts[0] if len(pages) > 1 and firsts.count(firsts[0]) == len(pages) else None
    lines = []
    for page in pages:
        for n, line in enumerate(page.strip().splitlines()):
            if (n == 0 and line == header) or FORM_REF.search(line):
                continue
            lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class PdfPatterns:
    """Compiled once per form type: each field's label at a line start, its hint, the section titles."""

    labels: tuple[tuple[str, Kind, re.Pattern[str], re.Pattern[str] | None], ...]
    sections: re.Pattern[str]


def _flexible(text: str) -> str:
    return r"\s+".join(re.escape(word) for word in text.split())


@cache
def pdf_patterns(form_type: str) -> PdfPatterns:
    definition = FORM_TYPES[form_type]
    labels = tuple(
        (f.key, f.kind, re.compile(rf"(?m)^[ \t]*{_flexible(f.label)}(?=\s|$)"),
         re.compile(_flexible(f.hint)) if f.hint else None)
        for s in definition.sections if s.table != "actions" for f in s.fields)
    titles = "|".join(_flexible(s.title) for s in definition.sections if s.title)
    return PdfPatterns(labels, re.compile(rf"(?m)^[ \t]*(?:{titles})[ \t]*$"))


def labelled_values(text: str, definition: FormDefinition) -> dict[str, str]:
    """Each field's value: the text after its label up to the next label found, in the form's order."""
    patterns = pdf_patterns(definition.key)
    found: list[tuple[str, Kind, re.Pattern[str] | None, int, int]] = []
    position = 0
    for key, kind, label, hint in patterns.labels:
        match = label.search(text, position)
        if match:
            found.append((key, kind, hint, match.start(), match.end()))
            position = match.end()
    values: dict[str, str] = {}
    for n, (key, kind, hint, _, end) in enumerate(found):
        stop = found[n + 1][3] if n + 1 < len(found) else len(text)
        values[key] = _clean(text[end:stop], kind, hint, patterns.sections)
    return values


def _clean(raw: str, kind: Kind, hint: re.Pattern[str] | None, sections: re.Pattern[str]) -> str:
    section = sections.search(raw)
    if section:
        raw = raw[:section.start()]
    if hint is not None:
        raw = hint.sub(" ", raw, count=1)
    value = " ".join(raw.split())
    if is_prompt(value):
        return ""
    if kind is Kind.CHECKBOX:
        return _checkbox_text(value)
    return value


def pdf_actions(reader: PdfReader, pages: list[str]) -> dict[str, str]:
    """The actions table, read by column from pypdf's layout text (the plain text loses the columns)."""
    start = next((n for n, page in enumerate(pages) if _ACTIONS_HEADER.search(" ".join(page.split()))), None)
    if start is None:
        return {}
    try:
        layouts = [reader.pages[n].extract_text(extraction_mode="layout") for n in range(start, len(pages))]
    except Exception:  # layout mode is a best effort: fall back to no actions rather than reject the form
        return {}
    rows = actions_from_layout(layouts)
    values: dict[str, str] = {}
    for number, (action, owner, due) in sorted(rows.items()):
        for suffix, cell in (("", action), ("_owner", owner), ("_due", due)):
            text = " ".join(" ".join(cell).split())
            values[f"action_{number}{suffix}"] = "" if is_prompt(text) else text
    return values


def actions_from_layout(layouts: list[str]) -> dict[int, tuple[list[str], list[str], list[str]]]:
    columns: list[int] | None = None
    rows: dict[int, tuple[list[str], list[str], list[str]]] = {}
    current: int | None = None
    for page in layouts:
        for line in page.splitlines():
            if columns is None:
                header = re.search(r"\bAction\b.*?\bOwner\b.*?\bDue date\b", line)
                if header:
                    columns = [line.index("Action"), line.index("Owner", header.start()),
                               line.index("Due date", header.start())]
                continue
            if not line.strip() or FORM_REF.search(line):
                continue
            number = line[:max(columns[0] - 2, 1)].strip().rstrip(".")
            if number.isdigit():
                current = int(number)
                rows[current] = ([], [], [])
            elif number:
                current = None  # text left of the table: the page header, or the table has ended
            if current is None:
                continue
            bounds = [max(c - 2, 0) for c in columns] + [len(line) + 1]
            for i in range(3):
                piece = line[bounds[i]:bounds[i + 1]].strip()
                if piece:
                    rows[current][i].append(piece)
    return rows


def acroform_fields(reader: PdfReader) -> dict[str, str]:
    """Real PDF form fields (rare: Word never makes them): name and tooltip -> value as text."""
    try:
        raw = reader.get_fields() or {}
    except Exception:  # a broken form dictionary: read the text instead
        return {}
    out: dict[str, str] = {}
    for name, f in raw.items():
        value = f.get("/V")
        if f.get("/FT") == "/Btn":
            text = "false" if value in (None, "/Off", "Off", "") else "true"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        for alias in {name, name.rsplit(".", 1)[-1], str(f.get("/TU") or "")}:
            if alias:
                out.setdefault(alias, text)
    return out


def merge_acroform(fields: dict[str, str], lookup_: FieldLookup, values: dict[str, str]) -> list[str]:
    """Form field values win over the printed text; returns notes."""
    found = 0
    for name, value in fields.items():
        key = key_from_name(name, lookup_)
        if key is not None:
            kind = field_kind(key, lookup_)
            values[key] = "" if is_prompt(value) else (_checkbox_text(value) if kind is Kind.CHECKBOX
                                                       and value not in ("true", "false") else value.strip())
            found += 1
    return [f"{found} answer(s) read from the PDF's form fields"] if found else []
