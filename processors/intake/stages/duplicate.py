"""Duplicate check: this exact file (same bytes) was recorded before, so it is filed away, not read again."""

from __future__ import annotations

from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Stage


class DuplicateCheck(Stage):
    name = "duplicate check"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and bool(item.sha256)

    def run(self, item: IntakeFile) -> None:
        if self.services.store.has_file(item.sha256):
            item.finish(Status.DUPLICATE, "this exact file was recorded before")
