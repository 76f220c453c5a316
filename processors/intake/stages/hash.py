"""Hash: the file's SHA-256, which names its exact content for the duplicate check and the store."""

from __future__ import annotations

from processors.intake.inbox import sha256_of
from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Stage


class HashFile(Stage):
    name = "hash"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and item.received.path is not None

    def run(self, item: IntakeFile) -> None:
        assert item.received.path is not None
        if item.received.path.is_symlink():  # never read through a link: it may point anywhere on the disk
            item.reject("it is a link (shortcut) to another file, not the file itself: put the form itself "
                        "in the inbox")
            return
        try:
            item.sha256 = sha256_of(item.received.path)
        except OSError as exc:  # still being written or synced: leave it where it is for the next look
            item.finish(Status.SKIPPED, f"could not be read yet ({exc.strerror or exc})")
