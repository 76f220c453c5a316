"""Fill a generated form's content controls the way Word does.

Used by the tests and the demo to make synthetic returned forms. Word replaces a control's placeholder
run with what the person typed (line breaks as ``w:br``), drops the ``PlaceholderText`` run style and
the ``w:showingPlcHdr`` flag; a dropdown shows the chosen item's display text; a date picker stores
``w:date/@w:fullDate`` and shows the date in the control's format; a check box sets ``w14:checked``
and shows the ticked glyph.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from copy import deepcopy
from datetime import UTC, date, datetime

from lxml import etree

from processors.dates import DATE_FORMAT_PY, uk_date
from processors.reading.saved import CORE_PART, DCTERMS_MODIFIED
from processors.word.controls import parse_xml, scan_control
from processors.word.ooxml import BOX_CHECKED, BOX_UNCHECKED, PLACEHOLDER_STYLE, el, w, w14

DOCUMENT_PART = "word/document.xml"
Answer = str | date | bool
_PROMPT_FOR = {"text": "Click or tap here to enter text.", "date": "Click or tap to enter a date.",
               "dropdown": "Choose an item."}  # Word's prompts, as processors.word.ooxml puts them in new controls
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def fill_form(docx_bytes: bytes, answers: Mapping[str, Answer], saved_at: datetime | None = None) -> bytes:
    """Return a copy of a generated .docx with the controls tagged by `answers`' keys filled in.

    Raises KeyError naming every key that no control in the document carries. An empty string puts a
    control back to its placeholder, as clearing it in Word does. Locked (pre-filled) controls can be
    changed too, which Word would not allow: tests use that to make awkward returns. With `saved_at`, the
    document's last-saved time (``dcterms:modified``) is set as Word sets it on save.
    """
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as source:
        root = parse_xml(source.read(DOCUMENT_PART))
        controls = _controls_by_tag(root)
        unknown = sorted(set(answers) - set(controls))
        if unknown:
            raise KeyError(f"no control tagged {', '.join(unknown)} in this form")
        for key, value in answers.items():
            fill_control(controls[key], value)
        parts = {DOCUMENT_PART: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)}
        if saved_at is not None and CORE_PART in source.namelist():
            parts[CORE_PART] = _saved(source.read(CORE_PART), saved_at)
        return _replace_parts(source, parts)


def _saved(core: bytes, when: datetime) -> bytes:
    root = parse_xml(core)
    modified = root.find(DCTERMS_MODIFIED)
    if modified is None:
        modified = etree.SubElement(root, DCTERMS_MODIFIED)
    stamp = when.astimezone(UTC) if when.tzinfo else when
    modified.text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _controls_by_tag(root: etree._Element) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for tag in root.iter(w("tag")):
        sdt_pr = tag.getparent()
        if sdt_pr is not None and sdt_pr.tag == w("sdtPr"):
            found.setdefault(tag.get(w("val"), ""), sdt_pr.getparent())
    return found


def _replace_parts(source: zipfile.ZipFile, parts: Mapping[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            target.writestr(info.filename, parts.get(info.filename) or source.read(info))
    return out.getvalue()


def fill_control(sdt: etree._Element, value: Answer) -> None:
    """Put one answer into one content control (an ``w:sdt`` element), in place."""
    sdt_pr = sdt.find(w("sdtPr"))
    if sdt_pr is None:
        raise ValueError("a content control without properties cannot be filled")
    found = scan_control(sdt).kind
    kind = {"combobox": "dropdown", "richtext": "text"}.get(found, found)
    if kind == "checkbox":
        _tick(sdt, sdt_pr, _as_bool(value))
    elif value == "" or value is None:
        _show_placeholder(sdt, sdt_pr, _PROMPT_FOR[kind])
    elif kind == "dropdown":
        _set_text(sdt, sdt_pr, _display_text(sdt_pr, str(value)))
    elif kind == "date":
        day = _as_date(value)
        sdt_pr.find(w("date")).set(w("fullDate"), f"{day.isoformat()}T00:00:00Z")  # type: ignore[union-attr]
        _set_text(sdt, sdt_pr, day.strftime(DATE_FORMAT_PY))
    else:
        text = value.strftime(DATE_FORMAT_PY) if isinstance(value, date) else str(value)
        _set_text(sdt, sdt_pr, text)


def _as_bool(value: Answer) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "1", "x", BOX_CHECKED)


def _as_date(value: Answer) -> date:
    day = uk_date(value if isinstance(value, date) else str(value))
    if day is None:
        raise ValueError(f"not a date: {value!r} (use a datetime.date, YYYY-MM-DD or dd/mm/yyyy)")
    return day


def _display_text(sdt_pr: etree._Element, wanted: str) -> str:
    """The display text of the list item whose value or display text is `wanted` (else `wanted` itself)."""
    for item in sdt_pr.iter(w("listItem")):
        if wanted in (item.get(w("value")), item.get(w("displayText"))):
            return item.get(w("displayText")) or item.get(w("value")) or wanted
    return wanted


def _content(sdt: etree._Element) -> etree._Element:
    content = sdt.find(w("sdtContent"))
    if content is None:
        content = el("sdtContent")
        sdt.append(content)
    return content


def _run_container(content: etree._Element) -> etree._Element:
    """Where runs go: the control itself (inline control) or its first paragraph (block-level control)."""
    paragraph = content.find(w("p"))
    if paragraph is None:
        return content
    for extra in content.findall(w("p"))[1:]:
        content.remove(extra)
    return paragraph


def _clear_runs(container: etree._Element) -> etree._Element | None:
    """Remove the runs, returning the first one's properties without the placeholder style."""
    runs = container.findall(w("r"))
    props = runs[0].find(w("rPr")) if runs else None
    for r in runs:
        container.remove(r)
    if props is None:
        return None
    props = deepcopy(props)
    for style in props.findall(w("rStyle")):
        if style.get(w("val")) == PLACEHOLDER_STYLE:
            props.remove(style)
    return props if len(props) else None


