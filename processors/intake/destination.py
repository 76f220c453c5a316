"""Where a file goes once intake has decided: processed/ or rejected/ in a folder, or in a SharePoint library.

The file-away stage only talks to this interface, so `ingest`, the folder watcher and the SharePoint
watcher file away the same way.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

from processors.intake.inbox import move_unique, unique_target


def reason_text(name: str, reason: str, when: datetime | None = None, action: str = "Rejected") -> str:
    """The .reason.txt left beside a rejected (or held) file."""
    return f"File: {name}\n{action}: {when or datetime.now():%d/%m/%Y %H:%M}\nReason: {reason}\n"


class Destination(Protocol):
    def file_accepted(self, name: str, source: Path | None) -> Path:
        """Move a recorded (or duplicate) file to where processed files go; return where it is now."""
        ...

    def file_rejected(self, name: str, source: Path | None, reason: str) -> Path:
        """Move a rejected file where rejected files go, with its reason beside it; return where it is now."""
        ...

    def file_held(self, name: str, source: Path | None, reason: str) -> Path:
        """Move a file held for the QA administrator to decide where held files go, with its reason beside it."""
        ...


class FolderDestination:
    """The processed/, rejected/ and held/ folders on disk (a synced OneDrive/SharePoint folder or a local one)."""

    def __init__(self, processed: Path, rejected: Path, held: Path | None = None) -> None:
        self.processed, self.rejected = processed, rejected
        self.held = held or rejected.parent / "held"

    def file_accepted(self, name: str, source: Path | None) -> Path:
        assert source is not None, "a file on disk always has a path"
        return move_unique(source, self.processed)

    def file_rejected(self, name: str, source: Path | None, reason: str) -> Path:
        return self._with_reason(name, source, self.rejected, reason, "Rejected")

    def file_held(self, name: str, source: Path | None, reason: str) -> Path:
        return self._with_reason(name, source, self.held, reason, "Held")

    @staticmethod
    def _with_reason(name: str, source: Path | None, folder: Path, reason: str, action: str) -> Path:
        assert source is not None, "a file on disk always has a path"
        if source.is_symlink():  # the link is removed, never archived: only its reason is kept
            final = unique_target(folder, name)
            final.with_name(final.name + ".reason.txt").write_text(reason_text(name, reason, action=action),
                                                                    encoding="utf-8")
            source.unlink()
            return final
        final = move_unique(source, folder)
        final.with_name(final.name + ".reason.txt").write_text(reason_text(name, reason, action=action),
                                                                encoding="utf-8")
        return final
