"""The register's sheets and their columns, each declared once: its header, how its value is read from the
store's record, what kind of value it is, its width, and for the columns people edit, what to type there.

Rows are made from these declarations, so a row can never drift out of step with its header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from processors.assurance.kinds import DATE as IMPORT_DATE
from processors.assurance.kinds import KINDS, ImportKind
from processors.forms.definitions import FORM_TYPES, Kind
from processors.forms.vocabulary import (
    ACTIVITY_TYPES,
    COMMISSIONED_AUDIT,
    LEADER_OBSERVATION,
    MANAGEMENT_AUDIT,
    PRACTICE_WEEK_REVIEW,
    YOUNG_INSPECTOR_FEEDBACK,
    parse_action_key,
)
from processors.register.progress import RECORDED, RETURNED, Snapshot
from processors.store.assurance import AssuranceRow
from processors.store.records import ACTION_STATUSES, CLOSED_STATUSES

TEXT, DATE, DATETIME, NUMBER, GRADE, STATUS = "text", "date", "datetime", "number", "grade", "status"
MAX_WIDTH = 60
WIDTH_SAMPLE = 300  # the first rows a sheet's column widths are fitted to

# Sheet names (DESIGN.md's register contract), plus the two sheets for people.
OVERVIEW, HOW_TO_USE = "Overview", "How to use"
FORMS, GRADES_TITLE, ACTIONS, ESCALATIONS = "Forms", "Grades", "Actions", "Escalations"
GOOD_PRACTICE, REJECTED, ALLOCATIONS, SENT = "Good practice", "Rejected", "Allocations", "Sent"

# Headers other modules look up by name.
FORM_ID, ACTION_ID, DOMAIN, SERVICE, DUE_DATE = "Form ID", "Action ID", "Domain", "Service", "Due date"
STATUS_HEADER, COMPLETED_ON, NOTES, RESOLVED_ON, OUTCOME = "Status", "Completed on", "Notes", "Resolved on", "Outcome"
DAYS_OVERDUE = "Days overdue"


@dataclass(frozen=True)
class Column:
    header: str
    get: Callable[[Any], object]  # the cell's value, from one record of the sheet
    kind: str = TEXT
    width: int | None = None      # None: fit to the contents
    edit: str = ""                # a column people edit: what to type (the header's comment)

    @property
    def edited(self) -> bool:
        return bool(self.edit)


@dataclass(frozen=True)
class Sheet:
    title: str
    table: str
    columns: tuple[Column, ...]
    records: Callable[[Snapshot], list[Any]]
    key: tuple[str, ...] = ()  # headers that identify a row (for reading the sheet back); () = not read back
    optional: bool = False     # shown only once it has rows
    done: tuple[str, ...] = ()  # Status values that mean finished: such rows are never shown as overdue

    def row(self, record: Any) -> tuple:
        """One record's row: each column's value."""
        return tuple(c.get(record) for c in self.columns)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def computed(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.edited)


def _title(form_type: str) -> str:
    definition = FORM_TYPES.get(form_type)
    return definition.title if definition else form_type


def _yes(flag: bool) -> str:
    return "Yes" if flag else "No"


def _said(values: dict[str, object], *keys: str) -> str:
    """A form's answer to the first of ``keys`` it has ('' when it has none)."""
    return next((str(values[k]) for k in keys if values.get(k)), "")


def col(header: str, attr: str, kind: str = TEXT, width: int | None = None, edit: str = "") -> Column:
    """A column showing one attribute of the record (dotted paths allowed)."""
    return Column(header, attrgetter(attr), kind, width, edit)


_form_type = Column("Form type", lambda r: _title(r.form_type))
_STATUS_EDIT = f"Type or pick one of: {', '.join(ACTION_STATUSES)}. Kept every time the register is rewritten."

FORMS_SHEET = Sheet(FORMS, "Forms", (
    col(FORM_ID, "form_id"), _form_type, col("Case ID", "case_id"), col("Practitioner", "practitioner"),
    col("Auditor", "auditor"), col("Overall grade", "overall_grade", GRADE),
    Column("Immediate concern", lambda r: _yes(r.immediate_concern)), col("Received", "received", DATETIME),
    col("Version", "version", NUMBER), col("Source file", "source_file", width=40), col("Cycle", "cycle_id"),
    col(SERVICE, "service"), col("Team", "team"), col("Theme", "theme"), Column("Matched", lambda r: _yes(r.matched)),
    Column("Warnings", lambda r: "; ".join(r.warnings), width=MAX_WIDTH),
    Column("Audited alongside practitioner", lambda r: _said(r.values, "audited_alongside_practitioner")),
    Column("Team manager made aware", lambda r: _said(r.values, "team_manager_informed", "feedback_to_manager"))),
    lambda s: s.forms, key=(FORM_ID,))

