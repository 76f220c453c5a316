"""What people did to the register that a rewrite would lose, found before the rewrite.

Checked against the rows about to be written (so against whatever sheets and columns the register has
today); what is carried is handed to ``carried``, which puts it into the new register:
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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from processors.errors import ConfigError, StoreLostError
from processors.register.carried import CarriedColumns, PeopleWork, column_kind, row_key
from processors.register.columns import BY_TITLE, HOW_TO_USE, OVERVIEW
from processors.register.edits import as_text, read_sheets
from processors.store.database import Store

REGISTER_SHA256 = "register_sha256"  # state: content of the register as we last wrote it

_WORKED_SHEETS = ("Forms", "Actions", "Allocations", "Escalations", "Good practice")


@dataclass
class Keeping:
    """What the rewrite keeps of people's work (carried), and what it cannot (lost: backed up first)."""

    carried: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    backup: Path | None = None
    work: PeopleWork = field(default_factory=PeopleWork)  # what is carried, for the new register

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

def keep_people_work(path: Path, rows: dict[str, list[tuple]], unusable_edits: list[str],
                     titles: list[str] | None = None,
                     read: Mapping[str, Iterable[tuple]] | None = None) -> Keeping:
    """What people added to the register at ``path`` that the rewrite carries into the new one (``rows``: each
    sheet's rows about to be written); backed up first if anything is lost.

    ``titles``: only these sheets are read (the register is the one we wrote, and people's work was in them);
    ``read``: sheets already read, not read again."""
    keeping = Keeping()
    try:
        old = read_sheets(path, titles, known=read)
    except Exception:  # unreadable: workbook.py keeps it aside already, and said so
        keeping.carried += unusable_edits
        return keeping
    new = {title: BY_TITLE[title].headers for title in rows if title in BY_TITLE}
    for title, old_rows in old.items():
        if title in (OVERVIEW, HOW_TO_USE):  # written afresh from the store each time: nothing typed to keep
            continue
        if title not in new:
            if any(any(v not in (None, "") for v in row) for row in old_rows):
                keeping.work.sheets[title] = old_rows
                keeping.carried.append(f"sheet '{title}' is not one the register writes: kept as it was "
                                       "(its rows are not read as edits)")
            continue
        _compare_sheet(title, old_rows, new[title], rows[title], keeping)
    missing = [t for t in _WORKED_SHEETS if t in new and t not in old] if titles is None else []
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


def _compare_sheet(title: str, rows: list[tuple], headers: list[str], new_rows: list[tuple], keeping: Keeping) -> None:
    if not rows:
        return
    new_header = [as_text(h) for h in headers]
    old_header = [as_text(v) for v in rows[0]]
    if not old_header or not new_header or old_header[0].lower() != new_header[0].lower():
        if any(any(v not in (None, "") for v in row) for row in rows[1:]):
            keeping.lost.append(f"{title}: the first column is '{old_header[0] if old_header else ''}', not "
                                f"'{new_header[0]}': its rows could not be matched")
        return
    key = new_header[0]
    keyed = new_header[0].lower().endswith(" id")
    new_ids = {k for k in map(row_key, new_rows) if k}
    known = {h.lower() for h in new_header}
    extra = [(i, h) for i, h in enumerate(old_header) if h and h.lower() not in known]
    renamed = [h for h in new_header if h.lower() not in {o.lower() for o in old_header}]
    for number, row in enumerate(rows[1:], start=2):
        filled = [v for v in row if v not in (None, "")]
        if not filled:
            continue
        row_id = row_key(row)
        if not row_id:
            keeping.lost.append(f"{title} row {number} has no {key}: it cannot be kept")
        elif keyed and row_id not in new_ids:
            keeping.lost.append(f"{title} row {number}: {key} '{row_id}' is no longer in the store")
    if renamed and extra:
        keeping.lost.append(f"{title}: column(s) {', '.join(repr(h) for h in renamed)} missing (renamed?): what was "
                            "typed under the new name is not read as an edit")
    if extra and keyed:
        carried = _carried_columns(rows, extra, new_ids, known)
        keeping.work.columns[title] = carried
        count = sum(1 for values in carried.values.values() for v in values if v not in (None, ""))
        for _i, header in extra:
            guess = f" (renamed from '{renamed[0]}'?)" if renamed else ""
            keeping.carried.append(f"{title}: column '{header}'{guess} is not one the register writes: kept, "
                                   f"row by {key} ({count} value(s))")
    elif extra:
        keeping.lost.append(f"{title}: column(s) {', '.join(h for _i, h in extra)} cannot be kept (no row IDs)")


def _carried_columns(rows: list[tuple], extra: list[tuple[int, str]], new_ids: set[str],
                     known: set[str]) -> CarriedColumns:
    """The values of the ``extra`` columns on the rows the new register still has, by row key (a later row with
    the same key wins, as before); a header typed twice gets a number, as Excel gives it in a table."""
    values: dict[str, tuple] = {}
    for row in rows[1:]:
        k = row_key(row)
        if k in new_ids:
            cells = tuple(row[i] if i < len(row) and row[i] != "" else None for i, _h in extra)
            if any(v is not None for v in cells):
                values[k] = cells
            else:
                values.pop(k, None)
    headers: list[str] = []
    taken = set(known)
    for _i, header in extra:
        name, n = header, 1
        while name.lower() in taken:
            n += 1
            name = f"{header}{n}"
        taken.add(name.lower())
        headers.append(name)
    kinds = tuple(column_kind(v[n] for v in values.values()) for n in range(len(extra)))
    return CarriedColumns(tuple(headers), kinds, values)
