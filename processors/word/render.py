"""Fast rendering of a Word template into many pre-filled forms.

A plain docxtpl loop loads, patches, renders and re-saves the whole package for every form. Here the
template is prepared once: docxtpl's own XML patching cleans the Jinja tags, each templated part is
compiled once (with autoescape on: docxtpl silently drops a paragraph on ``&`` or ``<`` otherwise), and
the unchanged parts are compressed once into a base package. Each form then costs one Jinja render per
templated part and an append to a copy of the base package.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError
from markupsafe import Markup, escape

from processors.errors import TemplateProblem
from processors.forms.models import FormIdentity
from processors.forms.vocabulary import IDENTITY_PROPERTIES
from processors.text import xml_safe
from processors.word.properties import CORE_PART, stamp_core

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
TEMPLATED = re.compile(r"^(word/(document|header\d*|footer\d*)\.xml|docProps/core\.xml)$")
DROPPED = {"docProps/thumbnail.jpeg", CUSTOM_PART, CORE_PART}  # core.xml: stamped per form
_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
_TAB = '</w:t><w:tab/><w:t xml:space="preserve">'
LOCKED = '<w:lock w:val="sdtContentLocked"/>'


def word_text(value: object) -> Markup:
    """A value made safe for a ``w:t`` run: escaped, illegal characters dropped, line breaks kept."""
    text = xml_safe("" if value is None else str(value))
    safe = str(escape(text))
    return Markup(safe.replace("\n", _BREAK).replace("\t", _TAB))


def custom_properties_xml(identity: FormIdentity) -> bytes:
    props = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{xml_escape(name)}">'
        f"<vt:lpwstr>{xml_escape(getattr(identity, attribute))}</vt:lpwstr></property>"
        for pid, (attribute, name) in enumerate(IDENTITY_PROPERTIES.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{props}</Properties>'
    ).encode()


def _with_custom_part(name: str, data: bytes) -> bytes:
    """Declare docProps/custom.xml in the content types and package relationships."""
    text = data.decode("utf-8")
    if name == "[Content_Types].xml" and CUSTOM_PART not in text:
        text = text.replace("</Types>", f'<Override PartName="/{CUSTOM_PART}" ContentType="{CUSTOM_CT}"/></Types>')
    elif name == "_rels/.rels":
        text = re.sub(r'<Relationship [^>]*Target="docProps/(thumbnail\.jpeg|custom\.xml)"/>', "", text)
        relationship = f'<Relationship Id="rIdQaCustom" Type="{CUSTOM_REL}" Target="{CUSTOM_PART}"/>'
        text = text.replace("</Relationships>", relationship + "</Relationships>")
    elif name == "[Content_Types].xml":
        return data
    return text.encode("utf-8")


@dataclass
class CompiledTemplate:
    path: Path
    base_package: bytes
    parts: dict[str, object]  # part name -> compiled jinja template
    core: bytes = b""         # the template's docProps/core.xml, stamped with organisation and time per form

    def render(self, context: dict[str, object], identity: FormIdentity, *, unlock: bool = False) -> bytes:
        """One form. With unlock, pre-filled controls may be typed in (a blank form the person completes)."""
        safe = {k: word_text(v) for k, v in context.items()}
        buffer = io.BytesIO(self.base_package)
        buffer.seek(0, io.SEEK_END)
        with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as package:
            for name, template in self.parts.items():
                try:
                    xml = template.render(safe)  # type: ignore[attr-defined]
                except UndefinedError as exc:
                    raise TemplateProblem(f"{self.path.name}: {exc.message}: the template asks for a value "
                                          "no form definition provides; run `python run.py templates check`") from None
                if unlock:
                    xml = xml.replace(LOCKED, "")
                package.writestr(name, xml.encode("utf-8"))
            package.writestr(CUSTOM_PART, custom_properties_xml(identity))
            if self.core:
                package.writestr(CORE_PART, stamp_core(self.core, str(context.get("organisation") or "")))
        return buffer.getvalue()


def _environment() -> Environment:
    return Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)


def compile_template(path: Path) -> CompiledTemplate:
    """Prepare a .docx template once for many renders."""
    try:
        source = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, FileNotFoundError, IsADirectoryError) as exc:
        raise TemplateProblem(f"{path}: cannot open the template ({exc}): restore it from the repository "
                              "or run `python run.py templates build`") from None
    env = _environment()
    parts: dict[str, object] = {}
    core = b""
    base = io.BytesIO()
    with source, zipfile.ZipFile(base, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == CORE_PART:
                core = source.read(info)
            if info.filename in DROPPED:
                continue
            data = source.read(info)
            if TEMPLATED.match(info.filename):
                xml = DocxTemplate.patch_xml(None, data.decode("utf-8"))  # type: ignore[arg-type]
                if "{{" in xml or "{%" in xml:
                    try:
                        parts[info.filename] = env.from_string(xml)
                    except TemplateSyntaxError as exc:
                        raise TemplateProblem(f"{path.name}: a field placeholder is broken near line {exc.lineno} "
                                              f"({exc.message}): fix it in Word, then run `templates check`") from None
                    continue
            if info.filename in ("[Content_Types].xml", "_rels/.rels"):
                data = _with_custom_part(info.filename, data)
            out.writestr(info.filename, data)
    return CompiledTemplate(path=path, base_package=base.getvalue(), parts=parts, core=core)


