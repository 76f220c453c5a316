"""Which library should write and read the register at 10,000+ forms: the figures behind the choice (issue 16).

A plain script, not a test:  python -m benchmarks.bench_register_writers [--forms 10000] [--actions 3]

It fills a temporary store with synthetic forms, takes the register's rows once, then times in the same run:
- ours: ``write_register`` (read people's edits back, rewrite every sheet with openpyxl, all its features);
- openpyxl writing the same sheets with a table, formats, data validation, a conditional format and protection;
- XlsxWriter writing the same sheets with the same features (its peer for writing);
- reading every sheet back: openpyxl read-only (what we use), and python-calamine.

The two candidates are not runtime dependencies: `python -m pip install xlsxwriter python-calamine` first.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from benchmarks.bench_register import fill
from processors.register.columns import SHEETS
from processors.register.edits import read_sheets
from processors.register.sheet_rows import cell_value
from processors.register.workbook import _snapshot, write_register
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


def with_calamine(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    for title in wb.sheet_names:
        wb.get_sheet_by_name(title).to_python()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10000)
    parser.add_argument("--actions", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "qa.sqlite3")
        fill(store, args.forms, args.actions, 7)
        _, rows = _snapshot(store, date(2026, 12, 1))
        total = sum(len(r) for r in rows.values())
        register = Path(folder) / "register.xlsx"
        ours = timed(lambda: write_register(store, register))
        again = timed(lambda: write_register(store, register))
        plain = timed(lambda: with_openpyxl(rows, Path(folder) / "o.xlsx"))
        xw = timed(lambda: with_xlsxwriter(rows, Path(folder) / "x.xlsx"))
        read_ours = timed(lambda: read_sheets(register, [s.title for s in SHEETS]))
        read_cal = timed(lambda: with_calamine(register))
        store.close()
    print(f"register at {args.forms:,} forms ({total:,} rows over {len(rows)} sheets), {datetime.now():%Y-%m-%d}")
    print(f"  write_register (ours, openpyxl):   first {ours:.1f} s, again with edits read back {again:.1f} s")
    print(f"  sheets only, openpyxl:            {plain:.1f} s")
    print(f"  sheets only, XlsxWriter:          {xw:.1f} s  ({plain / xw:.1f}x faster than openpyxl)")
    print(f"  read back, openpyxl read-only:    {read_ours:.1f} s")
    print(f"  read back, python-calamine:       {read_cal:.1f} s  ({read_ours / read_cal:.1f}x faster)")


if __name__ == "__main__":
    main()
