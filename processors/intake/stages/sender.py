"""Sender check, for a form that came by email: the sender must be allowed and be the allocated auditor.

Anything else is held for the QA administrator, not recorded: a form sent from outside the trust, or by
someone other than the auditor it was allocated to, may be a forwarded copy or a mistake.
"""

from __future__ import annotations

from email.utils import parseaddr

from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Stage


def sender_domain(sender: str) -> str:
    """The domain of one whole address ('' when it is not one address with a domain)."""
    name, address = parseaddr(sender)
    local, at, domain = address.rpartition("@")
    return domain.lower() if at and local and domain and "," not in sender else ""


class SenderCheck(Stage):
    name = "sender check"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and bool(item.received.sender)

    def run(self, item: IntakeFile) -> None:
        sender = item.received.sender
        allowed = {d.lower() for d in self.services.settings.email.allowed_domains}
        if sender_domain(sender) not in allowed:
            item.finish(Status.HELD, f"it came by email from '{sender}', which is not an address at "
                                     f"{', '.join(sorted(allowed))}: the QA administrator decides whether to use it")
            return
        work = item.work_item
        expected = (work.auditor_email if work else "").strip().lower()
        if expected and parseaddr(sender)[1].lower() != expected:
            item.finish(Status.HELD, f"it came by email from {parseaddr(sender)[1]}, but form {work.form_id} was "
                                     f"allocated to {work.auditor or 'another auditor'} ({expected}): the QA "
                                     "administrator checks it and puts it in the inbox to record it")
