"""Acting on what comes back: escalation alerts, good-practice notifications and thank-you letters.

Messages name cases by ID. The concern's details go only to the people who must act on them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment

from processors.act.routing import AlertRoute
from processors.act.signatory import Signatory, choose_signatory
from processors.chase.people import People
from processors.config.settings import Settings
from processors.errors import TemplateProblem
from processors.forms.definitions import FORM_TYPES, TRUST_VALUES
from processors.forms.routing import route_problem
from processors.mail.message import Message
from processors.naming import safe_name
from processors.store.concerns import RejectedConcern
from processors.store.database import FormRecord
from processors.templates.build import LETTER_FILENAME
from processors.word.render import word_text


@dataclass(frozen=True)
class Notice:
    """What to send for one recorded form (messages) and what was made for it (files)."""

    form_id: str
    kind: str
    messages: tuple[Message, ...]
    files: tuple[Path, ...] = ()
    unresolved: tuple[str, ...] = ()  # names not found in the staff list


def _value(form: FormRecord, key: str) -> str:
    known = {"practitioner": form.practitioner, "auditor": form.auditor, "team": form.team,
             "team_manager": form.team_manager, "service": form.service}
    return str(form.values.get(key) or known.get(key) or "").strip()


def _alert_body(form_id: str, title: str, case_id: str, legal_status: str, auditor: str, team: str, route: str,
                details: str, route_check: str, extra: list[str], note: str) -> str:
    lines = ["An auditor has recorded an immediate concern that needs attention (QAF 5.4, 5.5).", ""]
    if route_check:
        lines += [route_check, ""]
    lines += extra
    lines += [
        f"Form:         {form_id} ({title})",
        f"Case ID:      {case_id or 'not given'}",
        f"Legal status: {legal_status or 'not known'}",
        f"Auditor:      {auditor or 'not given'}",
        f"Team:         {team or 'not given'}",
        f"Route:        {route or 'not stated'}",
        "",
        "What the auditor recorded:",
        details or "(no details given: contact the auditor)",
        "",
        "Please confirm the escalation has been recorded in Care First and reply to the QA team.",
    ]
    if note:
        lines += ["", note]
    return "\n".join(lines)


def escalation_alert(form: FormRecord, settings: Settings, route: AlertRoute) -> Notice:
    title = FORM_TYPES[form.form_type].title
    check = route_problem(form.legal_status, _value(form, "escalation_route"))
    body = _alert_body(form.form_id, title, form.case_id, form.legal_status, _value(form, "auditor"),
                       _value(form, "team"), _value(form, "escalation_route"),
                       _value(form, "immediate_concern_details"), check, [], route.note)
    flag = " - ROUTE MISMATCH" if check else ""
    message = Message(to=route.to, subject=f"Immediate concern: case {form.case_id} (form {form.form_id}){flag}",
                      body=body, kind="escalation")
    return Notice(form.form_id, "escalation", (message,))


def rejected_concern_alert(concern: RejectedConcern, settings: Settings, route: AlertRoute) -> Notice:
    """The alert for a concern read from a file that was rejected: sent at once, whatever else is wrong."""
    definition = FORM_TYPES.get(concern.form_type)
    extra = [f"This form was also rejected because {concern.reason}",
             "It has been sent back to its sender to correct; the concern below is what could be read from it.",
             f"File: {concern.file}", ""]
    body = _alert_body(concern.form_id, definition.title if definition else "form type not known", concern.case_id,
                       concern.legal_status, concern.auditor, concern.team, concern.route, concern.details,
                       concern.route_check, extra, route.note)
    case = concern.case_id or "not known"
    message = Message(to=route.to, subject=f"Immediate concern on a rejected form: case {case} (form "
                      f"{concern.form_id})" + (" - ROUTE MISMATCH" if concern.route_check else ""),
                      body=body, kind="escalation")
    return Notice(concern.form_id, "rejected_concern", (message,))


def _values_shown(form: FormRecord) -> str:
    return ", ".join(label for key, label in TRUST_VALUES if form.values.get(key) is True)


def letter_signatory(form: FormRecord, people: People) -> Signatory:
    """The practitioner's senior leader from the pool's management line (the nominator's choice if it cannot say)."""
    return choose_signatory(people, _value(form, "practitioner"), _value(form, "team_manager"), _value(form, "team"),
                            _value(form, "senior_leader"))


def thank_you_letter(form: FormRecord, settings: Settings, signatory: Signatory, today: date | None = None) -> Path:
    """Render the senior leader's thank-you letter (.docx) for a good-practice record, signed by ``signatory``."""
    path = settings.path("templates") / LETTER_FILENAME
    if not path.is_file():  # removed while the watcher runs: commands check it at start (templates.check)
        raise TemplateProblem(f"{path} is missing: run `python run.py templates build` to restore the default")
    template = DocxTemplate(str(path))
    context = {
        "organisation": settings.organisation,
        "letter_date": (today or date.today()).strftime("%d %B %Y"),
        "form_ref": form.form_id,
        "values": _values_shown(form),
        **{key: _value(form, key) for key in ("practitioner", "nominated_by", "nominator_role", "what_was_done",
                                              "difference_for_child")},
        "senior_leader": signatory.name,  # templates edited before the signatory's title was added still sign
        "signatory": signatory.name,
        "signatory_title": signatory.job_title,
    }
    template.render({k: word_text(v) for k, v in context.items()}, jinja_env=Environment(autoescape=True))
    target = settings.path("letters") / f"{safe_name(form.form_id)}_thank_you.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.stem}-{uuid.uuid4().hex[:8]}.partial")  # one per writer, never shared
    try:
        template.save(str(partial))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def good_practice_notice(form: FormRecord, settings: Settings, people: People,
                         today: date | None = None) -> Notice:
    signatory = letter_signatory(form, people)
    letter = thank_you_letter(form, settings, signatory, today)
    qa = settings.contacts.qa_manager
    names = {"practitioner": _value(form, "practitioner"), "line manager": _value(form, "team_manager")}
    found = {role: people.staff.email(name) for role, name in names.items() if name}
    unresolved = tuple(f"{role} '{names[role]}'" for role, email in found.items() if not email)
    if not signatory.email:
        unresolved += (f"senior leader '{signatory.name}'",)
    missing_note = ("\n\nNot in the staff list, so not emailed: " + "; ".join(unresolved)) if unresolved else ""
    summary = (f"{_value(form, 'nominated_by')} has recorded good practice by {names['practitioner']} "
               f"({_value(form, 'team')}).\n\nWhat was done:\n{_value(form, 'what_was_done')}\n\n"
               f"The difference it made:\n{_value(form, 'difference_for_child')}\n\n"
               f"Good Practice Evidence Record {form.form_id}.")
    notify_to = tuple(e for e in (found.get("practitioner"), found.get("line manager")) if e) or (qa,)
    messages = [Message(to=notify_to, cc=(qa,) if qa not in notify_to else (), kind="good_practice",
                        subject=f"Good practice recognised: {names['practitioner']}",
                        body=summary + missing_note)]
    leader = signatory.email
    messages.append(Message(
        to=(leader or qa,), cc=(qa,) if leader else (), kind="thank_you", attachments=(letter,),
        subject=f"Thank-you letter to sign: {names['practitioner']} ({form.form_id})",
        body=(f"Please sign and send the attached thank-you letter to {names['practitioner']}.\n\n"
              f"{signatory.explanation}\n\n{summary}"
              + ("" if leader else f"\n\nThe senior leader '{signatory.name}' is not in the staff list: "
                 "please forward this to them."))))
    return Notice(form.form_id, "good_practice", tuple(messages), (letter,), unresolved)
