"""Use cases the command line and the demo share: each ties the stages together for one command."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .config import Settings
from .errors import InputFileError
from .forms import FORM_TYPES
from .forms import form_type as lookup_form_type
from .generate import FormGenerator, GenerationResult, cycle_for
from .inbox import collect
from .models import WorkItem
from .pipeline import BatchReport, Pipeline
from .store import Store

if TYPE_CHECKING:
    from watchers.folder import WatchStats


@dataclass(frozen=True)
class GenerateSummary:
    results: list[GenerationResult]
    seconds: float

    @property
    def count(self) -> int:
        return sum(len(r.forms) for r in self.results)

    def summary_lines(self) -> list[str]:
        lines = [f"Generated {self.count} form(s) in {self.seconds:.2f} s"]
        for result in self.results:
            by_type = Counter(f.identity.form_type for f in result.forms)
            for key, n in sorted(by_type.items()):
                lines.append(f"  {n:3d} x {FORM_TYPES[key].title:30s} -> {result.folder / key}")
        return lines


@contextmanager
def progress_bar(total: int, label: str, enabled: bool) -> Iterator:
    if not enabled:
        yield lambda *_: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda *_: bar.advance(task)


def _resolve_type(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return lookup_form_type(name).key
    except KeyError:
        raise InputFileError("--type", f"unknown form type '{name}': use one of {', '.join(FORM_TYPES)}") from None


def generate_items(settings: Settings, items: list[WorkItem], *, progress: bool = False,
                   today: date | None = None) -> GenerateSummary:
    generator = FormGenerator(settings.path("templates"), settings.organisation, settings.cycle.due_days, today)
    started = time.perf_counter()
    with progress_bar(len(items), "Generating forms", progress) as advance:
        results = generator.generate(items, settings.path("generated"), on_form=advance)
    return GenerateSummary(results, time.perf_counter() - started)


def generate_from_file(settings: Settings, cases_file: Path, cycle_id: str | None, form_type: str | None,
                       *, progress: bool = False) -> GenerateSummary:
    from .caselist import read_work_items

    cycle = cycle_id or cycle_for(date.today(), settings.cycle.length_days)
    items = read_work_items(cases_file, cycle, _resolve_type(form_type))
    return generate_items(settings, items, progress=progress)


def ingest_paths(settings: Settings, paths: list[Path], *, progress: bool = False) -> BatchReport:
    """One-shot ingest of files and folders through the same pipeline the watcher uses."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputFileError(str(missing[0]), "no such file or folder: check the path")
    files = collect(paths)
    with Store(settings.path("database")) as store, \
            progress_bar(len(files), "Reading returned forms", progress) as advance:
        return Pipeline(settings, store).process_batch(files, on_file=advance)


def watch(settings: Settings, *, once: bool = False, say: Callable[[str], None] = print) -> WatchStats:
    """Run the folder watcher (the long-running service, or one pass with once=True)."""
    from watchers.folder import FolderWatcher

    with Store(settings.path("database")) as store:
        watcher = FolderWatcher(settings, Pipeline(settings, store))
        if not once:
            watcher.install_signal_handlers()
            say(f"Watching {settings.path('inbox')} (Ctrl+C to stop). Register: {settings.path('register')}")
        return watcher.run(once=once)
