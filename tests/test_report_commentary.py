"""The QA Manager's commentary as a Word form: a draft run writes it pre-filled with the quarter's key figures;
filled in Word and put in the inbox it is read like any form; the final and themed reports show it, and the
actions SMT agreed join the register's Actions sheet and are chased."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from processors.chase.rules import overdue_actions
from processors.config.reports import ReportSettings
from processors.config.settings import Settings, load_settings
from processors.demo.fill import fill_form
from processors.intake.run import ingest_paths
from processors.reading.parse import parse_file
from processors.reports.runner import ReportRun, run_reports
from processors.store.database import Store
from tests.conftest import write_config
from tests.test_reports import Q3, TODAY, build_dataset, text_of

ANSWERS = {
    "analysis": "Plans drift when the child's circumstances change & reviews slip.",
    "where_to_focus": "Timely review of plans in Safeguarding and Family Support.",
    "recommendation_1": "Every plan reviewed within 20 working days of a change",
    "recommendation_1_owner": "Head of Service, Safeguarding",
    "recommendation_1_due": date(2026, 12, 31),
    "action_1": "Run a practice week on reviewing plans",
    "action_1_owner": "Principal Social Worker",
    "action_1_due": date(2026, 10, 20),
}


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, ReportRun, ReportRun]:
    folder = tmp_path_factory.mktemp("commentary")
    settings = load_settings(write_config(folder))
    settings = settings.model_copy(update={"reports": ReportSettings(pdf=False)})
    with Store(settings.path("database")) as store:
        build_dataset(store)
    draft = run_reports(settings, Q3, None, None, send=False, today=TODAY, draft=True)
    assert draft.commentary_form is not None
    filled = fill_form(draft.commentary_form.read_bytes(), ANSWERS)
    inbox = settings.path("inbox")
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "commentary Q3 final.docx").write_bytes(filled)
    assert ingest_paths(settings, [inbox]).count("recorded") == 1
    final = run_reports(settings, Q3, None, None, send=False, today=TODAY)
    return settings, draft, final


def test_the_draft_writes_a_commentary_form_prefilled_with_the_key_figures(
        returned: tuple[Settings, ReportRun, ReportRun], tmp_path: Path) -> None:
    _, draft, _ = returned
    form = draft.commentary_form
    assert form is not None and form.name == "2026-Q3_QA_commentary_QMC-2026-Q3.docx"
    parsed = parse_file(shutil.copy(form, tmp_path / form.name))
    assert parsed.identity is not None and parsed.identity.form_id == "QMC-2026-Q3"
    assert parsed.values["quarter"] == "2026-Q3"
    assert "12 of 14 audits, observations and supervision audits due were completed (86%)" in \
        parsed.values["key_figures"]
    assert all(parsed.values[k] == "" for k in ("analysis", "where_to_focus", "recommendation_1", "action_1"))
    assert [d.subject for d in draft.documents][0] == "Draft Quarterly QA report 2026-Q3: Senior Leadership Team"
    assert all(d.recipients == ("qa.manager@example-trust.org.uk",) for d in draft.documents if d.kind != "briefing")
    slt = text_of(draft.docx[0])
    assert "The QA Manager's commentary on 2026-Q3 (form QMC-2026-Q3) has not come back yet" in slt


def test_the_final_and_themed_reports_show_the_returned_commentary(
        returned: tuple[Settings, ReportRun, ReportRun]) -> None:
    _, _, final = returned
    slt = text_of(final.docx[0])
    assert ANSWERS["analysis"] in slt and ANSWERS["where_to_focus"] in slt  # '&' kept: autoescape
    assert "Where we need to focus our improvement efforts" in slt
    assert "Every plan reviewed within 20 working days of a change" in slt and "31/12/2026" in slt
    assert "QMC-2026-Q3-A1" in slt and "Run a practice week on reviewing plans" in slt
    theme = next(p for p in final.docx if "thematic_report_Neglect" in p.name)
    text = text_of(theme)
    assert ("Every plan reviewed within 20 working days of a change (led by Head of Service, Safeguarding, "
            "by 31/12/2026)") in text


def test_agreed_actions_join_the_actions_sheet_and_are_chased(returned: tuple[Settings, ReportRun, ReportRun]) -> None:
    settings, _, final = returned
    sheet = load_workbook(settings.path("register"), read_only=True)["Actions"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    row = next(dict(zip(header, r)) for r in rows[1:] if r[header.index("Action ID")] == "QMC-2026-Q3-A1")
    assert row["Action"] == "Run a practice week on reviewing plans" and row["Owner"] == "Principal Social Worker"
    with Store(settings.path("database")) as store:
        chased = overdue_actions(store.actions(), date(2026, 11, 2))
    assert "QMC-2026-Q3-A1" in {a.action_id for a in chased}
    # the actions from audits the report counts are the audits' own, not SMT's
    assert "1 of 2 actions due by 30/09/2026 were completed on time (50%)." in final.documents[0].headlines