GRADES_SHEET = Sheet(GRADES_TITLE, "Grades", (
    col(FORM_ID, "form_id"), col(DOMAIN, "domain_label"), col("Grade", "grade", GRADE), _form_type,
    col("Case ID", "case_id"), col(SERVICE, "service"), col("Team", "team"), col("Received", "received", DATETIME)),
    lambda s: s.grades, key=(FORM_ID, DOMAIN))

ACTIONS_SHEET = Sheet(ACTIONS, "Actions", (
    col(ACTION_ID, "action_id"), col(FORM_ID, "form_id"), col("Action", "text", width=MAX_WIDTH),
    col("Owner", "owner"), col(DUE_DATE, "due", DATE),
    col(STATUS_HEADER, "status", STATUS, 16, edit=_STATUS_EDIT),
    col(COMPLETED_ON, "completed_on", DATE, 14,
        edit="The date the action was done, as dd/mm/yyyy. Leave it blank while the action is open."),
    col(NOTES, "notes", width=40, edit="Anything worth knowing about this action, in your own words."),
    col(DAYS_OVERDUE, "days_overdue", NUMBER), col("Last chased", "last_chased", DATE), col("Case ID", "case_id"),
    col(SERVICE, "service"), col("Team", "team")),
    lambda s: s.actions, key=(ACTION_ID,), done=tuple(sorted(CLOSED_STATUSES)))

ESCALATIONS_SHEET = Sheet(ESCALATIONS, "Escalations", (
    col(FORM_ID, "form_id"), _form_type, col("Case ID", "case_id"), col("Practitioner", "practitioner"),
    col("Auditor", "auditor"), col(SERVICE, "service"), col("Team", "team"), col("Details", "details", width=MAX_WIDTH),
    col("Escalation route", "route"), col("Raised", "raised", DATETIME), col("Version", "version", NUMBER),
    Column("In current version", lambda r: _yes(r.current)), col("Alert sent", "notified_at", DATETIME),
    col(RESOLVED_ON, "resolved_on", DATE, 14,
        edit="The date the concern was resolved, as dd/mm/yyyy. Resolved escalations leave the daily digest."),
    col(OUTCOME, "outcome", width=40, edit="What was done about the concern, in a few words."),
    col("Route check", "route_check", width=40), col("Form rejected because", "rejected_because", width=MAX_WIDTH)),
    lambda s: s.escalations, key=(FORM_ID,))

GOOD_PRACTICE_SHEET = Sheet(GOOD_PRACTICE, "GoodPractice", (
    col(FORM_ID, "form_id"), col("Practitioner", "practitioner"), col("Team", "team"), col(SERVICE, "service"),
    col("Nominated by", "nominated_by"), col("Good practice", "summary", width=MAX_WIDTH),
    col("Difference made", "difference", width=MAX_WIDTH),
    Column("Trust values", lambda r: ", ".join(r.trust_values), width=40), col("Senior leader", "senior_leader"),
    col("Share across workforce", "share_across_workforce"), col("Recorded", "recorded", DATETIME),
    Column("In current version", lambda r: _yes(r.current)), col("Thanks sent", "notified_at", DATETIME)),
    lambda s: s.good_practice, key=(FORM_ID,))

REJECTED_SHEET = Sheet(REJECTED, "Rejected", (
    col("File", "file", width=40), col("Received", "received", DATETIME), col("Reason", "reason", width=MAX_WIDTH)),
    lambda s: s.rejections)

ALLOCATIONS_SHEET = Sheet(ALLOCATIONS, "Allocations", (
    col(FORM_ID, "item.form_id"), col("Cycle", "item.cycle_id"),
    Column("Form type", lambda r: _title(r.item.form_type)),
    col("Case ID", "item.case.case_id"), col("Practitioner", "item.case.practitioner"), col("Team", "item.case.team"),
    col(SERVICE, "item.case.service"), col("Auditor", "item.auditor"), col("Auditor role", "item.auditor_role"),
    col("Theme", "item.theme"), col(DUE_DATE, "item.due_date", DATE), col(STATUS_HEADER, "status", width=18),
    col(DAYS_OVERDUE, "days_overdue", NUMBER), col("Generated", "generated_at", DATETIME),
    col("Returned", "received", DATETIME), Column("Version", lambda r: r.version or None, NUMBER),
    col("Last chased", "last_chased", DATE)),
    lambda s: s.allocations, key=(FORM_ID,), done=(RETURNED, RECORDED))

