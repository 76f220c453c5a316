"""Identify: which generated form (work item) this file answers, from the identity it carries.

A file whose type or pre-filled details disagree with that work item is held for the QA administrator,
so it can never replace the form recorded for that reference.
"""

from __future__ import annotations

import logging

from processors.intake.matching import held_reason, mismatches
from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Stage

log = logging.getLogger("qa.intake")


class Identify(Stage):
    name = "identify"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and item.parsed is not None and item.parsed.identity is not None

    def run(self, item: IntakeFile) -> None:
        assert item.parsed is not None and item.parsed.identity is not None
        work_item = self.services.store.work_item(item.parsed.identity.form_id)
        problems = mismatches(item.parsed, work_item) if work_item is not None else []
        if problems:
            log.warning("held a file carrying %s: reference does not match its case", work_item.form_id)
            item.finish(Status.HELD, held_reason(work_item, problems))
            return
        item.work_item = work_item
