"""The `allocate` command: allocate the cycle, write the allocation file, generate the forms, email the auditors."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from processors.allocation.caselist import read_cases, read_pool, write_allocation
from processors.allocation.history import CoverageRow, coverage, coverage_sheet, store_history
from processors.allocation.mail import allocation_messages
from processors.allocation.rules import AllocationResult, allocate, read_practice_week_team
from processors.config.settings import Settings
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import WorkItem
from processors.generate.forms import cycle_for
from processors.generate.run import GenerateSummary, generate_items
from processors.intake.pipeline import BatchReport, Pipeline
from processors.mail.mailer import make_mailer
from processors.mail.sending import send_all
from processors.naming import safe_name
from processors.planning.team_state import team_for_cycle
from processors.store.database import POOL_STATE, Store
from processors.store.lock import run_lock
from processors.templates.check import FORM_TEMPLATES, require_templates


@dataclass(frozen=True)
class AllocateSummary:
    cycle_id: str
    allocation_file: Path
    result: AllocationResult
    generated: GenerateSummary
    sent: int
    problems: list[str]
    coverage: list[CoverageRow] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        counts = Counter(i.form_type for i in self.result.items)
        lines = [f"Allocated cycle {self.cycle_id}: " + ", ".join(
            f"{n} {FORM_TYPES[k].title}" for k, n in sorted(counts.items())) + f" -> {self.allocation_file}"]
        lines += [f"  not allocated: {u.describe()}" for u in self.result.unallocated]
        lines += [f"  warning: {w}" for w in self.result.warnings]
        if self.coverage:
            unobserved = [r for r in self.coverage if not r.observed_recently]
            planned = sum(1 for r in unobserved if r.this_cycle)
            lines.append(f"  coverage: {len(unobserved)} of {len(self.coverage)} team member(s) not observed in the "
                         f"last two months, {planned} of them observed this cycle (sheet 'Coverage')")
        lines += self.generated.summary_lines()
        lines.append(f"Emailed {self.sent} auditor(s) their forms")
        lines += [f"  not emailed: {p}" for p in self.problems]
        return lines


def allocate_cycle(settings: Settings, cases_file: Path, pool_file: Path, cycle_id: str | None, theme: str,
                   practice_week_file: Path | None, *, send: bool = True, progress: bool = False,
                   today: date | None = None) -> AllocateSummary:
    """Allocate the cycle, write the allocation file, generate the forms and email each auditor theirs."""
    require_templates(settings.path("templates"), FORM_TEMPLATES)  # before the allocation file is written
    with run_lock(settings, "allocate"):
        return _allocate_cycle(settings, cases_file, pool_file, cycle_id, theme, practice_week_file, send=send,
                               progress=progress, today=today)


def _allocate_cycle(settings: Settings, cases_file: Path, pool_file: Path, cycle_id: str | None, theme: str,
                    practice_week_file: Path | None, *, send: bool, progress: bool,
                    today: date | None) -> AllocateSummary:
    today = today or date.today()
    cycle = cycle_id or cycle_for(today, settings.cycle.length_days)
    cases, pool = read_cases(cases_file), read_pool(pool_file)
    practice_week_file = practice_week_file or team_for_cycle(settings, cycle)  # a practice week planned for it
    team = read_practice_week_team(practice_week_file) if practice_week_file else set()
    due = today + timedelta(days=settings.cycle.due_days)
    with Store(settings.path("database")) as store:
        history = store_history(store)  # audits and observations already returned
    result = allocate(cases, pool, cycle, dict(settings.cycle.counts), settings.cycle.seed, due, theme, team,
                      settings.cycle.reaudit_months, today, history)
    covered = coverage(cases, history, result.items, today)
    folder = settings.path("generated") / safe_name(cycle)
    folder.mkdir(parents=True, exist_ok=True)
    allocation_file = folder / f"allocation_{safe_name(cycle)}.xlsx"
    write_allocation(allocation_file, result.items, [coverage_sheet(covered)])
    generated = generate_items(settings, result.items, progress=progress, today=today)
    with Store(settings.path("database")) as store:
        store.set_state(POOL_STATE, str(pool_file.resolve()))  # chase finds auditors' line managers here
        sent, problems = email_auditors(settings, store, result.items, generated) if send else (0, [])
        report = BatchReport()
        Pipeline(settings, store).write_register(report)
    if report.register_problem:
        problems.append(report.register_problem)
    return AllocateSummary(cycle, allocation_file, result, generated, sent, problems, covered)


def email_auditors(settings: Settings, store: Store, items: list[WorkItem],
                    generated: GenerateSummary) -> tuple[int, list[str]]:
    paths = {f.identity.form_id: f.path for r in generated.results for f in r.forms}
    messages, problems = allocation_messages(items, paths, settings.organisation, settings.returns)
    sent = send_all(make_mailer(settings, store), messages)
    return len(sent.results), problems + sent.problems
