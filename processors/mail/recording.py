"""The record of every email attempt: who, what, when, result (the store's `sent` table, the register's Sent sheet)."""

from __future__ import annotations

from datetime import datetime

from processors.errors import DeliveryError
from processors.mail.message import Mailer, Message, SendResult
from processors.store.database import Store
from processors.store.records import SentRecord


def record_send(store: Store, message: Message, backend: str, result: str, detail: str,
                when: datetime | None = None) -> None:
    """One row of the ``sent`` table; ``result`` is 'sent' or 'failed: <why>'."""
    store.record_sent(SentRecord(when or datetime.now(), message.kind, message.subject,
                                 "; ".join([*message.to, *message.cc]), "; ".join(p.name for p in message.attachments),
                                 backend, result, detail))


class RecordingMailer:
    """Wraps a mailer so that every attempt, delivered or refused, is recorded in the store."""

    def __init__(self, inner: Mailer, store: Store) -> None:
        self.inner, self.store = inner, store
        self.name = inner.name

    def send(self, message: Message) -> SendResult:
        try:
            result = self.inner.send(message)
        except DeliveryError as exc:
            record_send(self.store, message, self.name, f"failed: {exc}", "")
            raise
        record_send(self.store, message, result.backend, "sent", result.detail)
        return result
