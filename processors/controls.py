"""Read Word content controls (w:sdt) and legacy form fields (w:ffData) from document XML with lxml."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .ooxml import W_NS, w, w14

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
        _add_text(item.tag, item, out)
    return "".join(out).strip("\n")


def _add_text(tag: object, item: etree._Element, out: list[str]) -> None:
    if tag == _T:
        out.append(item.text or "")
    elif tag == _P:
        if out and out[-1] != "\n":
            out.append("\n")
    elif tag == _TAB:
        out.append("\t")
    elif tag == _BR or tag == _CR:
        out.append("\n")


def _attr(node: etree._Element | None, name: str = "val") -> str:
    if node is None:
        return ""
    if name == "val":
        return node.get(_VAL) or node.get(_VAL14) or ""
    return node.get(w(name)) or node.get(w14(name)) or ""


_PROP_TAGS = frozenset({_TAG, _ALIAS, _PLACEHOLDER, _DROPDOWN, _COMBO, _DATE, _TEXT, _CHECKBOX, _CHECKED})
_TEXT_TAGS = frozenset({_T, _BR, _CR, _TAB, _P})


@dataclass
class _Props:
    """What read_control needs from a control's w:sdtPr (first of each, as Word reads them)."""

    found: dict[str, etree._Element]
    items: dict[str, list[etree._Element]]  # list kind tag -> its w:listItem elements


def _kind_and_value(props: _Props, text: str) -> tuple[str, str, tuple[str, ...]]:
    """Kind, meaning and choices of a control."""
    for list_tag, kind in ((_DROPDOWN, "dropdown"), (_COMBO, "combobox")):
        if list_tag in props.found:
            items = [(i.get(_DISPLAY) or i.get(_VALUE) or "", i.get(_VALUE) or "") for i in props.items[list_tag]]
            choices = tuple(v for _, v in items if v)
            value = next((v for d, v in items if d == text and v), text)
            return kind, value, choices
    date = props.found.get(_DATE)
    if date is not None:
        full = date.get(_FULL_DATE) or ""
        return "date", (full[:10] if full else text), ()
    if _CHECKBOX in props.found:
        checked = _attr(props.found.get(_CHECKED))
        return "checkbox", "true" if checked in ("1", "true") else "false", ()
    if _TEXT in props.found:
        return "text", text, ()
    return "richtext", text, ()


def read_control(sdt: etree._Element) -> Control:
    """One pass over the control: its properties first (w:sdtPr), then its visible text (w:sdtContent)."""
    props = _Props({}, {_DROPDOWN: [], _COMBO: []})
    out: list[str] = []
    in_content = False
    current_list: list[etree._Element] | None = None
    for item in sdt.iter():
        tag = item.tag
        if in_content:
            if tag in _TEXT_TAGS:
                _add_text(tag, item, out)
        elif tag == _SDT_CONTENT:
            in_content = True
        elif tag == _LIST_ITEM:
            if current_list is not None:
                current_list.append(item)
        elif tag in _PROP_TAGS:
            props.found.setdefault(tag, item)
            if tag == _DROPDOWN or tag == _COMBO:
                current_list = props.items[tag] if props.found[tag] is item else None
    text = "".join(out).strip("\n")
    kind, value, choices = _kind_and_value(props, text)
    placeholder = _PLACEHOLDER in props.found
    return Control(tag=_attr(props.found.get(_TAG)), alias=_attr(props.found.get(_ALIAS)), kind=kind, text=text,
                   value="" if placeholder else value, showing_placeholder=placeholder, choices=choices,
                   element=sdt)


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


def enclosing_cell(node: etree._Element) -> etree._Element | None:
    """The table cell (w:tc) a node sits in, or None outside tables."""
    for ancestor in node.iterancestors(w("tc"), w("body")):
        return ancestor if ancestor.tag == w("tc") else None
    return None


def text_outside(cell: etree._Element, node: etree._Element) -> str:
    """A cell's visible text that is not inside `node` (text typed beside a control)."""
    inside = set(node.iter(w("t")))
    lines: list[str] = []
    for p in cell.iter(w("p")):
        words = "".join(t.text or "" for t in p.iter(w("t")) if t not in inside)
        if words.strip():
            lines.append(words.strip())
    return "\n".join(lines)


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
