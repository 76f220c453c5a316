"""Moving a file out of the inbox safely: never two copies, never a truncated file under the real name.

A move inside one disk is a rename: it happens whole or not at all, and a read-only inbox or folder
makes it fail before anything is written. Across disks (or onto a synced folder that refuses renames)
the file is copied to a hidden temporary name in the target folder, flushed to disk, renamed to its
real name, and only then removed from the inbox; if the inbox copy cannot be removed, the new copy is
removed again, so a retry never leaves a second copy behind. A full disk leaves the source where it was
and nothing under the real name.
"""

from __future__ import annotations

import errno
import os
import shutil
import uuid
from contextlib import suppress
from pathlib import Path

TEMP_PREFIX = ".~qa-move-"   # hidden (the inbox ignores it) and short, whatever the real name's length


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover - Windows cannot open a folder for fsync
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _copy_then_rename(source: Path, target: Path) -> None:
    temporary = target.parent / f"{TEMP_PREFIX}{uuid.uuid4().hex[:12]}.partial"
    try:
        with open(source, "rb") as reader, open(temporary, "xb") as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)
            writer.flush()
            os.fsync(writer.fileno())
        with suppress(OSError):
            shutil.copystat(source, temporary)  # keeps the file's own time, which says when it was saved
        _place(temporary, target)
    except BaseException:
        with suppress(OSError):
            temporary.unlink()
        raise
    _fsync_folder(target.parent)
    try:
        source.unlink()
    except OSError:
        with suppress(OSError):
            target.unlink()  # the inbox copy stays the only one: the next run tries again
        raise


def _place(temporary: Path, target: Path) -> None:
    """Give the finished copy its real name without replacing a file that appeared there meanwhile."""
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT, some network shares): rename instead
        os.replace(temporary, target)
        return
    temporary.unlink()


def move_file(source: Path, target: Path) -> Path:
    """Move ``source`` to ``target`` (which must not exist) safely; raises OSError and leaves the source."""
    if source.is_symlink():
        raise OSError(errno.EINVAL, "a link to another file, not a file", str(source))
    if not source.exists():
        raise FileNotFoundError(errno.ENOENT, "the file was no longer there", str(source))
    try:
        same_disk = source.stat().st_dev == target.parent.stat().st_dev
    except OSError:
        same_disk = False
    if same_disk:
        try:
            if target.exists():
                raise FileExistsError(errno.EEXIST, "already exists", str(target))
            os.rename(source, target)
            _fsync_folder(target.parent)
            return target
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP):
                raise
    _copy_then_rename(source, target)
    return target
