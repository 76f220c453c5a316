"""Files in and out of the inbox: which to ignore, what to pick up, where they end."""

from __future__ import annotations

import re
from collections.abc import Iterable
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
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and not is_ignored(p)
                            and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1]))
        elif path.is_file() and not is_ignored(path):
            found.append(path)
    seen: set[Path] = set()
    return [p for p in found if not (p.resolve() in seen or seen.add(p.resolve()))]


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
