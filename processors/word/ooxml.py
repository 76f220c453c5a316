"""WordprocessingML names and small builders for content controls (python-docx has none: its issue #155)."""

from __future__ import annotations

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
NSMAP = {"w": W_NS, "w14": W14_NS}
CUSTOM_PROPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

PLACEHOLDER_STYLE = "PlaceholderText"
BOX_UNCHECKED = "\u2610"
BOX_CHECKED = "\u2612"


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def w14(tag: str) -> str:
    return f"{{{W14_NS}}}{tag}"


def el(tag: str, attrs: dict[str, str] | None = None, *children: etree._Element) -> etree._Element:
    """A ``w:`` element; attribute names without a prefix are put in the ``w:`` namespace."""
    ns, _, local = tag.partition(":")
    node = etree.Element(w14(local) if ns == "w14" else w(local if local else ns))
    for name, value in (attrs or {}).items():
        aprefix, _, alocal = name.partition(":")
        node.set(w14(alocal) if aprefix == "w14" else w(alocal or aprefix), value)
    node.extend(children)
    return node


def run(text: str, *, style: str | None = None, font: str | None = None, bold: bool = False) -> etree._Element:
    r = el("r")
    rpr = el("rPr")
    if style:
        rpr.append(el("rStyle", {"val": style}))
    if font:
        rpr.append(el("rFonts", {"ascii": font, "hAnsi": font, "eastAsia": font}))
    if bold:
        rpr.append(el("b"))
    if len(rpr):
        r.append(rpr)
    t = el("t", {})
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    r.append(t)
    return r


def _sdt(tag: str, alias: str, sdt_id: int, kind_props: list[etree._Element], content: list[etree._Element],
         *, placeholder: bool, locked: bool = False) -> etree._Element:
    pr = el("sdtPr", {}, el("alias", {"val": alias}), el("tag", {"val": tag}), el("id", {"val": str(sdt_id)}))
    if locked:
        pr.append(el("lock", {"val": "sdtContentLocked"}))
    if placeholder:
        pr.append(el("showingPlcHdr"))
    pr.extend(kind_props)
    return el("sdt", {}, pr, el("sdtContent", {}, *content))


def text_control(tag: str, alias: str, sdt_id: int, *, multiline: bool = False, prompt: str = "") -> etree._Element:
    props = [el("text", {"multiLine": "1"} if multiline else {})]
    prompt = prompt or "Click or tap here to enter text."
    return _sdt(tag, alias, sdt_id, props, [run(prompt, style=PLACEHOLDER_STYLE)], placeholder=True)


def prefilled_control(tag: str, alias: str, sdt_id: int, jinja_expr: str) -> etree._Element:
    """A locked text control whose content is rendered at generation (never showing its placeholder)."""
    props = [el("text", {"multiLine": "1"})]
    return _sdt(tag, alias, sdt_id, props, [run(jinja_expr)], placeholder=False, locked=True)


def dropdown_control(tag: str, alias: str, sdt_id: int, choices: tuple[str, ...]) -> etree._Element:
    items = [el("listItem", {"displayText": "Choose an item.", "value": ""})]
    items += [el("listItem", {"displayText": c, "value": c}) for c in choices]
    props = [el("dropDownList", {}, *items)]
    return _sdt(tag, alias, sdt_id, props, [run("Choose an item.", style=PLACEHOLDER_STYLE)], placeholder=True)


def date_control(tag: str, alias: str, sdt_id: int, word_format: str) -> etree._Element:
    props = [el("date", {}, el("dateFormat", {"val": word_format}), el("lid", {"val": "en-GB"}),
                el("storeMappedDataAs", {"val": "dateTime"}), el("calendar", {"val": "gregorian"}))]
    return _sdt(tag, alias, sdt_id, props, [run("Click or tap to enter a date.", style=PLACEHOLDER_STYLE)],
                placeholder=True)


def checkbox_control(tag: str, alias: str, sdt_id: int) -> etree._Element:
    box = etree.Element(w14("checkbox"))
    checked = etree.SubElement(box, w14("checked"))
    checked.set(w14("val"), "0")
    for name, code in (("checkedState", "2612"), ("uncheckedState", "2610")):
        state = etree.SubElement(box, w14(name))
        state.set(w14("val"), code)
        state.set(w14("font"), "MS Gothic")
    return _sdt(tag, alias, sdt_id, [box], [run(BOX_UNCHECKED, font="MS Gothic")], placeholder=False)
