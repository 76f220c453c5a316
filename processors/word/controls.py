"""Read Word content controls (w:sdt) and legacy form fields (w:ffData) from document XML with lxml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from lxml import etree

from processors.word.ooxml import W_NS, w, w14

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              remove_blank_text=False)


@dataclass(frozen=True)
class Control:
    """One content control as found in a document."""

    tag: str
    alias: str
    kind: str                  # text | dropdown | combobox | date | checkbox | richtext
    text: str                  # visible text (dropdown: display text)
    value: str                 # what it means: dropdown value, ISO date, 'true'/'false' for checkboxes
    showing_placeholder: bool
    choices: tuple[str, ...]
    element: etree._Element

    @property
    def is_empty(self) -> bool:
        return self.showing_placeholder or not self.value.strip()


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, SAFE_PARSER)


_SDT, _T, _BR, _CR, _TAB, _P = w("sdt"), w("t"), w("br"), w("cr"), w("tab"), w("p")
_SDT_PR, _SDT_CONTENT, _TAG, _ALIAS = w("sdtPr"), w("sdtContent"), w("tag"), w("alias")
_PLACEHOLDER = w("showingPlcHdr")
_DROPDOWN, _COMBO, _LIST_ITEM, _DATE, _TEXT = w("dropDownList"), w("comboBox"), w("listItem"), w("date"), w("text")
_CHECKBOX, _CHECKED = w14("checkbox"), w14("checked")
_VAL, _VAL14, _DISPLAY, _VALUE, _FULL_DATE = w("val"), w14("val"), w("displayText"), w("value"), w("fullDate")


def visible_text(node: etree._Element) -> str:
    """Text of a node as Word shows it: runs joined, breaks and tabs kept, paragraphs on new lines."""
    out: list[str] = []
    for item in node.iter():  # unfiltered: lxml sets up a tag matcher per call, slower for small nodes
        tag = item.tag
        if tag == _T:
            out.append(item.text or "")
        elif tag == _P:
            if out and out[-1] != "\n":
                out.append("\n")
        elif tag == _TAB:
            out.append("\t")
        elif tag in (_BR, _CR):
            out.append("\n")
    return "".join(out).strip("\n")


def _attr(node: etree._Element | None, name: str = "val") -> str:
    if node is None:
        return ""
    if name == "val":
        return node.get(_VAL) or node.get(_VAL14) or ""
    return node.get(w(name)) or node.get(w14(name)) or ""


_KINDS = {_DROPDOWN: "dropdown", _COMBO: "combobox", _DATE: "date", _CHECKBOX: "checkbox", _TEXT: "text"}
_PRECEDENCE = ("dropdown", "combobox", "date", "checkbox", "text")


class ControlScan(NamedTuple):
    """What one pass over a content control finds; `read_control` makes a Control of it."""

    tag: str
    alias: str
    kind: str                          # text | dropdown | combobox | date | checkbox | richtext
    text: str                          # visible text
    showing_placeholder: bool
    kind_props: etree._Element | None  # w:dropDownList, w:comboBox, w:date, w14:checkbox or w:text


def scan_control(sdt: etree._Element) -> ControlScan:
    """One pass over a control's properties and text.

    Plain loops over children, not find() or tag-filtered iterators: this runs for every control of
    every returned form, and lxml's per-call set-up dominates for such small elements.
    """
    tag = alias = None
    placeholder = False
    kinds: dict[str, etree._Element] = {}
    content = None
    for part in sdt:
        part_tag = part.tag
        if part_tag == _SDT_PR:
            for prop in part:
                prop_tag = prop.tag
                if prop_tag == _TAG:
                    tag = _attr(prop) if tag is None else tag
                elif prop_tag == _ALIAS:
                    alias = _attr(prop) if alias is None else alias
                elif prop_tag == _PLACEHOLDER:
                    placeholder = True
                elif prop_tag in _KINDS:
                    kinds.setdefault(_KINDS[prop_tag], prop)
        elif part_tag == _SDT_CONTENT and content is None:
            content = part
    kind = next((k for k in _PRECEDENCE if k in kinds), "richtext") if len(kinds) != 1 else next(iter(kinds))
    text = visible_text(content) if content is not None else ""
    return ControlScan(tag or "", alias or "", kind, text, placeholder, kinds.get(kind))


def list_items(props: etree._Element | None) -> list[tuple[str, str]]:
    """(display text, value) of each item of a dropdown or combo box."""
    if props is None:
        return []
    return [(i.get(_DISPLAY) or i.get(_VALUE) or "", i.get(_VALUE) or "") for i in props if i.tag == _LIST_ITEM]


def is_checked(props: etree._Element | None) -> bool:
    state = next((c for c in props if c.tag == _CHECKED), None) if props is not None else None
    return _attr(state) in ("1", "true")


def meaning(scan: ControlScan) -> str:
    """What a control's content means: dropdown value, ISO date, 'true'/'false' for check boxes, else its text."""
    if scan.kind in ("dropdown", "combobox"):
        return next((v for d, v in list_items(scan.kind_props) if d == scan.text and v), scan.text)
    if scan.kind == "date":
        full = scan.kind_props.get(_FULL_DATE) if scan.kind_props is not None else None
        return full[:10] if full else scan.text
    if scan.kind == "checkbox":
        return "true" if is_checked(scan.kind_props) else "false"
    return scan.text


