"""Mail that arrives in the QA mailbox: who sent it, and the documents attached to it.

Only attachments that could be a form (Word documents and PDFs, and the old formats people may still
send, so that they get a reason back) are taken; signature pictures and calendar files are left out.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import PurePath

FORM_SUFFIXES = (".docx", ".docm", ".doc", ".dotx", ".odt", ".pdf", ".rtf")
_AUTOMATED = ("mailer-daemon", "postmaster", "no-reply", "noreply", "do-not-reply")


@dataclass(frozen=True)
class MailAttachment:
    name: str
    data: bytes


@dataclass(frozen=True)
class IncomingMail:
    """One message in the mailbox: `key` is how the mailbox names it (an IMAP UID, a Graph message ID)."""

    key: str
    sender: str                 # the bare address from From:
    subject: str
    message_id: str
    attachments: tuple[MailAttachment, ...]
    automated: bool = False     # an auto-reply, bounce or list mail: never answered

    @property
    def has_forms(self) -> bool:
        return bool(self.attachments)


def is_form_name(name: str) -> bool:
    return PurePath(name).suffix.lower() in FORM_SUFFIXES


def _clean(text: str) -> str:
    return " ".join(str(text or "").split())


def read_incoming(key: str, raw: bytes) -> IncomingMail:
    """Parse one raw RFC 5322 message (as IMAP returns it)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    attachments = tuple(
        MailAttachment(_clean(part.get_filename() or ""), part.get_payload(decode=True) or b"")
        for part in message.iter_attachments()
        if part.get_filename() and is_form_name(_clean(part.get_filename() or "")))
    sender = parseaddr(str(message.get("From", "")))[1]
    return IncomingMail(key=key, sender=sender, subject=_clean(str(message.get("Subject", ""))),
                        message_id=_clean(str(message.get("Message-ID", ""))), attachments=attachments,
                        automated=is_automated(sender, {k.lower(): str(v) for k, v in message.items()}))


def is_automated(sender: str, headers: Mapping[str, str]) -> bool:
    """Bounces, auto-replies and list mail (headers by lower-case name): answering them could start a loop."""
    if headers.get("auto-submitted", "no").strip().lower() != "no":
        return True
    if headers.get("precedence", "").strip().lower() in ("bulk", "list", "junk", "auto_reply"):
        return True
    if any(headers.get(name) for name in ("x-autoreply", "x-autorespond", "list-id")):
        return True
    local = sender.partition("@")[0].lower()
    return not sender or any(local.startswith(a) for a in _AUTOMATED)
