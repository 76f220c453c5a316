"""Domain errors. Each carries an exit code and a message that says what to do.

They are turned into one plain line only at the command-line edge (run.py / processors.cli).
"""

from __future__ import annotations


class QAError(Exception):
    """Base for every error a user can act on."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(QAError):
    """config.yaml is missing, unreadable or invalid."""

    exit_code = 2


class InputFileError(QAError):
    """A case list, allocation or auditor pool cannot be used as it is."""

    exit_code = 3

    def __init__(self, file: str, problem: str, row: int | None = None, column: str | None = None) -> None:
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {problem}")
        self.file, self.row, self.column, self.problem = file, row, column, problem


class TemplateProblem(QAError):
    """A Word template no longer matches its form definition."""

    exit_code = 4


class RegisterLockedError(QAError):
    """The Excel register could not be written (open in Excel, read-only)."""

    exit_code = 5


class DeliveryError(QAError):
    """An email could not be delivered or was refused by policy."""

    exit_code = 6


class AlreadyRunningError(QAError):
    """Another watcher holds the inbox."""

    exit_code = 7


class UnreadableFile(QAError):
    """A returned file cannot be read as a QA form. `reason` says, in plain words, what to do about it."""

    exit_code = 10

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreLostError(QAError):
    """The store is empty (lost, replaced) beside a register that lists forms: rewriting would wipe it."""

    exit_code = 8


class StoreDamagedError(QAError):
    """The store's file is damaged (a corrupt page): it must be restored or rebuilt."""

    exit_code = 9
