"""Email delivery. The backend is chosen in config: an outbox folder of .eml files (default) or SMTP.

Only addresses on allow-listed domains are ever sent to. Secrets come from environment variables.
"""

from __future__ import annotations

import html
import mimetypes
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from processors.config.settings import Settings
from processors.errors import DeliveryError
from processors.generate.forms import safe_name
from processors.mail.recording import RecordingMailer

if TYPE_CHECKING:
    from processors.store.database import Store

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
    allowed = {d.lower() for d in allowed_domains}
    refused = [r for r in recipients if r.rpartition("@")[2].lower() not in allowed or "@" not in r]
    if refused:
        raise DeliveryError(f"refused to send '{message.subject}' to {', '.join(refused)}: only addresses at "
                            f"{', '.join(sorted(allowed))} are allowed (email.allowed_domains in config.yaml)")


def html_from_text(body: str) -> str:
    """A plain-text body as simple HTML: paragraphs at blank lines, line breaks kept, everything escaped."""
    paragraphs = [p for p in body.split("\n\n") if p.strip()]
    inner = "".join(f"<p>{'<br>'.join(html.escape(line) for line in p.splitlines())}</p>\n" for p in paragraphs)
    style = "font-family: Arial, sans-serif; font-size: 11pt"
    return f'<!DOCTYPE html>\n<html><body style="{style}">\n{inner}</body></html>\n'


def build_email(message: Message, sender: str) -> EmailMessage:
    mail = EmailMessage(policy=_POLICY)
    mail["From"] = sender
    mail["To"] = ", ".join(message.to)
    if message.cc:
        mail["Cc"] = ", ".join(message.cc)
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail["X-QA-Kind"] = message.kind
    mail.set_content(message.body)
    mail.add_alternative(message.html or html_from_text(message.body), subtype="html")
    for path in message.attachments:
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        main, sub = ctype.split("/", 1)
        mail.add_attachment(path.read_bytes(), maintype=main, subtype=sub, filename=path.name)
    return mail


class OutboxMailer:
    """Writes each message as an .eml file a person can open in Outlook or Thunderbird."""

    name = "outbox"

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder, self.sender = folder, sender

    def send(self, message: Message) -> SendResult:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now():%Y%m%d-%H%M%S}-{message.kind}-{safe_name(message.subject)[:50]}"
        target = self.folder / f"{stem}.eml"
        n = 1
        while target.exists():
            n += 1
            target = self.folder / f"{stem}-{n}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(bytes(build_email(message, self.sender)))
        partial.replace(target)
        return SendResult(message, self.name, str(target))


class SmtpMailer:
    """SMTP with STARTTLS; the user name and password come from environment variables."""

    name = "smtp"

    def __init__(self, settings: Settings) -> None:
        self.cfg = settings.email.smtp
        self.sender = settings.contacts.sender

    def send(self, message: Message) -> SendResult:
        mail = build_email(message, self.sender)
        user, password = os.environ.get(self.cfg.username_env), os.environ.get(self.cfg.password_env)
        try:
            with smtplib.SMTP(self.cfg.host, self.cfg.port, timeout=self.cfg.timeout_seconds) as smtp:
                if self.cfg.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if user and password:
                    smtp.login(user, password)
                smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"could not send '{message.subject}' through {self.cfg.host}:{self.cfg.port} "
                                f"({exc}): check email.smtp in config.yaml and {self.cfg.username_env}/"
                                f"{self.cfg.password_env}") from None
        return SendResult(message, self.name, f"{self.cfg.host}:{self.cfg.port}")


class CheckedMailer:
    """Wraps a backend: refuses recipients outside the allow-list before anything is sent."""

    def __init__(self, backend: Mailer, allowed_domains: tuple[str, ...]) -> None:
        self.backend, self.allowed = backend, allowed_domains
        self.name = backend.name

    def send(self, message: Message) -> SendResult:
        check_recipients(message, self.allowed)
        return self.backend.send(message)


def make_mailer(settings: Settings, store: Store | None = None) -> Mailer:
    """The configured backend behind the allow-list; with a store, every attempt is recorded there."""
    checked = _checked_backend(settings)
    return RecordingMailer(checked, store) if store is not None else checked


def _checked_backend(settings: Settings) -> CheckedMailer:
    backend: Mailer
    if settings.email.backend == "smtp":
        backend = SmtpMailer(settings)
    elif settings.email.backend == "graph":
        from processors.mail.graph import GraphMailer  # lazy: graph_mail imports this module

        backend = GraphMailer.from_settings(settings)
    else:
        backend = OutboxMailer(settings.path("outbox"), settings.contacts.sender)
    return CheckedMailer(backend, settings.email.allowed_domains)
