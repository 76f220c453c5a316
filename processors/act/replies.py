"""The answer to someone who emailed forms to the QA mailbox: what happened to each, in plain words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from processors.config.settings import Settings
from processors.intake.received import FileOutcome, Status
from processors.mail.incoming import IncomingMail
from processors.mail.message import Message


@dataclass(frozen=True)
class AttachmentOutcome:
    name: str
    outcome: FileOutcome


def _line(item: AttachmentOutcome) -> str:
    status, o = item.outcome.status, item.outcome
    if status in (Status.RECORDED.value, Status.SUPERSEDED.value):
        newer = " (it replaces the copy we had)" if status == Status.SUPERSEDED.value else ""
        return f"- {item.name}: recorded as form {o.form_id}{newer}. Thank you."
    if status == Status.DUPLICATE.value:
        return f"- {item.name}: we already had exactly this file, so there is nothing more to do."
    if status == Status.HELD.value:
        return f"- {item.name}: kept for the QA administrator to check, because {o.reason}."
    return (f"- {item.name}: could not be recorded, because {o.reason}. Please correct the form and send it "
            "again as a reply to this email.")


def _subject(mail: IncomingMail) -> str:
    subject = mail.subject[:150] or "your email to the QA mailbox"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def mail_reply(mail: IncomingMail, outcomes: Sequence[AttachmentOutcome], settings: Settings) -> Message | None:
    """One reply per message; none for bounces and auto-replies (they would start a loop)."""
    if mail.automated or not mail.sender:
        return None
    admin = settings.contacts.qa_administrator
    if not outcomes:
        body = ("Thank you for your email. It had no QA form attached (a Word document or a PDF), so nothing was "
                "recorded.\n\nIf you meant to return a form, reply to this email with the form attached. This "
                f"mailbox is read automatically; for anything else, please write to {admin}.")
        return Message(to=(mail.sender,), subject=_subject(mail), body=body, kind="mail_reply")
    problems = any(o.outcome.status in (Status.REJECTED.value, Status.HELD.value) for o in outcomes)
    lines = ["Thank you for your email. This is what happened to the form(s) attached:", "",
             *(_line(o) for o in outcomes), ""]
    if problems:
        lines.append(f"The QA administrator ({admin}) has a copy of this email.")
    return Message(to=(mail.sender,), cc=(admin,) if problems and admin != mail.sender else (),
                   subject=_subject(mail), body="\n".join(lines), kind="mail_reply")
