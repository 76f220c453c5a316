"""`ingest`: every returned file ends recorded or rejected with a reason; the register and the alerts follow."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from processors.config.settings import PROJECT_ROOT, Settings
from processors.demo.fill import fill_form
from processors.forms.models import WorkItem
from processors.generate.forms import FormGenerator
from processors.intake.run import ingest_paths
from processors.mail.directory import Person, StaffDirectory
from processors.store.database import Store
from tests.docx_edit import all_xml
from tests.returned_forms import GPR, TPA, good_practice_answers, thematic_answers


@pytest.fixture
def ready(settings: Settings) -> Settings:
    with Store(settings.path("database")) as store:
        store.add_work_items([TPA, GPR])
    StaffDirectory([Person("Rhys ap Gwilym", "rhys.apgwilym@example-trust.org.uk"),
                    Person("Zofia Kamińska", "zofia.kaminska@example-trust.org.uk"),
                    Person("Abena Mensah", "abena.mensah@example-trust.org.uk")]).save(settings.path("staff"))
    settings.path("inbox").mkdir(parents=True)
    return settings


def returned(settings: Settings, item: WorkItem, answers: dict[str, object], name: str) -> Path:
    generator = FormGenerator(settings.path("templates"), "Trust", 14)
    path = settings.path("inbox") / name
    path.write_bytes(fill_form(generator.render(item), answers))
    return path


def sheet(settings: Settings, name: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(settings.path("register"))
    rows = list(wb[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def edit_first_row(settings: Settings, title: str, values: dict[str, object]) -> None:
    """Type into the first data row of a register sheet and save, as a person in Excel would."""
    workbook = openpyxl.load_workbook(settings.path("register"))
    worksheet = workbook[title]
    header = [c.value for c in worksheet[1]]
    for column, value in values.items():
        worksheet.cell(row=2, column=header.index(column) + 1, value=value)
    workbook.save(settings.path("register"))


def test_forms_are_recorded_and_the_register_shows_them(ready: Settings) -> None:
    returned(ready, TPA, thematic_answers(), "Audit CF2468101 – final.docx")
    report = ingest_paths(ready, [ready.path("inbox")])
    assert [o.status for o in report.outcomes] == ["recorded"]
    assert (ready.path("processed") / "Audit CF2468101 – final.docx").exists()
    assert not list(ready.path("inbox").iterdir())
    (form,) = sheet(ready, "Forms")
    assert (form["Form ID"], form["Case ID"], form["Overall grade"], form["Version"]) == \
        ("2026-C09-TPA-001", "CF2468101", "Good", 1)
    assert form["Practitioner"] == "Rhys ap Gwilym" and form["Auditor"] == "Niamh O'Connor"
    (action,) = sheet(ready, "Actions")
    assert action["Action"] == "=Update the chronology"  # text, never a formula
    assert action["Status"] == "Open" and action["Due date"].date() == date(2026, 12, 18)
    assert len(sheet(ready, "Grades")) == 7


def test_a_corrected_form_supersedes_and_the_same_file_twice_is_recorded_once(ready: Settings) -> None:
    first = returned(ready, TPA, thematic_answers(), "first.docx")
    copy = ready.path("inbox") / "first - Copy.docx"
    copy.write_bytes(first.read_bytes())
    ingest_paths(ready, [ready.path("inbox")])
    returned(ready, TPA, thematic_answers(overall_grade="Requires Improvement"), "corrected.docx")
    report = ingest_paths(ready, [ready.path("inbox")])
    assert [o.status for o in report.outcomes] == ["superseded"]
    (form,) = sheet(ready, "Forms")
    assert form["Version"] == 2 and form["Overall grade"] == "Requires Improvement"
    with Store(ready.path("database")) as store:
        assert [f.version for f in store.form_versions("2026-C09-TPA-001")] == [1, 2]
    assert sorted(p.name for p in ready.path("processed").iterdir()) == ["corrected.docx", "first - Copy.docx",
                                                                          "first.docx"]


def test_an_immediate_concern_alerts_the_service_manager_and_qa_manager(ready: Settings) -> None:
    returned(ready, TPA, thematic_answers(immediate_concern="Yes", immediate_concern_details="No visit for 9 weeks.",
                                          escalation_route="IRO / CP Chair escalation (Care First)"), "c.docx")
    ingest_paths(ready, [ready.path("inbox")])
    (eml,) = ready.path("outbox").glob("*escalation*.eml")
    alert = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert alert["To"] == "service.manager@example-trust.org.uk, qa.manager@example-trust.org.uk"
    assert alert["Subject"] == "Immediate concern: case CF2468101 (form 2026-C09-TPA-001)"
    body = alert.get_body(("plain",)).get_content()
    assert "No visit for 9 weeks." in body and "R.T." not in body  # the case by ID, never the child
    (row,) = sheet(ready, "Escalations")
    assert row["Form ID"] == "2026-C09-TPA-001"
    (sent,) = [r for r in sheet(ready, "Sent") if r["Kind"] == "escalation"]  # every send is recorded
    assert sent["Result"] == "sent"
    assert sent["Recipients"] == "service.manager@example-trust.org.uk; qa.manager@example-trust.org.uk"
    ingest_paths(ready, [ready.path("inbox")])  # a later run does not alert again
    assert len(list(ready.path("outbox").glob("*escalation*.eml"))) == 1


def test_good_practice_notifies_and_makes_a_thank_you_letter(ready: Settings) -> None:
    returned(ready, GPR, good_practice_answers(), "gp.docx")
    ingest_paths(ready, [ready.path("inbox")])
    letter = ready.path("letters") / "2026-C09-GPR-001_thank_you.docx"
    with zipfile.ZipFile(letter) as z:
        xml = z.read("word/document.xml").decode()
    assert "Dear Rhys ap Gwilym" in xml and "Abena Mensah" in xml and "Child focussed" in xml
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in sorted(ready.path("outbox").glob("*.eml"))]
    by_kind = {m["X-QA-Kind"]: m for m in mails}
    assert by_kind["good_practice"]["To"] == "rhys.apgwilym@example-trust.org.uk, zofia.kaminska@example-trust.org.uk"
    assert by_kind["good_practice"]["Cc"] == "qa.manager@example-trust.org.uk"
    assert by_kind["thank_you"]["To"] == "abena.mensah@example-trust.org.uk"
    assert [a.get_filename() for a in by_kind["thank_you"].iter_attachments()] == [letter.name]


BAD_FILES = {
    "notes.doc": bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 600,
    "scan.png": bytes.fromhex("89504E470D0A1A0A") + b"\0" * 100,
    "empty.docx": b"",
    "audit..v2 .. final..docx": b"not a zip at all",
    "Ffurflen archwilio ŵ.docx": None,  # a real form, half copied
}


def test_bad_files_are_rejected_with_reasons_and_the_batch_carries_on(ready: Settings) -> None:
    good = returned(ready, TPA, thematic_answers(), "good form.docx")
    for name, data in BAD_FILES.items():
        (ready.path("inbox") / name).write_bytes(data if data is not None else good.read_bytes()[:3000])
    report = ingest_paths(ready, [ready.path("inbox")])
    assert report.count("recorded") == 1 and report.count("rejected") == len(BAD_FILES)
    rejected = ready.path("rejected")
    for name in BAD_FILES:
        assert (rejected / name).exists()
    reasons = {p.name: p.read_text() for p in rejected.glob("*.reason.txt")}
    assert len(reasons) == len(BAD_FILES)
    assert "save it as 'Word Document (*.docx)'" in reasons["notes.doc.reason.txt"]
    assert "picture or scan" in reasons["scan.png.reason.txt"]
    rows = sheet(ready, "Rejected")
    assert {r["File"] for r in rows} == set(BAD_FILES)
    assert all(r["Reason"] for r in rows)
    assert not list(ready.path("inbox").iterdir())


def test_an_invalid_form_is_rejected_naming_what_to_fix(ready: Settings) -> None:
    answers = thematic_answers(assessment="", overall_grade="")
    returned(ready, TPA, answers, "incomplete.docx")
    report = ingest_paths(ready, [ready.path("inbox")])
    (outcome,) = report.outcomes
    assert outcome.status == "rejected"
    assert "'Assessment' is empty: choose from its list" in outcome.reason
    assert "'Overall grade' is empty" in outcome.reason
    assert (ready.path("rejected") / "incomplete.docx.reason.txt").exists()


def test_a_locked_register_keeps_everything_and_the_next_run_writes_it(ready: Settings) -> None:
    ready.path("register").parent.mkdir(parents=True, exist_ok=True)
    lock = ready.path("register").with_name("~$register.xlsx")
    lock.write_text("someone")
    returned(ready, TPA, thematic_answers(), "while-open.docx")
    report = ingest_paths(ready, [ready.path("inbox")])
    assert report.count("recorded") == 1 and "close it in Excel" in report.register_problem
    lock.unlink()
    ingest_paths(ready, [ready.path("inbox")])  # nothing new, but the register is written now
    assert [r["Form ID"] for r in sheet(ready, "Forms")] == ["2026-C09-TPA-001"]


def test_the_command_line_reports_in_plain_lines(ready: Settings, config_file: Path) -> None:
    returned(ready, TPA, thematic_answers(), "cli.docx")
    (ready.path("inbox") / "photo.jpg").write_bytes(bytes.fromhex("FFD8FFE000104A464946") + b"\0" * 64)
    result = subprocess.run([sys.executable, "run.py", "ingest", "--config", str(config_file)], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Processed 2 file(s)" in result.stdout and "1 recorded, 1 rejected" in result.stdout
    assert "rejected photo.jpg: this is a picture or scan" in result.stdout
    missing = subprocess.run([sys.executable, "run.py", "ingest", "nowhere", "--config", str(config_file)],
                             cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 3 and "nowhere: no such file or folder" in missing.stderr


def test_an_unmatched_form_with_case_details_is_recorded_and_flagged(ready: Settings) -> None:
    stranger = replace(TPA, form_id="2025-C03-TPA-044")
    returned(ready, stranger, thematic_answers(), "old cycle.docx")
    ingest_paths(ready, [ready.path("inbox")])
    (form,) = sheet(ready, "Forms")
    assert form["Form ID"] == "2025-C03-TPA-044" and form["Case ID"] == "CF2468101"
    assert str(form.get("Matched")).lower() in ("no", "false")


def test_a_blank_good_practice_record_anyone_fills_in_is_recorded_and_thanked(ready: Settings) -> None:
    from processors.generate.run import generate_blank

    summary = generate_blank(ready, "good_practice", 2, "2026-C09")
    first, second = sorted(f.path for r in summary.results for f in r.forms)
    assert first.name.endswith("_blank.docx")
    assert "sdtContentLocked" not in all_xml(first)  # the practitioner's details can be typed in
    answers = {**good_practice_answers(), "practitioner": "Rhys ap Gwilym", "team": "Corby CP 1",
               "team_manager": "Zofia Kamińska"}
    (ready.path("inbox") / "nomination.docx").write_bytes(fill_form(first.read_bytes(), answers))
    (ready.path("inbox") / "nameless.docx").write_bytes(fill_form(second.read_bytes(), good_practice_answers()))
    report = ingest_paths(ready, [ready.path("inbox")])
    by_name = {o.source.name: o for o in report.outcomes}
    assert by_name["nomination.docx"].status == "recorded"
    assert by_name["nameless.docx"].status == "rejected"
    assert "'Practitioner' is empty: fill it in" in by_name["nameless.docx"].reason
    letter = next(ready.path("letters").glob("*_thank_you.docx"))
    assert "Dear Rhys ap Gwilym" in all_xml(letter)


def test_an_edit_the_register_cannot_use_is_reported_not_lost(ready: Settings) -> None:
    returned(ready, TPA, thematic_answers(), "a.docx")
    ingest_paths(ready, [ready.path("inbox")])
    edit_first_row(ready, "Actions", {"Status": "Done-ish", "Notes": "Chased by phone"})
    returned(ready, GPR, good_practice_answers(), "gp.docx")
    report = ingest_paths(ready, [ready.path("inbox")])
    assert any("Done-ish" in w for w in report.register_warnings)
    assert any("Register edit not used" in line and "Done-ish" in line for line in report.summary_lines())
    (action,) = sheet(ready, "Actions")
    assert action["Notes"] == "Chased by phone" and action["Status"] == "Open"


def test_an_escalation_marked_resolved_in_the_register_stays_resolved(ready: Settings) -> None:
    from processors.chase.digest import open_escalations

    returned(ready, TPA, thematic_answers(immediate_concern="Yes", immediate_concern_details="No visit for 9 weeks.",
                                          escalation_route="IRO / CP Chair escalation (Care First)"), "c.docx")
    ingest_paths(ready, [ready.path("inbox")])
    with Store(ready.path("database")) as store:
        assert len(open_escalations(store.escalations(), date.today(), 42)) == 1
    edit_first_row(ready, "Escalations", {"Resolved on": "02/12/2026",
                                          "Outcome": "Visit made; plan reviewed by the IRO"})
    returned(ready, GPR, good_practice_answers(), "gp.docx")
    ingest_paths(ready, [ready.path("inbox")])  # the register is rewritten from the store
    (row,) = sheet(ready, "Escalations")
    assert row["Resolved on"].date() == date(2026, 12, 2)
    assert row["Outcome"] == "Visit made; plan reviewed by the IRO"
    with Store(ready.path("database")) as store:
        (escalation,) = store.escalations()
        assert escalation.resolved_on == date(2026, 12, 2) and not escalation.is_open
        assert open_escalations(store.escalations(), date.today(), 42) == ()
