"""What people did to the register that a rewrite would lose, found before the rewrite.

Checked against the workbook about to be written (so it holds whatever sheets and columns the register
has today):
- a column a person added (or a header they renamed) is carried across into the new register, row by row,
  by the row's ID (the sheet's first column), and reported;
- a sheet a person added (or renamed) is carried across as it is (values), and reported;
- a row typed without an ID, a row whose ID the store no longer has, or an edit the read-back could not
  use cannot be carried: the workbook is first copied to a dated backup beside it, and the loss reported.
And before anything: an empty store beside a register that lists forms is a lost store, so the run stops
instead of rewriting the register with nothing (see `python run.py rebuild`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from processors.errors import ConfigError, StoreLostError
from processors.register.columns import HOW_TO_USE, OVERVIEW
from processors.register.edits import read_sheets
from processors.store.database import Store

REGISTER_SHA256 = "register_sha256"  # state: content of the register as we last wrote it

_WORKED_SHEETS = ("Forms", "Actions", "Allocations", "Escalations", "Good practice")


@dataclass
class Keeping:
    """What the rewrite keeps of people's work (carried), and what it cannot (lost: backed up first)."""

    carried: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    backup: Path | None = None

    def lines(self) -> list[str]:
        lines = self.carried + self.lost
        if self.backup is not None:
            lines.append(f"the register as it was before this rewrite is kept as {self.backup.name}")
        return lines


def check_register_path(path: Path) -> None:
    if path.is_dir():
        raise ConfigError(f"paths.register ({path}) is a folder: point it at a workbook such as "
                          f"{path / 'register.xlsx'} in config.yaml")


def check_store_not_lost(store: Store, path: Path) -> None:
    """Stop when this store never wrote the register beside it and is empty while the register lists forms."""
    check_register_path(path)
    if not path.is_file() or store.get_state(REGISTER_SHA256) is not None:
        return
    if store.has_forms() or not _has_rows(path):
        return
    raise StoreLostError(f"the store {store.path} is empty but the register {path} lists forms: the store was lost "
                         "or replaced, and nothing was changed. Put the store back from a backup, or run "
                         "`python run.py rebuild` to re-create it from processed/, the allocation files and the "
                         "register")


def _has_rows(path: Path) -> bool:
    try:
        sheets = read_sheets(path, _WORKED_SHEETS)
    except Exception:  # an unreadable register is kept aside by the rewrite itself
        return False
    return any(any(v not in (None, "") for v in row) for rows in sheets.values() for row in rows[1:])


# --- before a rewrite ---------------------------------------------------------------------------

def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def keep_people_work(path: Path, new: Workbook, unusable_edits: list[str]) -> Keeping:
    """Carry into ``new`` what people added to the register at ``path``; back it up first if anything is lost."""
    keeping = Keeping()
    try:
        old = read_sheets(path)
    except Exception:  # unreadable: workbook.py keeps it aside already, and said so
        keeping.carried += unusable_edits
        return keeping
    for title, rows in old.items():
        if title in (OVERVIEW, HOW_TO_USE):  # written afresh from the store each time: nothing typed to keep
            continue
        if title not in new.sheetnames:
            if any(any(v not in (None, "") for v in row) for row in rows):
                _carry_sheet(new, title, rows)
                keeping.carried.append(f"sheet '{title}' is not one the register writes: kept as it was "
                                       "(its rows are not read as edits)")
            continue
        _compare_sheet(title, rows, new[title], keeping)
    missing = [t for t in _WORKED_SHEETS if t in new.sheetnames and t not in old]
    if missing and keeping.carried:
        keeping.lost.append(f"sheet(s) {', '.join(repr(m) for m in missing)} missing (renamed?): their edits "
                            "were not read")
    keeping.lost += unusable_edits
    if keeping.lost:
        keeping.backup = backup(path)
    return keeping


def backup(path: Path) -> Path:
    """A dated copy beside the register."""
    target = path.with_name(f"{path.stem}.backup-{datetime.now():%Y%m%d-%H%M%S}{path.suffix}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.stem}.backup-{datetime.now():%Y%m%d-%H%M%S}-{n}{path.suffix}")
    shutil.copy2(path, target)
    return target


def _compare_sheet(title: str, rows: list[tuple], ws: Worksheet, keeping: Keeping) -> None:
    if not rows:
        return
    new_header = [_text(c.value) for c in ws[1]]
    old_header = [_text(v) for v in rows[0]]
    if not old_header or not new_header or old_header[0].lower() != new_header[0].lower():
        if any(any(v not in (None, "") for v in row) for row in rows[1:]):
            keeping.lost.append(f"{title}: the first column is '{old_header[0] if old_header else ''}', not "
                                f"'{new_header[0]}': its rows could not be matched")
        return
    key = new_header[0]
    keyed = new_header[0].lower().endswith(" id")
    new_ids = {_text(r[0]) for r in ws.iter_rows(min_row=2, max_col=1, values_only=True) if _text(r[0])}
    known = {h.lower() for h in new_header}
    extra = [(i, h) for i, h in enumerate(old_header) if h and h.lower() not in known]
    renamed = [h for h in new_header if h.lower() not in {o.lower() for o in old_header}]
    for number, row in enumerate(rows[1:], start=2):
        filled = [v for v in row if v not in (None, "")]
        if not filled:
            continue
        row_id = _text(row[0]) if row else ""
        if not row_id:
            keeping.lost.append(f"{title} row {number} has no {key}: it cannot be kept")
        elif keyed and row_id not in new_ids:
            keeping.lost.append(f"{title} row {number}: {key} '{row_id}' is no longer in the store")
    if renamed and extra:
        keeping.lost.append(f"{title}: column(s) {', '.join(repr(h) for h in renamed)} missing (renamed?): what was "
                            "typed under the new name is not read as an edit")
    if extra and keyed:
        carried = _carry_columns(ws, rows, extra)
        for _i, header in extra:
            guess = f" (renamed from '{renamed[0]}'?)" if renamed else ""
            keeping.carried.append(f"{title}: column '{header}'{guess} is not one the register writes: kept, "
                                   f"row by {key} ({carried} value(s))")
    elif extra:
        keeping.lost.append(f"{title}: column(s) {', '.join(h for _i, h in extra)} cannot be kept (no row IDs)")


def _carry_columns(ws: Worksheet, rows: list[tuple], extra: list[tuple[int, str]]) -> int:
    by_id = {_text(r[0]): r for r in rows[1:] if r and _text(r[0])}
    first = ws.max_column + 1
    carried = 0
    for offset, (index, header) in enumerate(extra):
        column = first + offset
        ws.cell(row=1, column=column, value=header)
        for (cell,) in ws.iter_rows(min_row=2, max_row=ws.max_row, min_col=1, max_col=1):
            old = by_id.get(_text(cell.value))
            if old is not None and index < len(old) and old[index] not in (None, ""):
                target = ws.cell(row=cell.row, column=column, value=old[index])
                if isinstance(old[index], str) and old[index].startswith("="):
                    target.data_type = "s"  # typed text, never a formula
                carried += 1
        ws.column_dimensions[get_column_letter(column)].width = max(12, len(header) + 4)
    for table in ws.tables.values():  # the Excel table grows to hold the carried columns
        start, end = table.ref.split(":")
        last_row = "".join(c for c in end if c.isdigit())
        table.ref = f"{start}:{get_column_letter(first + len(extra) - 1)}{last_row}"
        table.tableColumns = []
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    return carried


def _carry_sheet(new: Workbook, title: str, rows: list[tuple]) -> None:
    ws = new.create_sheet(title)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value not in (None, ""):
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"
