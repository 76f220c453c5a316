"""Emailing reports: a real SMTP server on loopback receives them, every send (and every refusal) is recorded
in the store's sent table and in the register's Sent sheet."""

from __future__ import annotations

import email
import email.policy
import io
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from processors.config.reports import ReportRecipients, ReportSettings
from processors.config.settings import Settings, load_settings
from processors.reports.runner import run_reports
from processors.store.database import Store
from tests.conftest import write_config
from tests.smtp_server import smtp_server
from tests.test_reports import Q3, TODAY, build_dataset

SLT = "slt@example-trust.org.uk"
SMT = "qa.manager@example-trust.org.uk"
MANAGER = "service.one@example-trust.org.uk"
STAFF = "all.staff@example-trust.org.uk"


def prepared(tmp_path: Path, slt: tuple[str, ...] = (SLT,), **email_config: object) -> tuple[Settings, tuple]:
    settings = load_settings(write_config(tmp_path, **({"email": email_config} if email_config else {})))
    with Store(settings.path("database")) as store:
        data = build_dataset(store)
    recipients = ReportRecipients(slt=slt, smt=(SMT,), services={data.services[0].upper(): (MANAGER,)},
                                  briefing=(STAFF,))
    options = ReportSettings(recipients=recipients, pdf=False)
    return settings.model_copy(update={"reports": options}), data.services


def sent_rows(settings: Settings) -> list[tuple]:
    with Store(settings.path("database")) as store:
        return store.query("SELECT kind, subject, recipients, attachments, backend, result, detail FROM sent "
                           "ORDER BY id")


def test_reports_arrive_over_smtp_with_their_attachments(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        settings, services = prepared(tmp_path, backend="smtp",
                                      smtp={"host": "127.0.0.1", "port": port, "starttls": False})
        run = run_reports(settings, Q3, None, None, send=True, today=TODAY)
    by_subject = {m["Subject"].strip(): (m, rcpt) for m, (_, rcpt) in zip(inbox.messages, inbox.envelopes)}
    assert len(inbox.messages) == len(run.sent) == 4  # SLT, the Neglect theme, one service, the briefing
    message, rcpt = by_subject["Quarterly QA report 2026-Q3: Senior Leadership Team"]
    assert rcpt == [SLT] and message["X-QA-Kind"] == "report"
    assert "12 of 14 audits, observations and supervision audits due were completed (86%)" in \
        message.get_body(("plain",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "2026-Q3_QA_report_SLT.docx"
    received = Document(io.BytesIO(attachment.get_content()))
    assert received.paragraphs[0].text == "Quarterly Quality Assurance Report"
    assert attachment.get_content() == run.docx[0].read_bytes()
    _, rcpt = by_subject[f"Quarterly QA report 2026-Q3: {services[0]}"]
    assert rcpt == [MANAGER]  # service recipients matched whatever the case in config
    assert by_subject["Learning briefing note: September 2026"][1] == [STAFF]
    assert any(f"2026-Q3_QA_report_{services[1].replace(' ', '-')}.docx" in p for p in run.problems)

    rows = sent_rows(settings)
    assert [r[5] for r in rows] == ["sent"] * 4 and {r[4] for r in rows} == {"smtp"}
    assert rows[0][:4] == ("report", "Quarterly QA report 2026-Q3: Senior Leadership Team", SLT,
                           "2026-Q3_QA_report_SLT.docx")
    assert rows[-1][0] == "briefing" and rows[0][6] == f"127.0.0.1:{port}"
    sheet = load_workbook(settings.path("register"))["Sent"]
    table = list(sheet.iter_rows(values_only=True))
    assert table[0] == ("Sent at", "Kind", "Subject", "Recipients", "Attachments", "Backend", "Result")
    assert [r[6] for r in table[1:]] == ["sent"] * 4 and table[1][2] == rows[0][1]


def test_refused_recipients_are_recorded_and_the_rest_still_go_to_the_outbox(tmp_path: Path) -> None:
    settings, _ = prepared(tmp_path, slt=(SLT, "leader@gmail.com"))
    run = run_reports(settings, Q3, "Neglect", None, send=False, today=TODAY)
    assert not run.sent and not sent_rows(settings)  # nothing is sent without --send

    run = run_reports(settings, Q3, None, None, send=True, today=TODAY)
    rows = sent_rows(settings)
    slt = next(r for r in rows if r[1] == "Quarterly QA report 2026-Q3: Senior Leadership Team")
    assert slt[5].startswith("failed: refused to send") and "leader@gmail.com" in slt[5]
    assert sum(r[5] == "sent" for r in rows) == 3 == len(run.sent)
    assert any("was not sent" in p and "gmail.com" in p for p in run.problems)
    emails = sorted(settings.path("outbox").glob("*.eml"))
    assert len(emails) == 3
    parsed = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in emails]
    assert all("gmail.com" not in m["To"] for m in parsed)
    assert {a.get_filename() for m in parsed for a in m.iter_attachments()} >= {"2026-09_learning_briefing.docx"}
