"""The Excel register: a view of the store, plus the columns people edit.

``write_register`` first reads back what people typed (Status, Completed on and Notes in Actions; Resolved on
and Outcome in Escalations), stores it, lists any change typed into a computed column, then writes every sheet
afresh to a temporary file beside the register and moves it over the old one in one step. A register that is
open in Excel or read-only is left exactly as it was. The sheets are declared in ``columns``; how they look in
``style``; the Overview in ``overview``; reading back in ``edits``; building and saving in ``write``.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import zipfile
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException

from processors.errors import RegisterLockedError
from processors.register.columns import ACTIONS, ESCALATIONS, SHEETS
from processors.register.edits import (
    action_edits,
    computed_changes,
    decode_fingerprints,
    encode_fingerprints,
    escalation_edits,
    fingerprints,
    read_back_sheets,
)
from processors.register.people_edits import REGISTER_SHA256, check_store_not_lost, keep_people_work
from processors.register.progress import Snapshot, take_snapshot
from processors.register.write import build_workbook, check_writable, file_sha256, locked_message, save_atomically
from processors.store.database import REGISTER_DIRTY, Store

REGISTER_COMPUTED = "register_computed"   # state: fingerprints of the computed cells we last wrote


@dataclass
class RegisterReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # data rows written, by sheet
    edits_applied: int = 0                               # actions/escalations whose edited columns changed
    warnings: list[str] = field(default_factory=list)    # things in the old register we could not use
    seconds: float = 0.0


def read_back(store: Store, path: Path, report: RegisterReport) -> dict[str, list[tuple]] | None:
    """Store the edits people made in the existing register; keep an unreadable register aside.

    Returns the sheets read (None when nothing was read). A register nobody has saved since we wrote it
    (same content) has no edits, so it is not read again.
    """
    if not path.exists() or store.get_state(REGISTER_SHA256) == file_sha256(path):
        return None
    current = {a.action_id: a for a in store.actions()}
    escalations = {e.form_id: e for e in store.escalations()}
    try:
        sheets = read_back_sheets(path)
        edits, warnings = action_edits(sheets.get(ACTIONS), path.name, current)
        escalation_changes, escalation_warnings = escalation_edits(sheets.get(ESCALATIONS), escalations)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
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


def _snapshot(store: Store, today: date) -> tuple[Snapshot, dict[str, list[tuple]]]:
    """Every sheet's rows, read in one transaction; the dirty flag is cleared in the same step, so any
    change recorded while the file is being written marks the register dirty again."""
    with store.transaction():
        store.set_state(REGISTER_DIRTY, None)
        snapshot = take_snapshot(store, today)
    rows = {spec.title: spec.rows(snapshot) for spec in SHEETS}
    return snapshot, {title: r for title, r in rows.items() if r or not _optional(title)}


def _optional(title: str) -> bool:
    return any(s.optional for s in SHEETS if s.title == title)


def _mark_dirty(store: Store) -> None:
    """Remember that the register needs writing; never hides the error that got us here."""
    with suppress(sqlite3.Error):
        store.set_state(REGISTER_DIRTY, "1")


def write_register(store: Store, path: Path, today: date | None = None) -> RegisterReport:
    """Read people's edits back from ``path`` into the store, then rewrite the whole register from the store.

    Raises RegisterLockedError (and marks the register dirty) when the file is open or read-only.
    """
    started = time.perf_counter()
    path = Path(path)
    report = RegisterReport(path)
    try:
        check_store_not_lost(store, path)
        check_writable(path)
        changed = path.is_file() and store.get_state(REGISTER_SHA256) != file_sha256(path)
        read = read_back(store, path, report)
        snapshot, rows = _snapshot(store, today or date.today())
        if read is not None:
            report.warnings += computed_changes(read, decode_fingerprints(store.get_state(REGISTER_COMPUTED)), rows)
        workbook = build_workbook(rows, snapshot)
        if changed:  # people may have added columns, sheets or rows: carried across, or backed up and reported
            report.warnings = keep_people_work(path, workbook, report.warnings).lines()
        store.set_state(REGISTER_SHA256, save_atomically(workbook, path))
        store.set_state(REGISTER_COMPUTED, encode_fingerprints(fingerprints(rows)))
    except PermissionError:
        _mark_dirty(store)
        raise RegisterLockedError(locked_message(path)) from None
    except BaseException:
        _mark_dirty(store)
        raise
    report.rows = {title: len(r) for title, r in rows.items()}
    report.seconds = time.perf_counter() - started
    return report
