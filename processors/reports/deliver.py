"""Emailing reports through the configured backend (processors.mail.mailer), recording every attempt.

Each send, delivered or failed, becomes a row of the store's ``sent`` table (who, what, when, result),
which the register shows in its Sent sheet. Only allow-listed domains are ever sent to (CheckedMailer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from processors.config.settings import Settings
from processors.errors import DeliveryError
from processors.mail.mailer import Mailer, Message, SendResult, make_mailer
from processors.mail.recording import record_send
from processors.store.database import Store

log = logging.getLogger("qa.reports")


@dataclass
class Outcome:
    sent: list[SendResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _send_one(mailer: Mailer, store: Store, message: Message, outcome: Outcome) -> None:
    try:
        result = mailer.send(message)  # the mailer records the attempt (processors.mail.recording)
    except (DeliveryError, OSError) as exc:
        outcome.problems.append(f"'{message.subject}' was not sent: {exc}")
        log.warning("%s '%s' not sent: %s", message.kind, message.subject, exc)
        return
    outcome.sent.append(result)
    log.info("%s '%s' sent to %d recipient(s) via %s", message.kind, message.subject,
             len(message.to) + len(message.cc), result.backend)


def deliver(settings: Settings, store: Store, messages: list[Message], mailer: Mailer | None = None) -> Outcome:
    """Send each message; a failure is recorded and reported, and the others are still sent."""
    outcome = Outcome()
    if mailer is None:
        try:
            mailer = make_mailer(settings, store)
        except DeliveryError as exc:
            for message in messages:
                record_send(store, message, settings.email.backend, f"failed: {exc}", "")
            outcome.problems.append(f"no report was emailed: {exc}")
            return outcome
    for message in messages:
        _send_one(mailer, store, message, outcome)
    return outcome
