"""Validate a parsed form against its definition: reject what a person must fix, warn about the rest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from processors.dates import uk_date
from processors.errors import FormInvalid
from processors.files import sha256_bytes
from processors.forms.definitions import FORM_TYPES, Field, FormDefinition, Kind
from processors.forms.models import ActionItem, ParsedForm, ValidatedForm, WorkItem
from processors.forms.normalise import answer, grade, ticked
from processors.forms.vocabulary import (
    GRADES,
    INADEQUATE,
    REQUIRES_IMPROVEMENT,
    ActionPart,
    action_key,
    parse_action_key,
)


def _convert(field: Field, raw: str) -> tuple[object | None, str | None]:
    """(value, problem). An empty raw gives (None, None)."""
    if not raw.strip():
        return None, None
    if field.kind is Kind.GRADE:
        value = grade(raw)
        return value, None if value else f"'{field.label}' says '{raw}': choose one of {', '.join(GRADES)}"
    if field.kind is Kind.CHOICE:
        value = answer(raw, field.allowed)
        return value, None if value else f"'{field.label}' says '{raw}': choose one of {', '.join(field.allowed)}"
    if field.kind is Kind.DATE:
        value = uk_date(raw)
        return value, None if value else f"'{field.label}' says '{raw}', which is not a date: use dd/mm/yyyy"
    if field.kind is Kind.CHECKBOX:
        return ticked(raw), None
    return raw.strip(), None


def _missing(field: Field, values: dict[str, object]) -> bool:
    if values.get(field.key) not in (None, ""):
        return False
    if field.required:
        return True
    if field.required_if:
        other, wanted = field.required_if
        return values.get(other) == wanted
    return False


def _what_to_do(field: Field) -> str:
    if field.kind in (Kind.GRADE, Kind.CHOICE):
        return "choose from its list"
    if field.kind is Kind.DATE:
        return "enter a date"
    return "fill it in"


def _actions(values: dict[str, object], raw: dict[str, str], warnings: list[str]) -> list[ActionItem]:
    numbers = sorted({row[0] for key, value in raw.items() if value.strip() and (row := parse_action_key(key))})
    items = []
    for n in numbers:
        text_key, owner_key = action_key(n), action_key(n, ActionPart.OWNER)
        text = str(values.get(text_key) or raw.get(text_key, "")).strip()
        owner = str(values.get(owner_key) or raw.get(owner_key, "")).strip()
        due_raw = raw.get(action_key(n, ActionPart.DUE), "").strip()
        due = uk_date(due_raw) if due_raw else None
        if not text:
            if owner or due_raw:
                warnings.append(f"action {n} has an owner or due date but no action text: ignored")
            continue
        if due_raw and due is None:
            warnings.append(f"action {n} due date '{due_raw}' is not a date")
        items.append(ActionItem(n, text, owner, due))
    return items


SMART = "SMART: "          # the start of every SMART gap in a form's warnings
BELOW_GOOD = (REQUIRES_IMPROVEMENT, INADEQUATE)


def smart_gaps(values: dict[str, object], actions: list[ActionItem]) -> list[str]:
    """What keeps a form's actions from being SMART (QAF 8.2.1): recorded anyway, and the auditor asked to fix it."""
    gaps = []
    overall = str(values.get("overall_grade") or "")
    if overall in BELOW_GOOD and not actions:
        gaps.append(f"{SMART}graded {overall} but no action is recorded: add at least one action with an owner "
                    "and a due date")
    audited = values.get("audit_date") or values.get("observation_date")
    for a in actions:
        if not a.owner:
            gaps.append(f"{SMART}action {a.number} has no owner")
        if a.due is None:
            gaps.append(f"{SMART}action {a.number} has no due date")
        elif isinstance(audited, date) and a.due < audited:
            gaps.append(f"{SMART}action {a.number} is due {a.due:%d/%m/%Y}, before the audit date "
                        f"{audited:%d/%m/%Y}")
    return gaps


def _label(parsed: ParsedForm) -> str:
    ident = parsed.identity.form_id if parsed.identity else "form without a reference"
    return f"{parsed.source.name} ({ident})"


def validate(parsed: ParsedForm, lookup: Callable[[str], WorkItem | None]) -> ValidatedForm:
    """Check a parsed form against its definition; raise FormInvalid listing every problem."""
    definition: FormDefinition = FORM_TYPES[parsed.form_type]
    values: dict[str, object] = {}
    problems: list[str] = []
    warnings: list[str] = []
    for field in definition.fields:
        value, problem = _convert(field, parsed.values.get(field.key, ""))
        if problem and not parse_action_key(field.key):  # actions only ever warn: see _actions
            problems.append(problem)
        if value is not None:
            values[field.key] = value
    item = lookup(parsed.identity.form_id) if parsed.identity else None
    _fill_from_allocation(values, item)
    version = parsed.identity.template_version if parsed.identity else ""
    for field in definition.fields:
        if not field.asked_in(version):  # a form from an older template in circulation never had this field
            continue
        if _missing(field, values) and not any(field.label in p for p in problems):
            problems.append(f"'{field.label}' is empty: {_what_to_do(field)}")
    case_id = str(values.get("case_id") or "").strip()
    subject = definition.field(definition.subject_key)
    if item is None and not values.get(subject.key):
        problems.append(f"the form has no form reference we issued and no {subject.label}: add the {subject.label}")
    if problems:
        raise FormInvalid(_label(parsed), problems)
    actions = _actions(values, parsed.values, warnings)
    warnings += smart_gaps(values, actions)
    form_id = parsed.identity.form_id if parsed.identity else ""
    if item is None:
        warnings.append("unmatched: no generated form has this reference; recorded against its case details")
        form_id = form_id or f"UNMATCHED-{sha256_bytes(parsed.sha256.encode())[:8].upper()}"
    return ValidatedForm(parsed=parsed, form_id=form_id, form_type=definition.key, case_id=case_id, values=values,
                         grades={f.key: str(values[f.key]) for f in definition.domains if f.key in values},
                         actions=actions, warnings=warnings, matched=item is not None)


def _fill_from_allocation(values: dict[str, object], item: WorkItem | None) -> None:
    """Case details the form lost (a deleted control) come back from the allocation."""
    if item is None:
        return
    known = {"case_id": item.case.case_id, "practitioner": item.case.practitioner, "team": item.case.team,
             "service": item.case.service, "team_manager": item.case.team_manager, "auditor": item.auditor,
             "theme": item.theme}
    for key, value in known.items():
        if not values.get(key) and value:
            values[key] = value

