"""The allocation email: where to return forms, only the reminders that auditor needs, counts in words, and a
plain-text and an HTML part (as every email has)."""

from __future__ import annotations

import email
from datetime import date
from email import policy
from pathlib import Path

from processors.allocation.mail import allocation_messages
from processors.config.settings import Returns
from processors.forms.models import Case, WorkItem
from processors.mail.mailer import Message, OutboxMailer

CASE = Case("CF4000004", "M.N.", 10, "Child in Need", "Early Help", "East Team 3", "Pat Example", "Lee Sample")
LIBRARY = "https://example-trust.sharepoint.com/sites/QA/QA%20Returns"


def work(form_id: str, form_type: str, auditor: str) -> WorkItem:
    return WorkItem(form_type, CASE, "2025-C4", form_id, auditor.title(), f"{auditor}@example-trust.org.uk",
                    due_date=date(2025, 7, 4))


def sent(message: Message, folder: Path) -> email.message.EmailMessage:
    path = Path(OutboxMailer(folder, "qa-forms@example-trust.org.uk").send(message).detail)
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_each_auditor_hears_only_about_their_work_and_where_to_return_it(tmp_path: Path) -> None:
    items = [work("2025-C4-SFA-001", "supervision_audit", "robin"),
             work("2025-C4-TPA-001", "thematic_audit", "sasha"), work("2025-C4-TPA-002", "thematic_audit", "sasha")]
    returns = Returns(folder="QA Returns (synced OneDrive folder)", web_address=LIBRARY)
    messages, problems = allocation_messages(items, {}, "Example Trust", returns)
    robin, sasha = sorted(messages, key=lambda m: m.to)
    assert problems == []
    assert robin.subject == "QA cycle 2025-C4: 1 form to complete" and "1 form," in robin.body
    assert sasha.subject == "QA cycle 2025-C4: 2 forms to complete" and "(s)" not in sasha.body
    assert "Supervision file audits" in robin.body and "Thematic" not in robin.body and "QAF 5.2" not in robin.body
    assert "Thematic peer audits" in sasha.body and "Supervision" not in sasha.body
    for message in messages:
        assert "QA Returns (synced OneDrive folder)" in message.body and LIBRARY in message.body
        assert "reply to this email" not in message.body

    mail = sent(sasha, tmp_path)
    plain, html = mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()
    assert "2025-C4-TPA-002" in plain and "2025-C4-TPA-002" in html
    assert f'<a href="{LIBRARY}">' in html and "<li>" in html


def test_reply_by_email_is_offered_only_when_config_says_so(tmp_path: Path) -> None:
    item = [work("2025-C4-OBS-001", "practice_observation", "kim")]
    (off,), _ = allocation_messages(item, {}, "Example Trust", Returns())
    (on,), _ = allocation_messages(item, {}, "Example Trust", Returns(by_email=True))
    assert "reply to this email" not in off.body and "Quality Assurance team by its due date" in off.body
    assert "reply to this email with the form attached" in on.body
    assert "Observations of practice" in on.body


def test_every_email_has_a_plain_and_an_html_part(tmp_path: Path) -> None:
    message = Message(("qa.manager@example-trust.org.uk",), "Escalation TPA-1", "Line one & <two>\n\nSecond paragraph")
    mail = sent(message, tmp_path)
    assert mail.get_body(("plain",)).get_content().startswith("Line one & <two>")
    html = mail.get_body(("html",)).get_content()
    assert "<p>Line one &amp; &lt;two&gt;</p>" in html and "<p>Second paragraph</p>" in html
