"""The ingest pipeline: one returned file in, recorded or rejected out; then act; then the register.

`ingest` (one-shot) and `watch` (long-running) both hand files to `Pipeline.process_batch`. Each file
ends either recorded (moved to processed/) or rejected (moved to rejected/ with a reason file beside it
and a row in the Rejected sheet). The store is written before a file is moved, so a crash in between
leaves the file in the inbox, where the next run sees it is already recorded.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from processors.act.notices import Notice, escalation_alert, good_practice_notice
from processors.config.settings import Settings
from processors.errors import DeliveryError, QAError, RegisterLockedError
from processors.forms.models import Rejection
from processors.forms.validate import validate
from processors.intake.inbox import move_unique, sha256_of
from processors.mail.directory import StaffDirectory
from processors.mail.mailer import make_mailer
from processors.mail.message import Mailer, SendResult
from processors.reading.parse import parse_file
from processors.register.workbook import write_register
from processors.store.database import RecordOutcome, Store

log = logging.getLogger("qa.pipeline")


@dataclass(frozen=True)
class FileOutcome:
    source: Path
    status: str                 # recorded | superseded | duplicate | rejected
    final_path: Path
    form_id: str = ""
    reason: str = ""
    warnings: tuple[str, ...] = ()


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
            if o.status == "rejected":
                lines.append(f"  rejected {o.source.name}: {o.reason}")
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
    """Parse -> validate -> store -> move, per file; notices and the register once per batch."""

    def __init__(self, settings: Settings, store: Store, mailer: Mailer | None = None) -> None:
        self.settings = settings
        self.store = store
        self.mailer = mailer or make_mailer(settings, store)
        self.staff = StaffDirectory.load(settings.path("staff"))
        self.max_bytes = settings.ingest.max_file_mb * 1024 * 1024

    # -- one file --

    def process_file(self, path: Path) -> FileOutcome:
        """Never raises for a bad file: every problem ends as a rejection with a reason."""
        try:
            sha = sha256_of(path)
        except OSError as exc:
            return FileOutcome(path, "skipped", path, reason=f"could not be read yet ({exc})")
        if self.store.has_file(sha):
            final = move_unique(path, self.settings.path("processed"))
            log.info("duplicate file %s moved to %s", path.name, final.name)
            return FileOutcome(path, "duplicate", final, reason="this exact file was recorded before")
        try:
            parsed = parse_file(path, self.max_bytes)
            form = validate(parsed, self.store.work_item)
        except QAError as exc:
            return self._reject(path, sha, str(exc))
        except Exception as exc:  # a bug must not stop the batch: keep the file and say so
            log.exception("unexpected error reading %s", path.name)
            return self._reject(path, sha, f"could not be read ({type(exc).__name__}: {exc}). The file is kept "
                                           "here; please report it to the QA systems team")
        outcome = self.store.record_form(form, path.name)
        final = move_unique(path, self.settings.path("processed"))
        status = {RecordOutcome.NEW: "recorded", RecordOutcome.SUPERSEDED: "superseded"}.get(outcome, "duplicate")
        log.info("%s %s (%s)", status, form.form_id, form.form_type)  # by form ID: file names may name a child
        return FileOutcome(path, status, final, form.form_id, warnings=tuple(form.warnings))

    def _reject(self, path: Path, sha: str, reason: str) -> FileOutcome:
        self.store.record_rejection(Rejection(file=Path(path.name), reason=reason, received=datetime.now()), sha)
        final = move_unique(path, self.settings.path("rejected"))
        final.with_name(final.name + ".reason.txt").write_text(
            f"File: {path.name}\nRejected: {datetime.now():%d/%m/%Y %H:%M}\nReason: {reason}\n", encoding="utf-8")
        log.info("rejected %s: %s", path.name, reason)
        return FileOutcome(path, "rejected", final, reason=reason)

    # -- after a batch --

    def send_pending_notices(self) -> tuple[list[SendResult], list[str]]:
        """Alerts and good-practice notices for recorded forms not yet notified (also after a crash)."""
        sent: list[SendResult] = []
        problems: list[str] = []
        for escalation in self.store.escalations():
            if escalation.current and escalation.notified_at is None:
                record = self.store.form(escalation.form_id)
                if record is not None:
                    self._deliver(escalation_alert(record, self.settings), sent, problems)
        for good in self.store.good_practice():  # observations' good practice is reported, not thanked here
            if good.form_type == "good_practice" and good.current and good.notified_at is None:
                record = self.store.form(good.form_id)
                if record is not None:
                    self._deliver(good_practice_notice(record, self.settings, self.staff), sent, problems)
        return sent, problems

    def _deliver(self, notice: Notice, sent: list[SendResult], problems: list[str]) -> None:
        try:
            results = [self.mailer.send(m) for m in notice.messages]
        except DeliveryError as exc:
            problems.append(f"{notice.form_id}: {exc}")
            return
        sent += results
        mark = (self.store.mark_escalation_notified if notice.kind == "escalation"
                else self.store.mark_good_practice_notified)
        mark(notice.form_id)
        log.info("%s notice for %s sent to %d recipient(s)", notice.kind, notice.form_id,
                 sum(len(m.to) + len(m.cc) for m in notice.messages))

    def write_register(self, report: BatchReport) -> None:
        path = self.settings.path("register")
        try:
            written = write_register(self.store, path)
            report.register_path = path
            report.register_warnings = written.warnings
            for warning in written.warnings:
                log.warning("register: %s", warning)
        except RegisterLockedError as exc:
            report.register_problem = str(exc)

    def process_batch(self, paths: list[Path], *, register: bool = True,
                      on_file: Callable[[FileOutcome], None] | None = None) -> BatchReport:
        """Every file, then the notices, then the register once (when anything changed)."""
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
