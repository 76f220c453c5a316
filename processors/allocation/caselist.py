"""Reading and writing the tabular inputs: case lists, allocation lists and the auditor pool.

The Business Intelligence team exports these from the case-management system as CSV or Excel
(.xlsx); the suffix decides which. Header names are matched ignoring case, spaces and punctuation
("Case ID", "case id" and "CASE_ID" are the same column); extra columns are ignored. Row numbers in
messages are the ones a person sees in Excel: the header is row 1.

Every problem stops with one :class:`InputFileError` line naming the file, the row and the column,
what is wrong and what to do. Messages name cases by case ID, never by a child's initials.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from processors.dates import DATE_FORMAT_EXCEL, uk_date, uk_text
from processors.errors import InputFileError
from processors.forms.definitions import FORM_TYPES, form_type
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.vocabulary import (
    CHILD_IN_NEED,
    CHILD_LOOKED_AFTER,
    CHILD_PROTECTION,
    CP_CHAIR,
    EARLY_HELP,
    IRO,
    LEGAL_STATUSES,
    ROLES,
)
from processors.mail.addresses import AddressProblem, parse_address

CASE_COLUMNS: tuple[str, ...] = (
    "Case ID", "Child initials", "Age", "Legal status", "Service", "Team", "Practitioner", "Team manager",
)
LAST_AUDITED = "Last audited"
IRO_COLUMN, CP_CHAIR_COLUMN = "IRO", "CP Chair"   # optional: who reviews the case, so never audits it
OPTIONAL_CASE_COLUMNS: tuple[str, ...] = (LAST_AUDITED, IRO_COLUMN, CP_CHAIR_COLUMN)
ALLOCATION_COLUMNS: tuple[str, ...] = (
    "Form ID", "Form type", "Cycle", "Auditor", "Auditor email", "Auditor role", "Theme", "Due date",
)
POOL_COLUMNS: tuple[str, ...] = ("Auditor ID", "Name", "Role", "Service", "Team", "Email", "Line manager ID")

MAX_AGE = 25  # care leavers are supported up to 25
SUFFIXES = (".csv", ".xlsx", ".xlsm")

_ROLE_ALIASES = {
    "independent reviewing officer": IRO,
    "child protection chair": CP_CHAIR,
    "child protection conference chair": CP_CHAIR,
}
_STATUS_ALIASES = {
    "cin": CHILD_IN_NEED,
    "cp": CHILD_PROTECTION,
    "cla": CHILD_LOOKED_AFTER,
    "lac": CHILD_LOOKED_AFTER,
    "looked after child": CHILD_LOOKED_AFTER,
    "eh": EARLY_HELP,
}


def column_key(name: str) -> str:
    """How header names are compared: letters and digits only, any case."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", name).casefold())


def same_text(a: str, b: str) -> bool:
    """Names, teams and services compare ignoring case and repeated spaces."""
    return normalise_text(a) == normalise_text(b)


def normalise_text(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).casefold().split())


# --- the table -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Columns:
    """A list's file name and the header's columns located: what a row needs to read its cells."""

    file: str
    columns: dict[str, int]            # canonical column name -> index in each row

    def has(self, column: str) -> bool:
        return column in self.columns


@dataclass(frozen=True)
class Table(Columns):
    """The cells of the first sheet (or the CSV), with the header's columns located."""

    rows: list[tuple[int, tuple[object, ...]]]  # (Excel row number, cells), blank rows left out


@dataclass(frozen=True)
class TableStream(Columns):
    """The header read; the rows read one at a time as they are asked for (a list of 50,000 rows is never held)."""

    path: Path
    header_row: int
    expected: tuple[str, ...]

    def rows(self) -> Iterator[tuple[int, tuple[object, ...]]]:
        """(Excel row number, cells) of each non-blank row below the header; stops if there is none."""
        found = False
        for number, cells in _numbered_rows(self.path):
            if number > self.header_row:
                found = True
                yield number, cells
        if not found:
            raise InputFileError(self.file, "the file has a header row but no rows below it: add the rows and run "
                                            "again")


