"""The Excel register: a view of the store, plus the columns people edit.

``write_register`` first reads back what people typed (Status, Completed on and Notes in Actions; Resolved on
and Outcome in Escalations), stores it, lists any change typed into a computed column, then writes every sheet
afresh to a temporary file beside the register and moves it over the old one in one step. A register that is
open in Excel or read-only is left exactly as it was. The sheets are declared in ``columns``; how they look in
``style``; the Overview in ``overview``; reading back in ``edits``; building and saving in ``write``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
import zipfile
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException
from python_calamine import CalamineError

from processors.errors import RegisterLockedError
from processors.register.carried import PeopleWork, add_to_frame, widened, with_carried
from processors.register.columns import ACTIONS, ESCALATIONS, SHEETS
from processors.register.edits import (
    KEYED,
    LazySheets,
    action_edits,
    computed_changes,
    decode_fingerprints,
    encode_fingerprints,
    escalation_edits,
    read_back_sheets,
)
from processors.register.incremental import (
    LastWrite,
    RegisterMemory,
    SheetRows,
    can_patch,
    patched_snapshot,
    sheet_rows,
)
from processors.register.people_edits import REGISTER_SHA256, check_store_not_lost, keep_people_work
from processors.register.progress import Snapshot, take_snapshot
from processors.register.sheet_rows import SheetData, WrittenSheet, fill_frame
from processors.register.spool import packed_fingerprints
from processors.register.streamed import spooled_sheets
from processors.register.write import build_workbook, check_writable, file_sha256, locked_message, save_atomically
from processors.store.database import REGISTER_DIRTY, Store

REGISTER_COMPUTED = "register_computed"   # state: fingerprints of the computed cells we last wrote
REGISTER_CARRIED = "register_carried"     # state: the sheets holding columns or sheets people added (JSON list)


@dataclass
class RegisterReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # data rows written, by sheet
    edits_applied: int = 0                               # actions/escalations whose edited columns changed
    warnings: list[str] = field(default_factory=list)    # things in the old register we could not use
    seconds: float = 0.0


def read_back(store: Store, path: Path, report: RegisterReport) -> Mapping[str, Iterable[tuple]] | None:
    """Store the edits people made in the existing register; keep an unreadable register aside.

    Returns the sheets read (None when nothing was read), each read again row by row when iterated. A register
    nobody has saved since we wrote it (same content) has no edits, so it is not read again.
    """
    if not path.exists() or store.get_state(REGISTER_SHA256) == file_sha256(path):
        return None
    current = {a.action_id: a for a in store.actions()}
    escalations = {e.form_id: e for e in store.escalations()}
    try:
        sheets = read_back_sheets(path)
        edits, warnings = action_edits(sheets.get(ACTIONS), path.name, current)
        escalation_changes, escalation_warnings = escalation_edits(sheets.get(ESCALATIONS), escalations)
    except (CalamineError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        if isinstance(exc, PermissionError):
            raise
        kept = path.with_name(f"{path.stem}.unreadable-{datetime.now():%Y%m%d-%H%M%S}{path.suffix}")
        shutil.copy2(path, kept)
        report.warnings.append(f"{path.name} could not be read ({type(exc).__name__}); a copy is kept as "
                               f"{kept.name} and the register is rewritten from the store")
        return None
    report.warnings += warnings + escalation_warnings
    changed = {k: e for k, e in edits.items() if e != current[k].edit}
    report.edits_applied = store.set_action_edits(changed) if changed else 0
    resolved = {k: e for k, e in escalation_changes.items() if e != escalations[k].edit}
    report.edits_applied += store.set_escalation_edits(resolved) if resolved else 0
    return sheets


def _snapshot(store: Store, today: date, last: LastWrite | None) -> tuple[Snapshot, int]:
    """What the register shows, read as one state of the store with the point of the store's change log it
    reflects. The dirty flag is cleared just before, so any change recorded from then on marks the register dirty
    again. The read does not hold up other connections' commits (a watcher's intake goes on during a full read).
    With ``last``, only the forms changed since are read again, when that is enough."""
    store.set_state(REGISTER_DIRTY, None)
    with store.reading_snapshot():
        if last is not None:
            changes = store.changes_since(last.seq)
            if not changes.any:
                return last.snapshot, last.seq
            if can_patch(changes):
                return patched_snapshot(store, last.snapshot, changes), changes.seq
        return take_snapshot(store, today), store.last_change()


def _shown_rows(sheets: dict[str, SheetRows]) -> dict[str, list[tuple]]:
    """Each sheet's rows; an optional sheet only once it has some."""
    optional = {s.title for s in SHEETS if s.optional}
    return {title: s.rows for title, s in sheets.items() if s.rows or title not in optional}


def _mark_dirty(store: Store) -> None:
    """Remember that the register needs writing; never hides the error that got us here."""
    with suppress(sqlite3.Error):
        store.set_state(REGISTER_DIRTY, "1")


def _close(read: Mapping[str, Iterable[tuple]] | None) -> None:
    if isinstance(read, LazySheets):
        read.close()


