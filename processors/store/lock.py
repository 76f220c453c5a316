"""One run at a time: an exclusive lock in the state folder (beside the store), never in the synced inbox.

`ingest`, `watch`, `chase`, `report` and `rebuild` each hold the run lock while they work. A second run
waits up to a bounded time, then says in one line who holds it (pid, host, command, since). The lock is
the operating system's (flock / LockFileEx), so it is released when its process dies, however it dies.
The watcher takes it for each file and each register write, so a one-shot `ingest` or a `report` only
waits for the file in hand. Inside one process the lock is re-entrant (and shared by its threads in turn).

Long work in a worker thread (the watcher's daily chase and scheduled reports) takes the lock with
``held_for_process``: other processes wait for the whole of it, as for any run, while the process's other
threads (the watcher's intake) go on taking the lock for each file; inside it, that thread's ``state_lock``
calls pass through. The work must then keep to what may interleave with intake (the store's own
transactions, reading a snapshot), and leave the register file to the watcher's loop.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from processors.config.settings import Settings
from processors.errors import AlreadyRunningError

RUN_LOCK = ".qa-run.lock"
WATCH_LOCK = ".qa-watch.lock"
DEFAULT_WAIT = 120.0  # seconds a command waits for another run to finish

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as it wrote itself into the lock file."""

    pid: int
    host: str
    command: str
    since: str

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid} on {self.host}, since {self.since})"


def read_holder(path: Path) -> Holder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8").splitlines()[-1])
        return Holder(int(data["pid"]), str(data["host"]), str(data["command"]), str(data["since"]))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


class _Held:
    """This process's hold on one lock file: an RLock for its threads, the OS lock for other processes."""

    def __init__(self) -> None:
        self.guard = threading.RLock()
        self.depth = 0
        self.pinned = 0  # worker threads holding the OS lock for the process (held_for_process)
        self.fd: int | None = None

    def release_if_unused(self) -> None:
        """Let other processes have the lock once no thread of this process needs it (call with the guard)."""
        if self.depth == 0 and self.pinned == 0 and self.fd is not None:
            fd, self.fd = self.fd, None
            try:
                _unlock(fd)
            finally:
                os.close(fd)


_HELD: dict[Path, _Held] = {}
_HELD_GUARD = threading.Lock()
_THREAD = threading.local()  # .passing: the lock files this thread holds for its process (held_for_process)


def _held(path: Path) -> _Held:
    with _HELD_GUARD:
        return _HELD.setdefault(path, _Held())


def _write_holder(fd: int, command: str) -> None:
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "command": command,
              "since": datetime.now().isoformat(timespec="seconds")}
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, (json.dumps(holder) + "\n").encode("utf-8"))


@contextmanager
def state_lock(path: Path, command: str, wait: float = DEFAULT_WAIT, what: str = "run") -> Iterator[None]:
    """Hold the lock file ``path`` for ``command``; wait up to ``wait`` seconds for another process to let go."""
    path = path.resolve()
    if path in _passing():  # held for the whole process by this thread's long work: nothing to wait for
        yield
        return
    held = _held(path)
    with held.guard:
        if held.fd is None:
            held.fd = _acquire(path, command, wait, what)
        held.depth += 1
        try:
            yield
        finally:
            held.depth -= 1
            held.release_if_unused()


def _passing() -> set[Path]:
    if not hasattr(_THREAD, "passing"):
        _THREAD.passing = set()
    return _THREAD.passing


@contextmanager
def held_for_process(path: Path, command: str, wait: float = DEFAULT_WAIT, what: str = "run") -> Iterator[None]:
    """Hold the lock file ``path`` against other processes while this thread does long work, without making
    this process's other threads wait: they take it in turn as before (see the module's docstring)."""
    path = path.resolve()
    held = _held(path)
    with held.guard:  # waits for the file another thread has in hand, then for other processes
        if held.fd is None:
            held.fd = _acquire(path, command, wait, what)
        held.pinned += 1
    _passing().add(path)
    try:
        yield
    finally:
        _passing().discard(path)
        with held.guard:
            held.pinned -= 1
            held.release_if_unused()


def _acquire(path: Path, command: str, wait: float, what: str) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        if _try_lock(fd):
            _write_holder(fd, command)
            return fd
        os.close(fd)
        if time.monotonic() >= deadline:
            holder = read_holder(path)
            who = holder.describe() if holder else "another process"
            raise AlreadyRunningError(
                f"another {what} is in progress: {who} holds {path}; wait for it to finish (or stop it) and "
                "run this again")
        time.sleep(0.1)


def run_lock_path(database: Path) -> Path:
    return database.parent / RUN_LOCK


def watch_lock_path(database: Path) -> Path:
    return database.parent / WATCH_LOCK


def run_lock(settings: Settings, command: str, wait: float = DEFAULT_WAIT) -> AbstractContextManager[None]:
    """The run lock of this installation (beside its store)."""
    return state_lock(run_lock_path(settings.path("database")), command, wait)


def run_lock_for_process(settings: Settings, command: str, wait: float = DEFAULT_WAIT) -> AbstractContextManager[None]:
    """The run lock held by a worker thread for its whole process (``held_for_process``)."""
    return held_for_process(run_lock_path(settings.path("database")), command, wait)
