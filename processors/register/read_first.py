"""Before a command acts (ingest, watch, chase, report): what people typed in the register goes into the store."""

from __future__ import annotations

from pathlib import Path

from processors.errors import RegisterLockedError
from processors.register.edits import LazySheets
from processors.register.people_edits import check_store_not_lost
from processors.register.workbook import RegisterReport, read_back
from processors.store.database import Store


def read_edits_first(store: Store, path: Path) -> list[str]:
    """Store what people typed in the register (Status, Completed on, Notes; Resolved on, Outcome) before a
    command decides anything (who to remind, what is open). Returns warnings about edits not used."""
    check_store_not_lost(store, path)
    report = RegisterReport(path)
    try:
        read = read_back(store, path, report)
        if isinstance(read, LazySheets):
            read.close()  # the computed columns are checked when the register is written
    except PermissionError:
        raise RegisterLockedError(f"the register {path} cannot be read: close it or give this account access to "
                                  "it, so the edits people made there are used") from None
    return report.warnings
