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


def visible_text(node: etree._Element) -> str:
    """Text of a node as Word shows it: runs joined, breaks and tabs kept, paragraphs on new lines."""
    out: list[str] = []
    for item in node.iter(w("t"), w("br"), w("cr"), w("tab"), w("p"), w14("checkbox")):
        if item.tag == w("t"):
            out.append(item.text or "")
        elif item.tag in (w("br"), w("cr")):
            out.append("\n")
        elif item.tag == w("tab"):
            out.append("\t")
        elif item.tag == w("p") and out and out[-1] != "\n":
            out.append("\n")
    return "".join(out).strip("\n")


def _attr(node: etree._Element | None, name: str = "val") -> str:
    if node is None:
        return ""
    return node.get(w(name)) or node.get(w14(name)) or ""


def _kind_and_value(pr: etree._Element, text: str) -> tuple[str, str, tuple[str, ...]]:
    for kind in ("dropDownList", "comboBox"):
        lst = pr.find(w(kind))
        if lst is not None:
            items = [(i.get(w("displayText")) or i.get(w("value")) or "", i.get(w("value")) or "")
                     for i in lst.findall(w("listItem"))]
            choices = tuple(v for _, v in items if v)
            value = next((v for d, v in items if d == text and v), text)
            return ("dropdown" if kind == "dropDownList" else "combobox"), value, choices
    date = pr.find(w("date"))
    if date is not None:
        full = date.get(w("fullDate")) or ""
        return "date", (full[:10] if full else text), ()
    box = pr.find(w14("checkbox"))
    if box is not None:
        checked = _attr(box.find(w14("checked")))
        return "checkbox", "true" if checked in ("1", "true") else "false", ()
    if pr.find(w("text")) is not None:
        return "text", text, ()
    return "richtext", text, ()


def read_control(sdt: etree._Element) -> Control:
    pr = sdt.find(w("sdtPr"))
    if pr is None:
        pr = etree.Element(w("sdtPr"))
    content = sdt.find(w("sdtContent"))
    text = visible_text(content) if content is not None else ""
    kind, value, choices = _kind_and_value(pr, text)
    placeholder = pr.find(w("showingPlcHdr")) is not None
    return Control(tag=_attr(pr.find(w("tag"))), alias=_attr(pr.find(w("alias"))), kind=kind, text=text,
                   value="" if placeholder else value, showing_placeholder=placeholder, choices=choices,
                   element=sdt)


def iter_controls(root: etree._Element) -> list[Control]:
    """Every content control in document order (nested ones included)."""
    return [read_control(sdt) for sdt in root.iter(w("sdt"))]


def namespace_ok(root: etree._Element) -> bool:
    return root.tag == w("document") and root.nsmap.get("w") == W_NS
