"""`practice-week report` (QAF 7.3-7.5): the week's reviews and Young Inspectors' feedback in a short Word report."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from processors.config.settings import PROJECT_ROOT, Settings
from processors.errors import UnknownScope
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Case, FormIdentity, ParsedForm, ValidatedForm, WorkItem
from processors.forms.vocabulary import NO, PARTLY, PRACTICE_WEEK_REVIEW, YES, YOUNG_INSPECTOR_FEEDBACK
from processors.reports.practice_week import run_week_report
from processors.store.database import Store
from tests.test_reports import text_of

SERVICE = "Children in Care"
MONDAY = date(2026, 11, 16)
DUE = date(2026, 11, 23)  # a practice week's forms are due back a week after its Monday


def case(n: int, initials: str) -> Case:
    return Case(f"CF77700{n:02d}", initials, 12, "Child Looked After", SERVICE, "CiC 1", "Ava Price", "Ben Stone")


def record(store: Store, form_id: str, form_type: str, c: Case, values: dict[str, object] | None, *,
           due: date = DUE, concern: str = NO) -> None:
    """Plan the form for the week; with ``values``, record it as returned."""
    store.add_work_items([WorkItem(form_type, c, "2026-C12", form_id, "Kit Reviewer", due_date=due)])
    if values is None:
        return
    definition = FORM_TYPES[form_type]
    parsed = ParsedForm(Path(f"{form_id}.docx"), FormIdentity(form_id, form_type, definition.version, "2026-C12"),
                        form_type, {}, f"sha-{form_id}")
    base = {"case_id": c.case_id, "child_initials": c.child_initials, "service": c.service, "team": c.team,
            "practitioner": c.practitioner, "immediate_concern": concern}
    store.record_form(ValidatedForm(parsed, form_id, form_type, c.case_id, base | values, {}, [],
                                    received=datetime(2026, 11, 20, 12)), f"{form_id}.docx")


@pytest.fixture
def week(settings: Settings) -> Settings:
    with Store(settings.path("database")) as store:
        record(store, "2026-C12-PWR-001", PRACTICE_WEEK_REVIEW, case(1, "M.K."), {
            "visit_date": "17/11/2026", "what_was_seen": "A home visit where M.K. showed her life story book.",
            "strengths": "Warm, unhurried direct work.", "areas_to_develop": "The plan is not written for M.K.",
            "recommendation": "Write plans to the child in plain words."})
        record(store, "2026-C12-PWR-002", PRACTICE_WEEK_REVIEW, case(2, "T.J."), {
            "visit_date": "18/11/2026", "what_was_seen": "A review meeting.", "strengths": "Clear chairing.",
            "areas_to_develop": "Carers were not asked their view."})
        record(store, "2026-C12-PWR-003", PRACTICE_WEEK_REVIEW, case(3, "A.B."), None)  # not back yet
        record(store, "2026-C12-YIF-001", YOUNG_INSPECTOR_FEEDBACK, case(1, "M.K."), {
            "would_want_help": YES, "why": "She talked to M.K. like a person not a case.",
            "did_well": "Listened and did not rush.", "could_be_better": "Turn up on time.", "listened": PARTLY})
        record(store, "2026-C12-PWR-009", PRACTICE_WEEK_REVIEW, case(4, "Z.Z."), {  # another week's review
            "visit_date": "02/11/2026", "what_was_seen": "Another week entirely.", "strengths": "x",
            "areas_to_develop": "y"}, due=date(2026, 11, 9))
    return settings


def test_the_week_report_counts_and_quotes_the_reviews_and_the_young_people(week: Settings, tmp_path: Path) -> None:
    path, report = run_week_report(week, "children in care", date(2026, 11, 19), tmp_path / "week.docx")
    text = text_of(path)
    assert "Practice week: Children in Care" in text and "Week beginning 16 November 2026" in text
    assert "Visits reviewed: 2 of 3 planned" in text
    assert "Young Inspectors' feedback received: 1 of 1 planned" in text
    assert "would want the worker to help them: 1 of 1 (100%)" in text
    assert "2026-C12-PWR-001 (case CF7770001)" in text and "2026-C12-YIF-001 (case CF7770001)" in text
    assert "She talked to the child like a person not a case." in text  # their words, pseudonymised
    assert "Listened and did not rush." in text and "Would you want this worker to help you?" in text
    assert "A home visit where the child showed her life story book." in text
    assert "M.K." not in text and "T.J." not in text
    assert "Write plans to the child in plain words. (2026-C12-PWR-001)" in text  # recommendations
    assert "To develop (2026-C12-PWR-002): Carers were not asked their view." in text  # findings
    assert "Young Inspectors (2026-C12-YIF-001): Turn up on time." in text
    assert "Another week entirely" not in text and "PWR-009" not in text
    assert len(report.reviews) == 2


def test_a_week_with_nothing_planned_says_so(settings: Settings) -> None:
    with pytest.raises(UnknownScope, match="no practice week in 'Nowhere'"):
        run_week_report(settings, "Nowhere", MONDAY)


def test_practice_week_report_on_the_command_line(week: Settings, config_file: Path) -> None:
    result = subprocess.run([sys.executable, "run.py", "practice-week", "report", "--service", SERVICE, "--week",
                             "20/11/2026", "--config", str(config_file)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "2 visit(s) reviewed, 1 Young Inspectors' feedback" in result.stdout
    written = Path(result.stdout.strip().rsplit("-> ", 1)[1])
    assert written.is_file() and "Visits reviewed: 2 of 3 planned" in text_of(written)
