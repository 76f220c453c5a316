"""Send several messages, collect what could not be sent as plain lines, and carry on with the rest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from processors.errors import DeliveryError
from processors.mail.message import Mailer, Message, SendResult

log = logging.getLogger("qa.mail")

Describe = Callable[[Message, Exception], str]


def _plain(_message: Message, exc: Exception) -> str:
    return str(exc)


@dataclass
class Sent:
    results: list[SendResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per message not sent, naming forms by ID only


def send_collecting(mailer: Mailer, message: Message, problems: list[str],
                    describe: Describe = _plain) -> SendResult | None:
    """Send one message; a refusal or failure becomes a line in ``problems`` (``describe`` words it)."""
    try:
        result = mailer.send(message)
    except (DeliveryError, OSError) as exc:
        problems.append(describe(message, exc))
        log.warning("%s email '%s' not sent: %s", message.kind, message.subject, exc)
        return None
    log.info("%s email '%s' sent to %d recipient(s) via %s", message.kind, message.subject,
             len(message.to) + len(message.cc), result.backend)
    return result


def send_all(mailer: Mailer, messages: Iterable[Message], describe: Describe = _plain) -> Sent:
    """Send each message; one that fails is a problem line and the others are still sent."""
    sent = Sent()
    for message in messages:
        result = send_collecting(mailer, message, sent.problems, describe)
        if result is not None:
            sent.results.append(result)
    return sent
