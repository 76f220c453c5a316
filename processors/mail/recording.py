"""The record of every email attempt: who, what, when, result (the store's `sent` table, the register's Sent sheet)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from processors.errors import DeliveryError

if TYPE_CHECKING:
    from processors.mail.mailer import Mailer, Message, SendResult
    from processors.store.database import Store


def record_send(store: Store, message: Message, backend: str, result: str, detail: str,
                when: datetime | None = None) -> None:
    """One row of the ``sent`` table; ``result`` is 'sent' or 'failed: <why>'."""
    store.execute(
        "INSERT INTO sent (sent_at, kind, subject, recipients, attachments, backend, result, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ((when or datetime.now()).isoformat(timespec="seconds"), message.kind, message.subject,
         "; ".join([*message.to, *message.cc]), "; ".join(p.name for p in message.attachments), backend, result,
         detail))


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
