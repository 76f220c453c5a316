"""Safety checks before any XML is read: size, what kind of file it really is, and the zip package's limits."""

from __future__ import annotations

from processors.errors import UnreadableFile
from processors.intake.received import IntakeFile
from processors.intake.stages.base import Stage
from processors.word.safety import FileKind, check_zip, open_zip, read_limited, sniff, too_big


class SafetyCheck(Stage):
    name = "safety checks"

    def run(self, item: IntakeFile) -> None:
        limit = self.services.max_bytes
        if item.received.size is not None and item.received.size > limit:
            raise too_big(item.received.size, limit)  # listed as too big: never fetched, never read
        if item.received.path is None:
            raise UnreadableFile("the file could not be fetched: put it back in the inbox")
        item.data = read_limited(item.received.path, limit)
        item.kind = sniff(item.data, item.name)
        if item.kind is FileKind.DOCX:
            with open_zip(item.data) as package:
                check_zip(package)

    def cleanup(self, item: IntakeFile) -> None:
        item.data = b""  # a batch holds one file's bytes at a time
