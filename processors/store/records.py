"""What the store's queries return (dataclasses, never rows or dicts), and the conversions between rows and them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

import orjson

from processors.forms.definitions import FORM_TYPES, TRUST_VALUES, Kind
from processors.forms.models import Case, ValidatedForm, WorkItem
from processors.forms.routing import route_problem
from processors.forms.vocabulary import ACTION_STATUSES as ACTION_STATUSES
from processors.forms.vocabulary import CLOSED_STATUSES as CLOSED_STATUSES
from processors.forms.vocabulary import GOOD_PRACTICE

# --- value conversions --------------------------------------------------------------------------

def dt_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


def date_text(value: date | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def parse_dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__} in a form's values")


def encode_values(values: dict[str, object]) -> str:
    return json.dumps(values, default=json_default, ensure_ascii=False, sort_keys=True)


@cache
def _date_keys(form_type: str) -> tuple[str, ...]:
    definition = FORM_TYPES.get(form_type)
    return tuple(f.key for f in definition.fields if f.kind is Kind.DATE) if definition else ()


def decode_json(text: str) -> Any:
    """``json.loads(text)``, by orjson (three times quicker on a form's values: a quarter's reports decode
    thousands), else by json for what only it reads (NaN, which json.dumps writes)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def decode_values(form_type: str, text: str) -> dict[str, object]:
    values: dict[str, object] = decode_json(text)
    for key in _date_keys(form_type):
        raw = values.get(key)
        if isinstance(raw, str) and raw:
            try:
                values[key] = date.fromisoformat(raw[:10])
            except ValueError:
                pass
    return values


def value_text(values: dict[str, object], key: str, fallback: str = "") -> str:
    value = values.get(key)
    if value is None or value == "":
        return fallback
    return str(value).strip() or fallback


@cache
@cache
def domain_label(form_type: str, key: str) -> str:
    """The label people see for a graded domain (the key when the form type is unknown); the definitions are
    fixed for the process, so each (form type, key) is looked up once (a quarter's reports read ~27,000 grades)."""
    definition = FORM_TYPES.get(form_type)
    try:
        return definition.field(key).label if definition else key
    except KeyError:
        return key


# --- records returned by queries ----------------------------------------------------------------

Record = TypeVar("Record")


def record_maker(cls: type[Record]) -> Callable[..., Record]:
    """``cls(...)`` for a frozen dataclass, about twice as quick: its ``__init__`` sets each field through
    ``object.__setattr__``; this fills the new record's ``__dict__`` at once (the tens of thousands of records a
    quarter's reports read). Fields in order, then by name; trailing ones with defaults may be left out. Only for
    classes without ``__post_init__`` or default factories."""
    spec = fields(cls)  # type: ignore[arg-type]
    names = tuple(f.name for f in spec)
    defaults = {f.name: f.default for f in spec if f.default is not MISSING}
    if hasattr(cls, "__post_init__") or any(f.default_factory is not MISSING for f in spec):
        raise TypeError(f"{cls.__name__} needs its own __init__: make it with {cls.__name__}(...)")
    new = object.__new__

    def make(*values: object, **named: object) -> Record:
        record = new(cls)
        state = record.__dict__
        if len(values) + len(named) < len(names):
            state.update(defaults)
        state.update(zip(names, values))
        state.update(named)
        if len(state) != len(names) or len(values) > len(names):
            raise TypeError(f"{cls.__name__} takes {names}: given {len(values)} values and {sorted(named)}")
        return record

    return make


class RecordOutcome(str, Enum):
    """What ``Store.record_form`` did with a form."""

    NEW = "new"                # first version of this form ID
    SUPERSEDED = "superseded"  # a corrected form: a new version, earlier ones kept as history
    DUPLICATE = "duplicate"    # the very same file was recorded before: nothing written
    OLDER = "older copy"       # saved before the current version: kept in the history, not current


@dataclass(frozen=True)
class ActionEdit:
    """The columns of an action people edit in the register."""

    status: str
    completed_on: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class FormRecord:
    """One recorded version of a form; who it is about comes from the form, else its allocation."""

    form_id: str
    version: int
    form_type: str
    case_id: str
    template_version: str
    values: dict[str, object]
    overall_grade: str
    immediate_concern: bool
    matched: bool
    warnings: tuple[str, ...]
    received: datetime
    source_file: str
    sha256: str
    superseded: bool
    practitioner: str
    auditor: str
    service: str
    team: str
    team_manager: str
    cycle_id: str
    theme: str
    legal_status: str = ""


