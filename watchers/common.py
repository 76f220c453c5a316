"""What every watcher does around intake: the register debounced, notices still owed retried, clean stops.

Notices (escalation alerts, good-practice notifications) go out inside intake, right after each form is
recorded; notices a failed send left owed are tried again before each register write. The register is
rewritten as soon as the inbox is quiet (no file waiting to settle: the folder watcher knows), otherwise once
files stop coming for ``watch.register_debounce_seconds`` (and at least every ``max_delay`` seconds while they
keep coming), so a burst of files gives a few rewrites, not one per file. Each write is made in a thread of its
own (watchers/register_writer.py) while the loop goes on taking files. Work done in another thread (the scheduled
chase and reports, watchers/scheduled.py) never writes the register: it calls ``store_changed``.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from processors.config.settings import Settings
from processors.errors import AlreadyRunningError
from processors.intake.pipeline import FileOutcome, Pipeline
from watchers.register_writer import RegisterWriter

log = logging.getLogger("qa.watch")
MAX_REGISTER_DELAY = 30.0  # write the register at least this often while files keep coming
WATCH_LOCK_WAIT = 3600.0  # the watcher waits for a one-shot run (an ingest, a report) to finish, however long


@dataclass
class WatchStats:
    processed: int = 0
    register_writes: int = 0
    outcomes: list[FileOutcome] = field(default_factory=list)


class FollowUp:
    """Sends pending notices after each file and rewrites the register debounced."""

    def __init__(self, settings: Settings, pipeline: Pipeline, clock: Callable[[], float],
                 stats: WatchStats, max_delay: float = MAX_REGISTER_DELAY) -> None:
        self.settings, self.pipeline, self.clock, self.stats = settings, pipeline, clock, stats
        self.max_delay = max_delay
        self.register_due: float | None = None
        self.first_unwritten: float | None = None
        self._changed_elsewhere = threading.Event()
        self.writer = RegisterWriter(settings, pipeline, pipeline.lock_wait)
        # True while other work of this process runs (the scheduled chase and reports, which change many rows):
        # the register waits for it, so intake has the interpreter and the processor to itself meanwhile
        self.busy_elsewhere: Callable[[], bool] = lambda: False

    def store_changed(self) -> None:
        """Another thread changed the store: write the register as soon as the inbox is quiet (thread-safe)."""
        self._changed_elsewhere.set()

    def file_done(self, outcome: FileOutcome) -> None:
        """Count the file, send what it calls for, and schedule a register rewrite."""
        self.stats.outcomes.append(outcome)
        self.stats.processed += 1
        _sent, problems = self.pipeline.notifier.take_results()  # intake's notify stage has sent them
        for problem in problems:
            log.warning("email not sent: %s", problem)
        now = self.clock()
        self.register_due = now + self.settings.watch.register_debounce_seconds
        if self.first_unwritten is None:
            self.first_unwritten = now

    def maybe_write_register(self, force: bool = False, quiet: bool = False) -> bool:
        """Start a register write when one is due: ``force`` (then wait for it), files stopped coming (``quiet``:
        none is waiting in the inbox; else the debounce ran out), or the longest delay reached. Returns True when
        a write was started (forced: made)."""
        now = self.clock()
        self._finished(now)
        if self._changed_elsewhere.is_set():
            self._changed_elsewhere.clear()
            self.register_due = now if self.register_due is None else self.register_due
            self.first_unwritten = now if self.first_unwritten is None else self.first_unwritten
        if not force and self.busy_elsewhere():
            return False  # written once that work is done (it calls store_changed): intake first meanwhile
        if self.writer.busy:
            if not force:
                return False  # the files recorded meanwhile are written by the next write
            self.writer.wait()
            self._finished(now)
        if self.register_due is None and not (force and self.pipeline.store.register_dirty):
            return False
        overdue = self.first_unwritten is not None and now - self.first_unwritten >= self.max_delay
        if not force and not overdue and not quiet and self.register_due is not None and now < self.register_due:
            return False
        try:
            _sent, problems = self.pipeline.send_pending_notices()  # notices a failed send left owed: tried again
            for problem in problems:
                log.warning("email not sent: %s", problem)
        except AlreadyRunningError as exc:  # another run holds the store: the register is written after it
            return self._not_written(now, str(exc))
        self.register_due = self.first_unwritten = None
        self.writer.start()
        if not force:
            return True
        self.writer.wait()
        return self._finished(now)

    def _finished(self, now: float) -> bool:
        """Take the result of a write that has finished: counted, or tried again shortly."""
        report = self.writer.take()
        if report is None:
            return False
        if report.register_problem:
            return self._not_written(now, report.register_problem)
        self.stats.register_writes += 1
        return True

    def _not_written(self, now: float, problem: str) -> bool:
        log.warning("%s", problem)
        self.register_due = now + max(5.0, self.settings.watch.register_debounce_seconds)
        if self.first_unwritten is None:
            self.first_unwritten = now
        return False


def install_stop_signals(stop_event: threading.Event) -> None:
    """SIGINT and SIGTERM finish the current file, write the register and exit cleanly."""
    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after the current file", signum)
        stop_event.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
