"""What a report reads: one snapshot of the store, and the scope of a report (whole trust, a service, a theme).

A run of the quarter's reports reads its snapshot once (``load_quarter``): the quarter and the quarters its trend
shows, by date range through the store's indexes, plus the few earlier records it needs by key (the earlier
audits of the cases audited this quarter, the last quarter each theme was audited before). Every report, section
and chart of the run then works on that one snapshot; years of history behind the quarter are never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from processors.allocation.rules import REAUDIT_CHECKED
from processors.forms.definitions import FORM_TYPES
from processors.forms.vocabulary import AUDIT_TYPES, GRADES, THEMATIC
from processors.reports.collector import collector_paused
from processors.reports.quarter import Quarter, quarter_of
from processors.store.assurance import AssuranceRow, assurance_rows
from processors.store.database import (
    ActionRecord,
    AllocationRecord,
    EscalationRecord,
    FormRecord,
    GoodPracticeRecord,
    GradeRecord,
    Store,
)
from processors.store.period import (
    allocations_due_from,
    forms_received,
    latest_of_cases,
    latest_received,
    people_named,
    period_records,
)

# The six-weekly cycle's audits: allocated, completed and graded (the framework's other activities, some graded
# too, have their own section: processors/reports/activities.py).
GRADED_TYPES: tuple[str, ...] = tuple(
    k for k in AUDIT_TYPES if "overall_grade" in {f.key for f in FORM_TYPES[k].fields})


def field_key(form_type: str, key: str) -> str:
    """``key``, checked against the form definition, so a renamed field fails at import, not in a report."""
    FORM_TYPES[form_type].field(key)
    return key


def form_title(form_type: str) -> str:
    definition = FORM_TYPES.get(form_type)
    return definition.title if definition else form_type


@dataclass(frozen=True, eq=False)
class Snapshot:
    forms: tuple[FormRecord, ...]            # the current version of each form
    grades_by_form: Mapping[str, tuple[GradeRecord, ...]]  # each form's grades (by quarter: made when asked for)
    actions: tuple[ActionRecord, ...]
    escalations: tuple[EscalationRecord, ...]
    good_practice: tuple[GoodPracticeRecord, ...]
    allocations: tuple[AllocationRecord, ...]
    assurance: tuple[AssuranceRow, ...] = ()   # other sources of assurance, imported (whole trust only)
    since: date | None = None                  # counts what came from this day (None: the whole store)
    known_initials: frozenset[str] = frozenset()  # every child's initials and practitioner's name in the store,
    known_names: frozenset[str] = frozenset()     # however old: the scrubber hides them (privacy.py)
    actions_by_form: dict[str, tuple[ActionRecord, ...]] = field(default_factory=dict, compare=False)
    forms_by_id: dict[str, FormRecord] = field(default_factory=dict, compare=False)
    escalated: frozenset[str] = field(default_factory=frozenset, compare=False)  # forms whose concern stands

    def __post_init__(self) -> None:  # grouped here unless given (Scope.restrict takes its forms' from the whole)
        if not self.actions_by_form:
            object.__setattr__(self, "actions_by_form", _group(self.actions))
        object.__setattr__(self, "forms_by_id", {f.form_id: f for f in self.forms})
        object.__setattr__(self, "escalated", frozenset(e.form_id for e in self.escalations if e.current))

    @property
    def grades(self) -> tuple[GradeRecord, ...]:
        """Every grade, in the order of their forms."""
        return tuple(grade for grades in self.grades_by_form.values() for grade in grades)


def _group(records: tuple) -> dict[str, tuple]:
    out: dict[str, list] = {}
    for record in records:
        out.setdefault(record.form_id, []).append(record)
    return {k: tuple(v) for k, v in out.items()}


def load_snapshot(store: Store) -> Snapshot:
    """Everything a report counts, read once. Good practice whose nominator said 'do not share' (QAF 8.5.4) is
    counted but never shown: the showcase and the briefing take only shareable records (findings.py)."""
    with store.reading_once():
        return _read(store)


def quarter_window(quarter: Quarter, trend_quarters: int) -> date:
    """The first day a quarter's reports count from: the first quarter of its trend (at least the quarter before,
    which the impact grades and the briefing's month before compare with)."""
    return quarter.previous(max(trend_quarters, 1))[0].start