@dataclass(frozen=True)
class Row:
    """One data row; its methods turn cells into checked values or a clear error."""

    table: Columns
    number: int
    cells: tuple[object, ...]

    def error(self, column: str | None, problem: str) -> InputFileError:
        return InputFileError(self.table.file, problem, row=self.number, column=column)

    def raw(self, column: str) -> object:
        index = self.table.columns.get(column)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, column: str, required: bool = True) -> str:
        value = _cell_text(self.raw(column))
        if required and not value:
            raise self.error(column, f"'{column}' is empty: fill it in and run again")
        return value

    def date(self, column: str) -> date | None:
        value = self.raw(column)
        if isinstance(value, date):
            return uk_date(value)
        text = _cell_text(value)
        if not text:
            return None
        parsed = uk_date(text)
        if parsed is None:
            raise self.error(column, f"'{text}' is not a date: write it as dd/mm/yyyy, for example 07/03/2025")
        return parsed

    def age(self, column: str) -> int:
        text = self.text(column)
        number: float | None
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer() or not 0 <= number <= MAX_AGE:
            raise self.error(column, f"'{text}' is not an age: give the child's age in whole years, 0 to {MAX_AGE}")
        return int(number)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return uk_text(value)
    return " ".join(str(value).split())


def read_table(path: Path | str, expected: Sequence[str], optional: Sequence[str] = ()) -> Table:
    """The file's header and non-blank rows; stops if the file or a required column is missing."""
    stream = open_table(path, expected, optional)
    return Table(stream.file, stream.columns, list(stream.rows()))


def open_table(path: Path | str, expected: Sequence[str], optional: Sequence[str] = ()) -> TableStream:
    """The file's header, checked now; its rows read lazily by ``rows()`` (the file is read again for them)."""
    path = Path(path)
    rows = _numbered_rows(path)
    try:
        first = next(rows, None)
    finally:
        rows.close()  # the header only: the workbook is closed again at once
    if first is None:
        raise InputFileError(path.name, f"the file is empty: it needs a header row ({', '.join(expected)}) "
                                        "and at least one row below it")
    header_number, header = first
    columns = _locate_columns(path.name, header_number, header, (*expected, *optional))
    for name in expected:
        if name not in columns:
            raise InputFileError(path.name, f"column '{name}' is missing: the first row must name the columns "
                                            f"{', '.join(expected)}", row=header_number, column=name)
    return TableStream(path.name, columns, path, header_number, tuple(expected))


def _numbered_rows(path: Path) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number as Excel shows it, cells) of every non-blank row, read one at a time."""
    for number, cells in enumerate(iter_grid(path), start=1):
        if any(_cell_text(c) for c in cells):
            yield number, tuple(cells)


def _locate_columns(file: str, row: int, header: tuple[object, ...], wanted: Sequence[str]) -> dict[str, int]:
    by_key = {column_key(name): name for name in wanted}
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = by_key.get(column_key(_cell_text(cell)))
        if name is None:
            continue
        if name in columns:
            raise InputFileError(file, f"column '{name}' appears twice (columns {_letter(columns[name])} and "
                                       f"{_letter(index)}): keep one and run again", row=row, column=name)
        columns[name] = index
    return columns


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def read_grid(path: Path) -> list[list[object]]:
    """Every row of the CSV file or of the workbook's first sheet, as cell values."""
    return list(iter_grid(path))


