"""What a quarter's reports read from the store, looked up by date range and key through indexes (issue 16).

A report counts the forms of its quarter and of the quarters its trend shows, never the whole history: each
query below walks an index over a date range, or looks records up by key, so ten years of history behind a
quarter cost what one year does. The records are the store's own dataclasses (processors.store.records).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from processors.forms.models import WorkItem
from processors.store.concerns import rejected_escalations
from processors.store.database import _FORM_COLUMNS, _WORK_ITEM_COLUMNS, Store
from processors.store.records import (
    ActionRecord,
    AllocationRecord,
    EscalationRecord,
    FormRecord,
    GoodPracticeRecord,
    GradeRecord,
    action_record,
    allocation_record,
    escalation_record,
    form_record,
    good_practice_record,
    grade_record,
    parse_dt,
    work_item_from_row,
)

CHUNK = 500  # keys per IN (...) list, well under SQLite's limit on parameters

_FORMS = ", ".join(f"f.{c}" for c in _FORM_COLUMNS.split(", "))
_ITEMS = ", ".join(f"w.{c}" for c in _WORK_ITEM_COLUMNS.split(", "))
_JOINED = f"SELECT {_FORMS}, {_ITEMS} FROM forms f LEFT JOIN work_items w ON w.form_id = f.form_id"
_SPLIT = len(_FORM_COLUMNS.split(", "))


@dataclass(frozen=True)
class PeriodRecords:
    """The current forms received since ``start`` (with any earlier ones asked for), and what hangs off them."""

    start: date
    forms: tuple[FormRecord, ...]
    grades: GradesByForm
    actions: tuple[ActionRecord, ...]
    escalations: tuple[EscalationRecord, ...]
    good_practice: tuple[GoodPracticeRecord, ...]
    allocations: tuple[AllocationRecord, ...]


def _chunks(keys: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch: list = []
    for key in keys:
        batch.append(key)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _marks(keys: list) -> str:
    return ", ".join("?" * len(keys))


def _joined(rows: list[tuple]) -> dict[int, FormRecord]:
    """pk -> the form, with its allocation (when it has one) from the same row."""
    out = {}
    for row in rows:
        form, item = row[:_SPLIT], row[_SPLIT:]
        out[row[0]] = form_record(form, work_item_from_row(item) if item[0] is not None else None)
    return out


def forms_received(store: Store, start: date, end: date | None = None, form_type: str | None = None
                   ) -> dict[int, FormRecord]:
    """The current version of each form received from ``start`` (up to ``end``, exclusive), by primary key."""
    where, params = ["+f.superseded = 0", "f.received >= ?"], [start.isoformat()]  # +: walk forms_received
    if end is not None:
        where.append("f.received < ?")
        params.append(end.isoformat())
    if form_type is not None:
        where.append("f.form_type = ?")
        params.append(form_type)
    return _joined(store.query(f"{_JOINED} WHERE {' AND '.join(where)} ORDER BY f.received, f.form_id", params))


def latest_of_cases(store: Store, case_ids: Collection[str], before: date, form_types: Collection[str],
                    grades: Collection[str]) -> dict[int, FormRecord]:
    """Each case's latest current form of these types graded one of ``grades``, received before ``before`` (case
    IDs compared ignoring case): one per case, each found by one seek of the (case, received) index."""
    types, graded = sorted(form_types), sorted(grades)
    pks = {r[0] for r in store.query(
        "SELECT (SELECT f.id FROM forms f WHERE f.case_id = c.value COLLATE NOCASE AND f.received < ? "
        f"AND +f.superseded = 0 AND f.form_type IN ({_marks(types)}) AND f.overall_grade IN ({_marks(graded)}) "
        "ORDER BY f.received DESC, f.form_id DESC LIMIT 1) FROM json_each(?) c",
        [before.isoformat(), *types, *graded, json.dumps(sorted({c for c in case_ids if c}))])}
    return forms_by_pk(store, pks - {None})


def forms_by_pk(store: Store, pks: Collection[int]) -> dict[int, FormRecord]:
    found: dict[int, FormRecord] = {}
    for batch in _chunks(sorted(pks)):
        found.update(_joined(store.query(f"{_JOINED} WHERE f.id IN ({_marks(batch)})", batch)))
    return found


def latest_received(store: Store, form_type: str, theme: str, before: date) -> datetime | None:
    """When the latest current form of this type on ``theme`` (the form's answer, else its allocation's) arrived
    before ``before``: walks the (type, received) index backwards and stops at the first match."""
    rows = store.query(
        "SELECT f.received FROM forms f LEFT JOIN work_items w ON w.form_id = f.form_id "
        "WHERE f.form_type = ? AND f.superseded = 0 AND f.received < ? AND "
        "COALESCE(NULLIF(TRIM(json_extract(f.values_json, '$.theme')), ''), w.theme, '') = ? "
        "ORDER BY f.received DESC LIMIT 1", (form_type, before.isoformat(), theme))
    return parse_dt(rows[0][0]) if rows else None


class GradesByForm(Mapping[str, tuple[GradeRecord, ...]]):
    """Each form's grades by form ID, in the order of their forms (received, form ID) and as recorded, made into
    records the first time a report asks for that form's: a quarter's reports read ~27,000 grades, and a report
    looks at those of the forms it counts domain by domain (the trend's earlier quarters count forms, not their
    domains), so about half are never made."""

    def __init__(self, raw: dict[str, tuple[FormRecord, list[tuple[str, str]]]]) -> None:
        self._raw = raw
        self._made: dict[str, tuple[GradeRecord, ...]] = {}

    def __getitem__(self, form_id: str) -> tuple[GradeRecord, ...]:
        made = self._made.get(form_id)
        if made is None:
            form, recorded = self._raw[form_id]
            made = self._made[form_id] = tuple(grade_record(form, domain, grade) for domain, grade in recorded)
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def _grades(store: Store, forms: dict[int, FormRecord]) -> GradesByForm:
    """The grades of these forms: one statement (the keys as one JSON parameter, as Store._among does), not one
    per 500 keys; records made when asked for (GradesByForm)."""
    rows = store.query("SELECT form_pk, domain, grade FROM grades WHERE form_pk IN (SELECT value FROM json_each(?)) "
                       "ORDER BY form_pk, rowid", (json.dumps(sorted(forms)),))
    by_pk: dict[int, list[tuple[str, str]]] = {}
    for pk, domain, grade in rows:
        by_pk.setdefault(pk, []).append((domain, grade))
    ordered = sorted((f.received, f.form_id, pk) for pk, f in forms.items() if pk in by_pk)  # 3,000 forms, not
    return GradesByForm({form_id: (forms[pk], by_pk[pk]) for _, form_id, pk in ordered})  # 27,000 grades


_ACTION_COLUMNS = ("action_id, form_id, number, text, owner, due, status, completed_on, notes, last_chased, form_pk")


def _actions(store: Store, forms: dict[int, FormRecord], start: date) -> list[ActionRecord]:
    """Actions of these forms, and every action due or completed since ``start`` whatever form set it (an old
    form's action that falls due this quarter counts in it); the forms of the latter are added to ``forms``."""
    rows = {r[0]: r for r in store.query(
        f"SELECT {_ACTION_COLUMNS} FROM actions WHERE due >= ?1 UNION "
        f"SELECT {_ACTION_COLUMNS} FROM actions WHERE completed_on >= ?1", (start.isoformat(),))}
    for batch in _chunks(sorted(forms)):
        rows.update((r[0], r) for r in store.query(
            f"SELECT {_ACTION_COLUMNS} FROM actions WHERE form_pk IN ({_marks(batch)})", batch))
    forms.update(forms_by_pk(store, {r[10] for r in rows.values()} - forms.keys()))
    out = [action_record(r, forms.get(r[10])) for r in rows.values()]
    return sorted(out, key=lambda a: (a.form_id, a.number))


def _escalations(store: Store, start: date, by_id: dict[str, FormRecord]) -> list[EscalationRecord]:
    """Concerns raised since ``start`` (whose form's current version came since then too, so it is loaded),
    and those read from rejected files (a small table of its own)."""
    rows = store.query("SELECT form_id, version, details, route, raised, current, notified_at, resolved_on, outcome "
                       "FROM escalations WHERE raised >= ? ORDER BY raised, form_id", (start.isoformat(),))
    recorded = [escalation_record(row, by_id[row[0]]) for row in rows if row[0] in by_id]
    rejected = [e for e in rejected_escalations(store) if e.raised.date() >= start]
    return sorted(recorded + rejected, key=lambda e: (e.raised, e.form_id))


def _good_practice(store: Store, start: date, by_id: dict[str, FormRecord]) -> list[GoodPracticeRecord]:
    rows = store.query("SELECT form_id, version, summary, difference, nominated_by, trust_values, senior_leader, "
                       "share, recorded, current, notified_at FROM good_practice WHERE recorded >= ? "
                       "ORDER BY recorded, form_id", (start.isoformat(),))
    return [good_practice_record(row, by_id[row[0]]) for row in rows if row[0] in by_id]


def allocations_due_from(store: Store, start: date) -> list[AllocationRecord]:
    """Work due from ``start`` (its return-by date, else the day it was generated), with what came back."""
    rows = store.query(
        f"SELECT {_WORK_ITEM_COLUMNS}, generated_at FROM work_items WHERE due_date >= ?1 "
        f"UNION ALL SELECT {_WORK_ITEM_COLUMNS}, generated_at FROM work_items "  # ALL: the two never share a row
        "WHERE due_date IS NULL AND generated_at >= ?1 "
        "ORDER BY cycle_id, form_id", (start.isoformat(),))
    items: list[tuple[WorkItem, str | None]] = [(work_item_from_row(r[:-1]), r[-1]) for r in rows]
    ids = json.dumps([i.form_id for i, _ in items])
    returned = {r[0]: r[1:] for r in store.query(
        "SELECT form_id, received, version FROM forms WHERE superseded = 0 AND form_id IN "
        "(SELECT value FROM json_each(?))", (ids,))}
    rejected = {r[0] for r in store.query(
        "SELECT DISTINCT form_id FROM rejected WHERE form_id IN (SELECT value FROM json_each(?))", (ids,))}
    return [allocation_record(item, parse_dt(generated), parse_dt(returned.get(item.form_id, (None, 0))[0]),
                             returned.get(item.form_id, (None, 0))[1],
                             item.form_id in rejected and item.form_id not in returned)
            for item, generated in items]


def period_records(store: Store, start: date, forms: dict[int, FormRecord],
                   allocations: list[AllocationRecord] | None = None) -> PeriodRecords:
    """Everything reports count from ``start`` on, for ``forms`` (by primary key: ``forms_received(store, start)``
    and any earlier forms the caller looked up by key): their grades and actions, the actions due or completed
    since ``start``, the concerns and good practice recorded since then and the work due since then
    (``allocations``, when the caller has read them already)."""
    forms = dict(forms)
    actions = _actions(store, forms, start)   # may add the forms of old actions falling due now
    by_id = {f.form_id: f for f in forms.values()}
    ordered = sorted(forms.values(), key=lambda f: (f.received, f.form_id, f.version))
    return PeriodRecords(start, tuple(ordered), _grades(store, forms), tuple(actions),
                         tuple(_escalations(store, start, by_id)), tuple(_good_practice(store, start, by_id)),
                         tuple(allocations_due_from(store, start) if allocations is None else allocations))


def people_named(store: Store) -> tuple[frozenset[str], frozenset[str]]:
    """Every child's initials and every practitioner's name the store has seen (in any allocation, any version of
    any form): what a leaders' report must never show, however old the form that named them. Read whole from the
    table the store keeps as it records forms and allocations (schema migration 13), distinct names only: its
    cost follows how many people were named, not how many forms were stored."""
    initials: set[str] = set()
    names: set[str] = set()
    for kind, name in store.query("SELECT kind, name FROM people_named"):
        (initials if kind == "initials" else names).add(name)
    return frozenset(initials), frozenset(names)
