"""Read a returned .docx: one lxml pass over the content controls.

Each control is matched to a field by its tag, else its title (alias), else the label in the table cell to its
left (LibreOffice 7.4 drops tags, and the titles of dropdowns, when it re-saves a form). Text left in a cell
whose control was deleted, rows added to the actions table and legacy form fields are read too."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from processors.errors import UnreadableFile
from processors.files import sha256_bytes
from processors.forms.definitions import FORM_TYPES, FormDefinition, Kind
from processors.forms.models import ParsedForm
from processors.forms.vocabulary import ActionPart, action_heading_part, action_key, parse_action_key
from processors.reading.lookup import (
    FieldLookup,
    _checkbox_text,
    field_kind,
    key_from_name,
    lookup,
    norm,
    parse_part,
    read_identity,
)
from processors.reading.saved import docx_saved_at
from processors.word.controls import (
    ControlScan,
    enclosing_cell,
    is_prompt,
    iter_legacy_fields,
    list_items,
    meaning,
    scan_control,
    text_outside,
    visible_text,
)
from processors.word.ooxml import W_NS, w
from processors.word.safety import (
    DEFAULT_LIMITS,
    DOCUMENT_PART,
    check_zip,
    damaged_reason,
    main_part,
    open_zip,
    read_member,
)

_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
W_SDT, W_TBL, W_TR, W_TC, W_P = w("sdt"), w("tbl"), w("tr"), w("tc"), w("p")
W_SDT_PR, W_TAG, W_ALIAS = w("sdtPr"), w("tag"), w("alias")
NESTED_SDT = f".//{W_SDT}"
NESTED_CONTROLS = etree.XPath("//w:sdtContent//w:sdt", namespaces={"w": W_NS})


def parse_docx(data: bytes, source: Path, sha256: str = "") -> ParsedForm:
    with open_zip(data) as package:
        check_zip(package, DEFAULT_LIMITS)
        xml = read_member(package, main_part(package) or DOCUMENT_PART)
        document = document_root(xml)
        identity, form_type, notes = read_identity(package, document)
        saved_at = docx_saved_at(package)
    reader = FieldReader(FORM_TYPES[form_type], notes)
    reader.read(document, has_legacy=b"ffData" in xml)
    return ParsedForm(source=source, identity=identity, form_type=form_type, values=reader.values,
                      sha256=sha256 or sha256_bytes(data), notes=reader.notes, saved_at=saved_at)


def document_root(xml: bytes) -> etree._Element:
    root = parse_part(xml)
    if root.tag == f"{{{_STRICT_NS}}}document":
        raise UnreadableFile("this form was saved as 'Strict Open XML Document': open it in Word, save it as "
                             "'Word Document (*.docx)', then put it back in the inbox")
    if root.tag != w("document"):
        raise UnreadableFile(damaged_reason())
    return root


# --- tables: what a cell's row and column say --------------------------------------------------

@dataclass(frozen=True)
class TableShape:
    """An actions table's columns (index -> the part of an action each holds) and row numbers; both empty for
    other tables."""

    action_columns: dict[int, ActionPart]
    numbers: dict[etree._Element, int]

    @property
    def is_actions(self) -> bool:
        return bool(self.action_columns)


def table_shape(table: etree._Element) -> TableShape:
    rows = table.findall(W_TR)
    if not rows:
        return TableShape({}, {})
    headers = [norm(visible_text(c)) for c in rows[0].findall(W_TC)]
    columns = {i: part for i, h in enumerate(headers) if (part := action_heading_part(h))}
    if ActionPart.TEXT not in columns.values() or len(columns) < 2:
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
        inner = {sdt: _outer_control(sdt) for sdt in NESTED_CONTROLS(document)}
        wrappers = set(inner.values())
        for sdt in document.iter(W_SDT):
            if sdt not in wrappers:  # a container (LibreOffice wraps each check box in a titled control)
                self.read_control(sdt, inner.get(sdt))
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
            part = shape.action_columns.get(column)
            number = shape.numbers.get(row)
            return None if part is None or number is None else action_key(number, part)
        first = cells[0]
        if first is cell:
            return None
        label = first.find(W_P)
        return self.fields.by_label.get(norm(visible_text(label if label is not None else first)))

    # content controls

    def read_control(self, sdt: etree._Element, outer: etree._Element | None = None) -> None:
        scan = scan_control(sdt)
        key = self.key_from_names(scan.tag, scan.alias)
        if key and key != scan.tag:
            self.titled += 1
        if not key and outer is not None:
            key = self.key_from_names(*_names(outer))
        cell = None
        if not key:
            cell = enclosing_cell(sdt)
            key = self.key_from_cell(cell)
            if not key:
                return
            self.notes.append(f"{key} read from the label beside its box ('{_label_of(key, self.fields)}')")
        if key in self._owners:
            cell = cell if cell is not None else enclosing_cell(sdt)
            key = self._unique(key, cell)
        self._owners.setdefault(key, sdt)
        self.put(key, self.control_value(key, scan, sdt, cell))

    def key_from_names(self, tag: str, alias: str) -> str | None:
        if tag in self.fields.kinds:
            return tag
        return (tag and key_from_name(tag, self.fields)) or (alias and key_from_name(alias, self.fields)) or None

    def _unique(self, key: str, cell: etree._Element | None) -> str:
        """A copied actions row repeats another row's tags: number it by its own row instead."""
        if not parse_action_key(key):
            return key
        by_row = self.key_from_cell(cell)
        if by_row and by_row not in self._owners:
            self.notes.append(f"{by_row} read from an added actions row (its boxes repeat {key}'s name)")
            return by_row
        return key

    def control_value(self, key: str, scan: ControlScan, sdt: etree._Element, cell: etree._Element | None) -> str:
        """A box's raw value: its text, a dropdown's display text, an ISO date, 'true'/'false' for a check box."""
        if scan.kind == "checkbox":
            return meaning(scan)
        if scan.showing_placeholder or is_prompt(scan.text):
            return self.placeholder_value(key, scan, sdt, cell)
        if scan.kind == "date":
            full = meaning(scan)
            if full != scan.text:
                return full   # the ISO date from w:fullDate
            cell = cell if cell is not None else enclosing_cell(sdt)
            return (visible_text(cell) if cell is not None else "").strip() or scan.text  # LibreOffice can split
        return scan.text.strip()                                                          # the text around a box

    def placeholder_value(self, key: str, scan: ControlScan, sdt: etree._Element,
                          cell: etree._Element | None) -> str:
        """'' for a box still showing its placeholder, unless something was put in or beside it."""
        if scan.showing_placeholder and _filled_despite_flag(scan):
            self.notes.append(f"{key} read from its box although it is marked as still showing its placeholder "
                              "(filled in another program)")
            return scan.text.strip()
        cell = cell if cell is not None else enclosing_cell(sdt)
        if cell is None:
            return ""
        self._used_cells.add(cell)
        beside = text_outside(cell, sdt)
        if beside and sum(1 for _ in cell.iterdescendants(W_SDT)) > 1:
            return ""  # the other text belongs to another box in the same cell
        if beside:
            self.notes.append(f"{key} read from text typed beside its box, not in it")
        return beside

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
        """Rows added in Word without boxes: the actions table has more rows than the form defines."""
        first = self._owners.get("action_1")
        cell = enclosing_cell(first) if first is not None else None
        row = cell.getparent() if cell is not None else None
        table = row.getparent() if row is not None else None
        if table is None or table.tag != W_TBL:
            return False
        return sum(1 for child in table if child.tag == W_TR) - 1 > self.definition.action_rows

    def read_labelled_cells(self, document: etree._Element) -> None:
        for table in document.iter(W_TBL):
            for cell in table.iter(W_TC):
                if cell in self._used_cells or cell.find(NESTED_SDT) is not None:
                    continue
                key = self.key_from_cell(cell)
                if key is None or key in self.values:
                    continue
                text = visible_text(cell).strip()
                if text:  # an empty cell without a box: the field is gone, so it stays absent
                    kind = field_kind(key, self.fields)
                    value = "" if is_prompt(text) else _checkbox_text(text) if kind is Kind.CHECKBOX else text
                    self.put(key, value, "read from the text in its table cell (no box there)")


_DATE_TEXT = re.compile(r"^\s*(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})\s*$")


def _filled_despite_flag(scan: ControlScan) -> bool:
    """LibreOffice keeps a dropdown's or date's 'showing placeholder' flag when its text is replaced."""
    text = scan.text.strip()
    if not text or is_prompt(text):
        return False
    if scan.kind in ("dropdown", "combobox"):
        return any(value and display == text for display, value in list_items(scan.kind_props))
    return scan.kind == "date" and bool(_DATE_TEXT.match(text))


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
    """The control around a nested one."""
    parent = sdt.getparent()
    while parent is not None and parent.tag != W_SDT:
        parent = parent.getparent()
    return parent