def iter_grid(path: Path) -> Iterator[list[object]]:
    """Every row of the CSV file or of the workbook's first sheet, read one at a time (bounded memory)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        kind = f"a {suffix} file" if suffix else "a file with no .csv or .xlsx ending"
        raise InputFileError(path.name, f"is {kind}: give a list saved from Excel as .xlsx or as CSV (.csv)")
    if not path.is_file():
        raise InputFileError(path.name, f"file not found at {path}: check the path and run again")
    try:
        yield from (_read_csv(path) if suffix == ".csv" else _read_xlsx(path))
    except OSError as exc:
        raise InputFileError(path.name, f"cannot be read ({exc.strerror or type(exc).__name__}): check you may "
                                        "open it, close it in other programs and run again") from None


_CHUNK = 1 << 20


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM) unless a byte says otherwise; checked in chunks, never the whole file at once."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with path.open("rb") as handle:
        first = True
        while chunk := handle.read(_CHUNK):
            if first and chunk.startswith(b"PK\x03\x04"):
                raise InputFileError(path.name, "is an Excel workbook with a .csv name: rename it to .xlsx and run "
                                                "again")
            first = False
            if b"\x00" in chunk:
                raise InputFileError(path.name, "is not a text CSV file: save the list from Excel as 'CSV UTF-8' "
                                                "and run again")
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return "utf-8-sig" if utf8 else "cp1252"  # cp1252: Excel's plain 'CSV (Comma delimited)' on Windows


def _read_csv(path: Path) -> Iterator[list[object]]:
    encoding = _csv_encoding(path)
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        first = handle.readline()
        delimiter = max((",", ";", "\t"), key=first.count)
        handle.seek(0)
        yield from csv.reader(handle, delimiter=delimiter)


def _read_xlsx(path: Path) -> Iterator[list[object]]:
    if not zipfile.is_zipfile(path):
        raise InputFileError(path.name, "is not a real Excel workbook (it may be renamed, damaged or still "
                                        "downloading): open it in Excel, save it as .xlsx and run again")
    try:  # read-only: rows are parsed as they are asked for, never the whole sheet at once
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise _not_a_workbook(path, exc) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some exporters write a wrong used range: read every row there is
        rows = sheet.iter_rows(min_row=1, values_only=True)
        while True:
            try:
                row = next(rows, None)
            except (KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError) as exc:
                raise _not_a_workbook(path, exc) from None
            if row is None:
                return
            yield list(row)
    finally:
        workbook.close()


def _not_a_workbook(path: Path, exc: Exception) -> InputFileError:
    return InputFileError(path.name, f"cannot be read as an Excel workbook ({type(exc).__name__}): open it in "
                                     "Excel, save it as .xlsx and run again")


# --- case lists ------------------------------------------------------------------------------

def read_cases(path: Path | str) -> list[Case]:
    """The Business Intelligence team's case list; stops at the first problem with one clear line."""
    table = read_table(path, CASE_COLUMNS, OPTIONAL_CASE_COLUMNS)
    cases = [_case(Row(table, n, cells)) for n, cells in table.rows]
    _reject_duplicates(table, [(c.case_id, c.case_id.casefold(), n) for c, (n, _) in zip(cases, table.rows)],
                       "Case ID", "case ID {} is listed twice (rows {} and {}): each case must appear once")
    return cases


def _case(row: Row) -> Case:
    return Case(
        case_id=row.text("Case ID"),
        child_initials=row.text("Child initials"),
        child_age=row.age("Age"),
        legal_status=_legal_status(row),
        service=row.text("Service"),
        team=row.text("Team"),
        practitioner=row.text("Practitioner"),
        team_manager=row.text("Team manager"),
        last_audited=row.date(LAST_AUDITED),
        iro=_person_name(row, IRO_COLUMN),
        cp_chair=_person_name(row, CP_CHAIR_COLUMN),
    )


def _person_name(row: Row, column: str) -> str:
    """A person's name as the auditor pool spells it (empty when not given); a number, date or address stops."""
    value = row.raw(column)
    text = _cell_text(value)
    if not text:
        return ""
    if "@" in text:
        raise row.error(column, f"'{text}' is an email address: give the {column}'s name as the auditor pool "
                                "spells it, or leave it empty")
    if isinstance(value, (int, float, date)) or not any(ch.isalpha() for ch in text):
        raise row.error(column, f"'{text}' is not a name: give the {column}'s name as the auditor pool spells it, "
                                "or leave it empty")
    return text


def _legal_status(row: Row) -> str:
    return _one_of(row, "Legal status", row.text("Legal status"), LEGAL_STATUSES, _STATUS_ALIASES, "legal status")


