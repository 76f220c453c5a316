"""File away: the file leaves the inbox for processed/ or rejected/ (a folder, or a SharePoint library)."""

from __future__ import annotations

import logging

from processors.errors import QAError
from processors.intake.received import FILED, IntakeFile, Status
from processors.intake.stages.base import Stage

log = logging.getLogger("qa.intake")


class FileAway(Stage):
    name = "file away"

    def applies(self, item: IntakeFile) -> bool:
        return item.status in FILED and item.final_path is None

    def run(self, item: IntakeFile) -> None:
        where = item.received.destination
        path = item.received.path
        try:
            if item.status is Status.REJECTED:
                item.final_path = where.file_rejected(item.name, path, item.reason)
            elif item.status is Status.HELD:
                item.final_path = where.file_held(item.name, path, item.reason)
            else:
                item.final_path = where.file_accepted(item.name, path)
        except (OSError, QAError) as exc:  # the decision is in the store; the move is tried again at the next look
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            log.warning("could not file away %r (%s): it waits for the next run", item.name, why)
            item.finish(Status.WAITING, f"{item.status.value}, but could not be moved out of the inbox ({why}): "
                                        "it stays there and is filed away at the next run")
