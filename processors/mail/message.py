"""An email as the rest of the code sees it: the message, the result of sending it, and the allow-list check.

This module loads nothing but the standard library, so anything may build messages without pulling in
a backend (SMTP, Microsoft Graph) or the Word machinery.
"""

from __future__ import annotations

import html
import mimetypes
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from processors.errors import DeliveryError
from processors.mail.addresses import header_text, refused_recipients

_POLICY = policy.default.clone(max_line_length=998)  # long subjects are not folded into odd header lines


@dataclass(frozen=True)
class Message:
    to: tuple[str, ...]
    subject: str
    body: str
    cc: tuple[str, ...] = ()
    attachments: tuple[Path, ...] = ()
    kind: str = "notice"  # escalation | good_practice | thank_you | allocation | reminder | report
    html: str = ""        # the HTML part; empty: made from ``body``, so every email has both


@dataclass(frozen=True)
class SendResult:
    message: Message
    backend: str
    detail: str  # outbox file, SMTP server or Graph message


class Mailer(Protocol):
    name: str

    def send(self, message: Message) -> SendResult: ...


def check_recipients(message: Message, allowed_domains: tuple[str, ...]) -> None:
    recipients = [*message.to, *message.cc]
    if not recipients:
        raise DeliveryError(f"'{message.subject}' has no recipients: add the addresses to config.yaml (contacts)")
    refused = refused_recipients(recipients, allowed_domains)
    if refused:
        allowed = sorted({d.lower() for d in allowed_domains})
        raise DeliveryError(f"refused to send '{header_text(message.subject)}' to {', '.join(refused)}: only "
                            f"addresses at {', '.join(allowed)} are allowed, one whole address each "
                            "(email.allowed_domains in config.yaml)")


def html_from_text(body: str) -> str:
    """A plain-text body as simple HTML: paragraphs at blank lines, line breaks kept, everything escaped."""
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    inner = "".join(f"<p>{'<br>'.join(html.escape(line) for line in p.splitlines())}</p>\n" for p in paragraphs)
    style = "font-family: Arial, sans-serif; font-size: 11pt"
    return f'<!DOCTYPE html>\n<html><body style="{style}">\n{inner}</body></html>\n'


def build_email(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = header_text(sender)
    mail["To"] = ", ".join(header_text(a) for a in message.to)
    if message.cc:
        mail["Cc"] = ", ".join(header_text(a) for a in message.cc)
    mail["Subject"] = header_text(message.subject)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["X-QA-Kind"] = header_text(message.kind)
    mail.set_content(message.body)
    mail.add_alternative(message.html or html_from_text(message.body), subtype="html")
    for path in message.attachments:
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = ctype.split("/", 1)
        mail.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=header_text(path.name))
    return mail


class CheckedMailer:
    """Wraps a backend: refuses recipients outside the allow-list before anything is sent."""

    def __init__(self, backend: Mailer, allowed_domains: tuple[str, ...]) -> None:
        self.backend, self.allowed = backend, allowed_domains
        self.name = backend.name

    def send(self, message: Message) -> SendResult:
        check_recipients(message, self.allowed)
        return self.backend.send(message)
