"""Test helpers to change a .docx the way a person in Word (or another editor) would."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from processors.word.controls import parse_xml


def rewrite_part(path: Path, part: str, change: Callable[[etree._Element], None]) -> None:
    """Parse one XML part, let `change` edit it in place, and write the package back."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == part:
                root = parse_xml(data)
                change(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            out.writestr(info.filename, data)


def part_text(path: Path, part: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def corrupt_member(docx: bytes, part: str) -> bytes:
    """The package with one byte of `part`'s stored data changed, its CRC and the central directory left as
    they were: what a bad disk sector or a broken sync does."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info),
                         compress_type=zipfile.ZIP_STORED if info.filename == part else zipfile.ZIP_DEFLATED)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as package:
        info = package.getinfo(part)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    middle = start + info.compress_size // 2
    data[middle] = ord("x") if data[middle] != ord("x") else ord("y")
    return bytes(data)
