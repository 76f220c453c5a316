"""Building the register workbook from the store's rows, and saving it over the old one in one step."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from processors.errors import RegisterLockedError
from processors.files import sha256_of
from processors.register import style
from processors.register.columns import DATE, DATETIME, MAX_WIDTH, SHEETS, WIDTH_SAMPLE, Sheet
from processors.register.guide import write_guide
from processors.register.overview import OverviewFigures, write_overview
from processors.register.progress import Snapshot
from processors.register.sheet_rows import cell_value


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
    ref = f"A1:{get_column_letter(len(spec.columns))}{max(data_rows, 1) + 1}"
    table = Table(displayName=spec.table, ref=ref, autoFilter=AutoFilter(ref=ref))
    # named here: left empty, openpyxl reads the header from every cell of the table's range when saving
    table.tableColumns = [TableColumn(id=i, name=header) for i, header in enumerate(spec.headers, start=1)]
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


def write_sheet(ws: Worksheet, spec: Sheet, rows: list[tuple], frame: bool = False, count: int | None = None) -> None:
    """The sheet with its rows, or (``frame``) with only its first row but everything else sized for all of
    them: ``sheet_rows.fill_frame`` puts the rows in afterwards. ``count``: how many rows the sheet has, when
    ``rows`` are only its first ones (a frame; the column widths are fitted to them)."""
    ws.title = spec.title
    ws.append(spec.headers)
    _append_rows(ws, rows[:1] if frame else rows)
    count = len(rows) if count is None else count
    last_row = max(count, 1) + 1
    style.style_data_cells(ws, spec, 2 if frame else last_row)
    _add_table(ws, spec, count)
    ws.freeze_panes = "A2"
    _set_widths(ws, spec, rows)
    style.add_grade_colours(ws, spec, last_row)
    style.add_overdue_highlights(ws, spec, last_row)
    style.add_status_dropdown(ws, spec, last_row + style.EXTRA_ROWS)
    style.mark_edited_columns(ws, spec)
    style.protect(ws)
    style.set_print(ws, get_column_letter(len(spec.columns)), last_row)


def build_workbook(rows: dict[str, list[tuple]], snapshot: Snapshot | None = None, frame: bool = False,
                   counts: dict[str, int] | None = None, overview: OverviewFigures | None = None) -> Workbook:
    """The register: the Overview (from ``snapshot``, or its figures ``overview``, when given), How to use, then
    each sheet's rows (only the first of each with ``frame``). ``counts``: each sheet's number of rows, when
    ``rows`` holds only each sheet's first rows (a frame)."""
    wb = Workbook()
    wb.remove(wb.active)
    if snapshot is not None or overview is not None:
        write_overview(wb.create_sheet(), snapshot, overview)
    write_guide(wb.create_sheet())
    for spec in SHEETS:
        count = counts.get(spec.title, 0) if counts is not None else None
        if not spec.optional or rows.get(spec.title):
            write_sheet(wb.create_sheet(), spec, rows.get(spec.title, []), frame, count)
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


@contextmanager
def _scratch(path: Path, kind: str) -> Iterator[Path]:
    """A scratch file beside ``path`` (so the final move is one step on one disk), removed unless moved."""
    fd, name = tempfile.mkstemp(prefix=f".~{path.stem}-{kind}", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(name)
    finally:
        with suppress(OSError):
            Path(name).unlink()


def save_atomically(wb: Workbook, path: Path, fill: Callable[[Path, Path], None] | None = None) -> str:
    """Save beside the register, then move over it in one step; on any failure the old file is untouched.
    ``fill(frame, target)``: ``wb`` is a frame (``build_workbook(frame=True)``); it is saved to a scratch file
    from which ``fill`` writes the register with its rows (``sheet_rows.fill_frame``).

    Returns the sha256 of what was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _scratch(path, "") as tmp:
        if fill is None:
            wb.save(tmp)
        else:
            with _scratch(path, "frame-") as frame:
                wb.save(frame)
                fill(frame, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        written = file_sha256(tmp)
        os.replace(tmp, path)
    return written
