"""Record: a valid form goes into the store (new, or a new version); a rejected file's reason does too.

The store is written before the file is moved, so a crash in between leaves the file in the inbox, where
the next run finds it already recorded (a duplicate) and only files it away.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from processors.forms.models import Rejection
from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Stage
from processors.store.database import OLDER_COPY, RecordOutcome

_STATUS = {RecordOutcome.NEW: Status.RECORDED, RecordOutcome.SUPERSEDED: Status.SUPERSEDED,
           RecordOutcome.OLDER: Status.OLDER_COPY}


class RecordForm(Stage):
    name = "record"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and item.form is not None

    def run(self, item: IntakeFile) -> None:
        assert item.form is not None
        outcome = self.services.store.record_form(item.form, item.name)
        item.finish(_STATUS.get(outcome, Status.DUPLICATE))
        item.recorded = outcome in (RecordOutcome.NEW, RecordOutcome.SUPERSEDED)
        if outcome is RecordOutcome.OLDER:
            item.warnings.append(OLDER_COPY)


class RecordRejection(Stage):
    """A rejected file's reason, and a held file's, go into the store (the register's Rejected sheet)."""

    name = "record rejection"

    def applies(self, item: IntakeFile) -> bool:
        return item.status in (Status.REJECTED, Status.HELD)

    def run(self, item: IntakeFile) -> None:
        reason = f"held for the QA administrator: {item.reason}" if item.status is Status.HELD else item.reason
        identity = item.parsed.identity if item.parsed else None
        rejection = Rejection(file=Path(item.name), reason=reason, received=datetime.now(),
                              form_id=identity.form_id if identity else "")
        self.services.store.record_rejection(rejection, item.sha256 or None)
