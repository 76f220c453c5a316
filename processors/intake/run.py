"""The `ingest` command: one pass over files and folders through the same pipeline the watchers use."""

from __future__ import annotations

from pathlib import Path

from processors.config.settings import Settings
from processors.errors import InputFileError
from processors.intake.inbox import count_files, iter_files
from processors.intake.layout import check_layout
from processors.intake.pipeline import BatchReport, Pipeline
from processors.progress import progress_bar
from processors.register.read_first import read_edits_first
from processors.store.database import Store
from processors.store.lock import run_lock
from processors.templates.check import INTAKE_TEMPLATES, require_templates


def ingest_paths(settings: Settings, paths: list[Path], *, progress: bool = False,
                 register: bool = True) -> BatchReport:
    """One-shot ingest of files and folders through the same pipeline the watcher uses.

    The folders are listed as they are read and each file let go once done, so 50,000 files need no more
    memory than ten; ``register`` False leaves the register to the next run that writes it (or `watch`).
    """
    require_templates(settings.path("templates"), INTAKE_TEMPLATES)  # before any form is recorded
    settings.path("inbox").mkdir(parents=True, exist_ok=True)  # a fresh install has an empty inbox, not none
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputFileError(str(missing[0]), "no such file or folder: check the path")
    check_layout(settings, paths)
    total = count_files(paths) if progress else None
    with run_lock(settings, "ingest"), Store(settings.path("database")) as store, \
            progress_bar(total, "Reading returned forms", progress) as advance:
        edits_not_used = read_edits_first(store, settings.path("register"))
        report = Pipeline(settings, store).process_batch(iter_files(paths), register=register, on_file=advance)
        report.register_warnings = [*edits_not_used, *report.register_warnings]
        return report
