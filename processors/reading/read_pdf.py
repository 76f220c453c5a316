"""Read a returned PDF: Word's "Save as PDF" keeps no fields, so the text is read label by label and the
actions table by its columns; a PDF with real form fields (AcroForm) is read from those."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from pypdf import PdfReader

from processors.errors import UnreadableFile
from processors.files import sha256_bytes
from processors.forms.definitions import FORM_TYPES, GRADE_DESCRIPTORS, GRADES, FormDefinition, Kind
from processors.forms.models import ParsedForm
from processors.forms.vocabulary import ACTION_NUMBER_HEADING, FORM_REF, ActionPart, action_key, form_ref_line
from processors.reading.lookup import (
    FieldLookup,
    _checkbox_text,
    field_kind,
    form_type_from_title,
    identity_from_text,
    key_from_name,
    lookup,
    unknown_template,
)
from processors.reading.pdf_layout import Columns, Fragment, answer_column, body_lines, page_fragments
from processors.reading.saved import pdf_datetime
from processors.word.controls import (
    is_prompt,
)

PDF_MAX_PAGES = 40
_ACTIONS_HEADER = re.compile(r"\s+".join(rf"\b{p.heading}\b" for p in ActionPart))


def parse_pdf(data: bytes, source: Path, sha256: str = "") -> ParsedForm:
    reader = open_pdf(data)
    pages = page_texts(reader)
    fields = acroform_fields(reader)
    text = "\n".join(pages)
    identity = identity_from_text(text) or identity_from_text(" ".join(form_ref_line(v) for v in fields.values()))
    form_type = identity.form_type if identity else form_type_from_title(text + " " + _pdf_title(reader))
    if form_type is None:
        if not text.strip() and not fields:
            raise UnreadableFile("this PDF is a scan or picture of the form, with no text that can be read: ask the "
                                 "sender to return the Word form (.docx) itself, or a PDF saved from Word (File > "
                                 "Save As > PDF)")
        raise unknown_template()
    definition = FORM_TYPES[form_type]
    positioned = positioned_values(reader, len(pages), definition)
    values = positioned if positioned is not None else labelled_values(body_text(pages), definition)
    how = "the position of its text" if positioned is not None else "its printed labels"
    notes = [f"{identity.form_id if identity else definition.title}: read from a PDF by {how}"]
    if definition.action_rows:
        values.update(pdf_actions(reader, pages))
    if fields:
        notes += merge_acroform(fields, lookup(form_type), values)
    return ParsedForm(source=source, identity=identity, form_type=form_type, values=values,
                      sha256=sha256 or sha256_bytes(data), notes=notes, saved_at=_pdf_saved_at(reader))


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


def _pdf_saved_at(reader: PdfReader) -> datetime | None:
    try:
        info = reader.metadata or {}
        return pdf_datetime(str(info.get("/ModDate") or info.get("/CreationDate") or ""))
    except Exception:  # as for the title: optional, never worth a rejection
        return None


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


def positioned_values(reader: PdfReader, page_count: int, definition: FormDefinition) -> dict[str, str] | None:
    """Each field's answer from the answer column beside its label; None when the pages show no such column
    (then the plain text is read label by label)."""
    try:
        lines = body_lines([page_fragments(reader.pages[n]) for n in range(page_count)])
    except Exception:  # positions are a best effort: without them the text is read in order
        return None
    column = answer_column(lines, definition)
    if column is None:
        return None
    columns = Columns.split(lines, column)
    patterns = pdf_patterns(definition.key)
    titles = [columns.line_at(m.start()) for m in patterns.sections.finditer(columns.labels)]
    found = [(key, kind, columns.line_at(start)) for key, kind, start, _ in _find_labels(columns.labels, patterns)]
    values: dict[str, str] = {}
    for n, (key, kind, first) in enumerate(found):
        stops = [t for t in titles if t > first] + ([found[n + 1][2]] if n + 1 < len(found) else [len(lines)])
        values[key] = _clean(columns.answer(first, max(first + 1, min(stops))), kind, None, patterns.sections)
    return values


def _find_labels(text: str, patterns: PdfPatterns) -> list[tuple[str, Kind, int, int]]:
    """(key, kind, start, end) of each field's label found in `text`, in the form's order."""
    found: list[tuple[str, Kind, int, int]] = []
    position = 0
    for key, kind, label, _ in patterns.labels:
        match = label.search(text, position)
        if match:
            found.append((key, kind, match.start(), match.end()))
            position = match.end()
    return found


def labelled_values(text: str, definition: FormDefinition) -> dict[str, str]:
    """Each field's value: the text after its label up to the next label found, in the form's order."""
    patterns = pdf_patterns(definition.key)
    hints = {key: hint for key, _, _, hint in patterns.labels}
    found = [(key, kind, hints[key], start, end) for key, kind, start, end in _find_labels(text, patterns)]
    values: dict[str, str] = {}
    for n, (key, kind, hint, _, end) in enumerate(found):
        stop = found[n + 1][3] if n + 1 < len(found) else len(text)
        values[key] = _clean(text[end:stop], kind, hint, patterns.sections)
    return values


# What each grade means is printed beside every graded area: not part of the answer. The words as the
# definitions have them are removed; reworded in Word, the answer is the one grade not introducing a meaning.
_DESCRIPTORS = re.compile("|".join(_flexible(f"{g}: {m}.") for g, m in GRADE_DESCRIPTORS.items()))
_GRADE_ANSWER = re.compile(r"\b(" + "|".join(_flexible(g) for g in GRADES) + r")\b(?!\s*:)")


def _grade(value: str) -> str:
    value = " ".join(_DESCRIPTORS.sub(" ", value).split())
    if value in GRADES or is_prompt(value):
        return value
    answers = {" ".join(a.split()) for a in _GRADE_ANSWER.findall(value)}
    return answers.pop() if len(answers) == 1 else value


def _clean(raw: str, kind: Kind, hint: re.Pattern[str] | None, sections: re.Pattern[str]) -> str:
    section = sections.search(raw)
    if section:
        raw = raw[:section.start()]
    if hint is not None:
        raw = hint.sub(" ", raw, count=1)
    value = " ".join(raw.split())
    if kind is Kind.GRADE:
        value = _grade(value)
    if is_prompt(value):
        return ""
    if kind is Kind.CHECKBOX:
        return _checkbox_text(value)
    return value


def pdf_actions(reader: PdfReader, pages: list[str]) -> dict[str, str]:
    """The actions table, read by the position of each piece of text under the 'Action', 'Owner' and
    'Due date' headings (plain text extraction loses the columns)."""
    start = next((n for n, page in enumerate(pages) if _ACTIONS_HEADER.search(" ".join(page.split()))), None)
    if start is None:
        return {}
    try:
        fragments = [page_fragments(reader.pages[n]) for n in range(start, len(pages))]
    except Exception:  # positions are a best effort: without them the actions are left out, not the form
        return {}
    header = " ".join(pages[0].strip().splitlines()[0].split()) if pages[0].strip() else ""
    rows = actions_from_fragments(fragments, header)
    values: dict[str, str] = {}
    for number, cells in sorted(rows.items()):
        for part, pieces in zip(ActionPart, cells):
            text = " ".join(" ".join(pieces).split())
            values[action_key(number, part)] = "" if is_prompt(text) else text
    return values


def actions_from_fragments(pages: list[list[Fragment]], page_header: str) -> dict[int, list[list[str]]]:
    columns: list[float] | None = None
    rows: dict[int, list[list[str]]] = {}
    current: int | None = None
    for fragments in pages:
        footer_lines = {f.y for f in fragments if FORM_REF.search(f.text)}
        if columns is None:
            columns, fragments = _action_columns(fragments)
            if columns is None:
                return {}
        for f in fragments:
            if f.y in footer_lines or (page_header and " ".join(f.text.split()) == page_header):
                continue
            column = max(i for i, x in enumerate(columns) if f.x >= x - 3) if f.x >= columns[0] - 3 else 0
            if column == 0:
                number = f.text.strip().rstrip(".")
                if not number.isdigit():
                    return rows  # text in the number column that is not a number: the table has ended
                current = int(number)
                rows[current] = [[], [], []]
            elif current is not None:
                rows[current][column - 1].append(f.text)
    return rows


def _action_columns(fragments: list[Fragment]) -> tuple[list[float] | None, list[Fragment]]:
    """The x of the number, Action, Owner and Due date columns, and the fragments below the headings."""
    by_text = {f.text.strip(): f for f in fragments}
    action, owner, due = (by_text.get(p.heading) for p in ActionPart)
    if action is None or owner is None or due is None:
        return None, []
    number = by_text.get(ACTION_NUMBER_HEADING) or by_text.get(ACTION_NUMBER_HEADING.rstrip("."))
    left = number.x if number is not None else action.x - 60
    below = [f for f in fragments if f.y < action.y - 1]
    return [left, action.x, owner.x, due.x], below


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
    found: set[str] = set()
    for name, value in fields.items():
        key = key_from_name(name, lookup_)
        if key is not None and key not in found:
            kind = field_kind(key, lookup_)
            values[key] = "" if is_prompt(value) else (_checkbox_text(value) if kind is Kind.CHECKBOX
                                                       and value not in ("true", "false") else value.strip())
            found.add(key)
    return [f"{len(found)} answer(s) read from the PDF's form fields"] if found else []
