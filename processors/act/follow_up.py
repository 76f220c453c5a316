"""After a form is recorded: its findings go to the practitioner's team manager (QAF 2.4, 3.1, 5.3), and an
auditor whose actions are not SMART (QAF 8.2.1) is asked for a corrected form.

Messages name the case by ID, never the child.
"""

from __future__ import annotations

from collections.abc import Sequence

from processors.config.settings import Settings
from processors.forms.definitions import DATE_FORMAT_PY, FORM_TYPES
from processors.forms.normalise import squash
from processors.forms.validate import SMART
from processors.forms.vocabulary import SUPERVISION
from processors.mail.message import Message
from processors.store.database import ActionRecord, FormRecord


def _title(form: FormRecord) -> str:
    definition = FORM_TYPES.get(form.form_type)
    return definition.title if definition else form.form_type


def smart_gaps_of(form: FormRecord) -> list[str]:
    """The SMART gaps recorded in a form's warnings, in plain words."""
    return [w[len(SMART):] for w in form.warnings if w.startswith(SMART)]


def smart_request(form: FormRecord, to: str, name: str, settings: Settings) -> Message:
    gaps = smart_gaps_of(form)
    body = "\n".join([
        f"Dear {name or 'colleague'},", "",
        f"Thank you for {_title(form)} {form.form_id} (case {form.case_id}): it has been recorded. Its actions are "
        "not yet SMART (specific, measurable, achievable, relevant and time-bound; QAF 8.2.1):", "",
        *[f"  - {g}" for g in gaps], "",
        "Please correct the form in Word (add the missing actions, owners or due dates) and send it back to the QA "
        "team. The corrected form replaces this one; until then the register lists these gaps under Warnings and "
        "the QA administrator's weekly digest shows them.", "",
        f"QA team, {settings.organisation}"])
    admin = settings.contacts.qa_administrator
    return Message(to=(to,), cc=(admin,) if admin.casefold() != to.casefold() else (),
                   subject=f"Please add SMART actions: {form.form_id} (case {form.case_id})", body=body,
                   kind="smart_request")


def _answer(form: FormRecord, *keys: str) -> str:
    for key in keys:
        value = form.values.get(key)
        if value:
            return str(value)
    return "not answered"


def _action_lines(actions: Sequence[ActionRecord], owner: str) -> list[str]:
    mine = squash(owner)
    lines = []
    for a in actions:
        due = a.due.strftime(DATE_FORMAT_PY) if a.due else "no due date"
        yours = "  <- yours" if mine and squash(a.owner) == mine else ""
        lines.append(f"  - {a.action_id}: {a.text.strip()}\n      Owner: {a.owner or 'not named'}; due {due}{yours}")
    return lines or ["  (no actions recorded)"]


def findings_summary(form: FormRecord, actions: Sequence[ActionRecord], to: tuple[str, ...], manager: str,
                     settings: Settings) -> Message:
    supervision = form.form_type == SUPERVISION
    role = "supervisor" if supervision else "team manager"
    improve = form.values.get("areas_for_improvement") or form.values.get("areas_for_development") or ""
    owned = [a for a in actions if squash(a.owner) == squash(manager)] if manager else []
    body = "\n".join([
        f"Dear {manager or 'colleague'},", "",
        f"As {form.practitioner or 'the practitioner'}'s {role}, here are the findings of {_title(form)} "
        f"{form.form_id} (case {form.case_id}), recorded on {form.received:{DATE_FORMAT_PY}} "
        f"(QAF {'2.4' if supervision else '5.3'}).", "",
        f"Auditor:        {form.auditor or 'not named'}",
        f"Overall grade:  {form.overall_grade or 'not given'}",
        f"Audited alongside the practitioner: {_answer(form, 'audited_alongside_practitioner')}",
        f"Team manager made aware by the auditor: {_answer(form, 'team_manager_informed', 'feedback_to_manager')}",
        "", "Strengths:", str(form.values.get("strengths") or "(none recorded)"),
        "", "Areas to improve:", str(improve or "(none recorded)"),
        "", f"Actions ({len(owned)} yours):", *_action_lines(actions, manager), "",
        "Service and Strategic Managers make sure actions are completed (QAF 5.3); the QA team chases them when "
        "they fall due.", "", f"QA team, {settings.organisation}"])
    return Message(to=to, subject=f"QA findings for your team: {form.form_id} (case {form.case_id})", body=body,
                   kind="findings")
