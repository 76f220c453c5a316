"""One email per auditor for a cycle: the forms they have been given, attached, and when they are due."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from processors.dates import uk_text
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import WorkItem
from processors.mail.message import Message


def allocation_messages(items: list[WorkItem], forms: dict[str, Path], organisation: str) -> tuple[
        list[Message], list[str]]:
    """(messages, problems): auditors without an email address are listed as problems, not skipped silently."""
    by_auditor: dict[str, list[WorkItem]] = defaultdict(list)
    problems = []
    for item in items:
        if not item.auditor_email:
            problems.append(f"{item.form_id}: auditor '{item.auditor or 'not named'}' has no email address")
            continue
        by_auditor[item.auditor_email.lower()].append(item)
    messages = [_message(group, forms, organisation) for group in by_auditor.values()]
    return messages, problems


def _message(group: list[WorkItem], forms: dict[str, Path], organisation: str) -> Message:
    first = group[0]
    lines = [f"Dear {first.auditor},", "",
             f"Your quality assurance work for cycle {first.cycle_id} is attached as pre-filled Word forms:", ""]
    for item in sorted(group, key=lambda i: i.form_id):
        due = uk_text(item.due_date, "see the form")
        theme = f", theme '{item.theme}'" if item.theme else ""
        lines.append(f"  - {item.form_id}: {FORM_TYPES[item.form_type].title}, case {item.case.case_id}{theme}, "
                     f"due {due}")
    lines += ["", "Please complete each form in Word, keeping its file type (.docx), and return it to the QA "
              "returns folder by its due date. Thematic peer audits should be done alongside the practitioner "
              "wherever possible (QAF 5.2).", "", f"Quality Assurance team, {organisation}"]
    attachments = tuple(forms[i.form_id] for i in group if i.form_id in forms)
    return Message(to=(first.auditor_email,), subject=f"QA cycle {first.cycle_id}: {len(group)} form(s) to complete",
                   body="\n".join(lines), attachments=attachments, kind="allocation")