def _text_run(text: str, props: etree._Element | None) -> etree._Element:
    r = el("r")
    if props is not None:
        r.append(props)
    text = _XML_ILLEGAL.sub("", text)  # Word cannot hold these characters either
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if n:
            r.append(el("br"))
        for m, piece in enumerate(line.split("\t")):
            if m:
                r.append(el("tab"))
            if piece:
                t = el("t")
                t.text = piece
                t.set(_XML_SPACE, "preserve")
                r.append(t)
    return r


def _set_text(sdt: etree._Element, sdt_pr: etree._Element, text: str) -> None:
    for flag in sdt_pr.findall(w("showingPlcHdr")):
        sdt_pr.remove(flag)
    container = _run_container(_content(sdt))
    props = _clear_runs(container)
    container.append(_text_run(text, props))


def _show_placeholder(sdt: etree._Element, sdt_pr: etree._Element, prompt: str) -> None:
    if sdt_pr.find(w("showingPlcHdr")) is None:
        before = [sdt_pr.find(w(name)) for name in ("rPr", "alias", "tag", "id", "lock", "placeholder", "temporary")]
        sdt_pr.insert(max((sdt_pr.index(b) + 1 for b in before if b is not None), default=0), el("showingPlcHdr"))
    container = _run_container(_content(sdt))
    props = _clear_runs(container)
    if props is None:
        props = el("rPr")
    props.insert(0, el("rStyle", {"val": PLACEHOLDER_STYLE}))
    container.append(_text_run(prompt, props))


def _tick(sdt: etree._Element, sdt_pr: etree._Element, checked: bool) -> None:
    box = sdt_pr.find(w14("checkbox"))
    state = box.find(w14("checked")) if box is not None else None
    if state is None and box is not None:
        state = etree.SubElement(box, w14("checked"))
    if state is not None:
        state.set(w14("val"), "1" if checked else "0")
    container = _run_container(_content(sdt))
    props = _clear_runs(container)
    container.append(_text_run(BOX_CHECKED if checked else BOX_UNCHECKED, props))
