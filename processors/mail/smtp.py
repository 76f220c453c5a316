"""The SMTP backend: STARTTLS; the user name and password come from environment variables."""

from __future__ import annotations

import os
import smtplib
import ssl

from processors.config.settings import Settings
from processors.errors import DeliveryError
from processors.mail.message import Message, SendResult, build_email


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
