"""Safeguarding first (QAF 5.4, 5.5): a concern on any returned file raises its alert, routed to the right people.

Emails are read back from a real SMTP server on loopback; the register is read as a person would open it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from processors.allocation.caselist import write_pool
from processors.config.settings import Settings
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.routing import IRO_ROUTE, SERVICE_MANAGER_ROUTE
from processors.intake.run import ingest_paths
from processors.mail.directory import Person
from tests.returned_forms import TPA, thematic_answers
from tests.smtp_server import Inbox, smtp_office
from tests.test_ingest import returned

DOMAIN = "example-trust.org.uk"
EARLY = Case("CF3000001", "E.H.", 6, "Early Help", "Early Help", "Early Help Team 1", "Ewa Earlyworker",
             "Tess Teamlead")
EH_ITEM = WorkItem("thematic_audit", EARLY, "2026-C09", form_id="2026-C09-TPA-002", auditor="Niamh O'Connor",
                   theme="Neglect")
POOL = [
    Auditor("AUD010", "Sam Service", "Service Manager", "Safeguarding and Family Support", "SFS Service",
            f"sam.service@{DOMAIN}"),
    Auditor("AUD011", "Erin Early", "Service Manager", "Early Help", "Early Help Service", f"erin.early@{DOMAIN}"),
]


@pytest.fixture
def mail(tmp_path: Path) -> Iterator[tuple[Settings, Inbox]]:
    staff = [Person("Niamh O'Connor", f"niamh.oconnor@{DOMAIN}"), Person("Zofia Kamińska", f"zofia.kaminska@{DOMAIN}")]
    write_pool(tmp_path / "pool.csv", POOL)
    with smtp_office(tmp_path, staff, [TPA, EH_ITEM]) as (settings, inbox):
        yield settings.model_copy(update={"chase": settings.chase.model_copy(
            update={"pool_file": tmp_path / "pool.csv"})}), inbox


def alerts(inbox: Inbox) -> list:
    return [m for m in inbox.messages if m["X-QA-Kind"] == "escalation"]


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def escalations(settings: Settings) -> list[dict[str, object]]:
    rows = list(openpyxl.load_workbook(settings.path("register"))["Escalations"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[0]]


def test_a_rejected_form_that_says_yes_to_a_concern_raises_the_alert_at_once(mail) -> None:
    settings, inbox = mail
    path = returned(settings, TPA, thematic_answers(immediate_concern="Yes", overall_grade="",
                                                    immediate_concern_details="Child seen with bruising"), "a.docx")
    report = ingest_paths(settings, [path])
    assert report.count("rejected") == 1
    (alert,) = alerts(inbox)
    assert "rejected form" in str(alert["Subject"]) and TPA.form_id in str(alert["Subject"])
    text = body(alert)
    assert "This form was also rejected because" in text and "'Overall grade' is empty" in text
    assert "Child seen with bruising" in text and "Case ID:      CF2468101" in text
    assert "R.T." not in text                                      # the case by ID, never the child
    assert {f"sam.service@{DOMAIN}", "qa.manager@example-trust.org.uk"} <= set(alert["To"].addresses[i].addr_spec
                                                                             for i in range(len(alert["To"].addresses)))
    (row,) = escalations(settings)
    assert row["Form ID"] == TPA.form_id and row["Alert sent"] is not None
    assert "'Overall grade' is empty" in row["Form rejected because"]
    assert "no escalation route is given" in row["Route check"]   # the route was missing too


def test_the_same_rejected_file_again_raises_no_second_alert_and_a_corrected_form_takes_over(mail) -> None:
    settings, inbox = mail
    answers = thematic_answers(immediate_concern="Yes", immediate_concern_details="Child seen with bruising")
    path = returned(settings, TPA, answers, "a.docx")
    kept = path.read_bytes()
    ingest_paths(settings, [path])
    path.write_bytes(kept)
    ingest_paths(settings, [path])
    assert len(alerts(inbox)) == 1
    fixed = returned(settings, TPA, {**answers, "escalation_route": IRO_ROUTE}, "b.docx")
    assert ingest_paths(settings, [fixed]).count("recorded") == 1
    (row,) = escalations(settings)                                  # one row for the form, now its recorded one
    assert row["Form ID"] == TPA.form_id and row["Version"] == 1 and not row["Form rejected because"]


def _damage(docx: bytes, member: str = "word/document.xml", marker: bytes = b"Visits on time") -> bytes:
    """The same package with one member's stored bytes changed, so its CRC no longer matches."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            kind = zipfile.ZIP_STORED if info.filename == member else zipfile.ZIP_DEFLATED
            target.writestr(info.filename, data, compress_type=kind)
    raw = bytearray(out.getvalue())
    at = bytes(raw).index(marker)
    raw[at] = ord("W")                   # 'Wisits on time': the CRC no longer matches
    return bytes(raw)


