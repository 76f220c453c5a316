"""Emailing reports through the configured backend (processors.mail.mailer), recording every attempt.

Each send, delivered or failed, becomes a row of the store's ``sent`` table (who, what, when, result),
which the register shows in its Sent sheet. Only allow-listed domains are ever sent to (CheckedMailer).
Reports the watcher makes on schedule are sent under a key (``once_key``): each message is keyed in the store
before it goes (processors.act.sent_once), so a run redone after the watcher was stopped mid-way sends only
what had not gone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from processors.act.sent_once import send_once
from processors.config.settings import Settings
from processors.errors import DeliveryError
from processors.mail.mailer import make_mailer
from processors.mail.message import Mailer, Message, SendResult
from processors.mail.recording import record_send
from processors.mail.sending import Sent, send_all
from processors.store.database import Store


@dataclass
class Outcome:
    sent: list[SendResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)  # subjects that went in an earlier run (once_key)


def _not_sent(message: Message, exc: Exception) -> str:
    return f"'{message.subject}' was not sent: {exc}"


def deliver(settings: Settings, store: Store, messages: list[Message], mailer: Mailer | None = None,
            once_key: str | None = None) -> Outcome:
    """Send each message; a failure is recorded and reported, and the others are still sent. With ``once_key``,
    a message (known by its subject) that went under that key before is not sent again."""
    outcome = Outcome()
    if mailer is None:
        try:
            mailer = make_mailer(settings, store)
        except DeliveryError as exc:
            for message in messages:
                record_send(store, message, settings.email.backend, f"failed: {exc}", "")
            outcome.problems.append(f"no report was emailed: {exc}")
            return outcome
    if once_key is None:
        sent = send_all(mailer, messages, _not_sent)  # the mailer records each attempt (processors.mail.recording)
    else:
        sent = _send_keyed(store, mailer, messages, once_key, outcome.already_sent)
    outcome.sent, outcome.problems = sent.results, sent.problems
    return outcome


def _send_keyed(store: Store, mailer: Mailer, messages: list[Message], once_key: str, already: list[str]) -> Sent:
    sent = Sent()
    for message in messages:
        try:
            result = send_once(store, mailer, f"{once_key}:{message.subject}", message)
        except (DeliveryError, OSError) as exc:
            sent.problems.append(_not_sent(message, exc))
            continue
        if result is None:
            already.append(message.subject)
        else:
            sent.results.append(result)
    return sent
