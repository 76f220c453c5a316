"""Notify: right after a form is recorded, its escalation alert or good-practice notice goes out.

A notice is marked sent in the store only once its email went, so a notice that failed (or a crash
before it was sent) is sent by the catch-up at the end of the batch or the next run, never twice.
"""

from __future__ import annotations

import logging

from processors.act.notices import Notice, escalation_alert, good_practice_notice
from processors.act.sent_once import claim, message_key, release, sent
from processors.errors import DeliveryError
from processors.intake.received import IntakeFile
from processors.intake.stages.base import Services, Stage
from processors.mail.message import SendResult

log = logging.getLogger("qa.intake")

ESCALATION, GOOD_PRACTICE = "escalation", "good_practice"


class Notifier:
    """Builds and sends the notices a recorded form calls for; remembers what went and what did not."""

    def __init__(self, services: Services, *, send: bool = True) -> None:
        self.services = services
        self.send = send  # False (rebuilding the store): notices are recorded as already sent, nothing goes
        self.sent: list[SendResult] = []
        self.problems: list[str] = []

    def send_for(self, form_id: str, kinds: tuple[str, ...] = (ESCALATION, GOOD_PRACTICE)) -> None:
        store = self.services.store
        pending = store.pending_notices()
        for kind in kinds:
            if form_id in pending.get(kind, ()):
                self._send(kind, form_id)

    def send_pending(self) -> None:
        """Every notice still owed (after a failed send or a crash), oldest first."""
        for kind, form_ids in self.services.store.pending_notices().items():
            for form_id in form_ids:
                self._send(kind, form_id)

    def take_results(self) -> tuple[list[SendResult], list[str]]:
        sent, problems = self.sent, self.problems
        self.sent, self.problems = [], []
        return sent, problems

    def _send(self, kind: str, form_id: str) -> None:
        store, settings = self.services.store, self.services.settings
        record = store.form(form_id)
        if record is None:
            return
        if not self.send:
            self._mark(kind, form_id)
            return
        notice = (escalation_alert(record, settings) if kind == ESCALATION
                  else good_practice_notice(record, settings, self.services.staff))
        self._deliver(notice)

    def _deliver(self, notice: Notice) -> None:
        store = self.services.store
        for number, message in enumerate(notice.messages):
            key = message_key(notice.kind, notice.form_id, number)
            if not claim(store, key, message):
                continue  # sent already, by this run or an earlier one
            try:
                self.sent.append(self.services.mailer.send(message))
            except (DeliveryError, OSError) as exc:
                release(store, key)
                self.problems.append(f"{notice.form_id}: {exc}")
                return
            sent(store, key)
        self._mark(notice.kind, notice.form_id)
        log.info("%s notice for %s sent to %d recipient(s)", notice.kind, notice.form_id,
                 sum(len(m.to) + len(m.cc) for m in notice.messages))


    def _mark(self, kind: str, form_id: str) -> None:
        store = self.services.store
        mark = store.mark_escalation_notified if kind == ESCALATION else store.mark_good_practice_notified
        mark(form_id)


class Notify(Stage):
    name = "notify"

    def __init__(self, services: Services, notifier: Notifier) -> None:
        super().__init__(services)
        self.notifier = notifier

    def applies(self, item: IntakeFile) -> bool:
        return item.recorded and item.form is not None  # also when its move failed: the alert cannot wait

    def run(self, item: IntakeFile) -> None:
        assert item.form is not None
        self.notifier.send_for(item.form.form_id)
