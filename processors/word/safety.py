"""Checks on a returned file before any of its XML is parsed.

What a file is gets decided by its first bytes, not its name: an old .doc renamed .docx, a photo of a
form, a half-synced file and a zip bomb must each end as `UnreadableFile` with a reason the QA
administrator can act on. Zip members are judged from the central directory (counts, sizes,
compression ratios) before anything is decompressed.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from processors.errors import UnreadableFile

MB = 1024 * 1024
DOCUMENT_PART = "word/document.xml"
RETURN_FORM = "ask the sender to return the Word form (.docx) they were sent"
PUT_BACK = "then put it back in the inbox"


class FileKind(Enum):
    DOCX = "docx"
    PDF = "pdf"


@dataclass(frozen=True)
class ZipLimits:
    """What a Word form never exceeds. Forms are well under 1 MB and about 20 parts."""

    members: int = 2000
    total_bytes: int = 100 * MB
    ratio: float = 200.0
    ratio_min_bytes: int = 1 * MB   # the ratio is only judged for members bigger than this


DEFAULT_LIMITS = ZipLimits()

_IMAGES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"BM", "bitmap"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def check_package(path: Path, max_bytes: int, limits: ZipLimits = DEFAULT_LIMITS) -> None:
    """Raise UnreadableFile unless `path` is a Word document or PDF that is safe to parse."""
    data = read_limited(path, max_bytes)
    if sniff(data, path.name) is FileKind.DOCX:
        with open_zip(data) as package:
            check_zip(package, limits)


# --- the file as a whole -----------------------------------------------------------------------

def read_limited(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing an empty file or one over the size limit before reading it."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise _empty()
        if size > max_bytes:
            raise too_big(size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"the file could not be opened ({exc.strerror or exc}): if it is still being copied "
                             "or synced, wait a minute; it will be tried again") from None
    if not data:
        raise _empty()
    if len(data) > max_bytes:
        raise too_big(len(data), max_bytes)
    return data


def _empty() -> UnreadableFile:
    return UnreadableFile("the file is empty (0 bytes): it may not have finished copying or syncing. Open the "
                          "original in Word, save it again and put it back in the inbox")


def too_big(size: int, limit: int) -> UnreadableFile:
    return UnreadableFile(f"the file is {size / MB:.1f} MB, more than the {limit / MB:.0f} MB a form may be: this "
                          "usually means large pictures or scans were pasted into it. Remove or compress them "
                          "(Word: select a picture > Picture Format > Compress Pictures), save, "
                          f"{PUT_BACK}")


def sniff(data: bytes, name: str = "") -> FileKind:
    """Decide from the first bytes whether this is a .docx (zip) or a PDF; raise for anything else."""
    head = data[:1024]
    if name.startswith("~$"):
        raise UnreadableFile("this is a temporary file Word makes while a document is open (its name starts with "
                             "'~$'), not a form: it goes away when Word closes the document and can be deleted")
    if head.startswith(_ZIP_MAGIC):
        return FileKind.DOCX
    if b"%PDF-" in head:
        return FileKind.PDF
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile(describe_ole(data))
    for magic, kind in _IMAGES:
        if head.startswith(magic):
            raise _picture(kind)
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1") or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        raise _picture("phone photo" if head[4:8] == b"ftyp" else "WebP")
    raise UnreadableFile(_other_format(head))


def _picture(kind: str) -> UnreadableFile:
    return UnreadableFile(f"this is a picture or scan ({kind} image), not a form: we can only read the Word form "
                          f"itself or a PDF saved from Word; {RETURN_FORM}")


def _other_format(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"{\\rtf"):
        return (f"this is a Rich Text Format (.rtf) file: open it in Word, save it as 'Word Document (*.docx)', "
                f"{PUT_BACK}")
    if b"word.document" in text or b"w:worddocument" in text:
        return (f"this is a Word 2003 XML file: open it in Word, save it as 'Word Document (*.docx)', {PUT_BACK}")
    if text.startswith((b"<html", b"<!doctype html", b"mime-version")) or b"<html" in text:
        return (f"this is a web page (.htm/.mht) saved from Word: open it in Word, save it as 'Word Document "
                f"(*.docx)', {PUT_BACK}")
    return f"this is not a Word document (.docx) or a PDF, so it cannot be read as a QA form: {RETURN_FORM}"


# --- old Office files (OLE compound files) -----------------------------------------------------

def describe_ole(data: bytes) -> str:
    """What an OLE compound file is, judged from its stream names, as advice to act on."""
    names = cfb_stream_names(data)
    if names is None:
        names = {n for n in _KNOWN_STREAMS if n.encode("utf-16-le") in data}
    if {"EncryptionInfo", "EncryptedPackage"} & names:
        return ("this Word document is password-protected (encrypted), so it cannot be read: open it in Word, "
                "remove the password (File > Info > Protect Document > Encrypt with Password, clear the box), "
                f"save, {PUT_BACK}")
    if "WordDocument" in names:
        return ("this is an old Word 97-2003 .doc file: open it in Word and save it as .docx (File > Save As > "
                f"'Word Document (*.docx)'), {PUT_BACK}")
    if {"Workbook", "Book"} & names:
        return f"this is an old Excel workbook (.xls), not a Word form: {RETURN_FORM}"
    if "PowerPoint Document" in names:
        return f"this is an old PowerPoint file (.ppt), not a Word form: {RETURN_FORM}"
    if any(n.startswith("__substg1.0_") for n in names):
        return ("this is an Outlook email saved as a file (.msg): open it, save the attached form itself, "
                f"{PUT_BACK}")
    return ("this is either an old Word 97-2003 .doc file or a password-protected Word document: if it asks for a "
            "password when opened, remove the password (File > Info > Protect Document > Encrypt with Password); "
            "then save it as 'Word Document (*.docx)' and put it back in the inbox")


_KNOWN_STREAMS = ("EncryptionInfo", "EncryptedPackage", "WordDocument", "Workbook", "Book", "PowerPoint Document")
_END_OF_CHAIN = 0xFFFFFFFE
_MAX_SECTOR = 0xFFFFFFFA


def cfb_stream_names(data: bytes) -> set[str] | None:
    """Names in a compound file's directory, or None when the file is too damaged to walk."""
    try:
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            return None
        size = 1 << shift
        fat = _cfb_fat(data, size)
        names: set[str] = set()
        sector, seen = struct.unpack_from("<I", data, 0x30)[0], 0
        while sector <= _MAX_SECTOR and seen < len(fat):
            offset = (sector + 1) * size
            for entry in range(offset, min(offset + size, len(data)) - 127, 128):
                length = struct.unpack_from("<H", data, entry + 0x40)[0]
                if 2 <= length <= 64 and data[entry + 0x42] in (1, 2, 5):
                    names.add(data[entry:entry + length - 2].decode("utf-16-le", "replace"))
            sector, seen = (fat[sector] if sector < len(fat) else _END_OF_CHAIN), seen + 1
        return names or None
    except (struct.error, IndexError):
        return None


