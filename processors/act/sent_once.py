"""Each notice's messages are sent exactly once: keyed in the store before sending, marked once sent.

Before a message goes, its key (notice kind, form ID, message number) is written to the store as
"sending"; once it went, "sent". A retry (after a failed send, a crash, or a second run) skips what was
sent, so a notice whose second message failed never sends its first one again. A "sending" key left by
a run that died mid-send is settled by the record of sent email (the `sent` table): sent means done.
"""

from __future__ import annotations

import logging
from datetime import datetime

from processors.errors import DeliveryError
from processors.mail.message import Mailer, Message, SendResult
from processors.store.database import Store

log = logging.getLogger("qa.intake")
SENDING, SENT = "sending", "sent"


def message_key(kind: str, form_id: str, number: int) -> str:
    return f"notice:{kind}:{form_id}:{number}"


def claim(store: Store, key: str, message: Message) -> bool:
    """True when this message should be sent now (and it is now keyed as sending); False when it went."""
    with store.transaction():  # BEGIN IMMEDIATE: no other process reads or writes the key in between
        value = store.get_state(key) or ""
        if value.startswith(SENT):
            return False
        if value.startswith(SENDING) and _went_since(store, message, value.partition(" ")[2]):
            store.set_state(key, f"{SENT} {value.partition(' ')[2]}")
            log.info("%s was sent before a run stopped; not sent again", key)
            return False
        store.set_state(key, f"{SENDING} {datetime.now().isoformat(timespec='seconds')}")
        return True


def sent(store: Store, key: str) -> None:
    store.set_state(key, f"{SENT} {datetime.now().isoformat(timespec='seconds')}")


def release(store: Store, key: str) -> None:
    """A send that failed: the message is owed again."""
    store.set_state(key, None)


def send_once(store: Store, mailer: Mailer, key: str, message: Message) -> SendResult | None:
    """Send ``message`` unless the message keyed ``key`` went already (then None). A send that fails leaves it
    owed (the error is raised); one cut short by a crash is settled by the next claim."""
    if not claim(store, key, message):
        return None
    try:
        result = mailer.send(message)
    except (DeliveryError, OSError):
        release(store, key)
        raise
    sent(store, key)
    return result


def _went_since(store: Store, message: Message, since: str) -> bool:
    return store.sent_since(message.kind, message.subject, since)
