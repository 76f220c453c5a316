"""The one error a returned file ends with when it cannot be read as a QA form."""

from __future__ import annotations

from .errors import QAError


class UnreadableFile(QAError):
    """A returned file cannot be read as a QA form. `reason` says, in plain words, what to do about it."""

    exit_code = 10

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