SENT_SHEET = Sheet(SENT, "Sent", (
    Column("Sent at", lambda r: r[0], DATETIME), Column("Kind", lambda r: r[1]),
    Column("Subject", lambda r: r[2], width=50), Column("Recipients", lambda r: r[3], width=50),
    Column("Attachments", lambda r: r[4], width=50), Column("Backend", lambda r: r[5]),
    Column("Result", lambda r: r[6], width=MAX_WIDTH)),
    lambda s: s.sent, optional=True)



def _imported(name: str, is_date: bool) -> Callable[[AssuranceRow], object]:
    def get(row: AssuranceRow) -> object:
        value = row.values.get(name)
        return date.fromisoformat(value) if is_date and isinstance(value, str) and value else value
    return get


def _assurance_sheet(kind: ImportKind) -> Sheet:
    """One sheet per kind of imported export (other sources of assurance), once anything is imported."""
    columns = tuple(Column(c.name, _imported(c.name, c.kind == IMPORT_DATE), DATE if c.kind == IMPORT_DATE else TEXT)
                    for c in kind.columns)
    return Sheet(kind.sheet, kind.key.capitalize() + "Import",
                 (*columns, col("Source file", "source_file", width=40), col("Row", "row_number", NUMBER)),
                 lambda s, key=kind.key: [r for r in s.assurance if r.kind == key], optional=True)


ASSURANCE_SHEETS: tuple[Sheet, ...] = tuple(_assurance_sheet(k) for k in KINDS.values())

# The framework's other activities (issue 14): a sheet each, once one has come back.
ACTIVITY_SHEET_TITLES: dict[str, str] = {
    LEADER_OBSERVATION: "Leaders' observations", MANAGEMENT_AUDIT: "Management audits",
    COMMISSIONED_AUDIT: "Commissioned audits", PRACTICE_WEEK_REVIEW: "Practice week",
    YOUNG_INSPECTOR_FEEDBACK: "Young Inspectors"}
_SAID = (Kind.LONGTEXT, Kind.CHOICE, Kind.TEXT)
_NOT_SHOWN = ("immediate_concern", "immediate_concern_details", "escalation_route")


def _answer(key: str) -> Callable[[Any], object]:
    return lambda record: record.values.get(key) or ""


def _activity_sheet(form_type: str) -> Sheet:
    """The activity's own answers, as its definition asks them (no evidence boxes or actions: other sheets)."""
    d = FORM_TYPES[form_type]
    when = next((f for f in d.fillable if f.kind is Kind.DATE), None)
    answers = tuple(Column(f.label, _answer(f.key), width=MAX_WIDTH if f.kind is Kind.LONGTEXT else None)
                    for f in d.fillable if f.kind in _SAID and not f.key.endswith("_evidence")
                    and not parse_action_key(f.key) and f.key not in _NOT_SHOWN)
    graded = (col("Overall grade", "overall_grade", GRADE),) if any(f.key == "overall_grade" for f in d.fields) else ()
    return Sheet(ACTIVITY_SHEET_TITLES[form_type], d.title.replace("'", "").replace(" ", ""), (
        col(FORM_ID, "form_id"), Column(when.label if when else "Date", _answer(when.key) if when else _none, DATE),
        col("By", "auditor"), col(SERVICE, "service"), col("Team", "team"), col("Case ID", "case_id"), *graded,
        *answers, Column("Immediate concern", lambda r: _yes(r.immediate_concern)),
        col("Received", "received", DATETIME)),
        lambda s, key=form_type: [f for f in s.forms if f.form_type == key], optional=True)


def _none(_record: object) -> None:
    return None


ACTIVITY_SHEETS: tuple[Sheet, ...] = tuple(_activity_sheet(k) for k in ACTIVITY_TYPES)

# The data sheets, in the order they appear (after the Overview and How to use sheets).
SHEETS: tuple[Sheet, ...] = (FORMS_SHEET, GRADES_SHEET, ACTIONS_SHEET, ESCALATIONS_SHEET, GOOD_PRACTICE_SHEET,
                             REJECTED_SHEET, ALLOCATIONS_SHEET, SENT_SHEET, *ACTIVITY_SHEETS, *ASSURANCE_SHEETS)
BY_TITLE: dict[str, Sheet] = {s.title: s for s in SHEETS}
