"""Notify: right after a form is recorded, its escalation alert or good-practice notice goes out.

A notice is marked sent in the store only once its email went, so a notice that failed (or a crash
before it was sent) is sent by the catch-up at the end of the batch or the next run, never twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from processors.act.notices import Notice, escalation_alert, good_practice_notice, rejected_concern_alert
from processors.act.routing import alert_route
from processors.act.sent_once import message_key, send_once
from processors.chase.people import People, load_people
from processors.errors import DeliveryError
from processors.intake.received import IntakeFile
from processors.intake.stages.base import Services, Stage
from processors.mail.message import SendResult
from processors.store.concerns import mark_rejected_concern_notified, pending_rejected_concerns, rejected_concern

log = logging.getLogger("qa.intake")

ESCALATION, GOOD_PRACTICE = "escalation", "good_practice"


class Notifier:
    """Builds and sends the notices a recorded form calls for; remembers what went and what did not."""

    def __init__(self, services: Services, *, send: bool = True) -> None:
        self.services = services
        self.send = send  # False (rebuilding the store): notices are recorded as already sent, nothing goes
        self.sent: list[SendResult] = []
        self.problems: list[str] = []
        self._people: People | None = None

    @property
    def people(self) -> People:
        """The staff list and the auditor pool, read once (who a concern alert goes to)."""
        if self._people is None:
            self._people = load_people(self.services.settings, self.services.store)
        return self._people

    def send_rejected_concern(self, sha256: str) -> None:
        """The alert for a concern read from a rejected file, unless it went already."""
        store = self.services.store
        concern = rejected_concern(store, sha256)
        if concern is None or concern.notified_at is not None:
            return
        if not self.send:
            mark_rejected_concern_notified(store, sha256)
            return
        route = alert_route(self.services.settings, self.people, concern.service)
        alert = rejected_concern_alert(concern, self.services.settings, route)
        if self._deliver(replace(alert, kind=f"{alert.kind}:{sha256[:16]}")):  # keyed by the file, not its form
            mark_rejected_concern_notified(store, sha256)

    def send_for(self, form_id: str, kinds: tuple[str, ...] = (ESCALATION, GOOD_PRACTICE)) -> None:
        store = self.services.store
        pending = store.pending_notices()
        for kind in kinds:
            if form_id in pending.get(kind, ()):
                self._send(kind, form_id)

    def send_pending(self) -> None:
        """Every notice still owed (after a failed send or a crash), oldest first."""
        for sha256 in pending_rejected_concerns(self.services.store):
            self.send_rejected_concern(sha256)
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
        if kind == ESCALATION:
            notice = escalation_alert(record, settings, alert_route(settings, self.people, record.service))
        else:
            notice = good_practice_notice(record, settings, self.people)
        if self._deliver(notice):
            self._mark(kind, form_id)

    def _deliver(self, notice: Notice) -> bool:
        """Each message of the notice once: keyed in the store before it is sent, so a retry never repeats one."""
        store = self.services.store
        for number, message in enumerate(notice.messages):
            try:
                result = send_once(store, self.services.mailer, message_key(notice.kind, notice.form_id, number),
                                   message)
            except (DeliveryError, OSError) as exc:
                self.problems.append(f"{notice.form_id}: {exc}")
                return False
            if result is not None:  # (None: sent already, by this run or an earlier one)
                self.sent.append(result)
        log.info("%s notice for %s sent to %d recipient(s)", notice.kind, notice.form_id,
                 sum(len(m.to) + len(m.cc) for m in notice.messages))
        return True

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
