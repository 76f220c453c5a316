"""A real IMAP server on loopback (pymap's in-memory backend) with one mailbox, and a client to fill it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from imapclient import IMAPClient

from tests.smtp_server import free_port

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


def _pymap() -> list[str]:
    found = shutil.which("pymap")
    return [found] if found else [sys.executable, "-m", "pymap"]


@contextmanager
def imap_server() -> Iterator[ImapServer]:
    port = free_port()
    process = subprocess.Popen([*_pymap(), "--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict",
                                "--demo-user", USER, "--demo-password", PASSWORD],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    problem = process.stderr.read().decode() if process.stderr else ""
                    raise RuntimeError(f"pymap did not start: {problem}") from None
                time.sleep(0.1)
        yield ImapServer(port)
    finally:
        process.terminate()
        process.wait(timeout=10)


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
