"""Intake never lets the wrong copy win: a damaged file, an older save arriving later, someone else's form."""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta

import openpyxl
import pytest

from processors.config.settings import Settings
from processors.demo.fill import fill_form
from processors.forms.models import WorkItem
from processors.generate.forms import FormGenerator
from processors.intake.run import ingest_paths
from processors.mail.directory import Person, StaffDirectory
from processors.store.database import Store
from tests.docx_edit import corrupt_member
from tests.returned_forms import CASE, GPR, TPA, thematic_answers

SAVED = datetime(2026, 11, 20, 9, 30)


@pytest.fixture
def ready(settings: Settings) -> Settings:
    with Store(settings.path("database")) as store:
        store.add_work_items([TPA, GPR])
    StaffDirectory([Person("Zofia Kamińska", "zofia.kaminska@example-trust.org.uk")]).save(settings.path("staff"))
    settings.path("inbox").mkdir(parents=True)
    return settings


def form_bytes(settings: Settings, answers: dict[str, object], saved_at: datetime | None = None) -> bytes:
    return fill_form(FormGenerator(settings.path("templates"), "Trust", 14).render(TPA), answers, saved_at=saved_at)


def current(settings: Settings, form_id: str = "2026-C09-TPA-001"):  # noqa: ANN201 - a FormRecord
    with Store(settings.path("database")) as store:
        return store.form(form_id), store.form_versions(form_id)


def test_the_correction_saved_last_stays_current_whichever_copy_is_read_last(ready: Settings) -> None:
    inbox = ready.path("inbox")
    (inbox / "2026-C09-TPA-001 returned.docx").write_bytes(form_bytes(ready, thematic_answers(), SAVED))
    corrected = thematic_answers(strengths="Visits on time (corrected after discussion).")
    (inbox / "2026-C09-TPA-001 returned v2.docx").write_bytes(form_bytes(ready, corrected, SAVED + timedelta(hours=3)))
    report = ingest_paths(ready, [inbox])  # by name, 'returned v2.docx' is read first
    assert [(o.source.name, o.status) for o in report.outcomes] == [
        ("2026-C09-TPA-001 returned v2.docx", "recorded"), ("2026-C09-TPA-001 returned.docx", "older copy")]
    assert any("an older copy than the one recorded" in w for w in report.outcomes[1].warnings)
    form, versions = current(ready)
    assert form is not None and "corrected after discussion" in str(form.values["strengths"])
    assert len(versions) == 2  # the older copy is kept in the history
    assert any("older copy" in line for line in report.summary_lines())
    assert len(list(ready.path("processed").iterdir())) == 2


def without_core_properties(docx: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "docProps/core.xml":
                out.writestr(info.filename, source.read(info))
    return buffer.getvalue()


def test_without_a_saved_time_in_the_document_the_file_time_decides(ready: Settings) -> None:
    inbox = ready.path("inbox")
    newer, older = inbox / "a.docx", inbox / "b.docx"
    newer.write_bytes(without_core_properties(form_bytes(ready, thematic_answers(overall_grade="Inadequate"))))
    older.write_bytes(without_core_properties(form_bytes(ready, thematic_answers())))
    stamp = datetime(2026, 11, 20, 12).timestamp()
    os.utime(newer, (stamp, stamp))
    os.utime(older, (stamp - 3600, stamp - 3600))
    report = ingest_paths(ready, [inbox])
    assert [o.status for o in report.outcomes] == ["recorded", "older copy"]
    form, _ = current(ready)
    assert form is not None and form.overall_grade == "Inadequate"


def test_a_damaged_part_is_rejected_and_the_good_copy_stays_current(ready: Settings) -> None:
    inbox = ready.path("inbox")
    (inbox / "good.docx").write_bytes(form_bytes(ready, thematic_answers()))
    ingest_paths(ready, [inbox])
    damaged = corrupt_member(form_bytes(ready, thematic_answers(overall_grade="Inadequate")), "word/styles.xml")
    (inbox / "damaged.docx").write_bytes(damaged)
    report = ingest_paths(ready, [inbox])
    (outcome,) = report.outcomes
    assert outcome.status == "rejected"
    assert "damaged" in outcome.reason and "ask the sender to send it again" in outcome.reason
    form, versions = current(ready)
    assert form is not None and form.overall_grade == "Good" and len(versions) == 1
    assert (ready.path("rejected") / "damaged.docx.reason.txt").exists()


POB = WorkItem("practice_observation", replace(CASE, case_id="CF1357913"), "2026-C09", form_id="2026-C09-POB-001",
               auditor="Niamh O'Connor")


def sheet(settings: Settings, name: str) -> list[dict[str, object]]:
    rows = list(openpyxl.load_workbook(settings.path("register"))[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


@pytest.mark.parametrize(("carried", "changes", "expected"), [
    (replace(TPA, case=replace(CASE, case_id="CF9999999")), {}, "its 'Case ID' is not the one allocated "
                                                                "('CF9999999', not 'CF2468101')"),
    (replace(TPA, case=replace(CASE, practitioner="Someone Else")), {}, "its 'Practitioner' is not the one allocated"),
    (replace(TPA, form_id="2026-C09-POB-001"), {}, "2026-C09-POB-001 was issued as the form type 'Observation of "
                                                   "Practice', but this file is the form type 'Thematic Peer Audit'"),
])
def test_a_form_carrying_another_forms_reference_is_held_not_recorded(ready: Settings, carried: WorkItem,
                                                                      changes: dict[str, object],
                                                                      expected: str) -> None:
    with Store(ready.path("database")) as store:
        store.add_work_items([POB])
    inbox = ready.path("inbox")
    (inbox / "mine.docx").write_bytes(form_bytes(ready, thematic_answers()))
    ingest_paths(ready, [inbox])
    before = {f.form_id: (f.version, f.overall_grade) for f in Store(ready.path("database")).forms()}
    generator = FormGenerator(ready.path("templates"), "Trust", 14)
    (inbox / "other.docx").write_bytes(fill_form(generator.render(carried),
                                                 thematic_answers(overall_grade="Inadequate", **changes)))
    report = ingest_paths(ready, [inbox])
    (outcome,) = report.outcomes
    assert outcome.status == "held"
    assert outcome.reason.startswith("reference does not match its case: it carries the reference "
                                     f"{carried.form_id}") and expected in outcome.reason
    with Store(ready.path("database")) as store:
        assert {f.form_id: (f.version, f.overall_grade) for f in store.forms()} == before
    held = ready.path("held") / "other.docx"
    assert held.exists() and "Held:" in (ready.path("held") / "other.docx.reason.txt").read_text(encoding="utf-8")
    assert not (inbox / "other.docx").exists()
    (row,) = sheet(ready, "Rejected")
    assert row["File"] == "other.docx" and "reference does not match its case" in str(row["Reason"])
    assert any(line.startswith("  held other.docx: reference does not match") for line in report.summary_lines())


def test_a_matching_return_still_supersedes(ready: Settings) -> None:
    inbox = ready.path("inbox")
    (inbox / "first.docx").write_bytes(form_bytes(ready, thematic_answers()))
    ingest_paths(ready, [inbox])
    (inbox / "second.docx").write_bytes(form_bytes(ready, thematic_answers(overall_grade="Inadequate")))
    assert [o.status for o in ingest_paths(ready, [inbox]).outcomes] == ["superseded"]
