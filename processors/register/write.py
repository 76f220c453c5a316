"""Building the register workbook from the store's rows, and saving it over the old one in one step."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import suppress
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from processors.errors import RegisterLockedError
from processors.files import sha256_of
from processors.register import style
from processors.register.columns import DATE, DATETIME, MAX_WIDTH, SHEETS, Sheet
from processors.register.guide import write_guide
from processors.register.overview import write_overview
from processors.register.progress import Snapshot
from processors.text import xml_safe

WIDTH_SAMPLE = 300
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_CELL_LIMIT = 32767


def clean_text(value: str) -> str:
    """Text Excel can hold: no characters XML forbids, plain line breaks, at most 32,767 characters."""
    return xml_safe(value)[:_EXCEL_CELL_LIMIT]


def cell_value(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


def _append_rows(ws: Worksheet, rows: list[tuple]) -> None:
    """Append rows; strings that look like formulas are kept as text."""
    formula_like: list[tuple[int, int]] = []
    for r, row in enumerate(rows, start=2):
        values = [cell_value(v) for v in row]
        formula_like += [(r, c) for c, v in enumerate(values, start=1) if isinstance(v, str) and v.startswith("=")]
        ws.append(values)
    for r, c in formula_like:
        ws.cell(row=r, column=c).data_type = "s"


def _add_table(ws: Worksheet, spec: Sheet, data_rows: int) -> None:
    """A real Excel table with filters; an empty sheet gets one blank row, as Excel itself does."""
    table = Table(displayName=spec.table, ref=f"A1:{get_column_letter(len(spec.columns))}{max(data_rows, 1) + 1}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)


def _set_widths(ws: Worksheet, spec: Sheet, rows: list[tuple]) -> None:
    sample = rows[:WIDTH_SAMPLE]
    for index, column in enumerate(spec.columns):
        if column.width:
            width = column.width
        elif column.kind in (DATE, DATETIME):
            width = 18 if column.kind == DATETIME else 13
        else:
            longest = max((len(str(row[index])) for row in sample if row[index] is not None), default=0)
            width = min(max(len(column.header) + 4, longest + 2), MAX_WIDTH)
        ws.column_dimensions[get_column_letter(index + 1)].width = width


def write_sheet(ws: Worksheet, spec: Sheet, rows: list[tuple]) -> None:
    ws.title = spec.title
    ws.append(spec.headers)
    _append_rows(ws, rows)
    last_row = max(len(rows), 1) + 1
    style.style_data_cells(ws, spec, last_row)
    _add_table(ws, spec, len(rows))
    ws.freeze_panes = "A2"
    _set_widths(ws, spec, rows)
    style.add_grade_colours(ws, spec, last_row)
    style.add_overdue_highlights(ws, spec, last_row)
    style.add_status_dropdown(ws, spec, last_row + style.EXTRA_ROWS)
    style.mark_edited_columns(ws, spec)
    style.protect(ws)
    style.set_print(ws, get_column_letter(len(spec.columns)), last_row)


def build_workbook(rows: dict[str, list[tuple]], snapshot: Snapshot | None = None) -> Workbook:
    """The register: the Overview (from ``snapshot``, when given), How to use, then each sheet's rows."""
    wb = Workbook()
    wb.remove(wb.active)
    if snapshot is not None:
        write_overview(wb.create_sheet(), snapshot)
    write_guide(wb.create_sheet())
    for spec in SHEETS:
        if not spec.optional or rows.get(spec.title):
            write_sheet(wb.create_sheet(), spec, rows.get(spec.title, []))
    return wb


# --- saving safely ------------------------------------------------------------------------------

def file_sha256(path: Path) -> str:
    return sha256_of(path)


def _lock_file(path: Path) -> Path | None:
    """Excel's owner file (~$name) or LibreOffice's lock file, when the register is open."""
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def locked_message(path: Path, lock: Path | None = None) -> str:
    message = (f"The register {path} is open or read-only: close it in Excel; everything is kept in the store "
               "and the register will be rewritten on the next run")
    if lock is not None:
        message += f" (if nobody has it open, delete the lock file {lock.name} beside it)"
    return message


def check_writable(path: Path) -> None:
    lock = _lock_file(path)
    if lock is not None:
        raise RegisterLockedError(locked_message(path, lock))
    if path.exists() and not os.access(path, os.W_OK):
        raise RegisterLockedError(locked_message(path))
    if path.parent.exists() and not os.access(path.parent, os.W_OK):
        raise RegisterLockedError(locked_message(path))


def save_atomically(wb: Workbook, path: Path) -> str:
    """Save beside the register, then move over it in one step; on any failure the old file is untouched.

    Returns the sha256 of what was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".~{path.stem}-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        wb.save(tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        written = file_sha256(tmp)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    return written
