"""The default backend: each message becomes an .eml file a person can open in Outlook or Thunderbird."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

from processors.mail.message import Message, SendResult, build_email
from processors.naming import safe_name


class OutboxMailer:
    """Writes each message as an .eml file into the outbox folder."""

    name = "outbox"

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder, self.sender = folder, sender

    def send(self, message: Message) -> SendResult:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{datetime.now():%Y%m%d-%H%M%S}-{message.kind}-{safe_name(message.subject)[:50]}"
        partial = self.folder / f".{stem[:40]}-{uuid.uuid4().hex[:8]}.eml.partial"  # one per writer
        partial.write_bytes(bytes(build_email(message, self.sender)))
        try:
            target = _link_unique(partial, self.folder, stem)
        finally:
            partial.unlink(missing_ok=True)
        return SendResult(message, self.name, str(target))


def _link_unique(partial: Path, folder: Path, stem: str) -> Path:
    """Give the written file a free name; a hard link never replaces, so two runs never overwrite an email."""
    n = 1
    target = folder / f"{stem}.eml"
    while True:
        try:
            os.link(partial, target)
            return target
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system
            if not target.exists():
                os.replace(partial, target)
                return target
        n += 1
        target = folder / f"{stem}-{n}.eml"
