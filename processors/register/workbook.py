"""The Excel register: a view of the store, plus the columns people edit.

``write_register`` first reads back what people typed in the Actions sheet (Status, Completed on,
Notes, found by Action ID and by header name, so sorted rows and moved columns are fine), stores it,
then writes every sheet afresh to a temporary file beside the register and moves it over the old one
in one step. A register that is open in Excel or read-only is left exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from processors.assurance.sheets import assurance_sheets
from processors.errors import RegisterLockedError
from processors.forms.definitions import FORM_TYPES, GRADES
from processors.store.database import REGISTER_DIRTY, Store
from processors.store.records import (
    ACTION_STATUSES,
    ActionEdit,
    ActionRecord,
    EscalationEdit,
    EscalationRecord,
    normalise_status,
)

TEXT, DATE, DATETIME, NUMBER, GRADE, STATUS = "text", "date", "datetime", "number", "grade", "status"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
EXTRA_ROWS = 500            # rows below the data that keep the Status dropdown, for rows people add
MAX_WIDTH, WIDTH_SAMPLE = 60, 300
GRADE_COLOURS = {           # fill, font: Excel's own good / neutral / bad palette
    "Outstanding": ("C6EFCE", "006100"),
    "Good": ("E2EFDA", "375623"),
    "Requires Improvement": ("FFEB9C", "9C5700"),
    "Inadequate": ("FFC7CE", "9C0006"),
}
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EXCEL_CELL_LIMIT = 32767
REGISTER_SHA256 = "register_sha256"  # state: content of the register as we last wrote it


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int | None = None  # None: fit to the contents


@dataclass(frozen=True)
class SheetSpec:
    title: str
    table: str
    columns: tuple[Column, ...]
    rows: Callable[[Store], list[tuple]]


@dataclass
class RegisterReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # data rows written, by sheet
    edits_applied: int = 0                               # actions whose Status/Completed on/Notes changed
    warnings: list[str] = field(default_factory=list)    # things in the old register we could not use
    seconds: float = 0.0


# --- what each sheet shows ----------------------------------------------------------------------

def _title(form_type: str) -> str:
    definition = FORM_TYPES.get(form_type)
    return definition.title if definition else form_type


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def _form_rows(store: Store) -> list[tuple]:
    return [(f.form_id, _title(f.form_type), f.case_id, f.practitioner, f.auditor, f.overall_grade,
             _yes(f.immediate_concern), f.received, f.version, f.source_file, f.cycle_id, f.service, f.team,
             f.theme, _yes(f.matched), "; ".join(f.warnings)) for f in store.forms()]


def _grade_rows(store: Store) -> list[tuple]:
    return [(g.form_id, g.domain_label, g.grade, _title(g.form_type), g.case_id, g.service, g.team, g.received)
            for g in store.grades()]


def _action_rows(store: Store) -> list[tuple]:
    return [(a.action_id, a.form_id, a.text, a.owner, a.due, a.status, a.completed_on, a.notes, a.last_chased,
             a.case_id, a.team) for a in store.actions()]


def _escalation_rows(store: Store) -> list[tuple]:
    return [(e.form_id, _title(e.form_type), e.case_id, e.practitioner, e.auditor, e.service, e.team, e.details,
             e.route, e.raised, e.version, _yes(e.current), e.notified_at, e.resolved_on, e.outcome)
            for e in store.escalations()]


def _good_practice_rows(store: Store) -> list[tuple]:
    return [(g.form_id, g.practitioner, g.team, g.service, g.nominated_by, g.summary, g.difference,
             ", ".join(g.trust_values), g.senior_leader, g.share_across_workforce, g.recorded, _yes(g.current),
             g.notified_at) for g in store.good_practice()]


def _rejected_rows(store: Store) -> list[tuple]:
    return [(r.file, r.received, r.reason) for r in store.rejections()]


def _sent_rows(store: Store) -> list[tuple]:
    rows = store.query("SELECT sent_at, kind, subject, recipients, attachments, backend, result FROM sent "
                       "ORDER BY sent_at, id")
    return [(datetime.fromisoformat(sent_at), *rest) for sent_at, *rest in rows]


def _allocation_rows(store: Store) -> list[tuple]:
    chased = store.forms_last_chased()
    return [(a.item.form_id, a.item.cycle_id, _title(a.item.form_type), a.item.case.case_id,
             a.item.case.practitioner, a.item.case.team, a.item.case.service, a.item.auditor, a.item.auditor_role,
             a.item.theme, a.item.due_date, a.generated_at, a.received, a.version or None,
             chased.get(a.item.form_id))
            for a in store.allocations()]


SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("Forms", "Forms", (
        Column("Form ID"), Column("Form type"), Column("Case ID"), Column("Practitioner"), Column("Auditor"),
        Column("Overall grade", GRADE), Column("Immediate concern"), Column("Received", DATETIME),
        Column("Version", NUMBER), Column("Source file", width=40), Column("Cycle"), Column("Service"),
        Column("Team"), Column("Theme"), Column("Matched"), Column("Warnings", width=MAX_WIDTH)), _form_rows),
    SheetSpec("Grades", "Grades", (
        Column("Form ID"), Column("Domain"), Column("Grade", GRADE), Column("Form type"), Column("Case ID"),
        Column("Service"), Column("Team"), Column("Received", DATETIME)), _grade_rows),
    SheetSpec("Actions", "Actions", (
        Column("Action ID"), Column("Form ID"), Column("Action", width=MAX_WIDTH), Column("Owner"),
        Column("Due date", DATE), Column("Status", STATUS, width=16), Column("Completed on", DATE),
        Column("Notes", width=40), Column("Last chased", DATE), Column("Case ID"), Column("Team")), _action_rows),
    SheetSpec("Escalations", "Escalations", (
        Column("Form ID"), Column("Form type"), Column("Case ID"), Column("Practitioner"), Column("Auditor"),
        Column("Service"), Column("Team"), Column("Details", width=MAX_WIDTH), Column("Escalation route"),
        Column("Raised", DATETIME), Column("Version", NUMBER), Column("In current version"),
        Column("Alert sent", DATETIME), Column("Resolved on", DATE), Column("Outcome", width=40)), _escalation_rows),
    SheetSpec("Good practice", "GoodPractice", (
        Column("Form ID"), Column("Practitioner"), Column("Team"), Column("Service"), Column("Nominated by"),
        Column("Good practice", width=MAX_WIDTH), Column("Difference made", width=MAX_WIDTH),
        Column("Trust values", width=40), Column("Senior leader"), Column("Share across workforce"),
        Column("Recorded", DATETIME), Column("In current version"), Column("Thanks sent", DATETIME)),
        _good_practice_rows),
    SheetSpec("Rejected", "Rejected", (
        Column("File", width=40), Column("Received", DATETIME), Column("Reason", width=MAX_WIDTH)), _rejected_rows),
    SheetSpec("Allocations", "Allocations", (
        Column("Form ID"), Column("Cycle"), Column("Form type"), Column("Case ID"), Column("Practitioner"),
        Column("Team"), Column("Service"), Column("Auditor"), Column("Auditor role"), Column("Theme"),
        Column("Due date", DATE), Column("Generated", DATETIME), Column("Returned", DATETIME),
        Column("Version", NUMBER), Column("Last chased", DATE)), _allocation_rows),
)
# Sheets that appear once they have rows: a register that has never emailed anything looks as it always did.
OPTIONAL_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("Sent", "Sent", (
        Column("Sent at", DATETIME), Column("Kind"), Column("Subject", width=50), Column("Recipients", width=50),
        Column("Attachments", width=50), Column("Backend"), Column("Result", width=MAX_WIDTH)), _sent_rows),
    *assurance_sheets(SheetSpec, Column),  # other sources of assurance, once imported (processors.assurance)
)


# --- writing a sheet ----------------------------------------------------------------------------

def clean_text(value: str) -> str:
    """Text Excel can hold: no characters XML forbids, plain line breaks, at most 32,767 characters."""
    return _XML_FORBIDDEN.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))[:_EXCEL_CELL_LIMIT]


def _cell(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


def _append_rows(ws: Worksheet, rows: list[tuple]) -> None:
    """Append rows; strings that look like formulas are kept as text."""
    formula_like: list[tuple[int, int]] = []
    for r, row in enumerate(rows, start=2):
        values = [_cell(v) for v in row]
        formula_like += [(r, c) for c, v in enumerate(values, start=1) if isinstance(v, str) and v.startswith("=")]
        ws.append(values)
    for r, c in formula_like:
        ws.cell(row=r, column=c).data_type = "s"


def _format_dates(ws: Worksheet, spec: SheetSpec, last_row: int) -> None:
    for index, column in enumerate(spec.columns, start=1):
        fmt = {DATE: DATE_FORMAT, DATETIME: DATETIME_FORMAT}.get(column.kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=index, max_col=index):
                cell.number_format = fmt


def _add_table(ws: Worksheet, spec: SheetSpec, data_rows: int) -> str:
    """A real Excel table with filters; an empty sheet gets one blank row, as Excel itself does."""
    ref = f"A1:{get_column_letter(len(spec.columns))}{max(data_rows, 1) + 1}"
    table = Table(displayName=spec.table, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    return ref


def _set_widths(ws: Worksheet, spec: SheetSpec, rows: list[tuple]) -> None:
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


def _column_range(spec: SheetSpec, kind: str, last_row: int) -> list[str]:
    return [f"{get_column_letter(i)}2:{get_column_letter(i)}{last_row}"
            for i, c in enumerate(spec.columns, start=1) if c.kind == kind]


def _add_grade_colours(ws: Worksheet, spec: SheetSpec, last_row: int) -> None:
    for cells in _column_range(spec, GRADE, last_row):
        for grade in GRADES:
            fill, font = GRADE_COLOURS[grade]
            rule = CellIsRule(operator="equal", formula=[f'"{grade}"'], font=Font(color=font),
                              fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid"))
            ws.conditional_formatting.add(cells, rule)


def _add_status_dropdown(ws: Worksheet, spec: SheetSpec, last_row: int) -> None:
    ranges = _column_range(spec, STATUS, last_row)
    if not ranges:
        return
    choices = ", ".join(ACTION_STATUSES[:-1]) + f" or {ACTION_STATUSES[-1]}"
    dv = DataValidation(type="list", formula1='"' + ",".join(ACTION_STATUSES) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Status", error=f"Choose {choices}.")
    ws.add_data_validation(dv)
    for cells in ranges:
        dv.add(cells)


def _write_sheet(ws: Worksheet, spec: SheetSpec, rows: list[tuple]) -> None:
    ws.title = spec.title
    ws.append([c.header for c in spec.columns])
    _append_rows(ws, rows)
    last_row = max(len(rows), 1) + 1
    _format_dates(ws, spec, last_row)
    _add_table(ws, spec, len(rows))
    ws.freeze_panes = "A2"
    _set_widths(ws, spec, rows)
    _add_grade_colours(ws, spec, last_row)
    _add_status_dropdown(ws, spec, last_row + EXTRA_ROWS)


def build_workbook(data: dict[str, list[tuple]]) -> Workbook:
    """The register workbook from the rows of each sheet (by sheet title)."""
    wb = Workbook()
    wb.remove(wb.active)
    for spec in SHEETS:
        _write_sheet(wb.create_sheet(), spec, data.get(spec.title, []))
    for spec in OPTIONAL_SHEETS:
        if data.get(spec.title):
            _write_sheet(wb.create_sheet(), spec, data[spec.title])
    return wb


# --- reading back what people edited ------------------------------------------------------------

def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return from_excel(value).date()
    text = str(value).strip()
    for fmt in ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        with suppress(ValueError):
            return datetime.strptime(text, fmt).date()
    raise ValueError(text)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_map(rows: list[tuple], key: str = "action id") -> tuple[int, dict[str, int]] | None:
    """(row index, {header lower-case: column index}) of the header row (the one naming `key`) among the first rows."""
    for r, row in enumerate(rows):
        names = {_as_text(v).lower(): i for i, v in enumerate(row) if v is not None}
        if key in names:
            return r, names
    return None


def _sheet_rows(path: Path, title: str) -> list[tuple] | None:
    """Every row of one sheet (None when the workbook has no such sheet), whatever size the file claims."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if title not in wb.sheetnames:
            return None
        sheet = wb[title]
        sheet.reset_dimensions()  # do not trust the size the file claims: people add rows and columns
        return list(sheet.iter_rows(values_only=True))
    finally:
        wb.close()


