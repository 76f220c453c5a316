"""Identify: which generated form (work item) this file answers, from the identity it carries."""

from __future__ import annotations

from processors.intake.received import IntakeFile
from processors.intake.stages.base import Stage


class Identify(Stage):
    name = "identify"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and item.parsed is not None and item.parsed.identity is not None

    def run(self, item: IntakeFile) -> None:
        assert item.parsed is not None and item.parsed.identity is not None
        item.work_item = self.services.store.work_item(item.parsed.identity.form_id)
