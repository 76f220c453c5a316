"""What a watcher hands to intake (a Received file), and what travels through the stages (an IntakeFile).

Each stage reads the IntakeFile and adds what it found: the hash, the bytes, the parsed form, the work item
it answers, the validated form, and finally where the file went. A stage that finds a problem rejects the
file with a reason a person can act on; the stages after it that apply to rejected files (record the
rejection, file it away, tell its sender) still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from processors.forms.models import ParsedForm, ValidatedForm, WorkItem
from processors.word.safety import FileKind

if TYPE_CHECKING:
    from processors.intake.destination import Destination


class Status(str, Enum):
    """How a file ended. OPEN while stages are still deciding."""

    OPEN = ""
    SKIPPED = "skipped"          # could not be read yet (still being written): left where it is, tried again
    DUPLICATE = "duplicate"      # this exact file was recorded before
    RECORDED = "recorded"
    SUPERSEDED = "superseded"    # a newer version of a form already recorded
    OLDER_COPY = "older copy"    # saved before the version recorded: kept in its history, not current
    REJECTED = "rejected"
    HELD = "held"                # not recorded: kept in held/ with its reason for the QA administrator to decide
    WAITING = "waiting"          # decided (and stored), but could not be filed away yet: filed at the next run


FILED = (Status.DUPLICATE, Status.RECORDED, Status.SUPERSEDED, Status.OLDER_COPY, Status.REJECTED,
         Status.HELD)


@dataclass(frozen=True)
class Received:
    """One returned file as a watcher found it: its name, a local copy, and where it goes when done."""

    name: str
    path: Path | None                  # None when the source said it is too big to fetch
    destination: Destination
    size: int | None = None            # the size the source listed, when it lists one
    sender: str = ""                   # the email address it came from, when it came by email


@dataclass
class IntakeFile:
    received: Received
    sha256: str = ""
    data: bytes = b""
    kind: FileKind | None = None
    parsed: ParsedForm | None = None
    work_item: WorkItem | None = None
    form: ValidatedForm | None = None
    status: Status = Status.OPEN
    reason: str = ""
    final_path: Path | None = None
    recorded: bool = False             # the form went into the store as its current version (or a new one)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # each thing to correct, when validation rejected the form

    @property
    def name(self) -> str:
        return self.received.name

    @property
    def open(self) -> bool:
        return self.status is Status.OPEN

    def reject(self, reason: str) -> None:
        self.status, self.reason = Status.REJECTED, reason

    def finish(self, status: Status, reason: str = "") -> None:
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class FileOutcome:
    """How one file ended, for the batch summary and the watcher's statistics."""

    source: Path
    status: str                 # a Status value
    final_path: Path
    form_id: str = ""
    reason: str = ""
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, item: IntakeFile) -> FileOutcome:
        source = item.received.path or Path(item.name)
        form_id = item.form.form_id if item.form else ""
        return cls(source, item.status.value, item.final_path or source, form_id, item.reason,
                   tuple(item.warnings))