def _typed_date(raw: object, keep: date | None, what: str, where: str, warnings: list[str]) -> date | None:
    """A date people typed (blank clears it); anything else keeps the earlier value, with a warning."""
    try:
        return None if raw is None or _as_text(raw) == "" else _as_date(raw)
    except (ValueError, OverflowError):
        warnings.append(f"{where}: {what} '{_as_text(raw)}' is not a date (use dd/mm/yyyy); kept the earlier value")
        return keep


def _edit_from_row(row: tuple, cols: dict[str, int], current: ActionRecord, where: str,
                   warnings: list[str]) -> ActionEdit:
    def cell(name: str) -> object:
        i = cols.get(name)
        return row[i] if i is not None and i < len(row) else None

    status, completed_on, notes = current.status, current.completed_on, current.notes
    typed = _as_text(cell("status"))
    if typed:
        canonical = normalise_status(typed)
        if canonical is None:
            warnings.append(f"{where}: Status '{typed}' is not one of {', '.join(ACTION_STATUSES)}; "
                            f"kept '{current.status}'")
        status = canonical or status
    if "completed on" in cols:
        completed_on = _typed_date(cell("completed on"), completed_on, "Completed on", where, warnings)
    if "notes" in cols:
        notes = _as_text(cell("notes"))
    return ActionEdit(status, completed_on, notes)


