"""Email delivery: the configured backend behind the allow-list, every attempt recorded.

The backend is chosen in config (``email.backend``): an outbox folder of .eml files (default), SMTP, or
Microsoft Graph. Only addresses on allow-listed domains are ever sent to. Secrets come from environment
variables. Modules: ``message`` (Message, SendResult, the Mailer protocol, the allow-list), ``outbox``,
``smtp``, ``graph`` (backends), ``recording`` (the ``sent`` table), ``sending`` (send and collect problems).
This module only assembles them, so none of them imports it.
"""

from __future__ import annotations

from processors.config.settings import Settings
from processors.mail.message import CheckedMailer, Mailer, Message, SendResult, build_email, check_recipients
from processors.mail.outbox import OutboxMailer
from processors.mail.recording import RecordingMailer
from processors.mail.smtp import SmtpMailer
from processors.store.database import Store


def make_mailer(settings: Settings, store: Store | None = None) -> Mailer:
    """The configured backend behind the allow-list; with a store, every attempt is recorded there."""
    checked = checked_backend(settings)
    return RecordingMailer(checked, store) if store is not None else checked


def checked_backend(settings: Settings) -> CheckedMailer:
    backend: Mailer
    if settings.email.backend == "smtp":
        backend = SmtpMailer(settings)
    elif settings.email.backend == "graph":
        from processors.mail.graph import GraphMailer  # O365 and requests only when Graph sends (issue 16)

        backend = GraphMailer.from_settings(settings)
    else:
        backend = OutboxMailer(settings.path("outbox"), settings.contacts.sender)
    return CheckedMailer(backend, settings.email.allowed_domains)


__all__ = ["CheckedMailer", "Mailer", "Message", "OutboxMailer", "SendResult", "SmtpMailer", "build_email",
           "check_recipients", "checked_backend", "make_mailer"]
