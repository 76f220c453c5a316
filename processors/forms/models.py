"""Dataclasses passed between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from processors.forms.vocabulary import LEGAL_STATUSES as LEGAL_STATUSES
from processors.forms.vocabulary import ROLES as ROLES
from processors.forms.vocabulary import YES


@dataclass(frozen=True)
class Case:
    """One row of the Business Intelligence team's case list (synthetic people only)."""

    case_id: str
    child_initials: str
    child_age: int
    legal_status: str
    service: str
    team: str
    practitioner: str
    team_manager: str
    last_audited: date | None = None
    iro: str = ""            # the case's IRO, if the case list names one: never audits the case
    cp_chair: str = ""       # the case's Child Protection Chair, likewise


@dataclass(frozen=True)
class Auditor:
    """A member of the auditor pool."""

    auditor_id: str
    name: str
    role: str
    service: str
    team: str            # their own team; service and strategic managers and senior leaders name their unit
    email: str
    manager_id: str = ""  # the auditor_id of their line manager, if in the pool


@dataclass(frozen=True)
class WorkItem:
    """One form to generate: a row of a case list or of an allocation."""

    form_type: str
    case: Case
    cycle_id: str
    form_id: str = ""
    auditor: str = ""
    auditor_email: str = ""
    auditor_role: str = ""
    theme: str = ""
    due_date: date | None = None
    source_row: int = 0


@dataclass(frozen=True)
class FormIdentity:
    """What a generated form carries inside itself."""

    form_id: str
    form_type: str
    template_version: str
    cycle_id: str = ""


@dataclass(frozen=True)
class GeneratedForm:
    identity: FormIdentity
    case_id: str
    path: Path


@dataclass
class ParsedForm:
    """What the parser read from a returned file: raw strings by field key."""

    source: Path
    identity: FormIdentity | None
    form_type: str
    values: dict[str, str]
    sha256: str
    notes: list[str] = field(default_factory=list)  # how things were read (e.g. 'matched by label')
    saved_at: datetime | None = None  # when the document was last saved (its own record, else the file time)


@dataclass(frozen=True)
class ActionItem:
    number: int
    text: str
    owner: str
    due: date | None


@dataclass
class ValidatedForm:
    """A form that passed validation: normalised values, ready to store."""

    parsed: ParsedForm
    form_id: str
    form_type: str
    case_id: str
    values: dict[str, object]          # str, date or bool, by field key; canonical grades
    grades: dict[str, str]             # domain key -> canonical grade
    actions: list[ActionItem]
    warnings: list[str] = field(default_factory=list)
    matched: bool = True               # identity matched a generated form
    received: datetime = field(default_factory=datetime.now)

    @property
    def overall_grade(self) -> str:
        return str(self.values.get("overall_grade") or "")

    @property
    def immediate_concern(self) -> bool:
        return self.values.get("immediate_concern") == YES


@dataclass(frozen=True)
class Rejection:
    file: Path
    reason: str
    received: datetime = field(default_factory=datetime.now)
    form_id: str = ""      # the form reference the file carries, when one could be read
