"""The `generate` command (and the generating step of `allocate` and the demo): render forms and record them."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from processors.allocation.caselist import read_work_items
from processors.config.settings import Settings
from processors.errors import InputFileError
from processors.forms.definitions import FORM_TYPES
from processors.forms.definitions import form_type as lookup_form_type
from processors.forms.models import Auditor, Case, WorkItem
from processors.generate.forms import FormGenerator, GenerationResult, assign_form_ids, cycle_for
from processors.progress import progress_bar
from processors.store.database import Store
from processors.templates.check import FORM_TEMPLATES, require_templates


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
    with Store(settings.path("database")) as store:
        items = assign_form_ids(items, taken=(w.form_id for w in store.work_items()))
    generator = FormGenerator(settings.path("templates"), settings.organisation, settings.cycle.due_days, today)
    started = time.perf_counter()
    with progress_bar(len(items), "Generating forms", progress) as advance:
        results = generator.generate(items, settings.path("generated"), on_form=advance, extra=extra)
    due = generator.default_due
    with Store(settings.path("database")) as store:
        store.add_work_items([i if i.due_date else replace(i, due_date=due) for i in items])
        store.mark_generated(f.identity.form_id for r in results for f in r.forms)  # the register's Generated
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
    """One form per row of a case list or allocation list."""
    require_templates(settings.path("templates"), FORM_TEMPLATES)
    cycle = cycle_id or cycle_for(date.today(), settings.cycle.length_days)
    items = read_work_items(cases_file, cycle, _resolve_type(form_type))
    return generate_items(settings, items, progress=progress)
