"""``python run.py import KIND FILE``: check an export against its kind's columns and store its rows.

The file is read as the case list is (``processors.allocation.caselist``: CSV or .xlsx, header row, blank rows
left out); every problem stops the import with one line naming the file, the row and the column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from processors.allocation.caselist import Row, read_table
from processors.assurance.kinds import DATE, NUMBER, PERCENT, Column, ImportKind, kind_named
from processors.config.settings import Settings
from processors.errors import RegisterLockedError
from processors.register.workbook import write_register
from processors.store.assurance import AssuranceRow, replace_rows
from processors.store.database import Store


@dataclass(frozen=True)
class ImportResult:
    kind: ImportKind
    file: Path
    rows: int
    problems: tuple[str, ...] = ()

    def summary_lines(self) -> list[str]:
        return [f"{self.rows} row(s) of {self.kind.title} imported from {self.file.name} "
                f"(register sheet '{self.kind.sheet}')", *(f"Note: {p}" for p in self.problems)]


def _number(row: Row, column: Column) -> float | None:
    text = row.text(column.name, column.required).replace(",", "")
    if not text:
        return None
    if column.kind == PERCENT:
        text = text.rstrip("%").strip()
    try:
        value = float(text)
    except ValueError:
        raise row.error(column.name, f"'{text}' is not a number: give a number"
                        + (" (a percentage such as 72 or 72%)" if column.kind == PERCENT else "")) from None
    if column.kind == PERCENT and not 0 <= value <= 100:
        raise row.error(column.name, f"{value:g}% is not a percentage between 0 and 100")
    return value


def _value(row: Row, column: Column) -> object:
    if column.kind == DATE:
        day = row.date(column.name)
        if day is None and column.required:
            raise row.error(column.name, f"'{column.name}' is empty: give a date as dd/mm/yyyy")
        return day
    if column.kind in (NUMBER, PERCENT):
        return _number(row, column)
    text = row.text(column.name, column.required)
    if column.choices and text:
        match = next((c for c in column.choices if c.casefold() == text.casefold()), None)
        if match is None:
            raise row.error(column.name, f"'{text}' is not one of {', '.join(column.choices)}: use one of them")
        return match
    return text


def read_export(kind: ImportKind, path: Path) -> list[AssuranceRow]:
    required = [c.name for c in kind.columns if c.required]
    optional = [c.name for c in kind.columns if not c.required]
    table = read_table(path, required, optional)
    rows = []
    for number, cells in table.rows:
        row = Row(table, number, cells)
        values = {c.name: _value(row, c) for c in kind.columns}
        rows.append(AssuranceRow(kind.key, path.name, number, values[kind.period_column], values))  # type: ignore[arg-type]
    return rows


def import_export(settings: Settings, kind_name: str, path: Path) -> ImportResult:
    kind = kind_named(kind_name)
    rows = read_export(kind, path)
    problems: list[str] = []
    with Store(settings.path("database")) as store:
        count = replace_rows(store, kind.key, path.name, rows)
        try:
            write_register(store, settings.path("register"))
        except RegisterLockedError as exc:
            problems.append(f"the register will show them on the next run: {exc}")
    return ImportResult(kind, path, count, tuple(problems))
