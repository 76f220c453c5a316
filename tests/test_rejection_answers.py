"""A rejected form goes back to its sender in the same run, once, with the reasons and the file; reminders say so.

Emails are read back from a real SMTP server on loopback; chase runs on a fixed clock.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from processors.chase.run import run_chase
from processors.config.settings import Settings
from processors.intake.run import ingest_paths
from processors.mail.directory import Person
from processors.store.database import Store
from tests.returned_forms import GPR, TPA, good_practice_answers, thematic_answers
from tests.smtp_server import Inbox, smtp_office
from tests.test_ingest import returned

DOMAIN = "example-trust.org.uk"
DUE = date(2026, 3, 6)
ALLOCATED = replace(TPA, auditor_email=f"niamh.oconnor@{DOMAIN}", due_date=DUE)


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[tuple[Settings, Inbox]]:
    staff = [Person("Niamh O'Connor", f"niamh.oconnor@{DOMAIN}"), Person("Dafydd Jenkins", f"dafydd.jenkins@{DOMAIN}"),
             Person("Zofia Kamińska", f"zofia.kaminska@{DOMAIN}")]
    with smtp_office(tmp_path, staff, [ALLOCATED, GPR]) as office:
        yield office


def answers_to(inbox: Inbox) -> list:
    return [m for m in inbox.messages if m["X-QA-Kind"] == "rejection"]


def test_a_rejected_form_goes_back_to_its_auditor_with_reasons_and_the_file_copied_to_the_admin(mail) -> None:
    settings, inbox = mail
    path = returned(settings, ALLOCATED, thematic_answers(overall_grade="", strengths=""), "my audit.docx")
    kept = path.read_bytes()
    assert ingest_paths(settings, [path]).count("rejected") == 1
    (answer,) = answers_to(inbox)
    assert str(answer["To"]) == f"niamh.oconnor@{DOMAIN}" and str(answer["Cc"]) == "qa.admin@example-trust.org.uk"
    assert str(answer["Subject"]) == f"Please correct and return: Thematic Peer Audit {TPA.form_id}"
    text = answer.get_body(("plain",)).get_content()
    assert "  - 'Overall grade' is empty: choose from its list" in text and "  - 'Strengths' is empty" in text
    (attached,) = list(answer.iter_attachments())
    assert attached.get_filename() == "my audit.docx" and attached.get_content() == kept
    rows = list(openpyxl.load_workbook(settings.path("register"))["Allocations"].iter_rows(values_only=True))
    status = {r[0]: r[rows[0].index("Status")] for r in rows[1:]}
    assert status[TPA.form_id] == "Needs correction" and status[GPR.form_id] in ("Sent", "Not generated")
    path.write_bytes(kept)                                   # the same file again: not answered twice
    ingest_paths(settings, [path])
    assert len(answers_to(inbox)) == 1


def test_reminders_and_manager_escalations_say_returned_needs_correction(mail) -> None:
    settings, inbox = mail
    ingest_paths(settings, [returned(settings, ALLOCATED, thematic_answers(overall_grade=""), "a.docx")])
    with Store(settings.path("database")) as store:
        run_chase(settings, DUE + timedelta(days=2), store)
    (reminder,) = [m for m in inbox.messages if m["X-QA-Kind"] == "reminder"]
    text = reminder.get_body(("plain",)).get_content()
    assert "was returned but needs correction" in text and "has not been returned" not in text
    assert "returned but rejected: needs correction" in text


def test_a_good_practice_record_goes_back_to_the_nominator_it_names(mail) -> None:
    settings, inbox = mail
    path = returned(settings, GPR, {**good_practice_answers(), "what_was_done": ""}, "gp.docx")
    ingest_paths(settings, [path])
    (answer,) = answers_to(inbox)
    assert str(answer["To"]) == f"dafydd.jenkins@{DOMAIN}"
    assert "the nominator the record names" in answer.get_body(("plain",)).get_content()


def _last_saved_by(docx: bytes, name: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<cp:lastModifiedBy\s*/>|<cp:lastModifiedBy>[^<]*</cp:lastModifiedBy>",
                              f"<cp:lastModifiedBy>{name}</cp:lastModifiedBy>".encode(), data)
            target.writestr(info, data)
    return out.getvalue()


def test_otherwise_the_document_s_last_author_and_else_the_admin_by_hand(mail) -> None:
    settings, inbox = mail
    path = returned(settings, GPR, {**good_practice_answers(), "nominated_by": ""}, "gp.docx")
    path.write_bytes(_last_saved_by(path.read_bytes(), "Zofia Kamińska"))
    ingest_paths(settings, [path])
    stranger = returned(settings, GPR, {**good_practice_answers(), "nominated_by": "", "what_was_done": ""}, "x.docx")
    ingest_paths(settings, [stranger])
    first, second = answers_to(inbox)
    assert str(first["To"]) == f"zofia.kaminska@{DOMAIN}"
    assert str(second["To"]) == "qa.admin@example-trust.org.uk" and "x.docx" in str(second["Subject"])
