"""`python run.py rebuild`: the store re-created after it was lost, from what is still on disk.

1. the allocation files (generated/<cycle>/allocation_<cycle>.xlsx) give back the work items, so returned
   forms match their cases again;
2. every file in processed/ goes through the same intake stages, oldest first, but stays where it is (no
   file is renamed or moved) and no email is sent: the notices are recorded as sent long ago;
3. the register's edited columns (Status, Completed on, Notes on Actions; Resolved on, Outcome on
   Escalations) are read back into the store, and the register is rewritten, after a dated copy of it.
Running it twice adds nothing: files already recorded are duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from processors.allocation.caselist import read_work_items
from processors.config.settings import Settings
from processors.errors import DeliveryError
from processors.forms.models import WorkItem
from processors.intake.inbox import collect
from processors.intake.pipeline import BatchReport, Pipeline
from processors.intake.received import FileOutcome, Status
from processors.logsafe import printable
from processors.mail.message import Message, SendResult
from processors.register.people_edits import backup, check_register_path
from processors.register.workbook import REGISTER_SHA256
from processors.store.database import Store
from processors.store.lock import run_lock

REBUILT = "rebuilt"  # REGISTER_SHA256 after a rebuild: the register's edits are read back at the next write


class LeaveInPlace:
    """A Destination that files nothing away: the file is already where it belongs."""

    def file_accepted(self, name: str, source: Path | None) -> Path:
        assert source is not None
        return source

    def file_rejected(self, name: str, source: Path | None, reason: str) -> Path:
        assert source is not None
        return source


class NoMail:
    """A rebuild sends nothing; a bug that tried would be refused, not delivered."""

    name = "none (rebuild)"

    def send(self, message: Message) -> SendResult:
        raise DeliveryError(f"'{message.subject}' was not sent: a rebuild sends no email")


@dataclass
class RebuildSummary:
    allocation_files: list[Path] = field(default_factory=list)
    work_items: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)
    backup: Path | None = None
    register: BatchReport = field(default_factory=BatchReport)

    def summary_lines(self) -> list[str]:
        recorded = sum(o.status in (Status.RECORDED.value, Status.SUPERSEDED.value) for o in self.outcomes)
        known = sum(o.status == Status.DUPLICATE.value for o in self.outcomes)
        lines = [f"Rebuilt the store: {self.work_items} work item(s) from {len(self.allocation_files)} allocation "
                 f"file(s); {recorded} form(s) recorded and {known} already there, from {len(self.outcomes)} "
                 "file(s) in processed/ (left where they are; no email sent)"]
        lines += [f"  not recorded {printable(o.source.name)}: {o.reason}" for o in self.outcomes
                  if o.status == Status.REJECTED.value]
        if self.backup:
            lines.append(f"  The register as it was is kept as {self.backup}")
        if self.register.register_problem:
            lines.append(f"  Warning: {self.register.register_problem}")
        elif self.register.register_path:
            lines.append(f"  Register: {self.register.register_path} (people's edits read back)")
            lines += [f"  Register: {w}" for w in self.register.register_warnings]
        return lines


def allocation_files(settings: Settings) -> list[Path]:
    return sorted(settings.path("generated").glob("*/allocation_*.xlsx"))


def _work_items(files: list[Path]) -> list[WorkItem]:
    items: list[WorkItem] = []
    for path in files:
        items += read_work_items(path, path.stem.removeprefix("allocation_"), None)
    return items


def _oldest_first(paths: list[Path]) -> list[Path]:
    return sorted(paths, key=lambda p: (p.stat().st_mtime, p.name))


def rebuild_store(settings: Settings, source: Path | None = None) -> RebuildSummary:
    """Re-create the store (see the module's docstring); ``source`` defaults to the processed/ folder."""
    summary = RebuildSummary()
    register = settings.path("register")
    check_register_path(register)
    with run_lock(settings, "rebuild"), Store(settings.path("database")) as store:
        if register.is_file():
            summary.backup = backup(register)
        summary.allocation_files = allocation_files(settings)
        items = _work_items(summary.allocation_files)
        store.add_work_items(items)
        summary.work_items = len(items)
        pipeline = Pipeline(settings, store, NoMail(), command="rebuild")
        pipeline.notifier.send = False
        stay = LeaveInPlace()
        for path in _oldest_first(collect([source or settings.path("processed")])):
            summary.outcomes.append(pipeline.process_file(path, stay))
        pipeline.notifier.send_pending()  # every notice owed is recorded as sent: it went before the store was lost
        if store.get_state(REGISTER_SHA256) is None:
            store.set_state(REGISTER_SHA256, REBUILT)  # so the register's edits are read back, not refused
        pipeline.write_register(summary.register)
    return summary
