"""People's columns and sheets in the register, carried into each rewrite on the fast path (issue 16).

``people_edits`` finds what people added (a column typed into a sheet, a sheet of their own); this module holds it
(``PeopleWork``) and puts it into the register being written: the frame openpyxl builds gets each added column
(its header, its width, the Excel table grown over it, its cells unlocked so people can go on typing there) and
each added sheet, and ``sheet_rows.fill_frame`` writes the column's values beside each row's own, matched by the
row's key (its first column). A column of dates stays a column of dates (``column_kind``); any other value is
written as it was read (text stays text, never a formula; numbers stay numbers). What Excel cannot hold is cleaned
as in every other cell (``sheet_rows.clean_text``).

A watcher keeps the ``PeopleWork`` of its last write, so while the file on disk is the one it wrote, the next write
carries the same values without reading the register again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import TableColumn
from openpyxl.worksheet.worksheet import Worksheet

from processors.register.columns import DATE, DATETIME, TEXT, Column, Sheet
from processors.register.edits import as_text
from processors.register.sheet_rows import cell_value
from processors.register.style import DATE_FORMAT, DATETIME_FORMAT, UNLOCKED


@dataclass(frozen=True)
class CarriedColumns:
    """The columns people added to one sheet, and what they typed there, by row key."""

    headers: tuple[str, ...]
    kinds: tuple[str, ...]            # DATE, DATETIME or TEXT for each column (the values decide)
    values: dict[str, tuple]          # row key -> the row's values in these columns (rows with something only)

    @property
    def blank(self) -> tuple:
        return (None,) * len(self.headers)


@dataclass
class PeopleWork:
    """Everything people added that a rewrite carries: columns by sheet title, and whole sheets (values)."""

    columns: dict[str, CarriedColumns] = field(default_factory=dict)
    sheets: dict[str, list[tuple]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns or self.sheets)

    @property
    def titles(self) -> list[str]:
        """The sheets of the register that hold people's work (read again when nothing else changed)."""
        return sorted({*self.columns, *self.sheets})

    def fits(self, rows: dict[str, list[tuple]]) -> bool:
        """True when every row holding a carried value is still in ``rows``: nothing would be lost."""
        for title, carried in self.columns.items():
            if not {key for _row, key in keyed(rows.get(title) or ())}.issuperset(carried.values):
                return False
        return True


def row_key(row: tuple) -> str:
    """A row's key as people's values are matched by it: its first cell, as text."""
    return as_text(row[0]) if row else ""


def keyed(rows: Iterable[tuple]) -> Iterator[tuple[tuple, str]]:
    """Each row with its ``row_key`` (the register's own IDs are text: taken the quick way, 30,000 rows a write)."""
    for row in rows:
        first = row[0] if row else None
        yield row, first.strip() if first.__class__ is str else row_key(row)


def column_kind(values: Iterable[object]) -> str:
    """DATE (DATETIME when some have a time) for a column of dates, perhaps with words among them ("TBC"): its
    cells are shown as dates. TEXT for anything else, and for dates mixed with numbers (the numbers would show as
    dates): there a date is written as text, dd/mm/yyyy."""
    dates = numbers = False
    with_time = False
    for value in values:
        if isinstance(value, date):
            dates = True
            with_time = with_time or isinstance(value, datetime)
        elif isinstance(value, (int, float)):
            numbers = True
    if dates and not numbers:
        return DATETIME if with_time else DATE
    return TEXT


def _none(_record: object) -> None:
    return None


def widened(spec: Sheet, carried: CarriedColumns) -> Sheet:
    """``spec`` with the carried columns after its own (for ``fill_frame``: their letters and kinds)."""
    extra = tuple(Column(h, _none, k) for h, k in zip(carried.headers, carried.kinds))
    return replace(spec, columns=spec.columns + extra)


def with_carried(rows: Iterable[tuple], carried: CarriedColumns) -> Iterator[tuple]:
    """Each row with its carried values after it (blank for a row nobody typed against)."""
    values, blank = carried.values, carried.blank
    for row, key in keyed(rows):
        yield row + values.get(key, blank)


def _as_cell(cell: Cell, value: object) -> None:
    """Put a carried value into an openpyxl cell: text cleaned and never a formula."""
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def add_to_frame(wb: Workbook, work: PeopleWork, rows: dict[str, list[tuple]]) -> None:
    """Give the frame ``wb`` people's columns (header, width, table, unlocked cells, the first row's values) and
    people's sheets; ``fill_frame`` then writes the columns' values on every row."""
    for title, carried in work.columns.items():
        if title in wb.sheetnames:
            _add_columns(wb[title], carried, (rows.get(title) or [()])[0])
    for title, sheet_rows in work.sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(sheet_rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    _as_cell(ws.cell(row=r, column=c), value)


def _add_columns(ws: Worksheet, carried: CarriedColumns, first_row: tuple) -> None:
    first = ws.max_column + 1
    firsts = carried.values.get(row_key(first_row), carried.blank) if first_row else carried.blank
    formats = {DATE: DATE_FORMAT, DATETIME: DATETIME_FORMAT}
    for offset, (header, kind, value) in enumerate(zip(carried.headers, carried.kinds, firsts)):
        column = first + offset
        letter = get_column_letter(column)
        ws.cell(row=1, column=column, value=header)
        cell = ws.cell(row=2, column=column)
        _as_cell(cell, value)
        cell.protection = UNLOCKED  # people typed here: they go on typing here
        if kind in formats:
            cell.number_format = formats[kind]
        ws.column_dimensions[letter].width = max(12, len(header) + 4)
        ws.column_dimensions[letter].protection = UNLOCKED
    last = get_column_letter(first + len(carried.headers) - 1)
    for table in ws.tables.values():  # the table (and the printed page) grow to hold people's columns
        start, end = table.ref.split(":")
        end_row = "".join(c for c in end if c.isdigit())
        table.ref = f"{start}:{last}{end_row}"
        ws.print_area = f"A1:{last}{end_row}"
        ids = len(table.tableColumns)
        table.tableColumns += [TableColumn(id=ids + n, name=h) for n, h in enumerate(carried.headers, start=1)]
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