def _one_of(row: Row, column: str, text: str, choices: Sequence[str], aliases: dict[str, str], what: str) -> str:
    """The canonical spelling of `text` among `choices` (or a known alias); otherwise one clear error."""
    wanted = normalise_text(text)
    for choice in choices:
        if normalise_text(choice) == wanted:
            return choice
    if wanted in aliases:
        return aliases[wanted]
    raise row.error(column, f"unknown {what} '{text}': use one of {', '.join(choices)}")


def _reject_duplicates(table: Columns, keys: Iterable[tuple[str, object, int]], column: str, message: str) -> None:
    """Stop at the second row with the same key; ``keys`` are (value shown, key compared, row number)."""
    seen = _FirstSeen(table, column, message)
    for shown, key, number in keys:
        seen.check(shown, key, number)


# --- allocation lists ------------------------------------------------------------------------

def read_work_items(path: Path | str, cycle_id: str, default_form_type: str | None) -> list[WorkItem]:
    """A case list or an allocation list: one work item (form to generate) per row.

    A plain case list needs ``default_form_type`` (every row becomes that form); an allocation list
    names each row's form type. ``cycle_id`` is the cycle of rows with no Cycle of their own.
    """
    return list(open_work_items(path, cycle_id, default_form_type))


def open_work_items(path: Path | str, cycle_id: str, default_form_type: str | None) -> WorkItemList:
    """Like :func:`read_work_items`, but the rows are read, checked and handed on one at a time.

    The header and the form type are checked now; a bad row stops the iteration with the same one-line
    error, naming the file, the row and the column.
    """
    table = open_table(path, CASE_COLUMNS, (*OPTIONAL_CASE_COLUMNS, *ALLOCATION_COLUMNS))
    return WorkItemList(table, cycle_id, _default_form_type(table, default_form_type))


@dataclass(frozen=True)
class WorkItemList:
    """The work items of a case or allocation list, read lazily; only IDs are kept, to refuse duplicates."""

    table: TableStream
    cycle_id: str
    default_type: str

    def __iter__(self) -> Iterator[WorkItem]:
        form_ids = _FirstSeen(self.table, "Form ID", "form ID {} is listed twice (rows {} and {}): each form needs "
                                                     "its own ID")
        cases = _FirstSeen(self.table, "Case ID", "case ID {} is listed twice for the same form type (rows {} and "
                                                  "{}): list each case once per form")
        for number, cells in self.table.rows():
            item = _work_item(Row(self.table, number, cells), self.cycle_id, self.default_type)
            if item.form_id:
                form_ids.check(item.form_id, item.form_id.casefold(), number)
            else:
                cases.check(item.case.case_id, (item.case.case_id.casefold(), item.form_type), number)
            yield item

    def listed_form_ids(self) -> set[str]:
        """Every form ID the list gives (read again, the Form ID column only): so no other row is given one."""
        if not self.table.has("Form ID"):
            return set()
        ids = {Row(self.table, n, cells).text("Form ID", required=False) for n, cells in self.table.rows()}
        return ids - {""}


class _FirstSeen:
    """The row each key was first seen on; the second row with the same key stops with one clear line."""

    def __init__(self, table: Columns, column: str, message: str) -> None:
        self.table, self.column, self.message = table, column, message
        self.seen: dict[object, int] = {}

    def check(self, shown: str, key: object, number: int) -> None:
        first = self.seen.setdefault(key, number)
        if first != number:
            raise InputFileError(self.table.file, self.message.format(shown, first, number), row=number,
                                 column=self.column)


def _default_form_type(table: Columns, name: str | None) -> str:
    if name is None:
        if not table.has("Form type"):
            raise InputFileError(table.file, "there is no 'Form type' column: add one (Supervision File Audit, "
                                             "Observation of Practice, Thematic Peer Audit or Good Practice "
                                             "Evidence Record) or pass --type", column="Form type")
        return ""
    try:
        return form_type(name).key
    except KeyError:
        raise InputFileError(table.file, f"unknown form type '{name}': use one of {_form_type_names()}") from None


