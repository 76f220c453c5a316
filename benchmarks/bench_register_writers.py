"""Which library should write and read the register at 10,000+ forms: the figures behind the choice (issue 16).

A plain script, not a test:  python -m benchmarks.bench_register_writers [--forms 10000] [--actions 3]
                             python -m benchmarks.bench_register_writers --carried [--repeats 3]

It fills a temporary store with synthetic forms, takes the register's rows once, then times in the same run:
- ours: ``write_register``, a full write (openpyxl writes the frame: every sheet's header, first row, table,
  formats, validation, comments, protection, print set-up and the Overview's charts; the rows are then written
  straight into the sheets), and again after one more form arrives with the watcher's memory of its last write
  (only that form's rows are made again);
- openpyxl writing every row itself (what the register did before issue 16: ``build_workbook`` + save);
- XlsxWriter writing the same sheets with a table, formats, data validation, a conditional format and protection;
- reading every sheet back: openpyxl read-only (what the register used before) and python-calamine (used now).

With ``--carried``, instead: a register people have worked on (a "Notes for panel" column typed on 1,000 Actions
rows and a sheet of their own, saved), written by ours (frame + rows, people's work carried into the frame) beside
the careful path as it was (``benchmarks/careful_register.py``: every row by openpyxl, the register read again whole,
people's values put cell by cell), each the median of ``--repeats`` runs, alternating, at the same state: just
saved by a person; written by us since (a one-shot command such as ``ingest``); and the watcher's write after one
more form, from its memory (the careful path had no such shortcut while people's columns were there).

XlsxWriter is not a runtime dependency: `python -m pip install xlsxwriter` first.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zipfile import ZipFile

from openpyxl import load_workbook

from benchmarks.bench_register import fill, synthetic_form
from benchmarks.careful_register import add_peoples_work, write_carefully
from processors.register.columns import SHEETS
from processors.register.edits import read_sheets
from processors.register.incremental import RegisterMemory, sheet_rows
from processors.register.people_edits import REGISTER_SHA256
from processors.register.progress import take_snapshot
from processors.register.sheet_rows import cell_value, sheet_parts
from processors.register.workbook import REGISTER_CARRIED, REGISTER_COMPUTED, write_register
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


def _median_pair(ours: Callable[[], object], peer: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median seconds of ``ours`` and ``peer``, run alternately ``repeats`` times each."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        a.append(timed(ours))
        b.append(timed(peer))
    return statistics.median(a), statistics.median(b)


def carried(forms: int, actions: int, repeats: int) -> None:
    """Ours beside the old careful path, for a register holding people's column and sheet (see the docstring)."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store = Store(folder / "qa.sqlite3")
        fill(store, forms, actions, 7)
        today = date(2026, 12, 1)
        write_register(store, folder / "ours.xlsx", today)
        saved = folder / "saved.xlsx"  # the register as a person saved it
        (folder / "ours.xlsx").replace(saved)
        typed = add_peoples_work(saved)
        kept = {k: store.get_state(k) for k in (REGISTER_SHA256, REGISTER_COMPUTED)}

        def as_saved(path: Path) -> Path:
            shutil.copy2(saved, path)
            for key, value in kept.items():
                store.set_state(key, value)
            store.set_state(REGISTER_CARRIED, None)
            return path

        ours_path, peer_path = folder / "ours.xlsx", folder / "peer.xlsx"
        fresh = _median_pair(lambda: write_register(store, as_saved(ours_path), today),
                             lambda: write_carefully(store, as_saved(peer_path), today), repeats)

        states: dict[Path, dict[str, str | None]] = {}

        def again(path: Path, write: Callable[[], object]) -> Callable[[], object]:
            """``write`` once more, the file being the one that write made last (the store's state as it left)."""
            def run() -> object:
                for key, value in states[path].items():
                    store.set_state(key, value)
                result = write()
                states[path] = {k: store.get_state(k) for k in (REGISTER_SHA256, REGISTER_COMPUTED, REGISTER_CARRIED)}
                return result
            return run

        plain_path = folder / "plain.xlsx"  # the same store's register nobody worked on: what to be as fast as
        for path, write in ((ours_path, lambda: write_register(store, as_saved(ours_path), today)),
                            (peer_path, lambda: write_carefully(store, as_saved(peer_path), today)),
                            (plain_path, lambda: write_register(store, plain_path, today))):
            store.set_state(REGISTER_CARRIED, None)
            write()
            states[path] = {k: store.get_state(k) for k in (REGISTER_SHA256, REGISTER_COMPUTED, REGISTER_CARRIED)}
        since = _median_pair(again(ours_path, lambda: write_register(store, ours_path, today)),
                             again(peer_path, lambda: write_carefully(store, peer_path, today)), repeats)
        plain = statistics.median(timed(again(plain_path, lambda: write_register(store, plain_path, today)))
                                  for _ in range(repeats))

        memory, plain_memory = RegisterMemory(), RegisterMemory()
        again(ours_path, lambda: write_register(store, ours_path, today, memory))()
        again(plain_path, lambda: write_register(store, plain_path, today, plain_memory))()
        watcher: list[float] = []
        peer_watcher: list[float] = []
        plain_watcher: list[float] = []
        for n in range(repeats):
            item, form = synthetic_form(forms + 1 + n, actions, 7)
            store.add_work_items([item])
            store.record_form(form, f"{form.form_id}.docx")
            watcher.append(timed(again(ours_path, lambda: write_register(store, ours_path, today, memory))))
            peer_watcher.append(timed(again(peer_path, lambda: write_carefully(store, peer_path, today))))
            plain_watcher.append(timed(again(plain_path, lambda: write_register(store, plain_path, today,
                                                                                plain_memory))))
        assert memory.last is not None and memory.last.people.columns, "people's column not carried"
        with ZipFile(ours_path) as archive:
            assert archive.read(sheet_parts(archive)["Actions"]).count(b"discuss with the service manager") == typed
        store.close()
    load = os.getloadavg()
    print(f"register at {forms:,} forms with a people's column on {typed:,} Actions rows and a sheet of theirs; "
          f"median of {repeats}, {datetime.now():%Y-%m-%d}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("                                       ours | careful path as before | ratio")
    for what, (a, b) in (("just saved by a person", fresh), ("written by us since (one-shot)", since),
                         ("watcher, one more form, memory", (statistics.median(watcher),
                                                             statistics.median(peer_watcher)))):
        print(f"  {what:<34} {a:6.2f} s | {b:6.2f} s | {b / a:4.1f}x")
    print(f"  the same register without people's work (ours): written by us since {plain:.2f} s; watcher, one more "
          f"form {statistics.median(plain_watcher):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10000)
    parser.add_argument("--actions", type=int, default=3)
    parser.add_argument("--carried", action="store_true", help="a register with people's column and sheet")
    parser.add_argument("--repeats", type=int, default=3, help="with --carried: runs of each, median printed")
    args = parser.parse_args()
    if args.carried:
        carried(args.forms, args.actions, args.repeats)
        return
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
