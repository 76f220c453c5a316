"""The quarterly report's section on the framework's other activities: how much, how well, what they found."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from processors.config.settings import Settings
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Case, FormIdentity, ParsedForm, ValidatedForm, WorkItem
from processors.forms.vocabulary import (
    COMMISSIONED_AUDIT,
    GOOD,
    INADEQUATE,
    LEADER_OBSERVATION,
    NO,
    YES,
    YOUNG_INSPECTOR_FEEDBACK,
)
from processors.reports.runner import run_reports
from processors.store.database import Store
from tests.test_reports import text_of, with_reports

CASE = Case("CF5550001", "R.T.", 8, "Child in Need", "Safeguarding and Family Support", "Corby CIN 1",
            "Ava Price", "Ben Stone")
TODAY = date(2026, 10, 5)


def _record(store: Store, form_id: str, form_type: str, values: dict[str, object], received: date,
            due: date | None = None) -> None:
    item = WorkItem(form_type, CASE, "2026-C05", form_id, "Kit Auditor", due_date=due or received)
    store.add_work_items([item])
    definition = FORM_TYPES[form_type]
    parsed = ParsedForm(Path(f"{form_id}.docx"), FormIdentity(form_id, form_type, definition.version, "2026-C05"),
                        form_type, {}, f"sha-{form_id}")
    base = {"case_id": CASE.case_id, "service": CASE.service, "team": CASE.team, "immediate_concern": NO}
    store.record_form(ValidatedForm(parsed, form_id, form_type, CASE.case_id, base | values, {}, [],
                                    received=datetime.combine(received, datetime.min.time())), f"{form_id}.docx")


def test_each_activity_of_the_quarter_has_its_own_oba_section(settings: Settings) -> None:
    with Store(settings.path("database")) as store:
        _record(store, "2026-C05-CCA-001", COMMISSIONED_AUDIT,
                {"overall_grade": INADEQUATE, "lessons": "Drift after step-down was not noticed for months."},
                date(2026, 8, 3))
        _record(store, "2026-C05-CCA-002", COMMISSIONED_AUDIT, {"overall_grade": GOOD, "lessons": "Plan held."},
                date(2026, 8, 10))
        _record(store, "2026-C05-LPO-001", LEADER_OBSERVATION,
                {"themes_for_qa": "Direct work tools are used well across the team."}, date(2026, 9, 1))
        _record(store, "2026-C05-YIF-001", YOUNG_INSPECTOR_FEEDBACK,
                {"would_want_help": YES, "did_well": "She listened and did not rush."}, date(2026, 9, 2))
        store.add_work_items([WorkItem(LEADER_OBSERVATION, CASE, "2026-C05", "2026-C05-LPO-002", "Lee Leader",
                                       due_date=date(2026, 9, 20))])
    run = run_reports(with_reports(settings, pdf=False), "2026-Q3", None, None, send=False, today=TODAY)
    slt = text_of(run.docx[0])
    assert "The framework's other activities" in slt
    assert "Commissioned Case Audit" in slt and "1 of 2 case(s) audited were Good or better (50%)" in slt
    assert "Drift after step-down was not noticed for months." in slt and "2026-C05-CCA-001" in slt
    assert "Leader's Practice Observation" in slt and "1 of 2 due this quarter came back" in slt
    assert "would want the worker to help them after 1 of 1 visit(s) (100%)" in slt
    assert "Management Audit\n" not in slt  # no work, no section
