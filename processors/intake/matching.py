"""Does a returned form answer the work item its reference names? Its type and the details we pre-filled must
agree with the allocation; a form that carries another form's reference is held, never recorded over it.

Pre-filled details are locked in Word, so a difference means the file is not the form we sent for this
reference (a copied reference, a form of another type, another case). Text is compared without case,
punctuation or extra spaces; a detail left empty on the form or in the allocation is not compared.
"""

from __future__ import annotations

from processors.forms.definitions import FORM_TYPES
from processors.forms.models import ParsedForm, WorkItem
from processors.reading.lookup import norm

NOT_COMPARED = frozenset({"due_date"})  # the return-by date is worked out when the form is generated
HELD_REASON = "reference does not match its case"


def allocated_details(item: WorkItem) -> dict[str, str]:
    """What the form for this work item was pre-filled with, by field key."""
    case = item.case
    return {"case_id": case.case_id, "child_initials": case.child_initials,
            "child_age": str(case.child_age) if case.case_id else "", "legal_status": case.legal_status,
            "service": case.service, "team": case.team, "practitioner": case.practitioner,
            "team_manager": case.team_manager, "auditor": item.auditor, "theme": item.theme}


def mismatches(parsed: ParsedForm, item: WorkItem) -> list[str]:
    """What in the returned form disagrees with its work item, in words a QA administrator can check.

    Values are named only for IDs and form types: a name on a form may be a child's."""
    found: list[str] = []
    identity_type = parsed.identity.form_type if parsed.identity else parsed.form_type
    if item.form_type not in (parsed.form_type, identity_type) or parsed.form_type != identity_type:
        found.append(f"{item.form_id} was issued as the form type '{FORM_TYPES[item.form_type].title}', but this "
                     f"file is the form type '{FORM_TYPES[parsed.form_type].title}'")
        return found
    definition = FORM_TYPES[item.form_type]
    expected = allocated_details(item)
    for field in definition.prefilled:
        if field.key in NOT_COMPARED or field.key not in expected:
            continue
        wanted, given = norm(expected[field.key]), norm(parsed.values.get(field.key, ""))
        if wanted and given and wanted != given:
            shown = (f" ('{parsed.values[field.key].strip()}', not '{expected[field.key]}')"
                     if field.key == "case_id" else "")
            found.append(f"its '{field.label}' is not the one allocated{shown}")
    return found


def held_reason(item: WorkItem, problems: list[str]) -> str:
    return (f"{HELD_REASON}: it carries the reference {item.form_id}, but {'; '.join(problems)}. It was not "
            "recorded and the form already recorded for this reference is unchanged. QA administrator: check who "
            "sent it and which case it is about; if it is the right form, correct the allocation and put it back "
            "in the inbox, otherwise ask the sender to return the form they were sent for that case")
