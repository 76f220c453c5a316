"""Which library should write and read the register at 10,000+ forms: the figures behind the choice (issue 16).

A plain script, not a test:  python -m benchmarks.bench_register_writers [--forms 10000] [--actions 3]

It fills a temporary store with synthetic forms, takes the register's rows once, then times in the same run:
- ours: ``write_register``, a full write (openpyxl writes the frame: every sheet's header, first row, table,
  formats, validation, comments, protection, print set-up and the Overview's charts; the rows are then written
  straight into the sheets), and again after one more form arrives with the watcher's memory of its last write
  (only that form's rows are made again);
- openpyxl writing every row itself (what the register did before issue 16: ``build_workbook`` + save);
- XlsxWriter writing the same sheets with a table, formats, data validation, a conditional format and protection;
- reading every sheet back: openpyxl read-only (what the register used before) and python-calamine (used now).

XlsxWriter is not a runtime dependency: `python -m pip install xlsxwriter` first.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from benchmarks.bench_register import fill, synthetic_form
from processors.register.columns import SHEETS
from processors.register.edits import read_sheets
from processors.register.incremental import RegisterMemory, sheet_rows
from processors.register.progress import take_snapshot
from processors.register.sheet_rows import cell_value
from processors.register.workbook import write_register
from processors.register.write import build_workbook
from processors.store.database import Store


def timed(func: Callable[[], object]) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def with_xlsxwriter(rows: dict[str, list[tuple]], path: Path) -> None:
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name

    wb = xlsxwriter.Workbook(path, {"default_date_format": "dd/mm/yyyy", "remove_timezone": True,
                                    "strings_to_formulas": False, "strings_to_numbers": False})
    unlocked = wb.add_format({"locked": False, "num_format": "dd/mm/yyyy"})
    red = wb.add_format({"bg_color": "#F4CCCC"})
    for spec in SHEETS:
        data = rows.get(spec.title)
        if data is None:
            continue
        ws = wb.add_worksheet(spec.title)
        for r, row in enumerate(data, start=1):
            ws.write_row(r, 0, [cell_value(v) for v in row])
        last = max(len(data), 1)
        end = xl_col_to_name(len(spec.columns) - 1)
        ws.add_table(f"A1:{end}{last + 1}", {"name": spec.table, "style": "Table Style Medium 2",
                                             "columns": [{"header": h} for h in spec.headers]})
        ws.set_column(0, len(spec.columns) - 1, 16, unlocked)
        ws.freeze_panes(1, 0)
        ws.data_validation(1, 0, last + 50, 0, {"validate": "list", "source": ["Open", "In progress", "Completed"]})
        ws.conditional_format(1, 0, last, 0, {"type": "text", "criteria": "containing", "value": "Inadequate",
                                              "format": red})
        ws.protect("", {"autofilter": True, "sort": True, "format_columns": True})
    wb.close()


def with_openpyxl(rows: dict[str, list[tuple]], path: Path) -> None:
    build_workbook(rows).save(path)


def with_openpyxl_read_only(path: Path) -> None:
    wb = load_workbook(path, read_only=True, data_only=True)
    for ws in wb:
        ws.reset_dimensions()
        list(ws.iter_rows(values_only=True))
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10000)
    parser.add_argument("--actions", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "qa.sqlite3")
        fill(store, args.forms, args.actions, 7)
        rows = {t: s.rows for t, s in sheet_rows(take_snapshot(store, date(2026, 12, 1)), None).items() if s.rows}
        total = sum(len(r) for r in rows.values())
        register = Path(folder) / "register.xlsx"
        memory = RegisterMemory()
        ours = timed(lambda: write_register(store, register, memory=memory))
        item, form = synthetic_form(args.forms + 1, args.actions, 7)
        store.add_work_items([item])
        store.record_form(form, f"{form.form_id}.docx")
        again = timed(lambda: write_register(store, register, memory=memory))
        plain = timed(lambda: with_openpyxl(rows, Path(folder) / "o.xlsx"))
        xw = timed(lambda: with_xlsxwriter(rows, Path(folder) / "x.xlsx"))
        read_openpyxl = timed(lambda: with_openpyxl_read_only(register))
        read_ours = timed(lambda: read_sheets(register, [s.title for s in SHEETS]))
        store.close()
    print(f"register at {args.forms:,} forms ({total:,} rows over {len(rows)} sheets), {datetime.now():%Y-%m-%d}")
    print(f"  write_register (ours: frame + rows): full {ours:.1f} s; one more form, from memory {again:.2f} s")
    print(f"  every row by openpyxl (before):      {plain:.1f} s  ({plain / ours:.1f}x our full write)")
    print(f"  every row by XlsxWriter:             {xw:.1f} s  ({xw / ours:.1f}x our full write)")
    print(f"  read back, openpyxl read-only:       {read_openpyxl:.1f} s")
    print(f"  read back, python-calamine (ours):   {read_ours:.1f} s  ({read_openpyxl / read_ours:.1f}x faster)")


if __name__ == "__main__":
    main()
