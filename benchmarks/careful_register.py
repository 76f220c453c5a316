"""The register's careful path as it was before people's columns went onto the fast path (issue 16): the peer that
``bench_register_writers --carried`` times beside ours, and what tests/test_register_carried.py compares ours with.

When the register held a column or sheet people added (or someone had saved it since our last write), every row
went through openpyxl (``build_workbook(frame=False)``), the whole register was read again with python-calamine to
find people's work, and each carried value was put into its openpyxl cell by row key before saving.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from processors.register.carried import CarriedColumns, PeopleWork, row_key
from processors.register.edits import KEYED, encode_fingerprints
from processors.register.incremental import sheet_rows
from processors.register.people_edits import REGISTER_SHA256, keep_people_work
from processors.register.progress import take_snapshot
from processors.register.workbook import REGISTER_CARRIED, REGISTER_COMPUTED, RegisterReport, _shown_rows, read_back
from processors.register.write import build_workbook, save_atomically
from processors.store.database import REGISTER_DIRTY, Store


def _carry_columns(ws: Worksheet, carried: CarriedColumns) -> None:
    first = ws.max_column + 1
    for offset, header in enumerate(carried.headers):
        column = first + offset
        ws.cell(row=1, column=column, value=header)
        for (cell,) in ws.iter_rows(min_row=2, max_row=ws.max_row, min_col=1, max_col=1):
            values = carried.values.get(row_key((cell.value,)))
            if values is not None and values[offset] is not None:
                target = ws.cell(row=cell.row, column=column, value=values[offset])
                if isinstance(values[offset], str) and values[offset].startswith("="):
                    target.data_type = "s"
        ws.column_dimensions[get_column_letter(column)].width = max(12, len(header) + 4)
    for table in ws.tables.values():
        start, end = table.ref.split(":")
        table.ref = f"{start}:{get_column_letter(first + len(carried.headers) - 1)}{''.join(filter(str.isdigit, end))}"
        table.tableColumns = []
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref


def _carry(wb: Workbook, work: PeopleWork) -> None:
    for title, carried in work.columns.items():
        _carry_columns(wb[title], carried)
    for title, rows in work.sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    cell = ws.cell(row=r, column=c, value=value)
                    if isinstance(value, str) and value.startswith("="):
                        cell.data_type = "s"


def write_carefully(store: Store, path: Path, today: date) -> RegisterReport:
    """The old careful write of ``path`` from ``store``: edits read back, every row by openpyxl, the register read
    again whole for people's work, which is carried cell by cell."""
    report = RegisterReport(path)
    read_back(store, path, report)
    with store.transaction():
        store.set_state(REGISTER_DIRTY, None)
        snapshot = take_snapshot(store, today)
    sheets = sheet_rows(snapshot, None)
    rows = _shown_rows(sheets)
    workbook = build_workbook(rows, snapshot, frame=False)
    keeping = keep_people_work(path, rows, report.warnings)
    _carry(workbook, keeping.work)
    sha = save_atomically(workbook, path)
    store.set_state(REGISTER_SHA256, sha)
    store.set_state(REGISTER_CARRIED, "1" if keeping.work else None)
    store.set_state(REGISTER_COMPUTED, encode_fingerprints(
        {spec.title: sheets[spec.title].fingerprints for spec in KEYED}))
    report.warnings = keeping.lines()
    return report


PANEL = "Notes for panel"


def add_peoples_work(path: Path, filled: int = 1000) -> int:
    """What a QA administrator does in Excel: a "Notes for panel" column at the end of Actions, typed on ``filled``
    rows spread through the sheet, and a sheet of their own; then saves (here with openpyxl, which writes shared
    strings as Excel does). Returns how many values were typed."""
    wb = load_workbook(path)
    ws = wb["Actions"]
    at = ws.max_column + 1
    ws.cell(1, at, PANEL)
    step = max(1, (ws.max_row - 1) // filled)
    typed = 0
    for n, row in enumerate(range(2, ws.max_row + 1, step)):
        if n >= filled:
            break
        ws.cell(row, at, f"Panel {n % 12 + 1}: discuss with the service manager ({n})")
        typed += 1
    panel = wb.create_sheet("Panel")
    panel.append(["Meeting", "Chair", "Held on", "Forms to discuss"])
    for n in range(1, 25):
        panel.append([f"Panel {n}", f"Chair {n % 4}", date(2026, 1, 5 + n), n * 3])
    wb.save(path)
    return typed
