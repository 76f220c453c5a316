"""One watcher per inbox: an exclusive lock on a hidden file in the inbox, released when the process dies."""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from processors.errors import AlreadyRunningError

LOCK_NAME = ".qa-watch.lock"

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False


class InboxLock:
    def __init__(self, inbox: Path) -> None:
        self.path = inbox / LOCK_NAME
        self.fd: int | None = None

    def __enter__(self) -> InboxLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            holder = self.path.read_text(encoding="utf-8", errors="replace").strip() or "another process"
            raise AlreadyRunningError(f"another watcher ({holder}) is already watching {self.path.parent}: stop it "
                                      "first, or point this one at a different inbox")
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        self.fd = fd
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
