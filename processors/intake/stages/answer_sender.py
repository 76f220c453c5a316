"""Answer sender: a rejected form goes back to whoever sent it, in the same run, once.

The sender is the allocated auditor (from the work item the form answers); for a Good Practice Evidence Record,
the nominator it names; else the staff member matching the document's last author (docProps/core.xml). The
QA administrator is copied; when nobody can be found, the QA administrator is asked to return it by hand.
Each rejected file (by content) is answered once: the answer is recorded in the store's reminders table.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from processors.act.answer import rejection_reply, unanswered_rejection
from processors.chase.people import Contact
from processors.errors import DeliveryError
from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Services, Stage
from processors.intake.stages.notify import Notifier
from processors.reading.readable import last_author

log = logging.getLogger("qa.intake")
ANSWERED = "rejection_answered"


def _attachment(item: IntakeFile) -> Path | None:
    for path in (item.final_path, item.received.path):
        if path is not None and path.is_file():
            return path
    return None


class AnswerSender(Stage):
    name = "answer sender"

    def __init__(self, services: Services, notifier: Notifier) -> None:
        super().__init__(services)
        self.notifier = notifier

    def applies(self, item: IntakeFile) -> bool:
        # a form that came by email is answered by the mailbox watcher's one reply to that message
        return item.status is Status.REJECTED and bool(item.sha256) and not item.received.sender

    def _sender(self, item: IntakeFile) -> tuple[Contact | None, str]:
        people = self.notifier.people
        parsed = item.parsed
        work = item.work_item
        if work is None and parsed is not None and parsed.identity is not None:
            work = self.services.store.work_item(parsed.identity.form_id)
        if work is not None and (work.auditor or work.auditor_email):
            found = people.find(work.auditor, work.auditor_email)
            if found:
                return found, "the auditor this form was allocated to"
        if parsed is not None and parsed.form_type == "good_practice":
            found = people.find(parsed.values.get("nominated_by", ""))
            if found:
                return found, "the nominator the record names"
        author = last_author(item.data) if item.data else ""
        found = people.find(author) if author else None
        return (found, "the person who last saved the document") if found else (None, "")

    def run(self, item: IntakeFile) -> None:
        store = self.services.store
        if store.first_reminder(ANSWERED, item.sha256) is not None:
            return
        settings = self.services.settings
        contact, how = self._sender(item)
        identity = item.parsed.identity if item.parsed else None
        attachment = _attachment(item)
        if contact is None:
            message = unanswered_rejection(file_name=item.name, reason=item.reason, attachment=attachment,
                                           settings=settings)
        else:
            message = rejection_reply(to=contact.email, name=contact.name,
                                      form_id=identity.form_id if identity else "",
                                      form_type=item.parsed.form_type if item.parsed else "", file_name=item.name,
                                      reason=item.reason, problems=item.problems, attachment=attachment,
                                      settings=settings, how_found=how)
        try:
            self.notifier.sent.append(self.services.mailer.send(message))
        except DeliveryError as exc:
            self.notifier.problems.append(f"{item.name}: not sent back ({exc})")
            return
        store.record_reminder(ANSWERED, item.sha256, message.to[0], date.today())
        item.warnings.append(f"sent back to {message.to[0]}")
        log.info("rejected file sent back to its sender (%s)", how or "QA administrator")
