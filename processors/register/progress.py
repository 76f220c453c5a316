"""Where each allocated form and each action stands on a given day: the register's sheets and its Overview
both read these, so "overdue" and an allocation's status are worked out in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from processors.store.assurance import AssuranceRow, assurance_rows
from processors.store.database import Store
from processors.store.records import (
    ActionRecord,
    AllocationRecord,
    EscalationRecord,
    FormRecord,
    GoodPracticeRecord,
    GradeRecord,
    RejectionRecord,
)

# An allocation's status, in the order a form goes through them.
NOT_GENERATED, SENT, OVERDUE, NEEDS_CORRECTION, RETURNED, RECORDED = (
    "Not generated", "Sent", "Overdue", "Needs correction", "Returned", "Recorded")
ALLOCATION_STATUSES = (NOT_GENERATED, SENT, OVERDUE, NEEDS_CORRECTION, RETURNED, RECORDED)
DUE_SOON_DAYS = 7  # "due this week"
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")


def days_overdue(due: date | None, today: date, done: bool) -> int | None:
    """Whole days past the due date for something not done; None when not overdue."""
    if done or due is None or due >= today:
        return None
    return (today - due).days


@dataclass(frozen=True)
class ActionRow:
    """An action as the register shows it on ``today``."""

    record: ActionRecord
    days_overdue: int | None

    def __getattr__(self, name: str) -> object:  # the record's fields read straight through
        return getattr(self.record, name)


@dataclass(frozen=True)
class AllocationRow:
    """An allocated form as the register shows it on ``today``."""

    record: AllocationRecord
    status: str
    days_overdue: int | None
    last_chased: date | None
    late: bool  # not back by its due date (overdue now, or needing correction past it)

    def __getattr__(self, name: str) -> object:
        return getattr(self.record, name)


def _rejected_form_ids(rejections: list[RejectionRecord], known: set[str]) -> dict[str, datetime]:
    """{form ID: latest rejection} for rejected files whose name or reason names a known form ID."""
    latest: dict[str, datetime] = {}
    for r in rejections:
        for token in _TOKEN.findall(f"{r.file} {r.reason}"):
            if token in known and (token not in latest or r.received > latest[token]):
                latest[token] = r.received
    return latest


def allocation_status(a: AllocationRecord, rejected_at: datetime | None, warnings: bool, today: date) -> str:
    """Recorded (back and clean), Returned (back, with warnings to look at), Needs correction (the last file
    was rejected), Overdue, Sent, or Not generated."""
    if a.version and (rejected_at is None or (a.received and a.received >= rejected_at)):
        return RETURNED if warnings else RECORDED
    if rejected_at is not None or a.needs_correction:
        return NEEDS_CORRECTION
    if a.generated_at is None:
        return NOT_GENERATED
    if a.item.due_date is not None and a.item.due_date < today:
        return OVERDUE
    return SENT


@dataclass(frozen=True)
class Snapshot:
    """Everything the register shows, read from the store in one transaction."""

    today: date
    forms: list[FormRecord]
    grades: list[GradeRecord]
    actions: list[ActionRow]
    escalations: list[EscalationRecord]
    good_practice: list[GoodPracticeRecord]
    rejections: list[RejectionRecord]
    allocations: list[AllocationRow]
    sent: list[tuple]
    assurance: list[AssuranceRow] = field(default_factory=list)  # imported exports (processors.assurance)


def allocation_rows(allocations: list[AllocationRecord], rejections: list[RejectionRecord], with_warnings: set[str],
                    chased: dict[str, date], today: date) -> list[AllocationRow]:
    """Each allocated form's row: its status, days overdue, when last chased and whether it is late."""
    rejected = _rejected_form_ids(rejections, {a.item.form_id for a in allocations})
    rows = []
    for a in allocations:
        status = allocation_status(a, rejected.get(a.item.form_id), a.item.form_id in with_warnings, today)
        back = status in (RETURNED, RECORDED)
        overdue = days_overdue(a.item.due_date, today, back)
        late = overdue is not None and status in (OVERDUE, NEEDS_CORRECTION)
        rows.append(AllocationRow(a, status, overdue, chased.get(a.item.form_id), late))
    return rows


def take_snapshot(store: Store, today: date) -> Snapshot:
    with store.reading_once():  # the form records are read once, not once per table that needs them
        forms = store.forms()
        rejections = store.rejections()
        with_warnings = {f.form_id for f in forms if f.warnings or not f.matched}
        allocations = allocation_rows(store.allocations(), rejections, with_warnings, store.forms_last_chased(),
                                      today)
        actions = [ActionRow(a, days_overdue(a.due, today, not a.is_open)) for a in store.actions()]
        return Snapshot(today, forms, store.grades(), actions, store.escalations(), store.good_practice(),
                        rejections, allocations, store.sent_log(), assurance_rows(store))
