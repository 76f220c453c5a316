"""The `generate` command (and the generating step of `allocate` and the demo): render forms and record them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path

from processors.allocation.caselist import open_work_items
from processors.config.settings import Settings
from processors.errors import InputFileError
from processors.forms.definitions import FORM_TYPES
from processors.forms.definitions import form_type as lookup_form_type
from processors.forms.models import Auditor, Case, WorkItem
from processors.generate.forms import FormGenerator, FormIds, GenerationResult, cycle_for
from processors.generate.spool import WorkItemSpool
from processors.progress import progress_bar
from processors.store.database import Store
from processors.templates.check import FORM_TEMPLATES, require_templates


@dataclass(frozen=True)
class GenerateSummary:
    results: list[GenerationResult]
    seconds: float

    @property
    def count(self) -> int:
        return sum(r.count for r in self.results)

    def summary_lines(self) -> list[str]:
        """From the counts by cycle and form type: never a line per form."""
        lines = [f"Generated {self.count} form(s) in {self.seconds:.2f} s"]
        for result in self.results:
            for key, n in sorted(result.counts.items()):
                lines.append(f"  {n:3d} x {FORM_TYPES[key].title:30s} -> {result.folder / key}")
        return lines


def _resolve_type(name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return lookup_form_type(name).key
    except KeyError:
        raise InputFileError("--type", f"unknown form type '{name}': use one of {', '.join(FORM_TYPES)}") from None


def generate_items(settings: Settings, items: list[WorkItem], *, progress: bool = False,
                   today: date | None = None,
                   extra: Mapping[str, Mapping[str, object]] | None = None) -> GenerateSummary:
    """Render the forms and record them in the store, so returned forms match their allocation."""
    return generate_stream(settings, items, total=len(items), listed=lambda: {i.form_id for i in items if i.form_id},
                           progress=progress, today=today, extra=extra)


def generate_stream(settings: Settings, items: Iterable[WorkItem], *, total: int | None = None,
                    listed: Callable[[], set[str]] = set, keep_forms: bool = True, progress: bool = False,
                    today: date | None = None,
                    extra: Mapping[str, Mapping[str, object]] | None = None) -> GenerateSummary:
    """Render each item as it comes, then record them all in the store once every form is in place.

    ``items`` may be read lazily (row by row): only form IDs are held in memory; the work items wait in a
    spool on disk until every form has rendered, so a bad row leaves neither forms nor store rows behind.
    ``listed`` gives the form IDs the items name further on (asked at most once, when an ID is first given).
    """
    generator = FormGenerator(settings.path("templates"), settings.organisation, settings.cycle.due_days, today)
    started = time.perf_counter()
    named = cache(listed)
    with Store(settings.path("database")) as store, WorkItemSpool() as spool:
        ids = FormIds(taken=lambda candidate: candidate in named() or store.work_item(candidate) is not None)
        with progress_bar(total, "Generating forms", progress) as advance:
            results = generator.generate((ids.assign(item) for item in items), settings.path("generated"),
                                         on_form=advance, extra=extra, on_item=spool.add, keep_forms=keep_forms)
        due, now = generator.default_due, datetime.now()
        with store.transaction():  # every work item or none; generated_at is the register's Generated
            for chunk in spool.chunks():
                store.add_work_items([i if i.due_date else replace(i, due_date=due) for i in chunk], generated_at=now)
    return GenerateSummary(results, time.perf_counter() - started)


def generate_blank(settings: Settings, form_type: str, count: int, cycle_id: str | None, *,
                   progress: bool = False, person: Auditor | None = None) -> GenerateSummary:
    """Forms with their own form references but no case: for good practice anyone may record, or ad-hoc audits.

    With ``person`` (a manager's management audits), their name and their own service are filled in.
    """
    if count < 1:
        raise InputFileError("--count", "give at least 1 form")
    require_templates(settings.path("templates"), FORM_TEMPLATES)
    cycle = cycle_id or cycle_for(date.today(), settings.cycle.length_days)
    nobody = Case("", "", 0, "", person.service if person else "", "", "", "")
    who = {"auditor": person.name, "auditor_email": person.email, "auditor_role": person.role} if person else {}
    items = [WorkItem(_resolve_type(form_type) or "", nobody, cycle, **who) for _ in range(count)]
    return generate_items(settings, items, progress=progress)


def generate_from_file(settings: Settings, cases_file: Path, cycle_id: str | None, form_type: str | None,
                       *, progress: bool = False) -> GenerateSummary:
    """One form per row of a case list or allocation list, read, checked and rendered row by row."""
    require_templates(settings.path("templates"), FORM_TEMPLATES)
    cycle = cycle_id or cycle_for(date.today(), settings.cycle.length_days)
    rows = open_work_items(cases_file, cycle, _resolve_type(form_type))
    return generate_stream(settings, rows, listed=rows.listed_form_ids, keep_forms=False, progress=progress)
