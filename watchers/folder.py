"""Watch the inbox folder: notice files, wait until each is stable, hand it to the pipeline.

The watcher only notices files; the pipeline decides what they are. Files already there at start are
taken; a periodic rescan catches events the operating system dropped; a file is taken once its size and
modification time have not changed for `watch.stable_seconds` and it can be opened. The register is
rewritten as soon as no file is waiting in the inbox, so a burst of files gives a few rewrites, not one per file.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from processors.config.settings import Settings
from processors.errors import AlreadyRunningError
from processors.intake.inbox import collect, is_ignored
from processors.intake.layout import check_layout
from processors.intake.pipeline import Pipeline
from watchers.common import MAX_REGISTER_DELAY, FollowUp, WatchStats, install_stop_signals
from watchers.lock import watcher_lock

log = logging.getLogger("qa.watch")


@dataclass
class _Candidate:
    size: int
    mtime: float
    since: float


class _Events(FileSystemEventHandler):
    def __init__(self, notice: Callable[[Path], None]) -> None:
        self.notice = notice

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        for attr in ("dest_path", "src_path"):
            value = getattr(event, attr, "")
            if value and event.event_type != "deleted":
                self.notice(Path(os.fsdecode(value)))
                break


class FolderWatcher:
    def __init__(self, settings: Settings, pipeline: Pipeline, *, clock: Callable[[], float] = time.monotonic):
        check_layout(settings)
        self.settings = settings
        self.pipeline = pipeline
        self.inbox = settings.path("inbox")
        self.clock = clock
        self.stop_event = threading.Event()
        self._candidates: dict[Path, _Candidate | None] = {}
        self._guard = threading.Lock()
        self.stats = WatchStats()
        self.follow_up = FollowUp(settings, pipeline, lambda: self.clock(), self.stats, MAX_REGISTER_DELAY)

    # -- noticing --

    def notice(self, path: Path) -> None:
        if is_ignored(path):
            return
        with self._guard:
            self._candidates.setdefault(path, None)

    def rescan(self) -> None:
        for path in collect([self.inbox]):
            self.notice(path)

    # -- taking stable files --

    def _stable(self, path: Path, now: float) -> bool:
        try:
            st = path.stat()
        except FileNotFoundError:
            with self._guard:
                self._candidates.pop(path, None)
            return False
        with self._guard:
            seen = self._candidates.get(path)
            if seen is None or (seen.size, seen.mtime) != (st.st_size, st.st_mtime):
                self._candidates[path] = _Candidate(st.st_size, st.st_mtime, now)
                return self.settings.watch.stable_seconds == 0 and _can_open(path)
            return now - seen.since >= self.settings.watch.stable_seconds and _can_open(path)

    def take_ready(self) -> int:
        """Process every candidate that has become stable; returns how many were processed."""
        now = self.clock()
        with self._guard:
            paths = sorted(self._candidates)
        done = 0
        for path in paths:
            if self.stop_event.is_set():
                break
            if not self._stable(path, now):
                continue
            with self._guard:
                self._candidates.pop(path, None)
            if not path.exists():
                continue
            try:
                outcome = self.pipeline.process_file(path)
            except AlreadyRunningError as exc:  # a one-shot run holds the store for longer than we wait
                log.warning("%s; trying again shortly", exc)
                self.notice(path)
                break
            except Exception:  # one file must never stop the watcher: it stays in the inbox for the next rescan
                log.exception("unexpected error with %r; it stays in the inbox and is tried again", path.name)
                continue
            if outcome.status == "skipped":
                self.notice(path)
                continue
            done += 1
            self.follow_up.file_done(outcome)
        return done

    def maybe_write_register(self, force: bool = False) -> bool:
        """Write the register once no file is waiting to settle (or when forced, or the debounce ran out)."""
        return self.follow_up.maybe_write_register(force, quiet=not self.pending)

    @property
    def pending(self) -> int:
        with self._guard:
            return len(self._candidates)

    # -- running --

    def _observer(self) -> Observer:
        observer = PollingObserver(timeout=1) if self.settings.watch.polling else Observer()
        observer.schedule(_Events(self.notice), str(self.inbox), recursive=True)
        return observer

    def run(self, *, once: bool = False, tick: float = 0.1, on_tick: Callable[[], None] | None = None) -> WatchStats:
        """Run until stopped (or, with once=True, until what is in the inbox now has been processed)."""
        self.inbox.mkdir(parents=True, exist_ok=True)
        with watcher_lock(self.settings):
            self.rescan()
            if once:
                return self._drain(tick)
            observer = self._observer()
            observer.start()
            try:
                self._loop(tick, on_tick)
            finally:
                observer.stop()
                observer.join(timeout=5)
                self.maybe_write_register(force=True)
        return self.stats

    def _drain(self, tick: float) -> WatchStats:
        while self.pending and not self.stop_event.is_set():
            self.take_ready()
            if self.pending:
                time.sleep(tick)
        self.pipeline.send_pending_notices()
        self.maybe_write_register(force=True)
        return self.stats

    def _loop(self, tick: float, on_tick: Callable[[], None] | None) -> None:
        next_rescan = self.clock() + self.settings.watch.rescan_seconds
        while not self.stop_event.is_set():
            self.take_ready()
            self.maybe_write_register()
            if on_tick:
                on_tick()
            if self.clock() >= next_rescan:
                self.rescan()
                next_rescan = self.clock() + self.settings.watch.rescan_seconds
            self.stop_event.wait(tick)

    def install_signal_handlers(self) -> None:
        """SIGINT and SIGTERM finish the current file, write the register and exit cleanly."""
        install_stop_signals(self.stop_event)


def _can_open(path: Path) -> bool:
    try:
        with path.open("rb"):
            return True
    except OSError:
        return False


__all__ = ["AlreadyRunningError", "FolderWatcher", "WatchStats", "check_layout"]
