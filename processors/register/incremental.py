"""Writing the register again when only a few forms changed since the last write (issue 16).

A long-running watcher keeps what it last wrote (``LastWrite``): the snapshot of the store, each sheet's rows and
the text of each row. The store logs every change by form (processors/store/schema.py, migration 11), so the next
write reads again only the records of the forms that changed and puts them where their rows were (a form seen for
the first time goes at the end); rows that did not change keep their text. Everything else is as a full write:
the frame (Overview, guide, tables, formats, protection) is built afresh and the file replaced in one step.

A full write is made instead whenever the shortcut could be wrong: nothing kept yet, the file changed since (people
edited it, or another command wrote it), a new day (days overdue and statuses move), or a change that is not about
one form (a rejected file, an imported export). People's columns and sheets carried in the register are kept here
too (``LastWrite.people``), so they do not stop the shortcut while the file is the one last written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from processors.register.carried import PeopleWork
from processors.register.columns import SHEETS
from processors.register.edits import KEYED, RowFingerprint
from processors.register.progress import (
    ActionRow,
    AllocationRow,
    Snapshot,
    allocation_rows,
    days_overdue,
)
from processors.register.sheet_rows import WrittenSheet
from processors.store.database import Changes, Store

# Tables whose rows belong to one form: a change there is re-read for that form alone. The Sent sheet is read
# again whole (it is a log, rows only added). Any other change (a rejected file, an import) means a full write.
FORM_TABLES = frozenset({"forms", "grades", "actions", "escalations", "good_practice", "work_items",
                         "rejected_concerns"})
PATCHED_TABLES = FORM_TABLES | {"sent"}
MAX_CHANGED_FORMS = 2000  # beyond this a full read is as quick


@dataclass
class SheetRows:
    """One sheet's records and the rows made from them, kept so an unchanged record's row is not made again."""

    records: list[Any]
    rows: list[tuple]
    fingerprints: list[str] = field(default_factory=list)  # keyed sheets only (edits.RowFingerprint)


@dataclass
class LastWrite:
    sha256: str                        # the file as written
    today: date
    seq: int                           # the store's change log as read
    snapshot: Snapshot
    sheets: dict[str, SheetRows]
    written: dict[str, WrittenSheet]   # each filled sheet's text
    people: PeopleWork = field(default_factory=PeopleWork)  # people's columns and sheets carried in it


@dataclass
class RegisterMemory:
    """What a long-running process last wrote to the register (None until its first write)."""

    last: LastWrite | None = None

    def usable(self, sha256: str | None, today: date) -> LastWrite | None:
        last = self.last
        if last is None or sha256 != last.sha256 or today != last.today:
            return None
        return last


def can_patch(changes: Changes) -> bool:
    """True when re-reading the changed forms is enough: every change is about a form (or a sent email)."""
    return (changes.tables <= PATCHED_TABLES and changes.unattributed <= {"sent"}
            and len(changes.form_ids) <= MAX_CHANGED_FORMS)


def _merged(old: Sequence[Any], new: Iterable[Any], changed: frozenset[str], key: Callable[[Any], str]) -> list[Any]:
    """``old`` with the records of the ``changed`` forms replaced by ``new``'s, where the form's first record was;
    records of forms ``old`` did not have go at the end, in ``new``'s order."""
    fresh: dict[str, list[Any]] = {}
    for record in new:
        fresh.setdefault(key(record), []).append(record)
    out: list[Any] = []
    placed: set[str] = set()
    for record in old:
        k = key(record)
        if k not in changed:
            out.append(record)
        elif k not in placed:
            out += fresh.get(k, [])
            placed.add(k)
    for k, records in fresh.items():
        if k not in placed:
            out += records
    return out


def _form_id(record: Any) -> str:
    return record.form_id


def _allocated_form_id(row: AllocationRow) -> str:
    return row.record.item.form_id


def _action_form_id(row: ActionRow) -> str:
    return row.record.form_id


def patched_snapshot(store: Store, old: Snapshot, changes: Changes) -> Snapshot:
    """``old`` with the records of the forms in ``changes`` read again from the store (within its transaction)."""
    ids = changes.form_ids
    today = old.today
    forms = _merged(old.forms, store.forms(form_ids=ids), ids, _form_id)
    with_warnings = {f.form_id for f in forms if f.form_id in ids and (f.warnings or not f.matched)}
    allocations = allocation_rows(store.allocations(form_ids=ids), old.rejections, with_warnings,
                                  store.forms_last_chased(form_ids=ids), today)
    actions = [ActionRow(a, days_overdue(a.due, today, not a.is_open)) for a in store.actions(form_ids=ids)]
    sent = old.sent
    if "sent" in changes.tables:
        fresh = store.sent_log()
        sent = [o if o == n else n for o, n in zip(old.sent, fresh)] + fresh[len(old.sent):]
    return replace(
        old, forms=forms,
        grades=_merged(old.grades, store.grades(form_ids=ids), ids, _form_id),
        actions=_merged(old.actions, actions, ids, _action_form_id),
        escalations=_merged(old.escalations, store.escalations(form_ids=ids), ids, _form_id),
        good_practice=_merged(old.good_practice, store.good_practice(form_ids=ids), ids, _form_id),
        allocations=_merged(old.allocations, allocations, ids, _allocated_form_id),
        sent=sent)


def sheet_rows(snapshot: Snapshot, before: dict[str, SheetRows] | None) -> dict[str, SheetRows]:
    """Every sheet's rows; a record that is the very record of the last write at the same place keeps its row."""
    keyed = {spec.title for spec in KEYED}
    result: dict[str, SheetRows] = {}
    for spec in SHEETS:
        records = spec.records(snapshot)
        old = (before or {}).get(spec.title)
        fingerprint = RowFingerprint(spec) if spec.title in keyed else None
        rows: list[tuple] = []
        prints: list[str] = []
        for index, record in enumerate(records):
            if old is not None and index < len(old.records) and record is old.records[index]:
                rows.append(old.rows[index])
                if fingerprint is not None:
                    prints.append(old.fingerprints[index])
                continue
            row = spec.row(record)
            rows.append(row)
            if fingerprint is not None:
                prints.append(fingerprint(row))
        result[spec.title] = SheetRows(records, rows, prints)
    return result
