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
from processors.store.database import RecordOutcome

_STATUS = {RecordOutcome.NEW: Status.RECORDED, RecordOutcome.SUPERSEDED: Status.SUPERSEDED}


class RecordForm(Stage):
    name = "record"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and item.form is not None

    def run(self, item: IntakeFile) -> None:
        assert item.form is not None
        outcome = self.services.store.record_form(item.form, item.name)
        item.finish(_STATUS.get(outcome, Status.DUPLICATE))


class RecordRejection(Stage):
    name = "record rejection"

    def applies(self, item: IntakeFile) -> bool:
        return item.status is Status.REJECTED

    def run(self, item: IntakeFile) -> None:
        identity = item.parsed.identity if item.parsed else None
        rejection = Rejection(file=Path(item.name), reason=item.reason, received=datetime.now(),
                              form_id=identity.form_id if identity else "")
        self.services.store.record_rejection(rejection, item.sha256 or None)