def _computed_changes(store: Store, read: Mapping[str, Iterable[tuple]],
                      current: Mapping[str, Iterable[tuple]]) -> list[str]:
    """Changes typed into computed columns (see ``edits.computed_changes``); a sheet that cannot be read again
    only loses the check, with a warning."""
    try:
        return computed_changes(read, decode_fingerprints(store.get_state(REGISTER_COMPUTED)), current)
    except (CalamineError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return [f"{store.path.name}: changes typed into the register's locked columns could not be checked "
                f"({type(exc).__name__})"]


def _write_streamed(store: Store, path: Path, today: date, read: Mapping[str, Iterable[tuple]] | None,
                    report: RegisterReport) -> tuple[str, int]:
    """The full write of a one-shot command: every sheet's rows made from the store a page at a time and kept on
    disk until written (``streamed``), so memory does not grow with the store. Returns (sha256, change seq)."""
    with store.transaction():
        store.set_state(REGISTER_DIRTY, None)
        seq = store.last_change()
    with spooled_sheets(store, today) as spooled:
        if read is not None:
            report.warnings += _computed_changes(store, read, spooled.spools)
        workbook = build_workbook(spooled.first_rows(), frame=True, counts=spooled.counts,
                                  overview=spooled.overview)
        sha = save_atomically(workbook, path, lambda frame, target: fill_frame(frame, target, spooled.fill_data()))
        del workbook
        store.set_state(REGISTER_COMPUTED, packed_fingerprints(spooled.spools.values()))
        report.rows = spooled.shown()
    return sha, seq


def _carried_titles(state: str | None) -> list[str] | None:
    """The sheets holding people's work, as the last write recorded them (None: read every sheet)."""
    with suppress(ValueError, TypeError):
        titles = json.loads(state or "")
        if isinstance(titles, list):
            return [str(t) for t in titles]
    return None


def _people_work(state: str | None, path: Path, rows: dict[str, list[tuple]], changed: bool, last: LastWrite | None,
                 read: Mapping[str, Iterable[tuple]] | None, report: RegisterReport) -> PeopleWork:
    """People's columns and sheets to carry into the register: remembered from our last write while the file is
    still that write and every row they are on is still shown; otherwise read from the file (only the sheets that
    held them, when nobody saved it since we wrote it), reported when someone did, backed up if anything is lost.
    ``state``: the sheets holding people's work, as the last write recorded them (REGISTER_CARRIED)."""
    if not path.is_file() or (not changed and state is None):
        return PeopleWork()
    if last is not None and last.people.fits(rows):
        return last.people
    keeping = keep_people_work(path, rows, report.warnings, None if changed else _carried_titles(state), read)
    if changed:
        report.warnings = keeping.lines()
    else:  # carried as at every rewrite since it was reported: only what cannot be carried now is said again
        report.warnings += [line for line in keeping.lines() if line not in keeping.carried]
    return keeping.work


def _sheet_data(rows: dict[str, list[tuple]], last: LastWrite | None, people: PeopleWork) -> list[SheetData]:
    """What ``fill_frame`` writes: each sheet's rows, with people's columns after them."""
    data = []
    for spec in SHEETS:
        shown = rows.get(spec.title) or []
        if len(shown) <= 1:
            continue
        before = last.written.get(spec.title) if last else None
        carried = people.columns.get(spec.title)
        if carried is None:
            data.append(SheetData(spec, shown, before))
        else:
            data.append(SheetData(widened(spec, carried), list(with_carried(shown, carried)), before))
    return data


def write_register(store: Store, path: Path, today: date | None = None,
                   memory: RegisterMemory | None = None) -> RegisterReport:
    """Read people's edits back from ``path`` into the store, then rewrite the whole register from the store.

    ``memory``: what this process last wrote (a watcher keeps it), so that only the rows of forms changed since
    are made again (``incremental``). Raises RegisterLockedError (and marks the register dirty) when the file is
    open or read-only.
    """
    started = time.perf_counter()
    path = Path(path)
    report = RegisterReport(path)
    today = today or date.today()
    read: Mapping[str, Iterable[tuple]] | None = None
    try:
        check_store_not_lost(store, path)
        check_writable(path)
        on_disk = file_sha256(path) if path.is_file() else None
        changed = on_disk is not None and store.get_state(REGISTER_SHA256) != on_disk  # someone saved it since
        last = memory.usable(on_disk, today) if memory is not None and not changed else None
        read = read_back(store, path, report) if last is None else None
        carried_state = store.get_state(REGISTER_CARRIED)
        if memory is None and not changed and carried_state is None:  # nothing kept for a next write and no people's
            sha, seq = _write_streamed(store, path, today, read, report)  # work: rows from disk, never all held
            _close(read)
            store.set_state(REGISTER_SHA256, sha)
            store.set_state(REGISTER_CARRIED, None)
            store.forget_changes(seq)
            report.seconds = time.perf_counter() - started
            return report
        snapshot, seq = _snapshot(store, today, last)
        sheets = sheet_rows(snapshot, last.sheets if last else None)
        rows = _shown_rows(sheets)
        if read is not None:
            report.warnings += _computed_changes(store, read, rows)
        people = _people_work(carried_state, path, rows, changed, last, read, report)  # carried across every rewrite
        _close(read)
        workbook = build_workbook(rows, snapshot, frame=True)
        add_to_frame(workbook, people, rows)
        written: dict[str, WrittenSheet] = {}

        def fill(frame: Path, target: Path) -> None:
            written.update(fill_frame(frame, target, _sheet_data(rows, last, people), keep=memory is not None))

        sha = save_atomically(workbook, path, fill)
        store.set_state(REGISTER_SHA256, sha)
        store.set_state(REGISTER_CARRIED, json.dumps(people.titles) if people else None)
        store.set_state(REGISTER_COMPUTED, encode_fingerprints(
            {spec.title: sheets[spec.title].fingerprints for spec in KEYED}))
        store.forget_changes(seq)
    except PermissionError:
        _mark_dirty(store)
        raise RegisterLockedError(locked_message(path)) from None
    except BaseException:
        _mark_dirty(store)
        if memory is not None:
            memory.last = None
        raise
    finally:
        _close(read)
    if memory is not None:
        memory.last = LastWrite(sha, today, seq, snapshot, sheets, written, people)
    report.rows = {title: len(r) for title, r in rows.items()}
    report.seconds = time.perf_counter() - started
    return report
