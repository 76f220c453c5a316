"""Writing a register sheet's data rows straight into the saved workbook, as SpreadsheetML.

openpyxl builds a Python object per cell and serialises each through its own writer: for 120,000 rows that
is most of a register rewrite (issue 16). The register is therefore written in two steps. openpyxl writes the
*frame*: every sheet with its header, one styled data row, the table, the conditional formats, the Status
dropdown, the comments, the protection, the print set-up and the Overview's charts, each sized for the real
number of rows. Then this module replaces each sheet's rows from row 2 on with the real rows, written as text
in one pass and compressed as the file is written. Every cell of a column takes the style openpyxl gave that
column's cell in row 2 (its number format and whether it is unlocked), so the result is the workbook openpyxl
would have written, with strings inline (as openpyxl writes them too).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

from processors.dates import uk_date
from processors.register.columns import DATE, DATETIME, Sheet
from processors.text import xml_safe

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_EPOCH = datetime(1899, 12, 30)
_ROW_2 = re.compile(r'<row r="2"[ >]')
_CELL = re.compile(r'<c r="([A-Z]+)2"(?: s="(\d+)")?')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_XML_UNSAFE = ("&", "<", ">")
_EXCEL_CELL_LIMIT = 32767
_CHUNK_ROWS = 2000  # rows joined before each write to the compressor: memory stays flat whatever the size
_LEVEL = 1  # deflate level for the rows: far quicker than the default, the file about a sixth larger (10,000 forms)


def clean_text(value: str) -> str:
    """Text Excel can hold: no characters XML forbids, plain line breaks, at most 32,767 characters."""
    return xml_safe(value)[:_EXCEL_CELL_LIMIT]


def cell_value(value: object) -> object:
    """A value as a cell holds it: text cleaned, times in local time without a zone."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


@dataclass
class WrittenSheet:
    """One sheet's rows as last written (with the styles they used), kept by a long-running watcher so the next
    write reuses the text of every row that did not change."""

    styles: dict[str, str]
    rows: list[tuple]
    xml: list[str]


@dataclass(frozen=True)
class SheetData:
    """One sheet's rows to put into the frame; ``before``: the same sheet as last written, when kept.

    ``rows`` may be any iterable (rows read from disk as they are written, issue 16) when ``count`` says how
    many it gives; a list needs no count."""

    spec: Sheet
    rows: Iterable[tuple]
    before: WrittenSheet | None = None
    count: int | None = None

    @property
    def size(self) -> int:
        if self.count is not None:
            return self.count
        return len(self.rows)  # type: ignore[arg-type]


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet title: its part's name in the archive}, from the workbook and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        parts[sheet.get("name", "")] = part
    return parts


def _row_2_styles(xml: str) -> dict[str, str]:
    """{column letter: ' s="N"'} for the styled cells of the frame's row 2."""
    start = _ROW_2.search(xml)
    if start is None:
        return {}
    end = xml.index("</row>", start.start())
    return {letter: f' s="{s}"' for letter, s in _CELL.findall(xml[start.start():end]) if s}


def _serial(value: date) -> str:
    if isinstance(value, datetime):
        delta = value - _EPOCH
        return repr(delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400)
    return str((value - _EPOCH.date()).days)


def _cell(ref: str, style: str, value: object, dated: bool) -> str:
    """One cell; an empty one only when it has a style (an unlocked or date column)."""
    if isinstance(value, str):
        value = clean_text(value)
        if not value:
            return f'<c r="{ref}"{style}/>' if style else ""
        if any(c in value for c in _XML_UNSAFE):
            value = value.translate(_ESCAPES)
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{style} t="n"><v>{value!r}</v></c>'
    if isinstance(value, date):
        value = cell_value(value)
        if dated:
            return f'<c r="{ref}"{style} t="n"><v>{_serial(value)}</v></c>'
        return _cell(ref, style, uk_date(value), False)
    if value is None:
        return f'<c r="{ref}"{style}/>' if style else ""
    return _cell(ref, style, str(value), dated)


def _rows_xml(data: SheetData, styles: dict[str, str]) -> Iterator[str]:
    """Rows 2 onwards as SpreadsheetML, one row at a time; a row unchanged since ``data.before`` at the same
    place is not written again."""
    letters = [get_column_letter(i) for i in range(1, len(data.spec.columns) + 1)]
    dated = [c.kind in (DATE, DATETIME) for c in data.spec.columns]
    columns = list(zip(letters, [styles.get(letter, "") for letter in letters], dated))
    before = data.before if data.before is not None and data.before.styles == styles else None
    old_rows, old_xml = (before.rows, before.xml) if before else ([], [])
    for index, row in enumerate(data.rows):
        if index < len(old_rows) and (row is old_rows[index] or row == old_rows[index]):
            yield old_xml[index]
            continue
        number = index + 2
        cells = "".join(_cell(f"{letter}{number}", style, value, is_date)
                        for (letter, style, is_date), value in zip(columns, row))
        yield f'<row r="{number}">{cells}</row>'


def _chunks(rows: Iterator[str], kept: list[str] | None) -> Iterator[str]:
    chunk: list[str] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _CHUNK_ROWS:
            if kept is not None:
                kept += chunk
            yield "".join(chunk)
            chunk = []
    if kept is not None:
        kept += chunk
    yield "".join(chunk)


def _sheet_pieces(xml: str, data: SheetData, kept: WrittenSheet | None) -> Iterator[str]:
    """The frame's sheet with its rows from row 2 on replaced by ``data``'s rows (their text added to
    ``kept``, when given)."""
    start = _ROW_2.search(xml)
    end = xml.index("</sheetData>")
    head = xml[:start.start()] if start is not None else xml[:end]
    last_col = get_column_letter(len(data.spec.columns))
    head = _DIMENSION.sub(f'<dimension ref="A1:{last_col}{max(data.size, 1) + 1}"/>', head, count=1)
    styles = _row_2_styles(xml)
    if kept is not None:
        kept.styles = styles
    yield head
    yield from _chunks(_rows_xml(data, styles), kept.xml if kept is not None else None)
    yield xml[end:]


def fill_frame(frame: Path, target: Path, sheets: Iterable[SheetData], keep: bool = False) -> dict[str, WrittenSheet]:
    """Write ``target``: the workbook at ``frame`` with each sheet's rows from row 2 on replaced. With ``keep``,
    returns each filled sheet as written, for the next write to reuse (its rows given as a list). The rows are
    written as they come, 2,000 at a time: an iterable of rows is never held whole."""
    written: dict[str, WrittenSheet] = {}
    with zipfile.ZipFile(frame) as source:
        parts = sheet_parts(source)
        by_part = {parts[s.spec.title]: s for s in sheets if s.spec.title in parts and s.size}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as out:
            for info in source.infolist():
                data = by_part.get(info.filename)
                if data is None:
                    out.writestr(info, source.read(info.filename))
                    continue
                kept = WrittenSheet({}, data.rows, []) if keep else None  # type: ignore[arg-type]  # a list
                xml = source.read(info.filename).decode("utf-8")
                with out.open(info.filename, "w", force_zip64=True) as stream:
                    for piece in _sheet_pieces(xml, data, kept):
                        stream.write(piece.encode("utf-8"))
                if kept is not None:
                    written[data.spec.title] = kept
    return written
