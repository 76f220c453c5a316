"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

from processors.config.settings import Settings, load_settings
from processors.forms.models import WorkItem
from processors.mail.directory import Person, StaffDirectory
from processors.store.database import Store
from tests.conftest import write_config


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@contextmanager
def smtp_office(folder: Path, staff: list[Person], items: list[WorkItem]) -> Iterator[tuple[Settings, Inbox]]:
    """Settings that send through a loopback SMTP server, with a staff list, an inbox and allocated work."""
    with smtp_server() as (inbox, port):
        config = write_config(folder, email={"backend": "smtp", "smtp": {"host": "127.0.0.1", "port": port,
                                                                         "starttls": False}})
        settings = load_settings(config)
        settings.path("inbox").mkdir(parents=True)
        StaffDirectory(staff).save(settings.path("staff"))
        with Store(settings.path("database")) as store:
            store.add_work_items(items)
        yield settings, inbox
