"""Which form a returned file is, and which field a name or label means: shared by the DOCX and PDF readers."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import cache

from lxml import etree

from processors.errors import UnreadableFile
from processors.forms.definitions import ACTION_KINDS, BY_CODE, FORM_TYPES, FormDefinition, Kind
from processors.forms.models import FormIdentity
from processors.forms.vocabulary import (
    FORM_REF,
    IDENTITY_PROPERTIES,
    TEMPLATE_VERSION,
    action_key,
    form_ref_line,
    parse_action_key,
    parse_action_label,
)
from processors.word.controls import (
    SAFE_PARSER,
    visible_text,
)
from processors.word.ooxml import BOX_CHECKED, CUSTOM_PROPS_NS, VT_NS, w
from processors.word.safety import (
    MB,
    damaged_reason,
    read_member,
)

_PROPERTY_ATTRIBUTES = {name: attribute for attribute, name in IDENTITY_PROPERTIES.items()}
_PUNCTUATION = re.compile(r"[^\w\s]+")
_DOCTYPE_UTF16 = "<!DOCTYPE".encode("utf-16-le")


def norm(text: str) -> str:
    """Labels compared without case, punctuation or extra spaces: "Child's initials:" ~ "child s initials"."""
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def unknown_template() -> UnreadableFile:
    titles = "; ".join(d.title for d in FORM_TYPES.values())
    return UnreadableFile(f"this is not one of our QA forms: it has no form reference and none of the form titles "
                          f"({titles}). Ask the sender to fill in the form they were sent and return that file")


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
        name = _PROPERTY_ATTRIBUTES.get(prop.get("name", ""))
        if name and len(prop) and str(prop[0].tag).startswith(f"{{{VT_NS}}}"):
            props[name] = (prop[0].text or "").strip()
    form_id, form_type = props.get("form_id", ""), props.get("form_type", "")
    if not form_id:
        return None
    if form_type not in FORM_TYPES:
        from_id = identity_from_text(form_ref_line(form_id))
        if from_id is None:
            return None
        form_type = from_id.form_type
    return FormIdentity(form_id, form_type, props.get("template_version", ""), props.get("cycle_id", ""))


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
    action = parse_action_key(key)
    return ACTION_KINDS[action[1]] if action else Kind.LONGTEXT


def key_from_name(name: str, fields: FieldLookup) -> str | None:
    """A field key from a control's tag or title, a legacy field's name or a PDF field's name."""
    if name in fields.kinds:
        return name
    wanted = norm(name)
    if wanted in fields.kinds:
        return wanted
    key = fields.by_label.get(wanted)
    if key is None and fields.definition.action_rows:
        action = parse_action_key(name) or parse_action_key(wanted.replace(" ", "_")) or parse_action_label(wanted)
        if action:
            return action_key(*action)
    return key


def _checkbox_text(text: str) -> str:
    return "true" if BOX_CHECKED in text or text.strip().lower() in ("x", "yes", "true", "\u2611", "\u2713") \
        else "false"
