"""After a form is recorded: findings reach the team manager (QAF 2.4, 3.1, 5.3); actions that are not SMART
(QAF 8.2.1) are flagged in the register, the auditor is asked once for a corrected form, and the weekly digest
lists what is still missing. Emails through a real SMTP server on loopback; chase on a fixed clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from processors.chase.run import run_chase
from processors.config.settings import Settings
from processors.intake.run import ingest_paths
from processors.mail.directory import Person
from processors.store.database import Store
from tests.returned_forms import TPA, thematic_answers
from tests.smtp_server import Inbox, smtp_office
from tests.test_ingest import returned

DOMAIN = "example-trust.org.uk"
MONDAY = date(2026, 11, 23)
NO_ACTIONS = {"action_1": "", "action_1_owner": "", "action_1_due": ""}
SUPERVISION = replace(TPA, form_type="supervision_audit", form_id="2026-C09-SFA-001")


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[tuple[Settings, Inbox]]:
    staff = [Person("Niamh O'Connor", f"niamh.oconnor@{DOMAIN}"), Person("Zofia Kamińska", f"zofia.kaminska@{DOMAIN}")]
    with smtp_office(tmp_path, staff, [TPA, SUPERVISION]) as office:
        yield office


def of_kind(inbox: Inbox, kind: str) -> list:
    return [m for m in inbox.messages if m["X-QA-Kind"] == kind]


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def forms_sheet(settings: Settings) -> dict[str, dict[str, object]]:
    rows = list(openpyxl.load_workbook(settings.path("register"))["Forms"].iter_rows(values_only=True))
    return {r[0]: dict(zip(rows[0], r)) for r in rows[1:] if r[0]}


def test_an_inadequate_form_without_actions_is_recorded_flagged_and_its_auditor_asked_once(mail) -> None:
    settings, inbox = mail
    path = returned(settings, TPA, thematic_answers(overall_grade="Inadequate", **NO_ACTIONS), "a.docx")
    kept = path.read_bytes()
    assert ingest_paths(settings, [path]).count("recorded") == 1
    (request,) = of_kind(inbox, "smart_request")
    assert str(request["To"]) == f"niamh.oconnor@{DOMAIN}" and "qa.admin@" in str(request["Cc"])
    assert "graded Inadequate but no action is recorded" in text(request) and "R.T." not in text(request)
    assert "SMART: graded Inadequate but no action is recorded" in forms_sheet(settings)[TPA.form_id]["Warnings"]
    path.write_bytes(kept)
    ingest_paths(settings, [path])
    fixed = returned(settings, TPA, thematic_answers(overall_grade="Inadequate", action_1_owner=""), "b.docx")
    assert ingest_paths(settings, [fixed]).count("superseded") == 1
    assert len(of_kind(inbox, "smart_request")) == 1             # one email per form
    assert "SMART: action 1 has no owner" in forms_sheet(settings)[TPA.form_id]["Warnings"]


def test_a_due_date_before_the_audit_date_is_a_smart_gap_and_the_digest_lists_it(mail) -> None:
    settings, inbox = mail
    path = returned(settings, TPA, thematic_answers(action_1_due=date(2026, 11, 1)), "a.docx")
    ingest_paths(settings, [path])
    (request,) = of_kind(inbox, "smart_request")
    assert "action 1 is due 01/11/2026, before the audit date 20/11/2026" in text(request)
    with Store(settings.path("database")) as store:
        run_chase(settings, MONDAY, store)
    (digest,) = of_kind(inbox, "digest")
    assert "Forms still waiting for SMART actions (1)" in text(digest)
    assert f"Form {TPA.form_id}, case CF2468101" in text(digest) and "before the audit date" in text(digest)


def test_a_smart_form_asks_nothing_and_its_findings_reach_the_team_manager(mail) -> None:
    settings, inbox = mail
    ingest_paths(settings, [returned(settings, TPA, thematic_answers(), "a.docx")])
    assert of_kind(inbox, "smart_request") == []
    (findings,) = of_kind(inbox, "findings")
    assert str(findings["To"]) == f"zofia.kaminska@{DOMAIN}"
    body = text(findings)
    assert "team manager" in body and "Overall grade:  Good" in body
    assert "Update the chronology" in body and "due 18/12/2026  <- yours" in body and "Actions (1 yours)" in body
    assert "Audited alongside the practitioner: Yes" in body and "R.T." not in body
    row = forms_sheet(settings)[TPA.form_id]
    assert row["Audited alongside practitioner"] == "Yes" and row["Team manager made aware"] == "Yes"


def test_a_supervision_audit_s_findings_go_to_the_supervisor(mail) -> None:
    import random

    from processors.demo.answers import answers_for
    from processors.forms.definitions import FORM_TYPES

    settings, inbox = mail
    answers = dict(answers_for(SUPERVISION, FORM_TYPES["supervision_audit"], random.Random(1), MONDAY).answers)
    answers.update(overall_grade="Good", immediate_concern="No", feedback_to_manager="No")
    ingest_paths(settings, [returned(settings, SUPERVISION, answers, "s.docx")])
    (findings,) = of_kind(inbox, "findings")
    assert str(findings["To"]) == f"zofia.kaminska@{DOMAIN}" and "'s supervisor" in text(findings)
    assert forms_sheet(settings)[SUPERVISION.form_id]["Team manager made aware"] == "No"


def test_the_thematic_form_gives_action_follow_up_to_service_and_strategic_managers() -> None:
    from processors.forms.definitions import FORM_TYPES

    intro = next(s.intro for s in FORM_TYPES["thematic_audit"].sections if s.table == "actions")
    assert "Service and Strategic Managers make sure they are completed (QAF 5.3)" in intro
    assert "The Team Manager makes sure" not in intro
