"""The email that sends a rejected form back to its sender: the reasons in plain words and the file attached."""

from __future__ import annotations

from pathlib import Path

from processors.config.settings import Settings
from processors.forms.definitions import FORM_TYPES
from processors.mail.message import Message


def rejection_reply(*, to: str, name: str, form_id: str, form_type: str, file_name: str, reason: str,
                    problems: list[str], attachment: Path | None, settings: Settings, how_found: str) -> Message:
    definition = FORM_TYPES.get(form_type)
    what = f"{definition.title} {form_id}" if definition and form_id else (form_id or f"the file '{file_name}'")
    listed = [f"  - {p}" for p in problems] or [f"  - {reason}"]
    body = "\n".join([
        f"Dear {name or 'colleague'},", "",
        f"Thank you for returning {what}. We could not record it yet, because:", "", *listed, "",
        "Please correct the form in Word (the file you sent is attached) and send it back to the QA team. "
        "Until then the form shows in the register as 'returned, needs correction'.", "",
        f"If you did not send this form, or something here is wrong, reply to the QA administrator "
        f"({settings.contacts.qa_administrator}).", "",
        f"(We wrote to you as {how_found}.)", "",
        f"QA team, {settings.organisation}"])
    admin = settings.contacts.qa_administrator
    return Message(to=(to,), cc=(admin,) if admin.casefold() != to.casefold() else (),
                   subject=f"Please correct and return: {what}", body=body, kind="rejection",
                   attachments=(attachment,) if attachment else ())


def unanswered_rejection(*, file_name: str, reason: str, attachment: Path | None, settings: Settings) -> Message:
    """To the QA administrator when nobody could be found to send a rejected form back to."""
    body = "\n".join([
        "Dear QA administrator,", "",
        f"The file '{file_name}' was rejected and we could not tell who sent it (no allocation, no nominator and "
        "no last author in the staff list or the auditor pool). Please send it back by hand. The reason:", "",
        f"  {reason}", "", "The file is attached."])
    return Message(to=(settings.contacts.qa_administrator,), subject=f"Rejected form to return by hand: {file_name}",
                   body=body, kind="rejection", attachments=(attachment,) if attachment else ())