def _form_type_names() -> str:
    return ", ".join(f"{d.title} ({d.key})" for d in FORM_TYPES.values())


def _work_item(row: Row, cycle_id: str, default_type: str) -> WorkItem:
    return WorkItem(
        form_type=_row_form_type(row, default_type),
        case=_case(row),
        cycle_id=_row_cycle(row, cycle_id),
        form_id=row.text("Form ID", required=False),
        auditor=row.text("Auditor", required=False),
        auditor_email=_email(row, "Auditor email", required=False),
        auditor_role=_role(row, "Auditor role", required=False),
        theme=row.text("Theme", required=False),
        due_date=row.date("Due date"),
        source_row=row.number,
    )


def _row_form_type(row: Row, default_type: str) -> str:
    text = row.text("Form type", required=not default_type)
    if not text:
        return default_type
    try:
        return form_type(text).key
    except KeyError:
        raise row.error("Form type", f"unknown form type '{text}': use one of {_form_type_names()}") from None


def _row_cycle(row: Row, cycle_id: str) -> str:
    """The row's own cycle wins (an allocation made for the next cycle stays in it); else ``cycle_id``."""
    return row.text("Cycle", required=False) or cycle_id


def _email(row: Row, column: str, required: bool = True) -> str:
    text = row.text(column, required=required)
    if not text:
        return text
    try:
        return parse_address(text)
    except AddressProblem as exc:
        raise row.error(column, f"{exc}, then run again") from None


def _role(row: Row, column: str, required: bool = True) -> str:
    text = row.text(column, required=required)
    return _one_of(row, column, text, ROLES, _ROLE_ALIASES, "role") if text else ""


# --- the auditor pool ------------------------------------------------------------------------

def read_pool(path: Path | str) -> list[Auditor]:
    """The auditor pool; stops on unknown roles, auditors in no team, duplicates and broken line management."""
    table = read_table(path, POOL_COLUMNS)
    auditors = [_auditor(Row(table, n, cells)) for n, cells in table.rows]
    numbers = [n for n, _ in table.rows]
    _reject_duplicates(table, [(a.auditor_id, a.auditor_id.casefold(), n) for a, n in zip(auditors, numbers)],
                       "Auditor ID",
                       "auditor ID {} is used twice (rows {} and {}): give each auditor their own ID")
    _reject_duplicates(table, [(a.email, a.email.casefold(), n) for a, n in zip(auditors, numbers)], "Email",
                       "email {} is used twice (rows {} and {}): each auditor needs their own address")
    _check_line_managers(table, auditors, numbers)
    by_id = {a.auditor_id.casefold(): a.auditor_id for a in auditors}
    return [replace(a, manager_id=by_id.get(a.manager_id.casefold(), "")) for a in auditors]


def _auditor(row: Row) -> Auditor:
    team = row.text("Team", required=False)
    if not team:
        raise row.error("Team", "this auditor is in no team: give their team (managers and senior leaders: the "
                                "unit they lead)")
    return Auditor(
        auditor_id=row.text("Auditor ID"),
        name=row.text("Name"),
        role=_role(row, "Role"),
        service=row.text("Service"),
        team=team,
        email=_email(row, "Email"),
        manager_id=row.text("Line manager ID", required=False),
    )


def _check_line_managers(table: Table, auditors: list[Auditor], numbers: list[int]) -> None:
    by_id = {a.auditor_id.casefold(): a for a in auditors}
    for auditor, number in zip(auditors, numbers):
        boss = auditor.manager_id.casefold()
        if not boss:
            continue
        if boss not in by_id:
            raise InputFileError(table.file, f"line manager ID {auditor.manager_id} is not an auditor ID in the "
                                             "pool: correct it or leave it empty", row=number, column="Line manager ID")
        chain = _chain(auditor, by_id)
        if chain:
            raise InputFileError(table.file, f"line management goes round in a circle ({' -> '.join(chain)}): "
                                             "correct the line manager IDs", row=number, column="Line manager ID")