def _cfb_fat(data: bytes, size: int) -> list[int]:
    """The file allocation table, from the 109 sector numbers the header holds (enough for files < 7 MB)."""
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s <= _MAX_SECTOR]
    per_sector = size // 4
    fat: list[int] = []
    for s in fat_sectors:
        offset = (s + 1) * size
        if offset + size > len(data):
            break
        fat.extend(struct.unpack_from(f"<{per_sector}I", data, offset))
    return fat


# --- zip packages ------------------------------------------------------------------------------

def open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise UnreadableFile(damaged_reason()) from None


def damaged_reason() -> str:
    return ("the file is incomplete or damaged (it may not have finished copying or syncing): open the original in "
            f"Word to check it, save it again, {PUT_BACK}; if it will not open, ask the sender to send it again")


def check_zip(package: zipfile.ZipFile, limits: ZipLimits = DEFAULT_LIMITS) -> None:
    """Judge a zip from its central directory first (counts, sizes, ratios, passwords); only then is every
    member decompressed, in chunks and up to its declared size, to check its CRC."""
    members = package.infolist()
    _check_sizes(members, limits)
    names = {m.filename for m in members}
    if any(m.flag_bits & 0x1 for m in members):
        raise UnreadableFile("this file is password-protected, so it cannot be read: remove the password, save it "
                             f"as 'Word Document (*.docx)', {PUT_BACK}")
    check_crcs(package)
    if _has_macros(package, names):
        raise UnreadableFile("this is a macro-enabled Word document (.docm): for safety, documents with macros are "
                             "not opened. Open it in Word, choose File > Save As > 'Word Document (*.docx)' (this "
                             f"saves it without macros), {PUT_BACK}")
    if main_part(package, names) is None:
        raise UnreadableFile(_not_word(package, names))


