"""The watcher's register writes, in a thread of their own, so the loop goes on taking files while one is made.

A full write (the first after a start, a new day, a register people saved) takes seconds with years of history;
a form with a concern dropped meanwhile must not wait for it. The writer uses its own connection to the store
(whose snapshot read does not hold up intake's commits) and holds the run lock against other processes for the
write, while this process's intake goes on taking it for each file (store.lock.held_for_process). Only one write
runs at a time; the watcher's memory of its last write (so only changed rows are made again) is the writer's.
"""

from __future__ import annotations

import logging
import threading

from processors.config.settings import Settings
from processors.errors import QAError
from processors.intake.pipeline import BatchReport, Pipeline
from processors.store.database import Store
from processors.store.lock import run_lock_for_process

log = logging.getLogger("qa.watch")


class RegisterWriter:
    def __init__(self, settings: Settings, pipeline: Pipeline, lock_wait: float) -> None:
        self.settings, self.pipeline, self.lock_wait = settings, pipeline, lock_wait
        self._thread: threading.Thread | None = None
        self._report: BatchReport | None = None

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start a write (the caller checks that none is under way)."""
        self._thread = threading.Thread(target=self._write, name="qa-register-writer", daemon=True)
        self._thread.start()

    def _write(self) -> None:
        report = BatchReport()
        try:
            with run_lock_for_process(self.settings, "watch", self.lock_wait), \
                    Store(self.settings.path("database")) as store:
                self.pipeline.write_register(report, store)
        except QAError as exc:  # another run holds the store, or it cannot be written: the write is tried again
            report.register_problem = str(exc)
        except Exception as exc:  # a bug must not stop the watcher: logged, and the write tried again later
            log.exception("the register was not written")
            report.register_problem = f"the register was not written ({type(exc).__name__}); tried again shortly"
        self._report = report

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def take(self) -> BatchReport | None:
        """The report of the last write once it has finished (once; None while running or already taken)."""
        if self.busy:
            return None
        report, self._report = self._report, None
        return report
