"""Emailing reports through the configured backend (processors.mail.mailer), recording every attempt.

Each send, delivered or failed, becomes a row of the store's ``sent`` table (who, what, when, result),
which the register shows in its Sent sheet. Only allow-listed domains are ever sent to (CheckedMailer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from processors.config.settings import Settings
from processors.errors import DeliveryError
from processors.mail.mailer import make_mailer
from processors.mail.message import Mailer, Message, SendResult
from processors.mail.recording import record_send
from processors.mail.sending import send_all
from processors.store.database import Store


@dataclass
class Outcome:
    sent: list[SendResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _not_sent(message: Message, exc: Exception) -> str:
    return f"'{message.subject}' was not sent: {exc}"


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
    sent = send_all(mailer, messages, _not_sent)  # the mailer records each attempt (processors.mail.recording)
    outcome.sent, outcome.problems = sent.results, sent.problems
    return outcome
