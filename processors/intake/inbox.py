"""Files in and out of the inbox: which to ignore, what to pick up, where they end."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from processors.files import sha256_of as sha256_of  # the one sha256 (intake's callers import it from here)
from processors.intake.filing import move_file

_IGNORED_NAMES = {"desktop.ini", "thumbs.db", ".ds_store"}
_IGNORED_PATTERNS = (re.compile(r"^~\$"), re.compile(r"^~WR", re.IGNORECASE), re.compile(r"^\.~lock\."),
                     re.compile(r"\.(tmp|partial|crdownload|part)$", re.IGNORECASE),
                     re.compile(r"\.reason\.txt$", re.IGNORECASE), re.compile(r"^\._"))
# A hidden name that still looks like a returned form ('..\\..\\x.docx') is taken (and filed under a
# cleaned name), not left in the inbox forever unreported.
_FORM_LIKE = re.compile(r"\.(docx|docm|doc|pdf|odt|rtf)$", re.IGNORECASE)
MAX_NAME_BYTES = 180  # a filed name, before ' (n)' and '.reason.txt': well inside every file system's 255


def is_ignored(path: Path) -> bool:
    """Office owner files, OneDrive/Office temporary files, hidden files and our own reason files."""
    name = path.name
    if name.lower() in _IGNORED_NAMES or any(p.search(name) for p in _IGNORED_PATTERNS):
        return True
    return name.startswith(".") and not _FORM_LIKE.search(name)


def collect(paths: Iterable[Path]) -> list[Path]:
    """Files named, and the files inside folders named (recursively), in a stable order."""
    return list(iter_files(paths))


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Like :func:`collect`, one file at a time: a folder is listed (os.scandir) as it is reached, never whole.

    Order: each folder's entries by name, a sub-folder's files where its name falls (as sorting the paths
    would give). Hidden and temporary files, hidden sub-folders and symbolic links to folders are left out;
    a file named twice (or named and inside a folder named) comes once.
    """
    paths = list(paths)
    seen: set[Path] | None = set() if len(paths) > 1 else None  # one folder: no file can come twice
    for path in paths:
        found = _walk(path) if path.is_dir() else iter([path] if path.is_file() and not is_ignored(path) else [])
        for file in found:
            if seen is not None:
                resolved = file.resolve()
                if resolved in seen:
                    continue
                seen.add(resolved)
            yield file


def count_files(paths: Iterable[Path]) -> int:
    """How many files :func:`iter_files` will give (for a progress bar), counted without keeping them."""
    return sum(1 for _ in iter_files(paths))


def _walk(folder: Path) -> Iterator[Path]:
    with os.scandir(folder) as listing:
        entries = sorted((entry.name, entry.is_dir(follow_symlinks=False), entry.is_file()) for entry in listing)
    for name, is_dir, is_file in entries:
        path = folder / name
        if is_dir:
            if not name.startswith("."):
                yield from _walk(path)
        elif is_file and not is_ignored(path):
            yield path


def _shorten(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """The name cut to `limit` bytes (UTF-8), keeping its extension."""
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, suffix = Path(name).stem, Path(name).suffix
    if len(suffix.encode("utf-8")) > 16:
        stem, suffix = name, ""
    room = limit - len(suffix.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") + suffix


def _clean_name(name: str) -> str:
    cleaned = "".join(c for c in name if c.isprintable() and c not in '<>:"/\\|?*').strip(" .")
    return _shorten(cleaned) if cleaned else "unnamed-file"


def unique_target(folder: Path, name: str) -> Path:
    """A path in `folder` for `name` that collides with nothing there ('x (2).docx', 'x (3).docx', ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    clean = _clean_name(name)
    target = folder / clean
    stem, suffix = Path(clean).stem, Path(clean).suffix
    n = 1
    while target.exists() or target.with_name(target.name + ".reason.txt").exists():
        n += 1
        target = folder / f"{stem} ({n}){suffix}"
    return target


def move_unique(source: Path, folder: Path) -> Path:
    """Move `source` into `folder` under a name nothing there has; raises OSError with the source left as it was."""
    for _attempt in range(5):
        target = unique_target(folder, source.name)
        try:
            return move_file(source, target)
        except FileExistsError:  # another run took that name a moment ago: take the next one
            continue
    raise FileExistsError(f"no free name for {source.name!r} in {folder}")
