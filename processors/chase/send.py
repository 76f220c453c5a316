"""Sending reminders: leave out what was already sent, send the rest one email per person, record what went.

Every reminder sent is a row of the store's ``reminders`` table (kind, target, recipient, day). A reminder
with a row from the last ``remind_every_days`` days is not sent again, so a second run on the same day sends
nothing new. A reminder is recorded only once its email has gone, so one that failed is tried on the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from processors.chase.messages import Wording, compose, group_key
from processors.chase.rules import ACTION_OWNER, FORM_AUDITOR, FORM_MANAGER, Reminder
from processors.mail.message import Mailer, Message, SendResult
from processors.mail.sending import send_collecting
from processors.store.database import Store

log = logging.getLogger("qa.chase")


@dataclass
class Delivery:
    sent: list[Reminder] = field(default_factory=list)
    skipped: list[Reminder] = field(default_factory=list)   # sent already within remind_every_days
    results: list[SendResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def sent_within(store: Store, kind: str, target_id: str, recipient: str, today: date, days: int) -> bool:
    """True when this reminder was recorded on one of the ``days`` days ending ``today``."""
    return store.reminder_sent_between(kind, target_id, recipient, today - timedelta(days=max(days, 1) - 1), today)


def not_sent(message: Message, exc: Exception) -> str:
    """How a reminder that could not be sent is reported (forms and cases are named by ID in the subject)."""
    return f"'{message.subject}' to {', '.join(message.to)} not sent: {exc}"


def deliver(store: Store, mailer: Mailer, reminders: Iterable[Reminder], today: date, every_days: int,
            wording: Wording) -> Delivery:
    """Send what has not been sent lately, record it, and mark the forms and actions chased today."""
    delivery = Delivery()
    groups: dict[tuple[str, str], list[Reminder]] = {}
    seen: set[tuple[str, str, str]] = set()
    for r in reminders:
        key = (r.kind, r.target_id, r.recipient.casefold())
        if key in seen:
            continue
        seen.add(key)
        if sent_within(store, r.kind, r.target_id, r.recipient, today, every_days):
            delivery.skipped.append(r)
        else:
            groups.setdefault(group_key(r), []).append(r)
    for group in groups.values():
        result = send_collecting(mailer, compose(group, wording), delivery.problems, not_sent)
        if result is None:
            continue
        with store.transaction():
            for r in group:
                store.record_reminder(r.kind, r.target_id, r.recipient, today)
        delivery.sent += group
        delivery.results.append(result)
    mark_chased(store, delivery.sent, today)
    return delivery


def mark_chased(store: Store, sent: Sequence[Reminder], today: date) -> None:
    """The register's Last chased: actions whose owner and forms whose auditor or manager were reminded."""
    actions = sorted({r.target_id for r in sent if r.kind == ACTION_OWNER})
    forms = sorted({r.target_id for r in sent if r.kind in (FORM_AUDITOR, FORM_MANAGER)})
    if actions:
        store.mark_chased(actions, today)
    if forms:
        store.mark_forms_chased(forms, today)