def read_control(sdt: etree._Element) -> Control:
    scan = scan_control(sdt)
    choices = tuple(v for _, v in list_items(scan.kind_props) if v) if scan.kind in ("dropdown", "combobox") else ()
    return Control(tag=scan.tag, alias=scan.alias, kind=scan.kind, text=scan.text,
                   value="" if scan.showing_placeholder else meaning(scan),
                   showing_placeholder=scan.showing_placeholder, choices=choices, element=sdt)


def iter_controls(root: etree._Element) -> list[Control]:
    """Every content control in document order (nested ones included)."""
    return [read_control(sdt) for sdt in root.iter(_SDT)]


def namespace_ok(root: etree._Element) -> bool:
    return root.tag == w("document") and root.nsmap.get("w") == W_NS


# --- placeholders, table cells and legacy form fields (used by the parser) ---------------------

PROMPTS: frozenset[str] = frozenset({
    "Click or tap here to enter text.", "Click or tap to enter a date.", "Choose an item.",
    "Click here to enter text.", "Click here to enter a date.",
})


def is_prompt(text: str) -> bool:
    """Word's placeholder prompts: LibreOffice keeps the words but drops the placeholder flag."""
    return text.strip() in PROMPTS


_TC, _BODY, _PPR = w("tc"), w("body"), w("pPr")


def enclosing_cell(node: etree._Element) -> etree._Element | None:
    """The table cell (w:tc) a node sits in, or None outside tables."""
    parent = node.getparent()
    while parent is not None:  # a getparent() walk: faster than iterancestors(tags) for the few levels here
        tag = parent.tag
        if tag == _TC:
            return parent
        if tag == _BODY:
            return None
        parent = parent.getparent()
    return None


def text_outside(cell: etree._Element, node: etree._Element) -> str:
    """A cell's visible text that is not inside `node` (text typed beside a control)."""
    if _alone_in_cell(cell, node):
        return ""
    inside = set(node.iter(w("t")))
    lines: list[str] = []
    for p in cell.iter(w("p")):
        words = "".join(t.text or "" for t in p.iter(w("t")) if t not in inside)
        if words.strip():
            lines.append(words.strip())
    return "\n".join(lines)


def _alone_in_cell(cell: etree._Element, node: etree._Element) -> bool:
    """True when the cell holds one paragraph holding only `node` (the usual case, checked cheaply)."""
    paragraph = node.getparent()
    if paragraph is None or paragraph.getparent() is not cell:
        return False
    if sum(1 for child in cell if child.tag == _P) != 1:
        return False
    return all(child is node or child.tag == _PPR for child in paragraph)


@dataclass(frozen=True)
class LegacyField:
    """A legacy form field (Word 97-2003 style, also written by LibreOffice): w:fldChar with w:ffData."""

    name: str
    kind: str        # dropdown | checkbox | text
    value: str       # dropdown: the chosen entry; checkbox: 'true'/'false'; text: the result text
    element: etree._Element  # the w:fldChar that begins the field


def _legacy_value(ff: etree._Element, result: str) -> tuple[str, str]:
    dd = ff.find(w("ddList"))
    if dd is not None:
        entries = [_attr(e) for e in dd.findall(w("listEntry"))]
        index_text = _attr(dd.find(w("result"))) or _attr(dd.find(w("default"))) or "0"
        index = int(index_text) if index_text.isdigit() else 0
        return "dropdown", entries[index] if index < len(entries) else ""
    box = ff.find(w("checkBox"))
    if box is not None:
        state = box.find(w("checked"))
        if state is None:
            state = box.find(w("default"))
        ticked = state is not None and _attr(state) in ("", "1", "true", "on")
        return "checkbox", "true" if ticked else "false"
    return "text", result


def iter_legacy_fields(root: etree._Element) -> list[LegacyField]:
    """Every legacy form field in document order, with its result text read between 'separate' and 'end'."""
    fields: list[LegacyField] = []
    stack: list[tuple[etree._Element | None, list[str], bool]] = []  # (begin fldChar, result, after separate)
    for node in root.iter(w("fldChar"), w("t"), w("br"), w("tab")):
        if node.tag == w("fldChar"):
            kind = node.get(w("fldCharType"))
            if kind == "begin":
                stack.append((node if node.find(w("ffData")) is not None else None, [], False))
            elif kind == "separate" and stack:
                begin, result, _ = stack[-1]
                stack[-1] = (begin, result, True)
            elif kind == "end" and stack:
                begin, result, _ = stack.pop()
                if begin is not None:
                    ff = begin.find(w("ffData"))
                    kind_name, value = _legacy_value(ff, "".join(result).strip())
                    fields.append(LegacyField(_attr(ff.find(w("name"))), kind_name, value, begin))
        elif stack and stack[-1][2]:
            stack[-1][1].append(node.text or "" if node.tag == w("t") else "\n" if node.tag == w("br") else "\t")
    return fields
