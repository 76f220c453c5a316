"""The quarterly report's section on the framework's other activities (issue 14): leaders' observations (QAF
3.3-3.4), management audits (5.5), commissioned case audits (5.8.1), practice weeks and Young Inspectors
(7.3-7.5). Each by the Outcomes Based Accountability questions: how much did we do, how well, and what did
we find. Forms are named by ID; free text is pseudonymised and clipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from processors.forms.definitions import FORM_TYPES
from processors.forms.vocabulary import (
    ACTIVITY_TYPES,
    COMMISSIONED_AUDIT,
    LEADER_OBSERVATION,
    MANAGEMENT_AUDIT,
    PRACTICE_WEEK_REVIEW,
    YES,
    YOUNG_INSPECTOR_FEEDBACK,
)
from processors.reports.findings import clip
from processors.reports.measures import GOOD_OR_BETTER, pct
from processors.reports.privacy import Scrubber
from processors.reports.quarter import Quarter
from processors.reports.source import Snapshot, due_day, field_key
from processors.reports.tables import Table

FOUND_LIMIT = 240
FOUND_ROWS = 6

# What each activity found, in the words of the field that says it best (checked against the definitions).
FOUND_IN: dict[str, tuple[str, ...]] = {
    LEADER_OBSERVATION: tuple(field_key(LEADER_OBSERVATION, k) for k in ("themes_for_qa", "areas_for_development")),
    MANAGEMENT_AUDIT: tuple(field_key(MANAGEMENT_AUDIT, k) for k in ("wider_issues", "clinic_issues", "findings")),
    COMMISSIONED_AUDIT: tuple(field_key(COMMISSIONED_AUDIT, k) for k in ("lessons", "findings")),
    PRACTICE_WEEK_REVIEW: tuple(field_key(PRACTICE_WEEK_REVIEW, k) for k in ("recommendation", "areas_to_develop")),
    YOUNG_INSPECTOR_FEEDBACK: tuple(field_key(YOUNG_INSPECTOR_FEEDBACK, k) for k in ("did_well", "could_be_better")),
}
WOULD_WANT = field_key(YOUNG_INSPECTOR_FEEDBACK, "would_want_help")


@dataclass(frozen=True)
class FoundRow:
    form_id: str
    where: str
    said: str


@dataclass(frozen=True)
class ActivitySection:
    title: str
    reference: str
    how_much: str
    how_well: str
    found: Table


def _how_well(form_type: str, forms: list) -> str:
    if form_type == YOUNG_INSPECTOR_FEEDBACK:
        yes = sum(1 for f in forms if f.values.get(WOULD_WANT) == YES)
        return (f"Young Inspectors said they would want the worker to help them after {yes} of {len(forms)} "
                f"visit(s) ({pct(yes, len(forms))}).")
    graded = [f for f in forms if f.overall_grade]
    if graded:
        good = sum(1 for f in graded if f.overall_grade in GOOD_OR_BETTER)
        return f"{good} of {len(graded)} case(s) audited were Good or better ({pct(good, len(graded))})."
    concerns = sum(1 for f in forms if f.immediate_concern)
    return f"{concerns} raised an immediate concern." if concerns else "None raised an immediate concern."


def activity_section(snap: Snapshot, quarter: Quarter, form_type: str, scrub: Scrubber) -> ActivitySection | None:
    definition = FORM_TYPES[form_type]
    forms = [f for f in snap.forms if f.form_type == form_type and f.received in quarter]
    due = [a for a in snap.allocations if a.item.form_type == form_type and due_day(a) in quarter]
    if not forms and not due:
        return None
    much = f"{len(forms)} returned this quarter"
    if due:
        back = sum(1 for a in due if a.version)
        much += f"; {back} of {len(due)} due this quarter came back"
    found = []
    for f in forms:
        said = next((str(f.values[k]) for k in FOUND_IN[form_type] if f.values.get(k)), "")
        if said:
            found.append(FoundRow(f.form_id, f.team or f.service or "-", clip(scrub.text(said), FOUND_LIMIT)))
    return ActivitySection(definition.title, definition.framework_ref, much + ".",
                           _how_well(form_type, forms) if forms else "Nothing has come back yet.",
                           Table(tuple(found[:FOUND_ROWS]), "Nothing recorded yet."))


def activities(snap: Snapshot, quarter: Quarter, scrub: Scrubber) -> tuple[ActivitySection, ...]:
    """A section per activity that had work due or returned in the quarter."""
    sections = (activity_section(snap, quarter, t, scrub) for t in ACTIVITY_TYPES)
    return tuple(s for s in sections if s is not None)
