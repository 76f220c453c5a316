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
from collections.abc import Callable, Iterable
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


KEPT = 200  # outcomes, emails and problems a batch report keeps to show; the rest are counted, never held
_NOTABLE = (Status.REJECTED.value, Status.HELD.value, Status.WAITING.value, Status.OLDER_COPY.value)


@dataclass
class BatchReport:
    """How a batch went, from counters: a run of 50,000 files holds the same few hundred objects as one of 10."""

    outcomes: list[FileOutcome] = field(default_factory=list)  # the first KEPT files (every file of a small batch)
    counts: Counter[str] = field(default_factory=Counter)       # every file, by status
    notable: list[FileOutcome] = field(default_factory=list)    # the first KEPT rejected, held, waiting, older copies
    sent: list[SendResult] = field(default_factory=list)        # the first KEPT emails sent
    emails_sent: int = 0
    delivery_problems: list[str] = field(default_factory=list)  # the first KEPT emails not sent, and why
    problems_not_shown: int = 0
    register_path: Path | None = None
    register_problem: str = ""
    register_warnings: list[str] = field(default_factory=list)  # people's edits we could not use, and why
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts[status]

    def add(self, outcome: FileOutcome) -> None:
        self.counts[outcome.status] += 1
        if len(self.outcomes) < KEPT:
            self.outcomes.append(outcome)
        if outcome.status in _NOTABLE and len(self.notable) < KEPT:
            self.notable.append(outcome)

    def add_sent(self, sent: list[SendResult], problems: list[str]) -> None:
        self.emails_sent += len(sent)
        self.sent += sent[:max(0, KEPT - len(self.sent))]
        room = max(0, KEPT - len(self.delivery_problems))
        self.delivery_problems += problems[:room]
        self.problems_not_shown += len(problems) - min(room, len(problems))

    def summary_lines(self) -> list[str]:
        parts = ", ".join(f"{n} {status}" for status, n in sorted(self.counts.items()) if n) or "nothing to do"
        lines = [f"Processed {self.files} file(s) in {self.seconds:.2f} s: {parts}"]
        for o in self.notable:
            if o.status == Status.REJECTED.value:
                lines.append(f"  rejected {printable(o.source.name)}: {o.reason}")
            elif o.status in (Status.HELD.value, Status.WAITING.value):
                lines.append(f"  {o.status} {printable(o.source.name)}: {o.reason}")
            elif o.status == Status.OLDER_COPY.value:
                lines.append(f"  older copy {printable(o.source.name)} ({o.form_id}): kept in its history, not current")
        unlisted = sum(self.counts[status] for status in _NOTABLE) - len(self.notable)
        if unlisted > 0:
            lines.append(f"  ... and {unlisted} more not recorded as they came (the register's Rejected sheet and the "
                         "log list each)")
        lines += [f"  email not sent: {p}" for p in self.delivery_problems]
        if self.problems_not_shown:
            lines.append(f"  ... and {self.problems_not_shown} more email(s) not sent (the log lists each)")
        if self.emails_sent:
            lines.append(f"  {self.emails_sent} email(s) sent ({self.sent[0].backend})")
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

    def write_register(self, report: BatchReport, store: Store | None = None) -> None:
        """The register from the store (``store``: another connection to it, for a thread of its own)."""
        path = self.settings.path("register")
        try:
            with self.locked():
                written = write_register(store or self.store, path, memory=self.register_memory)
            report.register_path = path
            report.register_warnings = written.warnings
            for warning in written.warnings:
                log.warning("register: %s", warning)
        except RegisterLockedError as exc:
            report.register_problem = str(exc)

    def process_batch(self, paths: Iterable[Path], *, register: bool = True,
                      on_file: Callable[[FileOutcome], None] | None = None) -> BatchReport:
        """Every file, then the notices still owed, then the register once (when anything changed).

        ``paths`` may be lazy (an inbox listed as it is read): each file is processed, counted and let go
        before the next is read, and the emails its stages sent are counted at once, so a run of 50,000
        files holds no more than a run of ten. Each form commits to the store as it is recorded.
        """
        started = time.perf_counter()
        report = BatchReport()
        for path in paths:
            outcome = self.process_file(path)
            report.add(outcome)
            report.add_sent(*self.notifier.take_results())
            if on_file:
                on_file(outcome)
        report.add_sent(*self.send_pending_notices())
        if register and (report.files or self.store.register_dirty):
            self.write_register(report)
        report.seconds = time.perf_counter() - started
        return report