def load_quarter(store: Store, quarter: Quarter, trend_quarters: int) -> Snapshot:
    """What a quarter's reports count, read once for the whole run (see the module's docstring)."""
    with collector_paused(), store.reading_snapshot():  # ~35,000 records, no cycles; one state of the store
        return _load_quarter(store, quarter, trend_quarters)


def _load_quarter(store: Store, quarter: Quarter, trend_quarters: int) -> Snapshot:
    start = quarter_window(quarter, trend_quarters)
    forms = forms_received(store, start)
    allocations = allocations_due_from(store, start)
    in_quarter = [f for f in forms.values() if f.received in quarter]
    audited = {f.case_id for f in in_quarter if f.form_type in REAUDIT_CHECKED}  # was each case audited before?
    forms.update(latest_of_cases(store, audited, start, REAUDIT_CHECKED, GRADES))
    themes = {f.theme for f in in_quarter if f.form_type == THEMATIC}
    themes |= {a.item.theme for a in allocations if due_day(a) in quarter}
    seen = {f.theme for f in forms.values() if f.form_type == THEMATIC and f.received.date() < quarter.start}
    for theme in sorted(t for t in themes - seen if t):  # last audited before the window: that quarter, by key
        last = latest_received(store, THEMATIC, theme, start)
        if last is not None:
            then = quarter_of(last.date(), quarter.year_start_month)
            forms.update(forms_received(store, then.start, then.end, THEMATIC))
    records = period_records(store, start, forms, allocations)
    initials, names = people_named(store)
    return Snapshot(records.forms, records.grades, records.actions, records.escalations, records.good_practice,
                    records.allocations, tuple(assurance_rows(store)), since=start, known_initials=initials,
                    known_names=names)


def _read(store: Store) -> Snapshot:
    return Snapshot(tuple(store.forms()), _group(tuple(store.grades())), tuple(store.actions()),
                    tuple(store.escalations()), tuple(store.good_practice()), tuple(store.allocations()),
                    tuple(assurance_rows(store)))


def due_day(allocation: AllocationRecord) -> date | None:
    """The day an allocated piece of work is due: its return-by date, else the day it was generated."""
    if allocation.item.due_date is not None:
        return allocation.item.due_date
    return allocation.generated_at.date() if allocation.generated_at else None


@dataclass(frozen=True)
class Scope:
    """Which part of the data a report covers: the whole trust, one service, one theme (or both)."""

    service: str = ""
    theme: str = ""

    @property
    def kind(self) -> str:
        return "theme" if self.theme else "service" if self.service else "slt"

    @property
    def name(self) -> str:
        return " - ".join(p for p in (self.theme, self.service) if p) or "Senior Leadership Team"

    def _match(self, service: str, theme: str) -> bool:
        return (not self.service or service == self.service) and (not self.theme or theme == self.theme)

    def restrict(self, snap: Snapshot) -> Snapshot:
        if not (self.service or self.theme):
            return snap
        forms = tuple(f for f in snap.forms if self._match(f.service, f.theme))
        ids = {f.form_id for f in forms}
        grades = {i: snap.grades_by_form[i] for i in snap.grades_by_form if i in ids}  # in their order
        actions = {i: snap.actions_by_form[i] for i in ids if i in snap.actions_by_form}
        return Snapshot(
            forms,
            grades,
            tuple(a for a in snap.actions if a.form_id in actions),
            tuple(e for e in snap.escalations if e.form_id in ids),
            tuple(g for g in snap.good_practice if g.form_id in ids),
            tuple(a for a in snap.allocations if self._match(a.item.case.service, a.item.theme)),
            actions_by_form=actions,
        )


def services_in(snap: Snapshot) -> list[str]:
    names = {f.service for f in snap.forms} | {a.item.case.service for a in snap.allocations}
    return sorted(n for n in names if n)


def themes_in(snap: Snapshot) -> list[str]:
    names = {f.theme for f in snap.forms} | {a.item.theme for a in snap.allocations}
    return sorted(n for n in names if n)
