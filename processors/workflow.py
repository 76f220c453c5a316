"""Use cases the command line and the demo share: each ties the stages together for one command."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from processors.allocation.caselist import read_cases, read_pool, read_work_items, write_allocation
from processors.allocation.mail import allocation_messages
from processors.allocation.rules import AllocationResult, allocate, read_practice_week_team
from processors.config.settings import Settings
from processors.errors import DeliveryError, InputFileError
from processors.forms.definitions import FORM_TYPES
from processors.forms.definitions import form_type as lookup_form_type
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator, GenerationResult, assign_form_ids, cycle_for, safe_name
from processors.intake.inbox import collect
from processors.intake.pipeline import BatchReport, Pipeline
from processors.mail.mailer import make_mailer
from processors.store.database import POOL_STATE, Store

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
    """Render the forms and record them in the store, so returned forms match their allocation."""
    with Store(settings.path("database")) as store:
        items = assign_form_ids(items, taken=(w.form_id for w in store.work_items()))
    generator = FormGenerator(settings.path("templates"), settings.organisation, settings.cycle.due_days, today)
    started = time.perf_counter()
    with progress_bar(len(items), "Generating forms", progress) as advance:
        results = generator.generate(items, settings.path("generated"), on_form=advance)
    due = generator.default_due
    with Store(settings.path("database")) as store:
        store.add_work_items([i if i.due_date else replace(i, due_date=due) for i in items])
    return GenerateSummary(results, time.perf_counter() - started)


def generate_blank(settings: Settings, form_type: str, count: int, cycle_id: str | None, *,
                   progress: bool = False) -> GenerateSummary:
    """Forms with their own form references but no case: for good practice anyone may record, or ad-hoc audits."""
    if count < 1:
        raise InputFileError("--count", "give at least 1 form")
    cycle = cycle_id or cycle_for(date.today(), settings.cycle.length_days)
    nobody = Case("", "", 0, "", "", "", "", "")
    items = [WorkItem(_resolve_type(form_type) or "", nobody, cycle) for _ in range(count)]
    return generate_items(settings, items, progress=progress)


def generate_from_file(settings: Settings, cases_file: Path, cycle_id: str | None, form_type: str | None,
                       *, progress: bool = False) -> GenerateSummary:
    cycle = cycle_id or cycle_for(date.today(), settings.cycle.length_days)
    items = read_work_items(cases_file, cycle, _resolve_type(form_type))
    return generate_items(settings, items, progress=progress)


def ingest_paths(settings: Settings, paths: list[Path], *, progress: bool = False) -> BatchReport:
    """One-shot ingest of files and folders through the same pipeline the watcher uses."""
    settings.path("inbox").mkdir(parents=True, exist_ok=True)  # a fresh install has an empty inbox, not none
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise InputFileError(str(missing[0]), "no such file or folder: check the path")
    files = collect(paths)
    with Store(settings.path("database")) as store, \
            progress_bar(len(files), "Reading returned forms", progress) as advance:
        return Pipeline(settings, store).process_batch(files, on_file=advance)


def watch(settings: Settings, *, once: bool = False, say: Callable[[str], None] = print) -> WatchStats:
    """Run the watcher chosen by watch.source (the long-running service, or one pass with once=True)."""
    from processors.chase.daily import DailyChase

    with Store(settings.path("database")) as store:
        pipeline = Pipeline(settings, store)
        if settings.watch.source == "sharepoint":
            from processors.graph.client import GraphClient
            from watchers.sharepoint import SharePointWatcher

            watcher = SharePointWatcher(settings, pipeline, GraphClient.from_settings(settings))
            where = f"the SharePoint folder '{settings.email.graph.inbox_folder}'"
        else:
            from watchers.folder import FolderWatcher

            watcher = FolderWatcher(settings, pipeline)
            where = str(settings.path("inbox"))
        if once:
            return watcher.run(once=True)
        watcher.install_signal_handlers()
        say(f"Watching {where} (Ctrl+C to stop). Register: {settings.path('register')}")
        from processors.reports.schedule import with_scheduled_reports  # monthly briefing, quarterly draft
        return watcher.run(once=False, on_tick=with_scheduled_reports(DailyChase(settings, store, say=say)))


@dataclass(frozen=True)
class AllocateSummary:
    cycle_id: str
    allocation_file: Path
    result: AllocationResult
    generated: GenerateSummary
    sent: int
    problems: list[str]

    def summary_lines(self) -> list[str]:
        counts = Counter(i.form_type for i in self.result.items)
        lines = [f"Allocated cycle {self.cycle_id}: " + ", ".join(
            f"{n} {FORM_TYPES[k].title}" for k, n in sorted(counts.items())) + f" -> {self.allocation_file}"]
        lines += [f"  not allocated: {u.describe()}" for u in self.result.unallocated]
        lines += [f"  warning: {w}" for w in self.result.warnings]
        lines += self.generated.summary_lines()
        lines.append(f"Emailed {self.sent} auditor(s) their forms")
        lines += [f"  not emailed: {p}" for p in self.problems]
        return lines


def allocate_cycle(settings: Settings, cases_file: Path, pool_file: Path, cycle_id: str | None, theme: str,
                   practice_week_file: Path | None, *, send: bool = True, progress: bool = False,
                   today: date | None = None) -> AllocateSummary:
    """Allocate the cycle, write the allocation file, generate the forms and email each auditor theirs."""
    today = today or date.today()
    cycle = cycle_id or cycle_for(today, settings.cycle.length_days)
    cases, pool = read_cases(cases_file), read_pool(pool_file)
    team = read_practice_week_team(practice_week_file) if practice_week_file else set()
    due = today + timedelta(days=settings.cycle.due_days)
    result = allocate(cases, pool, cycle, dict(settings.cycle.counts), settings.cycle.seed, due, theme, team,
                      settings.cycle.reaudit_months, today)
    folder = settings.path("generated") / safe_name(cycle)
    folder.mkdir(parents=True, exist_ok=True)
    allocation_file = folder / f"allocation_{safe_name(cycle)}.xlsx"
    write_allocation(allocation_file, result.items)
    generated = generate_items(settings, result.items, progress=progress, today=today)
    with Store(settings.path("database")) as store:
        store.set_state(POOL_STATE, str(pool_file.resolve()))  # chase finds auditors' line managers here
        sent, problems = _email_auditors(settings, store, result.items, generated) if send else (0, [])
        report = BatchReport()
        Pipeline(settings, store).write_register(report)
    if report.register_problem:
        problems.append(report.register_problem)
    return AllocateSummary(cycle, allocation_file, result, generated, sent, problems)


def _email_auditors(settings: Settings, store: Store, items: list[WorkItem],
                    generated: GenerateSummary) -> tuple[int, list[str]]:
    paths = {f.identity.form_id: f.path for r in generated.results for f in r.forms}
    messages, problems = allocation_messages(items, paths, settings.organisation)
    mailer = make_mailer(settings, store)
    sent = 0
    for message in messages:
        try:
            mailer.send(message)
            sent += 1
        except DeliveryError as exc:
            problems.append(str(exc))
    return sent, problems
