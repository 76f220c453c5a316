"""What can still be read from a file the readers gave up on: its plain text, and who saved it last.

Used only after a file has been rejected, to find an immediate concern (QAF 5.4, 5.5) that must not be lost
and the person to send the file back to. Every read is bounded and never raises: a part that is damaged
(a bad CRC, a cut-off file) gives what was read before the damage, or nothing.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from processors.forms.definitions import FORM_TYPES
from processors.forms.normalise import squash
from processors.forms.vocabulary import THEMATIC

_MAX_PART = 8 * 1024 * 1024
_BREAK = re.compile(r"</w:p>|</w:tc>|<w:br/>|<w:tab/>|</w:sdtContent>")
_TAG = re.compile(r"<[^>]+>")
_CONCERN = FORM_TYPES[THEMATIC].field("immediate_concern")
_DETAILS = FORM_TYPES[THEMATIC].field("immediate_concern_details")
_ROUTE = FORM_TYPES[THEMATIC].field("escalation_route")
_LAST_AUTHOR = re.compile(r"<cp:lastModifiedBy>([^<]{1,200})</cp:lastModifiedBy>")


@dataclass(frozen=True)
class ConcernText:
    """An immediate-concern answer found in a file's plain text."""

    details: str
    route: str


def _part(data: bytes, name: str) -> str:
    """A zip member's text as far as it can be read (a damaged member gives what came before the damage)."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        info = package.getinfo(name)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError):
        return ""
    try:
        with package.open(info) as member:
            content = member.read(_MAX_PART)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        content = _raw(data, info)  # a CRC error or a cut-off stream: read the stored bytes themselves
    return content.decode("utf-8", errors="replace")


def _raw(data: bytes, info: zipfile.ZipInfo) -> bytes:
    """A member's bytes straight from the package, without the CRC check (bounded like every read here)."""
    try:
        name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
        start = info.header_offset + 30 + name_len + extra_len
        stored = data[start:start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            return stored[:_MAX_PART]
        if info.compress_type == zipfile.ZIP_DEFLATED:
            return zlib.decompressobj(-15).decompress(stored, _MAX_PART)
    except (struct.error, zlib.error):
        pass
    return b""


def _pdf_text(data: bytes) -> str:
    try:
        from pypdf import PdfReader

        return "\n".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages[:20])
    except Exception:  # pypdf raises many kinds of error on a broken file; nothing readable then
        return ""


def plain_text(data: bytes) -> str:
    """The file's text, one line per paragraph or table cell."""
    if data.startswith(b"%PDF"):
        return _pdf_text(data)
    xml = _part(data, "word/document.xml")
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", xml)))


def _answer_after(lines: list[str], label: str, allowed: tuple[str, ...], limit: int = 3) -> tuple[str, int]:
    wanted = squash(label)
    for i, line in enumerate(lines):
        if squash(line).startswith(wanted):
            rest = line[line.find("?") + 1:] if "?" in line else ""
            for candidate in [rest, *lines[i + 1:i + 1 + limit]]:
                for choice in allowed:
                    if squash(candidate) == squash(choice):
                        return choice, i
    return "", -1


def _text_after(lines: list[str], label: str) -> str:
    wanted = squash(label)
    for i, line in enumerate(lines):
        if squash(line) == wanted:
            for candidate in lines[i + 1:i + 3]:
                if candidate.strip():
                    return candidate.strip()
    return ""


def concern_in_text(text: str) -> ConcernText | None:
    """The concern when the text answers Yes to 'Immediate concern needing escalation?', else None."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    said, _ = _answer_after(lines, _CONCERN.label, ("Yes", "No"))
    if said != "Yes":
        return None
    route, _ = _answer_after(lines, _ROUTE.label, _ROUTE.choices)
    return ConcernText(_text_after(lines, _DETAILS.label), route)


def last_author(data: bytes) -> str:
    """docProps/core.xml's lastModifiedBy: the name Word saved the file under ('' when unknown)."""
    match = _LAST_AUTHOR.search(_part(data, "docProps/core.xml"))
    return html.unescape(match[1]).strip() if match else ""