def read_action_edits(path: Path, current: dict[str, ActionRecord]) -> tuple[dict[str, ActionEdit], list[str]]:
    """People's edits in the register's Actions sheet, by Action ID, with warnings about rows not used."""
    rows = _sheet_rows(path, "Actions")
    if rows is None:
        return {}, [f"{path.name} has no Actions sheet: no edits read back"]
    found = _header_map(rows[:10])
    if found is None:
        return {}, [f"{path.name}: the Actions sheet has no 'Action ID' column: no edits read back"]
    header_row, cols = found
    edits: dict[str, ActionEdit] = {}
    warnings: list[str] = []
    for number, row in enumerate(rows[header_row + 1:], start=header_row + 2):
        action_id = _as_text(row[cols["action id"]]) if cols["action id"] < len(row) else ""
        if not action_id:
            continue
        if action_id not in current:
            warnings.append(f"Actions row {number}: Action ID '{action_id}' is not in the store; row ignored")
            continue
        if action_id in edits:
            warnings.append(f"Actions row {number}: Action ID '{action_id}' appears twice; the lower row is used")
        edits[action_id] = _edit_from_row(row, cols, current[action_id], f"Actions row {number}", warnings)
    return edits, warnings


def read_escalation_edits(path: Path, current: dict[str, EscalationRecord]) -> tuple[
        dict[str, EscalationEdit], list[str]]:
    """People's Resolved on / Outcome in the Escalations sheet, by Form ID, with warnings about rows not used."""
    rows = _sheet_rows(path, "Escalations")
    found = _header_map(rows[:10], "form id") if rows else None
    if rows is None or found is None or "resolved on" not in found[1]:
        return {}, []  # an older register without the columns: nothing to read back
    header_row, cols = found
    edits: dict[str, EscalationEdit] = {}
    warnings: list[str] = []
    for number, row in enumerate(rows[header_row + 1:], start=header_row + 2):
        form_id = _as_text(row[cols["form id"]]) if cols["form id"] < len(row) else ""
        if not form_id or form_id not in current:
            continue
        where = f"Escalations row {number}"
        cell = {name: row[i] if i < len(row) else None for name, i in cols.items()}
        resolved = _typed_date(cell.get("resolved on"), current[form_id].resolved_on, "Resolved on", where, warnings)
        outcome = _as_text(cell.get("outcome")) if "outcome" in cols else current[form_id].outcome
        edits[form_id] = EscalationEdit(resolved, outcome)
    return edits, warnings


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_back(store: Store, path: Path, report: RegisterReport) -> None:
    """Store the edits people made in the existing register; keep an unreadable register aside.

    A register nobody has saved since we wrote it (same content) has no edits, so it is not read again.
    """
    if not path.exists() or store.get_state(REGISTER_SHA256) == _file_sha256(path):
        return
    current = {a.action_id: a for a in store.actions()}
    escalations = {e.form_id: e for e in store.escalations()}
    try:
        edits, warnings = read_action_edits(path, current)
        escalation_edits, escalation_warnings = read_escalation_edits(path, escalations)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise
        kept = path.with_name(f"{path.stem}.unreadable-{datetime.now():%Y%m%d-%H%M%S}{path.suffix}")
        shutil.copy2(path, kept)
        report.warnings.append(f"{path.name} could not be read ({type(exc).__name__}); a copy is kept as "
                               f"{kept.name} and the register is rewritten from the store")
        return
    report.warnings += warnings + escalation_warnings
    changed = {k: e for k, e in edits.items() if e != current[k].edit}
    report.edits_applied = store.set_action_edits(changed) if changed else 0
    resolved = {k: e for k, e in escalation_edits.items() if e != escalations[k].edit}
    report.edits_applied += store.set_escalation_edits(resolved) if resolved else 0


