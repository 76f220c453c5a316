"""The intake pipeline: every returned file runs the same ordered list of stages (processors/intake/stages).

`ingest` (one-shot), the folder watcher and the SharePoint watcher all hand files to `Pipeline.process`
(or `process_batch`). Each file ends recorded (filed away to processed/), rejected (filed away to
rejected/ with a reason beside it and a row in the Rejected sheet), a duplicate, or skipped for now
(still being written). After a batch, notices still owed are sent and the register is written once.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from processors.config.settings import Settings
from processors.errors import (
    AlreadyRunningError,
    QAError,
    RegisterLockedError,
    StoreDamaged,
    StoreLostError,
)
from processors.intake.destination import Destination, FolderDestination
from processors.intake.received import FileOutcome, IntakeFile, Received, Status
from processors.intake.stages.base import Services, Stage
from processors.intake.stages.notify import Notifier
from processors.intake.stages.order import intake_stages
from processors.logsafe import printable
from processors.mail.directory import StaffDirectory
from processors.mail.mailer import make_mailer
from processors.mail.message import Mailer, SendResult
from processors.register.incremental import RegisterMemory
from processors.register.workbook import write_register
from processors.store.database import Store
from processors.store.lock import DEFAULT_WAIT, run_lock

log = logging.getLogger("qa.pipeline")


@dataclass
class BatchReport:
    outcomes: list[FileOutcome] = field(default_factory=list)
    sent: list[SendResult] = field(default_factory=list)
    delivery_problems: list[str] = field(default_factory=list)
    register_path: Path | None = None
    register_problem: str = ""
    register_warnings: list[str] = field(default_factory=list)  # people's edits we could not use, and why
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary_lines(self) -> list[str]:
        counts = Counter(o.status for o in self.outcomes)
        parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do"
        lines = [f"Processed {len(self.outcomes)} file(s) in {self.seconds:.2f} s: {parts}"]
        for o in self.outcomes:
            if o.status == Status.REJECTED.value:
                lines.append(f"  rejected {printable(o.source.name)}: {o.reason}")
            elif o.status in (Status.HELD.value, Status.WAITING.value):
                lines.append(f"  {o.status} {printable(o.source.name)}: {o.reason}")
            elif o.status == Status.OLDER_COPY.value:
                lines.append(f"  older copy {printable(o.source.name)} ({o.form_id}): kept in its history, not current")
        lines += [f"  email not sent: {p}" for p in self.delivery_problems]
        if self.sent:
            lines.append(f"  {len(self.sent)} email(s) sent ({self.sent[0].backend})")
        if self.register_problem:
            lines.append(f"  Warning: {self.register_problem}")
        elif self.register_path:
            lines.append(f"  Register: {self.register_path}")
            lines += [f"  Register edit not used: {w}" for w in self.register_warnings]
        return lines


class Pipeline:
    """Runs the stages on each file; sends notices still owed and writes the register once per batch."""

    def __init__(self, settings: Settings, store: Store, mailer: Mailer | None = None, *,
                 command: str = "ingest", lock_wait: float = DEFAULT_WAIT) -> None:
        self.settings = settings
        self.command, self.lock_wait = command, lock_wait  # the run lock: one process works at a time
        self.store = store
        self.mailer = mailer or make_mailer(settings, store)
        self.services = Services(settings, store, self.mailer, StaffDirectory.load(settings.path("staff")))
        self.notifier = Notifier(self.services)
        self.stages: list[Stage] = intake_stages(self.services, self.notifier)
        self.folders = FolderDestination(settings.path("processed"), settings.path("rejected"),
                                         settings.path("held"))
        # a long-running watcher keeps what it last wrote to the register, so the next write redoes only the
        # rows of the forms that changed; a one-shot command writes once and keeps nothing
        self.register_memory = RegisterMemory() if command == "watch" else None

    # -- one file --

    def process(self, received: Received) -> FileOutcome:
        """Every stage that applies, in order. Never raises for a bad file: it ends rejected with a reason."""
        item = IntakeFile(received)
        ran: list[Stage] = []
        with self.locked():
            self._process(item, ran)
        self._log(item)
        return FileOutcome.of(item)

    def locked(self) -> AbstractContextManager[None]:
        """The run lock, re-entrant: held per file by `watch`, for the whole batch by `ingest`."""
        return run_lock(self.settings, self.command, self.lock_wait)

    def _process(self, item: IntakeFile, ran: list[Stage]) -> None:
        try:
            for stage in self.stages:
                if stage.applies(item):
                    ran.append(stage)
                    self._run(stage, item)
        finally:
            for stage in reversed(ran):
                stage.cleanup(item)

    def process_file(self, path: Path, destination: Destination | None = None) -> FileOutcome:
        """A file on disk, filed away to the configured processed/ and rejected/ folders unless told otherwise."""
        return self.process(Received(path.name, path, destination or self.folders))

    def _run(self, stage: Stage, item: IntakeFile) -> None:
        try:
            stage.run(item)
        except (StoreDamaged, StoreLostError, AlreadyRunningError):
            raise  # not about this file: the run stops with one line
        except QAError as exc:
            item.reject(str(exc))
        except Exception as exc:  # a bug must not stop the batch: keep the file and say so
            log.exception("unexpected error in intake stage '%s' for %r", stage.name, item.name)
            if item.open:
                item.reject(f"could not be read ({type(exc).__name__}: {exc}). The file is kept here; please "
                            "report it to the QA systems team")
            else:
                item.warnings.append(f"{stage.name} failed ({type(exc).__name__}: {exc}); see the log")

    @staticmethod
    def _log(item: IntakeFile) -> None:
        if item.status in (Status.REJECTED, Status.HELD, Status.WAITING):
            log.info("%s %r: %s", item.status.value, item.name, item.reason)
        elif item.form is not None:  # by form ID: file names may name a child
            log.info("%s %s (%s)", item.status.value, item.form.form_id, item.form.form_type)
        elif item.status is Status.DUPLICATE:
            log.info("duplicate file %r filed away", item.name)

    # -- after a batch --

    def send_pending_notices(self) -> tuple[list[SendResult], list[str]]:
        """Notices sent since the last call, after a catch-up of those still owed (a failed send, a crash)."""
        with self.locked():
            self.notifier.send_pending()
        return self.notifier.take_results()

    def write_register(self, report: BatchReport) -> None:
        path = self.settings.path("register")
        try:
            with self.locked():
                written = write_register(self.store, path, memory=self.register_memory)
            report.register_path = path
            report.register_warnings = written.warnings
            for warning in written.warnings:
                log.warning("register: %s", warning)
        except RegisterLockedError as exc:
            report.register_problem = str(exc)

    def process_batch(self, paths: list[Path], *, register: bool = True,
                      on_file: Callable[[FileOutcome], None] | None = None) -> BatchReport:
        """Every file, then the notices still owed, then the register once (when anything changed)."""
        started = time.perf_counter()
        report = BatchReport()
        for path in paths:
            outcome = self.process_file(path)
            report.outcomes.append(outcome)
            if on_file:
                on_file(outcome)
        report.sent, report.delivery_problems = self.send_pending_notices()
        if register and (paths or self.store.register_dirty):
            self.write_register(report)
        report.seconds = time.perf_counter() - started
        return report
