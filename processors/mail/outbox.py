"""The default backend: each message becomes an .eml file a person can open in Outlook or Thunderbird."""

from __future__ import annotations

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
        target = self.folder / f"{stem}.eml"
        n = 1
        while target.exists():
            n += 1
            target = self.folder / f"{stem}-{n}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(bytes(build_email(message, self.sender)))
        partial.replace(target)
        return SendResult(message, self.name, str(target))
