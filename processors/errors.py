"""Domain errors: every error a user can act on, each with its exit code and a message that says what to do.

They are turned into one plain line only at the command-line edge (processors.cli). Anything else that
escapes a command is a bug: the command line prints one line naming the log file and exits 1.

Exit codes (``python run.py ...`` and ``qaforms ...``):

====  ========================  ==============================================================================
Code  Error                     Meaning and what to do
====  ========================  ==============================================================================
0                               Done.
1     (unexpected error)        A bug: the details are in the log file the message names; report it with it.
2     ConfigError               config.yaml is missing, unreadable or invalid: fix the key it names.
3     InputFileError            A case list, allocation list, auditor pool or path cannot be used: fix the file.
4     TemplateProblem           A Word template is missing, unreadable or lost a field: restore it, or run
                                ``python run.py templates build`` (``--force`` to overwrite).
5     RegisterLockedError       The Excel register could not be written (open in Excel): close it, run again.
6     DeliveryError             An email could not be sent or was refused: fix the address or email settings.
7     AlreadyRunningError       Another watcher holds the inbox: stop it first, or leave it running.
8     OfficeError               LibreOffice is missing or could not convert a document: install or retry.
9     FormInvalid               A returned form must be corrected (only when reading one form directly).
10    UnreadableFile            A returned file cannot be read as a QA form (only when reading one directly).
11    GraphError                Microsoft Graph refused a request or could not be reached: check access.
12    StoreUnavailable          The QA database cannot be opened or written: check its folder and permissions.
13    StoreDamaged              The QA database file is not a QA database or is damaged: restore a backup.
14    StoreTooNew               The QA database was written by a newer version: update the software.
15    PeriodError               A mistyped ``--quarter`` (like 2026-Q3) or month, or one not started yet.
16    UnknownScope              ``report --theme/--service`` names a theme or service not in the QA data.
17    StoreLostError            The QA database is empty beside a register that lists forms: restore it, or
                                ``python run.py rebuild`` re-creates it without sending email or moving files.
130   (Ctrl+C)                  Stopped by the user.
====  ========================  ==============================================================================
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
    """A Word template is missing, unreadable, or no longer matches what the code fills in."""

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


class OfficeError(QAError):
    """LibreOffice is missing, or could not convert a document in time."""

    exit_code = 8


class FormInvalid(QAError):
    """The form must be corrected and returned: every problem is listed."""

    exit_code = 9

    def __init__(self, form_label: str, problems: list[str]) -> None:
        self.problems = problems
        listed = "; ".join(problems)
        super().__init__(f"{form_label}: {len(problems)} problem(s) to correct: {listed}. "
                         "Correct the form in Word and put it back in the inbox.")


class UnreadableFile(QAError):
    """A returned file cannot be read as a QA form. `reason` says, in plain words, what to do about it."""

    exit_code = 10

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GraphError(QAError):
    """Microsoft Graph refused a request or could not be reached."""

    exit_code = 11

    def __init__(self, message: str, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status, self.code = status, code


class StoreError(QAError):
    """The QA database (SQLite) cannot be used; the subclasses say why."""

    exit_code = 12


class StoreUnavailable(StoreError):
    """The database file cannot be opened or written (folder missing, no permission, held by another program)."""

    exit_code = 12


class StoreDamaged(StoreError):
    """The file is not a QA database, or it is damaged."""

    exit_code = 13


class StoreTooNew(StoreError):
    """The database was written by a newer version of this software."""

    exit_code = 14


class PeriodError(QAError):
    """A quarter or month that is mistyped, or has not started yet."""

    exit_code = 15


class UnknownScope(QAError):
    """A report was asked for a theme or service the QA data does not have."""

    exit_code = 16


class StoreLostError(StoreError):
    """The store is empty (lost, replaced) beside a register that lists forms: rewriting would wipe it."""

    exit_code = 17
