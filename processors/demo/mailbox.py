"""The demo's return by email: the QA mailbox on a real IMAP server on loopback (pymap's in-memory backend).

An auditor replies to their allocation email with the completed form attached; `watch` reads the mailbox
(here one poll of the same MailboxWatcher) and the form goes through intake like any other.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from imapclient import IMAPClient

QA_MAILBOX = "qa-forms@example-trust.org.uk"
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def loopback_imap(user: str, password: str, *, wait: float = 20.0) -> Iterator[int]:
    """Start pymap on 127.0.0.1 with one mailbox; yields its port. RuntimeError when it does not start."""
    port = _free_port()
    command = [shutil.which("pymap") or sys.executable, *([] if shutil.which("pymap") else ["-m", "pymap"])]
    process = subprocess.Popen([*command, "--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict",
                                "--demo-user", user, "--demo-password", password],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    problem = process.stderr.read().decode(errors="replace")[-300:] if process.stderr else ""
                    raise RuntimeError(f"the loopback IMAP server did not start ({problem.strip()})") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def deliver(port: int, user: str, password: str, message: EmailMessage, folder: str = "INBOX") -> None:
    with IMAPClient("127.0.0.1", port=port, ssl=False, timeout=10) as client:
        client.login(user, password)
        client.append(folder, message.as_bytes())


def reply_with_form(sender: str, subject: str, name: str, data: bytes) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, QA_MAILBOX, f"RE: {subject}"
    message.set_content("Please find my completed form attached.")
    message.add_attachment(data, maintype=DOCX[0], subtype=DOCX[1], filename=name)
    return message


def demo_password() -> str:
    return "demo-" + secrets.token_hex(6)  # synthetic, for this run's loopback server only
