"""A real IMAP server on loopback (pymap's in-memory backend) with one mailbox, and a client to fill it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from imapclient import IMAPClient

from processors.demo.mailbox import loopback_imap

USER, PASSWORD = "qa-forms@example-trust.org.uk", "synthetic-password"


@dataclass(frozen=True)
class ImapServer:
    port: int

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, message: EmailMessage, folder: str = "INBOX") -> None:
        with self.client() as client:
            client.append(folder, message.as_bytes())

    def count(self, folder: str) -> int:
        with self.client() as client:
            if not client.folder_exists(folder):
                return 0
            client.select_folder(folder, readonly=True)
            return len(client.search(["ALL"]))


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    with loopback_imap(USER, PASSWORD) as port:
        yield ImapServer(port)


def mail(sender: str, subject: str, attachments: dict[str, bytes] | None = None, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, USER, subject
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@example-trust.org.uk>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Please find my form attached.")
    for name, data in (attachments or {}).items():
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message