# --- writing the file safely --------------------------------------------------------------------

def _lock_file(path: Path) -> Path | None:
    """Excel's owner file (~$name) or LibreOffice's lock file, when the register is open."""
    for name in (f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"):
        candidate = path.with_name(name)
        if candidate.exists():
            return candidate
    return None


def _locked_message(path: Path, lock: Path | None = None) -> str:
    message = (f"The register {path} is open or read-only: close it in Excel; everything is kept in the store "
               "and the register will be rewritten on the next run")
    if lock is not None:
        message += f" (if nobody has it open, delete the lock file {lock.name} beside it)"
    return message


def _check_writable(path: Path) -> None:
    lock = _lock_file(path)
    if lock is not None:
        raise RegisterLockedError(_locked_message(path, lock))
    if path.exists() and not os.access(path, os.W_OK):
        raise RegisterLockedError(_locked_message(path))
    if path.parent.exists() and not os.access(path.parent, os.W_OK):
        raise RegisterLockedError(_locked_message(path))


def _save_atomically(wb: Workbook, path: Path) -> str:
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
        written = _file_sha256(tmp)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            tmp.unlink()
        raise
    return written


def _snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every sheet's rows, read in one transaction; the dirty flag is cleared in the same step, so any
    change recorded while the file is being written marks the register dirty again."""
    with store.transaction():
        store.set_state(REGISTER_DIRTY, None)
        data = {spec.title: spec.rows(store) for spec in SHEETS}
        optional = {spec.title: spec.rows(store) for spec in OPTIONAL_SHEETS}
        return data | {title: rows for title, rows in optional.items() if rows}


def _mark_dirty(store: Store) -> None:
    """Remember that the register needs writing; never hides the error that got us here."""
    with suppress(sqlite3.Error):
        store.set_state(REGISTER_DIRTY, "1")


def write_register(store: Store, path: Path) -> RegisterReport:
    """Read people's edits back from ``path`` into the store, then rewrite the whole register from the store.

    Raises RegisterLockedError (and marks the register dirty) when the file is open or read-only.
    """
    started = time.perf_counter()
    path = Path(path)
    report = RegisterReport(path)
    try:
        _check_writable(path)
        _read_back(store, path, report)
        data = _snapshot(store)
        store.set_state(REGISTER_SHA256, _save_atomically(build_workbook(data), path))
    except PermissionError:
        _mark_dirty(store)
        raise RegisterLockedError(_locked_message(path)) from None
    except BaseException:
        _mark_dirty(store)
        raise
    report.rows = {title: len(rows) for title, rows in data.items()}
    report.seconds = time.perf_counter() - started
    return report