@dataclass(frozen=True)
class GradeRecord:
    form_id: str
    form_type: str
    case_id: str
    service: str
    team: str
    domain: str          # the field key
    domain_label: str    # what people see
    grade: str
    received: datetime


@dataclass(frozen=True)
class ActionRecord:
    action_id: str
    form_id: str
    number: int
    text: str
    owner: str
    due: date | None
    status: str
    completed_on: date | None
    notes: str
    last_chased: date | None
    case_id: str
    form_type: str
    service: str
    team: str
    auditor: str

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def edit(self) -> ActionEdit:
        return ActionEdit(self.status, self.completed_on, self.notes)


@dataclass(frozen=True)
class EscalationRecord:
    form_id: str
    version: int
    form_type: str
    case_id: str
    practitioner: str
    service: str
    team: str
    auditor: str
    details: str
    route: str
    raised: datetime             # when the first version with the concern arrived
    current: bool                # the latest version still records the concern
    notified_at: datetime | None
    resolved_on: date | None = None  # entered by people in the register's Escalations sheet
    outcome: str = ""
    route_check: str = ""            # '' when the route fits the case's legal status (QAF 5.4), else why not
    rejected_because: str = ""       # a concern read from a rejected file: why the file was rejected

    @property
    def is_open(self) -> bool:
        return self.current and self.resolved_on is None

    @property
    def edit(self) -> EscalationEdit:
        return EscalationEdit(self.resolved_on, self.outcome)


@dataclass(frozen=True)
class EscalationEdit:
    """The columns of an escalation people edit in the register."""

    resolved_on: date | None = None
    outcome: str = ""


@dataclass(frozen=True)
class GoodPracticeRecord:
    form_id: str
    version: int
    form_type: str
    case_id: str
    practitioner: str
    team: str
    service: str
    line_manager: str
    nominated_by: str
    summary: str
    difference: str
    trust_values: tuple[str, ...]
    senior_leader: str
    share_across_workforce: str
    recorded: datetime
    current: bool
    notified_at: datetime | None

    @property
    def shareable(self) -> bool:
        """False when the record says 'Share across the workforce: No' (QAF 8.5.4): it is never shown beyond
        the practitioner, their line manager, the QA Manager and the senior leader who says thank you."""
        return self.share_across_workforce.strip().casefold() != "no"


@dataclass(frozen=True)
class RejectionRecord:
    file: str
    received: datetime
    reason: str
    sha256: str | None


@dataclass(frozen=True)
class AllocationRecord:
    item: WorkItem
    generated_at: datetime | None
    received: datetime | None   # when the current version of the form arrived
    version: int                # 0 while nothing has come back
    needs_correction: bool = False  # a file came back but was rejected, and no corrected form has been recorded

    @property
    def return_state(self) -> str:
        if self.version:
            return "returned"
        return "returned, needs correction" if self.needs_correction else "not returned"


@dataclass(frozen=True)
class SentRecord:
    """One email attempt (the ``sent`` table): ``result`` is 'sent' or 'failed: <why>'."""

    sent_at: datetime
    kind: str
    subject: str
    recipients: str     # "; "-joined addresses
    attachments: str    # "; "-joined file names
    backend: str
    result: str
    detail: str = ""


# --- row <-> dataclass helpers ------------------------------------------------------------------

def normalise_status(text: str | None) -> str | None:
    """The canonical action status for ``text`` (any case), or None when it is not one."""
    wanted = (text or "").strip().lower()
    for status in ACTION_STATUSES:
        if status.lower() == wanted:
            return status
    return None


def work_item_row(item: WorkItem, generated_at: datetime | None) -> tuple:
    if not item.form_id:
        raise ValueError(f"work item for case {item.case.case_id} has no form ID")
    c = item.case
    return (item.form_id, item.form_type, item.cycle_id, c.case_id, c.child_initials, c.child_age, c.legal_status,
            c.service, c.team, c.practitioner, c.team_manager, date_text(c.last_audited), item.auditor,
            item.auditor_email, item.auditor_role, item.theme, date_text(item.due_date), item.source_row,
            dt_text(generated_at))


def work_item_from_row(row: Sequence) -> WorkItem:
    (form_id, form_type, cycle_id, case_id, initials, age, legal, service, team, practitioner, manager,
     last_audited, auditor, email, role, theme, due, source_row) = row
    case = _case(case_id, initials, age if age is not None else 0, legal, service, team, practitioner, manager,
                 parse_date(last_audited))
    return _work_item(form_type, case, cycle_id, form_id, auditor, email, role, theme, parse_date(due), source_row)


