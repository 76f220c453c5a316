"""Hand planned work out: email each person their forms (the allocation's email) and show the work in the
register's Allocations sheet at once."""

from __future__ import annotations

from processors.allocation.cycle import email_auditors
from processors.config.settings import Settings
from processors.forms.models import WorkItem
from processors.generate.run import GenerateSummary
from processors.intake.pipeline import BatchReport, Pipeline
from processors.store.database import Store


def deliver(settings: Settings, items: list[WorkItem], generated: GenerateSummary, send: bool) -> tuple[int, list[str]]:
    """(people emailed, problems): problems name the form and what is missing, never a child."""
    with Store(settings.path("database")) as store:
        sent, problems = email_auditors(settings, store, items, generated) if send else (0, [])
        report = BatchReport()
        Pipeline(settings, store).write_register(report)
    if report.register_problem:
        problems.append(report.register_problem)
    return sent, problems