def test_a_damaged_but_readable_file_with_a_concern_still_raises_the_alert(mail) -> None:
    settings, inbox = mail
    path = returned(settings, TPA, thematic_answers(immediate_concern="Yes", escalation_route=IRO_ROUTE,
                                                    immediate_concern_details="Child left alone overnight"), "d.docx")
    path.write_bytes(_damage(path.read_bytes()))
    report = ingest_paths(settings, [path])
    assert report.count("rejected") == 1
    (alert,) = alerts(inbox)
    text = body(alert)
    assert "Child left alone overnight" in text and "This form was also rejected because" in text
    (row,) = escalations(settings)
    assert str(row["Form ID"]).startswith("REJECTED-") and row["Form rejected because"]


def test_a_rejected_form_without_a_concern_raises_no_alert(mail) -> None:
    settings, inbox = mail
    ingest_paths(settings, [returned(settings, TPA, thematic_answers(overall_grade=""), "a.docx")])
    assert alerts(inbox) == [] and escalations(settings) == []


def test_an_early_help_concern_sent_down_the_iro_route_is_flagged_and_goes_to_early_help(mail) -> None:
    settings, inbox = mail
    path = returned(settings, EH_ITEM, thematic_answers(immediate_concern="Yes", escalation_route=IRO_ROUTE,
                                                        immediate_concern_details="Parent intoxicated"), "e.docx")
    assert ingest_paths(settings, [path]).count("recorded") == 1
    (alert,) = alerts(inbox)
    assert "ROUTE MISMATCH" in str(alert["Subject"])
    assert f"QAF 5.4 expects '{SERVICE_MANAGER_ROUTE}'" in body(alert)
    assert f"erin.early@{DOMAIN}" in str(alert["To"]) and f"sam.service@{DOMAIN}" not in str(alert["To"])
    (row,) = escalations(settings)
    assert "ROUTE MISMATCH" in row["Route check"]


def test_every_form_type_that_can_raise_a_concern_asks_for_the_route() -> None:
    from processors.forms.definitions import FORM_TYPES

    for definition in FORM_TYPES.values():
        keys = {f.key for f in definition.fields}
        if definition.key == "young_inspector_feedback":  # a young person says what worried them; the managers
            assert "escalation_route" not in keys            # alerted choose the route (the alert names it)
            continue
        if "immediate_concern" in keys:
            route = definition.field("escalation_route")
            assert route.required_if == ("immediate_concern", "Yes"), definition.key
            assert IRO_ROUTE in route.choices and SERVICE_MANAGER_ROUTE in route.choices


def test_route_rule_follows_legal_status() -> None:
    from processors.forms.routing import route_problem

    assert route_problem("Child Protection", IRO_ROUTE) == ""
    assert route_problem("Child Looked After", IRO_ROUTE) == ""
    assert route_problem("Early Help", SERVICE_MANAGER_ROUTE) == ""
    assert "expects 'IRO / CP Chair" in route_problem("Child Protection", SERVICE_MANAGER_ROUTE)
    assert "no escalation route is given" in route_problem("Early Help", "")