def check_crcs(package: zipfile.ZipFile) -> None:
    """Every member read to its end, so a damaged part is found even if the reader never opens it."""
    try:
        bad = package.testzip()
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        bad = "?"
    if bad is not None:
        raise UnreadableFile(damaged_part_reason())


def damaged_part_reason() -> str:
    return ("the file is damaged: part of it does not match its own checksum (a copy or sync went wrong, or a disk "
            "error), so none of it can be trusted. Open the original in Word; if it opens, save it again and "
            f"{PUT_BACK}; if not, ask the sender to send it again")


_OFFICE_DOCUMENT = re.compile(rb'<Relationship\b[^>]*?Type="[^"]*/officeDocument"[^>]*?>')
_TARGET = re.compile(rb'Target="/?([^"]+)"')


def main_part(package: zipfile.ZipFile, names: set[str] | None = None) -> str | None:
    """The main document part: word/document.xml, or wherever the package relationships point
    (Word Online sometimes writes word/document2.xml)."""
    names = names if names is not None else set(package.namelist())
    if DOCUMENT_PART in names:
        return DOCUMENT_PART
    if "_rels/.rels" not in names:
        return None
    relationship = _OFFICE_DOCUMENT.search(read_member(package, "_rels/.rels", MB))
    target = _TARGET.search(relationship.group(0)) if relationship else None
    part = target.group(1).decode("utf-8", "replace") if target else None
    return part if part in names and part.startswith("word/") else None


def _check_sizes(members: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    unsafe = ("it was not opened, for safety. If a colleague sent it, ask them to save the form again from Word "
              "and send it again; otherwise delete it")
    if len(members) > limits.members:
        raise UnreadableFile(f"this is not a normal Word document: it holds {len(members)} parts (a form has about "
                             f"20); {unsafe}")
    total = sum(m.file_size for m in members)
    if total > limits.total_bytes:
        raise UnreadableFile(f"this is not a normal Word document: it would unpack to {total / MB:.0f} MB (a form "
                             f"is well under {limits.total_bytes / MB:.0f} MB); {unsafe}")
    for m in members:
        if m.file_size > limits.ratio_min_bytes and m.file_size > limits.ratio * max(m.compress_size, 1):
            raise UnreadableFile(f"this is not a normal Word document: one of its parts is compressed "
                                 f"{m.file_size / max(m.compress_size, 1):.0f} times over (a sign of a 'zip bomb'); "
                                 f"{unsafe}")


def read_member(package: zipfile.ZipFile, name: str, limit: int = DEFAULT_LIMITS.total_bytes) -> bytes:
    """One member's bytes; zipfile stops at the declared size (checked above) and verifies the CRC."""
    info = package.getinfo(name)
    if info.file_size > limit:
        raise UnreadableFile(f"a part of this document is larger than {limit / MB:.0f} MB: it was not opened, "
                             "for safety. Ask the sender to save the form again from Word")
    try:
        return package.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError):
        raise UnreadableFile(damaged_reason()) from None


_MACRO_CONTENT_TYPE = b"application/vnd.ms-word.document.macroenabled.main+xml"


def _has_macros(package: zipfile.ZipFile, names: set[str]) -> bool:
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return True
    if "[Content_Types].xml" not in names:
        return False
    types = read_member(package, "[Content_Types].xml", 1 * MB).lower()
    return _MACRO_CONTENT_TYPE in types or b"macroenabled" in types


def _not_word(package: zipfile.ZipFile, names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return f"this is an Excel workbook, not a Word form: {RETURN_FORM}"
    if "ppt/presentation.xml" in names:
        return f"this is a PowerPoint file, not a Word form: {RETURN_FORM}"
    if "mimetype" in names and "content.xml" in names:
        return ("this is an OpenDocument file (.odt, from LibreOffice or OpenOffice): open it and save it as 'Word "
                f"Document (*.docx)', {PUT_BACK}")
    if any(n.lower().endswith(".docx") for n in names):
        return "this is a zip file with Word documents inside: unzip it and put each form itself in the inbox"
    return f"this is a zip file, not a Word document: {RETURN_FORM}"
