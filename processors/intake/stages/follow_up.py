"""Follow up: once a form is recorded, its findings go to the practitioner's team manager (the supervisor, for a
supervision audit), and an auditor whose actions are not SMART is asked, once per form, for a corrected form.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

from processors.act.follow_up import findings_summary, smart_gaps_of, smart_request
from processors.errors import DeliveryError
from processors.forms.vocabulary import AUDIT_TYPES
from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Services, Stage
from processors.intake.stages.notify import Notifier
from processors.mail.message import Message
from processors.store.database import FormRecord

log = logging.getLogger("qa.intake")
FINDINGS, SMART_REQUEST = "findings", "smart_request"
AUDITS = frozenset(AUDIT_TYPES)


class FollowUp(Stage):
    name = "follow up"

    def __init__(self, services: Services, notifier: Notifier) -> None:
        super().__init__(services)
        self.notifier = notifier

    def applies(self, item: IntakeFile) -> bool:
        return (item.status in (Status.RECORDED, Status.SUPERSEDED) and item.form is not None
                and item.form.form_type in AUDITS)

    def run(self, item: IntakeFile) -> None:
        assert item.form is not None
        form = self.services.store.form(item.form.form_id)
        if form is None:
            return
        self._findings(form)
        if smart_gaps_of(form):
            self._smart(form)

    def _send_once(self, kind: str, form_id: str, message: Message) -> None:
        store = self.services.store
        if store.first_reminder(kind, form_id) is not None:
            return
        try:
            self.notifier.sent.append(self.services.mailer.send(message))
        except DeliveryError as exc:
            self.notifier.problems.append(f"{form_id}: {exc}")
            return
        store.record_reminder(kind, form_id, message.to[0], date.today())
        log.info("%s for %s sent", kind, form_id)

    def _findings(self, form: FormRecord) -> None:
        manager = self.notifier.people.find(form.team_manager) if form.team_manager else None
        settings = self.services.settings
        actions = self.services.store.actions(form.form_id)
        message = findings_summary(form, actions, (manager.email if manager else settings.contacts.qa_administrator,),
                                   manager.name if manager else form.team_manager, settings)
        if manager is None:  # the QA administrator passes it on, and adds the manager to the staff list
            message = replace(message, subject="Please forward: " + message.subject, body=(
                f"The team manager '{form.team_manager or 'not named'}' is not in the staff list or the auditor "
                "pool: please forward these findings to them, and add them to the staff list.\n\n" + message.body))
        self._send_once(FINDINGS, form.form_id, message)

    def _smart(self, form: FormRecord) -> None:
        work = self.services.store.work_item(form.form_id)
        auditor = self.notifier.people.find(form.auditor, work.auditor_email if work else "")
        if auditor is None:
            self.notifier.problems.append(f"{form.form_id}: SMART request not sent: auditor "
                                          f"'{form.auditor or 'not named'}' has no address")
            return
        self._send_once(SMART_REQUEST, form.form_id, smart_request(form, auditor.email, auditor.name,
                                                                   self.services.settings))