def people_of(values: dict[str, object], item: WorkItem | None) -> dict[str, str]:
    """Who a form is about: what the form says, else what its allocation says."""
    case = item.case if item else None
    return {
        "practitioner": value_text(values, "practitioner", case.practitioner if case else ""),
        "auditor": value_text(values, "auditor", item.auditor if item else ""),
        "service": value_text(values, "service", case.service if case else ""),
        "team": value_text(values, "team", case.team if case else ""),
        "team_manager": value_text(values, "team_manager", case.team_manager if case else ""),
        "cycle_id": item.cycle_id if item else "",
        "theme": value_text(values, "theme", item.theme if item else ""),
        "legal_status": value_text(values, "legal_status", case.legal_status if case else ""),
    }


def form_record(row: Sequence, item: WorkItem | None) -> FormRecord:
    (_pk, form_id, version, form_type, case_id, template_version, values_json, overall, concern, matched,
     warnings_json, received, source_file, sha256, superseded) = row
    values = decode_values(form_type, values_json)
    return _form(form_id, version, form_type, case_id or (item.case.case_id if item else ""), template_version,
                 values, overall, bool(concern), bool(matched), tuple(decode_json(warnings_json)),
                 parse_dt(received) or datetime.min, source_file, sha256, bool(superseded), **people_of(values, item))


# a quarter's reports read ~27,000 grades, ~4,000 actions, ~5,000 forms and ~4,000 allocations
_grade, _action, _form = record_maker(GradeRecord), record_maker(ActionRecord), record_maker(FormRecord)
_case, _work_item, allocation_record = record_maker(Case), record_maker(WorkItem), record_maker(AllocationRecord)


def grade_record(form: FormRecord, domain: str, grade: str) -> GradeRecord:
    return _grade(form.form_id, form.form_type, form.case_id, form.service, form.team, domain,
                  domain_label(form.form_type, domain), grade, form.received)


def action_record(row: Sequence, form: FormRecord | None) -> ActionRecord:
    action_id, form_id, number, text, owner, due, status, completed_on, notes, chased, _pk = row
    return _action(action_id, form_id, number, text, owner, parse_date(due), status, parse_date(completed_on),
                   notes, parse_date(chased), form.case_id if form else "", form.form_type if form else "",
                   form.service if form else "", form.team if form else "", form.auditor if form else "")


def escalation_record(row: Sequence, form: FormRecord) -> EscalationRecord:
    form_id, version, details, route, raised, current, notified, resolved_on, outcome = row
    return EscalationRecord(form_id, version, form.form_type, form.case_id, form.practitioner, form.service,
                            form.team, form.auditor, details, route, parse_dt(raised) or datetime.min, bool(current),
                            parse_dt(notified), parse_date(resolved_on), outcome or "",
                            route_problem(form.legal_status, route))


def good_practice_fields(form: ValidatedForm, who: dict[str, str]) -> tuple | None:
    """(summary, difference, nominated_by, trust_values JSON, senior_leader, share) or None."""
    v = form.values
    if form.form_type == GOOD_PRACTICE:
        ticked = [label for key, label in TRUST_VALUES if v.get(key) is True]
        return (value_text(v, "what_was_done"), value_text(v, "difference_for_child"), value_text(v, "nominated_by"),
                json.dumps(ticked, ensure_ascii=False), value_text(v, "senior_leader"),
                value_text(v, "share_across_workforce"))
    summary = value_text(v, "good_practice")
    if not summary:
        return None
    return (summary, "", who["auditor"], "[]", "", "")


def good_practice_record(row: Sequence, form: FormRecord) -> GoodPracticeRecord:
    form_id, version, summary, difference, nominated_by, trust_values, leader, share, recorded, current, notified = row
    return GoodPracticeRecord(form_id, version, form.form_type, form.case_id, form.practitioner, form.team,
                              form.service, form.team_manager, nominated_by, summary, difference,
                              tuple(json.loads(trust_values)), leader, share, parse_dt(recorded) or datetime.min,
                              bool(current), parse_dt(notified))


@dataclass(frozen=True)
class Changes:
    """What changed in the store after a point in its change log."""

    seq: int                     # the latest change seen
    form_ids: frozenset[str]     # forms whose rows changed (in any table)
    tables: frozenset[str]       # tables written to
    unattributed: frozenset[str] = frozenset()  # tables with a change that names no form

    @property
    def any(self) -> bool:
        return bool(self.tables)
