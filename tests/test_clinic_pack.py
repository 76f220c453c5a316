"""`report --quarter Q --clinic SERVICE` (QAF 5.5.3): a service's management audits as its performance-clinic pack."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from processors.config.settings import PROJECT_ROOT, Settings
from processors.errors import UnknownScope
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import ActionItem, Case, FormIdentity, ParsedForm, ValidatedForm, WorkItem
from processors.forms.vocabulary import GOOD, INADEQUATE, MANAGEMENT_AUDIT, NO, REQUIRES_IMPROVEMENT
from processors.reports.clinic import run_clinic_pack
from processors.store.database import Store
from processors.word.office import convert, soffice
from tests.test_reports import text_of

SERVICE = "Safeguarding and Family Support"
TODAY = date(2026, 10, 5)


def audit(store: Store, form_id: str, case: Case, received: date, grades: dict[str, str], values: dict[str, object],
          actions: list[ActionItem]) -> None:
    store.add_work_items([WorkItem(MANAGEMENT_AUDIT, case, "2026-C05", form_id, "Sam Manager")])
    parsed = ParsedForm(Path(f"{form_id}.docx"),
                        FormIdentity(form_id, MANAGEMENT_AUDIT, FORM_TYPES[MANAGEMENT_AUDIT].version, "2026-C05"),
                        MANAGEMENT_AUDIT, {}, f"sha-{form_id}")
    base = {"case_id": case.case_id, "child_initials": case.child_initials, "service": case.service,
            "team": case.team, "practitioner": case.practitioner, "immediate_concern": NO}
    store.record_form(ValidatedForm(parsed, form_id, MANAGEMENT_AUDIT, case.case_id, base | grades | values, grades,
                                    actions, received=datetime.combine(received, datetime.min.time())),
                      f"{form_id}.docx")


def case(n: int, initials: str, service: str = SERVICE) -> Case:
    return Case(f"CF88800{n:02d}", initials, 9, "Child in Need", service, "Corby CIN 1", "Ava Price", "Ben Stone")


@pytest.fixture
def audited(settings: Settings) -> Settings:
    with Store(settings.path("database")) as store:
        audit(store, "2026-C05-MGA-001", case(1, "R.T."), date(2026, 8, 3),
              {"voice_of_child": GOOD, "management_oversight": REQUIRES_IMPROVEMENT},
              {"overall_grade": REQUIRES_IMPROVEMENT, "findings": "R.T.'s plan has drifted since July.",
               "clinic_issues": "Supervision gaps in Corby CIN 1.",
               "wider_issues": "Health partners miss strategy meetings across the county."},
              [ActionItem(1, "Review R.T.'s plan with the family.", "Ben Stone", date(2026, 9, 1)),
               ActionItem(2, "Restart monthly supervision.", "Ben Stone", date(2026, 12, 1))])
        audit(store, "2026-C05-MGA-002", case(2, "K.L."), date(2026, 9, 10),
              {"voice_of_child": INADEQUATE, "management_oversight": GOOD},
              {"overall_grade": GOOD, "findings": "Good oversight; the voice of the child is missing."}, [])
        audit(store, "2026-C05-MGA-003", case(3, "P.Q."), date(2026, 5, 1), {"voice_of_child": GOOD},
              {"overall_grade": GOOD, "findings": "Last quarter's audit."}, [])
        audit(store, "2026-C05-MGA-004", case(4, "W.W.", "Children in Care"), date(2026, 8, 5),
              {"voice_of_child": GOOD}, {"overall_grade": GOOD, "findings": "Another service's audit."}, [])
    return settings


def test_the_clinic_pack_gathers_the_quarters_management_audits_of_the_service(audited: Settings,
                                                                               tmp_path: Path) -> None:
    path, pack = run_clinic_pack(audited, "2026-Q3", "safeguarding and family support", TODAY,
                                 tmp_path / "clinic.docx")
    text = text_of(path)
    assert f"Performance clinic: {SERVICE}" in text and "July to September 2026" in text
    assert "Management audits returned: 2" in text and "Actions agreed: 2, of which open: 2" in text
    rows = text.split("\n")
    voice = rows.index("Voice of the child")  # the grades by area: Outstanding, Good, RI, Inadequate, Good or better
    assert rows[voice + 1:voice + 6] == ["0", "1", "0", "1", "50%"]
    overall = rows.index("Overall")
    assert rows[overall + 1:overall + 6] == ["0", "1", "1", "0", "50%"]
    assert "The child's plan has drifted since July." in text and "R.T." not in text  # pseudonymised
    assert "Supervision gaps in Corby CIN 1. (2026-C05-MGA-001)" in text  # issues for the clinic
    assert "Health partners miss strategy meetings across the county. (2026-C05-MGA-001)" in text  # wider
    assert "Review the child's plan with the family." in text and "Open and overdue" in text
    assert "Restart monthly supervision." in text and "Open, not yet due" in text
    assert "CF8880001" in text and "Last quarter's audit" not in text and "Another service's audit" not in text
    assert len(pack.audits) == 2


def test_the_clinic_pack_opens_in_libreoffice(audited: Settings, tmp_path: Path) -> None:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    path, _ = run_clinic_pack(audited, "2026-Q3", SERVICE, TODAY, tmp_path / "clinic.docx")
    (pdf,) = convert([path], "pdf", tmp_path / "pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Grades by area" in text and "Issues for the clinic" in text and "2026-C05-MGA-002" in text


def test_a_service_without_management_audits_is_named_with_those_that_have_them(audited: Settings) -> None:
    with pytest.raises(UnknownScope, match="no management audit of 'Early Help'.*Children in Care"):
        run_clinic_pack(audited, "2026-Q3", "Early Help", TODAY)


def test_clinic_pack_on_the_command_line(audited: Settings, config_file: Path) -> None:
    run = [sys.executable, "run.py", "report", "--quarter", "2026-Q3", "--clinic", SERVICE, "--config",
           str(config_file)]
    result = subprocess.run(run, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "2 management audit(s), 2 action(s)" in result.stdout
    written = Path(result.stdout.strip().rsplit("-> ", 1)[1])
    assert written.is_file() and "Issues for the clinic" in text_of(written)
    mixed = subprocess.run(run + ["--send"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert mixed.returncode == 3 and "on its own" in mixed.stderr