def _chain(start: Auditor, by_id: dict[str, Auditor]) -> list[str]:
    """The IDs round a line-management loop starting at ``start``, or [] if the chain ends."""
    seen = [start.auditor_id]
    current = start
    while current.manager_id:
        current = by_id.get(current.manager_id.casefold())
        if current is None:
            return []
        if current.auditor_id == start.auditor_id:
            return [*seen, current.auditor_id]
        if current.auditor_id in seen:
            return []  # a loop further up: reported on the row of an auditor inside it
        seen.append(current.auditor_id)
    return []


# --- writing ---------------------------------------------------------------------------------

def case_cells(case: Case) -> list[object]:
    return [case.case_id, case.child_initials, case.child_age, case.legal_status, case.service, case.team,
            case.practitioner, case.team_manager, case.last_audited, case.iro, case.cp_chair]


def pool_cells(auditor: Auditor) -> list[object]:
    return [auditor.auditor_id, auditor.name, auditor.role, auditor.service, auditor.team, auditor.email,
            auditor.manager_id]


def allocation_cells(item: WorkItem) -> list[object]:
    definition = form_type(item.form_type)
    return [item.form_id, definition.title, item.cycle_id, *case_cells(item.case), item.auditor,
            item.auditor_email, item.auditor_role, item.theme, item.due_date]


ALLOCATION_HEADER: tuple[str, ...] = (
    "Form ID", "Form type", "Cycle", *CASE_COLUMNS, *OPTIONAL_CASE_COLUMNS,
    "Auditor", "Auditor email", "Auditor role", "Theme", "Due date",
)


def write_cases(path: Path | str, cases: Sequence[Case]) -> None:
    write_table(path, (*CASE_COLUMNS, *OPTIONAL_CASE_COLUMNS), [case_cells(c) for c in cases], sheet="Cases")


def write_pool(path: Path | str, auditors: Sequence[Auditor]) -> None:
    write_table(path, POOL_COLUMNS, [pool_cells(a) for a in auditors], sheet="Auditor pool")


@dataclass(frozen=True)
class Sheet:
    """A further sheet of an .xlsx file (a CSV file has only the first table)."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[object]]


def write_allocation(path: Path | str, items: Sequence[WorkItem], extra: Sequence[Sheet] = ()) -> None:
    """The cycle's allocation, as CSV or .xlsx; :func:`read_work_items` reads it back unchanged (first sheet)."""
    write_table(path, ALLOCATION_HEADER, [allocation_cells(i) for i in items], sheet="Allocation", extra=extra)


def write_table(path: Path | str, header: Sequence[str], rows: Sequence[Sequence[object]],
                sheet: str = "Sheet1", extra: Sequence[Sheet] = ()) -> None:
    """Write rows as CSV (UTF-8 with a BOM, so Excel shows accents) or .xlsx, replacing the file whole.

    ``extra`` sheets follow the first in an .xlsx file; a CSV file holds the first table only.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputFileError(path.name, "can only be written as .csv or .xlsx: choose a name ending in one of them")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    try:
        if suffix == ".csv":
            _write_csv(temp, header, rows)
        else:
            _write_xlsx(temp, [Sheet(sheet, header, rows), *extra])
        os.replace(temp, path)
    except PermissionError:
        temp.unlink(missing_ok=True)
        raise InputFileError(path.name, "cannot be written (is it open in Excel?): close it and run again") from None


def _write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([_cell_text(v) for v in row] for row in rows)


def _write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        _fill_sheet(workbook.create_sheet(sheet.name), sheet.header, sheet.rows)
    workbook.save(path)


def _fill_sheet(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([None if v == "" else v for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, even if it starts with '='
            elif isinstance(cell.value, (date, datetime)):
                cell.number_format = DATE_FORMAT_EXCEL
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for index, name in enumerate(header):
        ws.column_dimensions[_letter(index)].width = max(12, len(name) + 4)
