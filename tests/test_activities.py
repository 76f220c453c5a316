"""The framework's other activities (issue 14) go through the same intake as the cycle's audits: each form type
is generated, filled as a person would fill it in Word, ingested, recorded and shown in the register."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from processors.config.settings import Settings
from processors.demo.answers import answers_for
from processors.demo.fill import fill_form
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Case, WorkItem
from processors.forms.vocabulary import ACTIVITY_TYPES, MANAGEMENT_AUDIT, YOUNG_INSPECTOR_FEEDBACK
from processors.generate.run import generate_blank, generate_items
from processors.intake.pipeline import Pipeline
from processors.register.columns import ACTIVITY_SHEET_TITLES
from processors.register.workbook import write_register
from processors.store.database import Store

CASE = Case("CF2468024", "A.K.", 12, "Child Protection", "Safeguarding and Family Support", "Corby CP 1",
            "Dana Whitfield", "Omar Haddad")
TODAY = date(2026, 11, 23)


def _forms_sheet(path: Path, title: str = "Forms") -> dict[str, dict[str, object]]:
    sheet = openpyxl.load_workbook(path, read_only=True)[title]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    return {str(r[0]): dict(zip(header, r, strict=False)) for r in rows[1:] if r[0]}


def _ingest(settings: Settings, generated: Path, answers: dict) -> tuple[str, str]:
    inbox = settings.path("inbox")
    inbox.mkdir(parents=True, exist_ok=True)
    returned = inbox / generated.name
    returned.write_bytes(fill_form(generated.read_bytes(), answers))
    with Store(settings.path("database")) as store:
        outcome = Pipeline(settings, store).process_file(returned)
    return outcome.status, outcome.reason or ""


@pytest.mark.parametrize("form_type", ACTIVITY_TYPES)
def test_each_activity_is_generated_filled_ingested_recorded_and_in_the_register(form_type: str,
                                                                                  settings: Settings) -> None:
    item = WorkItem(form_type, CASE, "2026-C09", auditor="Grace Adeyemi",
                    auditor_email="grace.adeyemi@example-trust.org.uk", due_date=date(2026, 12, 7))
    summary = generate_items(settings, [item], today=TODAY)
    generated = summary.results[0].forms[0]
    answers = answers_for(item, FORM_TYPES[form_type], random.Random(3), TODAY).answers
    status, reason = _ingest(settings, generated.path, answers)
    assert status == "recorded", reason
    with Store(settings.path("database")) as store:
        record = store.form(generated.identity.form_id)
        assert record is not None and record.form_type == form_type
        write_register(store, settings.path("register"), TODAY)
    row = _forms_sheet(settings.path("register"))[generated.identity.form_id]
    assert row["Form type"] == FORM_TYPES[form_type].title
    assert row["Case ID"] == CASE.case_id and row["Auditor"] == "Grace Adeyemi"
    own = _forms_sheet(settings.path("register"), ACTIVITY_SHEET_TITLES[form_type])[generated.identity.form_id]
    said = next(f for f in FORM_TYPES[form_type].fillable if f.kind.value == "longtext" and f.required)
    assert own[said.label] == answers[said.key] and own["By"] == "Grace Adeyemi"


def test_a_blank_management_audit_is_filled_with_the_case_the_manager_chose(settings: Settings) -> None:
    summary = generate_blank(settings, MANAGEMENT_AUDIT, 1, "2026-C09")
    generated = summary.results[0].forms[0]
    blank = WorkItem(MANAGEMENT_AUDIT, Case("", "", 0, "", "", "", "", ""), "2026-C09")
    answers = answers_for(blank, FORM_TYPES[MANAGEMENT_AUDIT], random.Random(4), TODAY).answers
    answers.update(case_id="CF1112223", service="Children in Care", team="Kettering CLA 2",
                   practitioner="Ian Brook", auditor="Sam Patel")
    status, reason = _ingest(settings, generated.path, answers)
    assert status == "recorded", reason
    with Store(settings.path("database")) as store:
        write_register(store, settings.path("register"), TODAY)
    row = _forms_sheet(settings.path("register"))[generated.identity.form_id]
    assert row["Case ID"] == "CF1112223" and row["Service"] == "Children in Care"


def test_the_young_inspectors_form_speaks_plainly() -> None:
    definition = FORM_TYPES[YOUNG_INSPECTOR_FEEDBACK]
    labels = [f.label for f in definition.fillable]
    assert "Would you want this worker to help you?" in labels and "Why?" in labels
    assert not definition.domains and all(f.kind.value != "grade" for f in definition.fields)
    assert len(definition.fillable) <= 10


def test_a_managers_blank_management_audits_carry_their_name_and_own_service(config_file: Path, tmp_path: Path,
                                                                              settings: Settings) -> None:
    import subprocess
    import sys

    from processors.config.settings import PROJECT_ROOT
    from processors.demo.synthetic import make_pool, write_pool

    manager = next(a for a in make_pool(5) if a.role == "Service Manager")
    pool_file = tmp_path / "pool.csv"
    write_pool(pool_file, make_pool(5))
    result = subprocess.run([sys.executable, "run.py", "generate", "--blank", MANAGEMENT_AUDIT, "--count", "2",
                             "--for", manager.name, "--pool", str(pool_file), "--cycle", "2026-C09",
                             "--config", str(config_file)], cwd=PROJECT_ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    forms = sorted(settings.path("generated").glob(f"2026-C09/{MANAGEMENT_AUDIT}/*.docx"))
    assert len(forms) == 2
    answers = answers_for(WorkItem(MANAGEMENT_AUDIT, CASE, "2026-C09"), FORM_TYPES[MANAGEMENT_AUDIT],
                          random.Random(5), TODAY).answers | {"case_id": "CF7778889", "team": "Corby CIN 1"}
    status, reason = _ingest(settings, forms[0], answers)
    assert status == "recorded", reason
    with Store(settings.path("database")) as store:
        write_register(store, settings.path("register"), TODAY)
    row = next(iter(_forms_sheet(settings.path("register")).values()))
    assert row["Service"] == manager.service and row["Auditor"] == manager.name and row["Case ID"] == "CF7778889"


def test_a_young_inspectors_worry_alerts_the_adults_at_once(settings: Settings) -> None:
    item = WorkItem(YOUNG_INSPECTOR_FEEDBACK, CASE, "2026-C09", auditor="Jay", due_date=date(2026, 12, 7))
    generated = generate_items(settings, [item], today=TODAY).results[0].forms[0]
    answers = answers_for(item, FORM_TYPES[YOUNG_INSPECTOR_FEEDBACK], random.Random(3), TODAY).answers | {
        "immediate_concern": "Yes", "immediate_concern_details": "The boy said he is scared to go home."}
    status, reason = _ingest(settings, generated.path, answers)
    assert status == "recorded", reason
    with Store(settings.path("database")) as store:
        assert [e.form_id for e in store.escalations()] == [generated.identity.form_id]
    assert list(settings.path("outbox").glob("*escalation*.eml"))
