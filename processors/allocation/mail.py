"""One email per auditor for a cycle: the forms they have been given, attached, when they are due, where to
return them, and what to remember for the kinds of work that auditor has (and no others)."""

from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path

from processors.config.settings import Returns
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import WorkItem
from processors.forms.vocabulary import GOOD_PRACTICE, OBSERVATION, SUPERVISION, THEMATIC
from processors.mail.message import Message

# What to remember for each kind of work (QAF references), said only to auditors who have that kind.
REMINDERS: dict[str, str] = {
    THEMATIC: "Thematic peer audits: audit alongside the practitioner wherever possible (QAF 5.2), and make "
                      "sure their Team Manager knows the findings (QAF 5.3).",
    OBSERVATION: "Observations of practice: agree the observation with the family first, and give the "
                            "practitioner feedback on strengths and areas for development (QAF 3.1).",
    SUPERVISION: "Supervision file audits: feed the findings back to the supervising manager (QAF 2.4).",
    GOOD_PRACTICE: "Good practice records: say what was done and the difference it made for the child (QAF 8.5).",
}


FONT = "font-family: Arial, sans-serif"


def counted(n: int, noun: str) -> str:
    """'1 form', '2 forms'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def where_to_return(returns: Returns) -> list[str]:
    """Sentences naming where completed forms go, from config (returns.*)."""
    places = []
    if returns.folder:
        places.append(f"save it in the returns folder: {returns.folder}")
    if returns.web_address:
        places.append(f"upload it to the returns library: {returns.web_address}")
    if returns.by_email:
        places.append("reply to this email with the form attached")
    if not places:
        return ["Return each completed form to the Quality Assurance team by its due date."]
    return ["When a form is complete, " + "; or ".join(places) + ", by its due date."]


def allocation_messages(items: list[WorkItem], forms: dict[str, Path], organisation: str,
                        returns: Returns | None = None) -> tuple[list[Message], list[str]]:
    """(messages, problems): auditors without an email address are listed as problems, not skipped silently."""
    by_auditor: dict[str, list[WorkItem]] = defaultdict(list)
    problems = []
    for item in items:
        if not item.auditor_email:
            problems.append(f"{item.form_id}: auditor '{item.auditor or 'not named'}' has no email address")
            continue
        by_auditor[item.auditor_email.lower()].append(item)
    messages = [_message(group, forms, organisation, returns or Returns()) for group in by_auditor.values()]
    return messages, problems


def _line(item: WorkItem) -> str:
    due = item.due_date.strftime("%d/%m/%Y") if item.due_date else "see the form"
    theme = f", theme '{item.theme}'" if item.theme else ""
    return f"{item.form_id}: {FORM_TYPES[item.form_type].title}, case {item.case.case_id}{theme}, due {due}"


def _message(group: list[WorkItem], forms: dict[str, Path], organisation: str, returns: Returns) -> Message:
    first = group[0]
    group = sorted(group, key=lambda i: i.form_id)
    kinds = [k for k in REMINDERS if any(i.form_type == k for i in group)]
    n = counted(len(group), "form")
    intro = (f"Your quality assurance work for cycle {first.cycle_id} is attached: {n}, pre-filled in Word. "
             "Please complete each one in Word and keep it as a Word document (.docx).")
    closing = f"Quality Assurance team, {organisation}"
    text = [f"Dear {first.auditor},", "", intro, "", *[f"  - {_line(i)}" for i in group], "",
            *where_to_return(returns), "", *[REMINDERS[k] for k in kinds], "", closing]
    body_html = "".join([
        f"<p>Dear {html.escape(first.auditor)},</p>", f"<p>{html.escape(intro)}</p>",
        "<ul>" + "".join(f"<li>{html.escape(_line(i))}</li>" for i in group) + "</ul>",
        *[f"<p>{_linked(s, returns)}</p>" for s in where_to_return(returns)],
        *[f"<p>{html.escape(REMINDERS[k])}</p>" for k in kinds], f"<p>{html.escape(closing)}</p>"])
    attachments = tuple(forms[i.form_id] for i in group if i.form_id in forms)
    return Message(to=(first.auditor_email,), subject=f"QA cycle {first.cycle_id}: {n} to complete",
                   body="\n".join(text), attachments=attachments, kind="allocation",
                   html=f'<!DOCTYPE html>\n<html><body style="{FONT}">{body_html}</body></html>')


def _linked(sentence: str, returns: Returns) -> str:
    """The sentence escaped, with the library's address as a link."""
    escaped = html.escape(sentence)
    if returns.web_address:
        address = html.escape(returns.web_address)
        escaped = escaped.replace(address, f'<a href="{address}">{address}</a>', 1)
    return escaped
