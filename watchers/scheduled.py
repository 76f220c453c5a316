"""The watcher's scheduled work (the day's chase, then the reports due) in a worker thread, never in the way of intake.

A returned form may carry a concern that must alert at once, so the watcher's loop goes on taking files while
the chase and the reports run (rendering, LibreOffice, email: minutes with a large store). The worker:

* has its own connection to the store and reads what it needs as one snapshot, so intake's commits go on;
* holds the run lock for the whole job against other processes (a `report` or `chase` started by hand waits,
  as for any run), while this process's intake still takes it for each file (store.lock.held_for_process);
* runs at a lower CPU priority (Linux: nice 10, which the LibreOffice it starts inherits), so on a busy machine
  intake and its alerts get the processor first;
* never writes the register: when the job is done it tells the watcher's loop, which writes it (with the
  watcher's memory of its last write, so only the changed rows are made again);
* sends every report email keyed by its run (processors.reports.schedule), and records each reminder once it
  went (processors.chase.send), so a watcher stopped or killed mid-way makes the run again at its next start
  without sending anything twice.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime

from processors.chase.daily import DailyChase
from processors.config.settings import Settings
from processors.reports.schedule import ScheduledReports
from processors.store.database import Store
from processors.store.lock import run_lock_for_process
from watchers.common import WATCH_LOCK_WAIT

log = logging.getLogger("qa.watch")
NICE = 10  # the scheduled work's CPU priority below intake's (Linux)


class ScheduledWork:
    """A callable for the watcher's tick: starts the day's scheduled work in a worker thread when it is due."""

    def __init__(self, settings: Settings, *, on_done: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = datetime.now, say: Callable[[str], None] | None = None) -> None:
        self.settings, self.on_done, self.clock = settings, on_done, clock
        self.store = Store(settings.path("database"))  # the worker's own connection
        self.chase = DailyChase(settings, self.store, clock=clock, say=say, register=False)
        self.reports = ScheduledReports(settings, self.store, clock=clock, say=say, register=False)
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def due(self) -> bool:
        now = self.clock()
        return self.chase.due(now) or self.reports.due(now)

    def __call__(self) -> None:
        """Start the work if it is due and not already under way; returns at once."""
        if self.running or not self.due():
            return
        self._thread = threading.Thread(target=self._work, name="qa-scheduled-work", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        _lower_priority()
        try:
            with run_lock_for_process(self.settings, "watch", WATCH_LOCK_WAIT):
                self.chase()    # each never raises: a failure is logged and tried again later
                self.reports()
        except Exception:  # the lock could not be had (or a bug): tried again at the next tick when still due
            log.exception("the scheduled work (chase, reports) did not run")
        finally:
            self.on_done()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the work under way (if any); True when none is left running."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def close(self, timeout: float = 5.0) -> None:
        """At the watcher's stop: a run still under way is left to end with the process (it is made again at
        the next start, nothing sent twice); the worker's store is closed once it is idle."""
        if self.wait(timeout):
            self.store.close()
        else:
            log.info("scheduled work still under way at stop: it is completed at the next start")


def _lower_priority() -> None:
    """This thread, and the processes it starts, give way to the watcher's intake for the processor (Linux, where
    a thread has its own nice value); elsewhere they run as they are."""
    if sys.platform.startswith("linux"):
        with suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
