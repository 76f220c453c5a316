"""Returns by email: forms attached to mail in the QA mailbox (a real IMAP server on loopback) go through intake."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from processors.config.settings import PROJECT_ROOT, Settings, load_settings
from processors.demo.fill import fill_form
from processors.generate.forms import FormGenerator
from processors.intake.pipeline import Pipeline
from processors.store.database import Store
from tests.conftest import write_config
from tests.imap_server import PASSWORD, USER, ImapServer, imap_server, mail
from tests.returned_forms import TPA, thematic_answers
from watchers.mailbox import MailboxWatcher

AUDITOR = "niamh.oconnor@example-trust.org.uk"
ITEM = replace(TPA, auditor_email=AUDITOR)
DONE = "QA returns done"


@pytest.fixture(scope="module")
def server() -> Iterator[ImapServer]:
    with imap_server() as running:
        yield running


@pytest.fixture
def mailbox_settings(tmp_path: Path, server: ImapServer, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("QA_IMAP_USERNAME", USER)
    monkeypatch.setenv("QA_IMAP_PASSWORD", PASSWORD)
    with server.client() as client:  # every test starts with an empty mailbox
        for folder in ("INBOX", DONE):
            if client.folder_exists(folder):
                client.select_folder(folder)
                client.delete_messages(client.search(["ALL"]))
                client.expunge()
    config = write_config(tmp_path, mailbox={"source": "imap", "imap_host": "127.0.0.1", "imap_port": server.port,
                                             "imap_ssl": False, "poll_seconds": 1})
    settings = load_settings(config)
    with Store(settings.path("database")) as store:
        store.add_work_items([ITEM])
    return settings


def form_bytes(settings: Settings, **changes: object) -> bytes:
    return fill_form(FormGenerator(settings.path("templates"), "Trust", 14).render(ITEM), thematic_answers(**changes))


def outbox(settings: Settings) -> list[EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(settings.path("outbox").glob("*.eml"))]


def poll(settings: Settings) -> int:
    with Store(settings.path("database")) as store:
        return MailboxWatcher(settings, Pipeline(settings, store)).poll()


def test_a_form_replied_by_its_auditor_is_recorded_answered_and_the_mail_filed(
        mailbox_settings: Settings, server: ImapServer) -> None:
    server.deliver(mail(f"Niamh O'Connor <{AUDITOR}>", "RE: Your QA forms for cycle 2026-C09",
                        {"my audit.docx": form_bytes(mailbox_settings)}))
    assert poll(mailbox_settings) == 1
    with Store(mailbox_settings.path("database")) as store:
        assert store.form(ITEM.form_id) is not None
    assert [p.name for p in mailbox_settings.path("processed").iterdir()] == ["my audit.docx"]
    assert server.count("INBOX") == 0 and server.count(DONE) == 1
    (reply,) = [m for m in outbox(mailbox_settings) if m["X-QA-Kind"] == "mail_reply"]
    assert reply["To"] == AUDITOR and reply["Subject"] == "RE: Your QA forms for cycle 2026-C09"
    assert f"recorded as form {ITEM.form_id}" in reply.get_body(("plain",)).get_content()
    assert poll(mailbox_settings) == 0  # read once: the message has left the watched folder


def test_a_form_sent_by_someone_else_is_held_not_recorded_and_both_are_told(
        mailbox_settings: Settings, server: ImapServer) -> None:
    server.deliver(mail("sam.taylor@example-trust.org.uk", "Fwd: audit", {"audit.docx": form_bytes(mailbox_settings)}))
    poll(mailbox_settings)
    with Store(mailbox_settings.path("database")) as store:
        assert store.form(ITEM.form_id) is None
        assert "allocated to Niamh O'Connor" in store.rejections()[0].reason
    held = mailbox_settings.path("held")
    assert sorted(p.name for p in held.iterdir()) == ["audit.docx", "audit.docx.reason.txt"]
    (reply,) = outbox(mailbox_settings)
    assert reply["To"] == "sam.taylor@example-trust.org.uk" and reply["Cc"] == "qa.admin@example-trust.org.uk"
    assert "kept for the QA administrator" in reply.get_body(("plain",)).get_content()


def test_a_form_from_outside_the_trust_is_held_and_nothing_is_sent_outside(
        mailbox_settings: Settings, server: ImapServer) -> None:
    server.deliver(mail("someone@elsewhere.example", "audit", {"audit.docx": form_bytes(mailbox_settings)}))
    poll(mailbox_settings)
    assert (mailbox_settings.path("held") / "audit.docx").exists()
    assert outbox(mailbox_settings) == [] or all("elsewhere" not in str(m["To"]) for m in outbox(mailbox_settings))
    assert server.count(DONE) == 1


def test_mail_without_a_form_gets_one_polite_reply_and_auto_replies_get_none(
        mailbox_settings: Settings, server: ImapServer) -> None:
    server.deliver(mail(AUDITOR, "Question about my audit", {"signature.png": b"\x89PNG"}))
    server.deliver(mail("niamh.oconnor@example-trust.org.uk", "Automatic reply: out of office",
                        Auto_Submitted="auto-replied"))
    assert poll(mailbox_settings) == 2
    assert poll(mailbox_settings) == 0
    (reply,) = outbox(mailbox_settings)
    text = reply.get_body(("plain",)).get_content()
    assert reply["Subject"] == "Re: Question about my audit" and "no QA form attached" in text


def test_a_rejected_form_by_email_is_answered_with_the_reason(mailbox_settings: Settings, server: ImapServer) -> None:
    server.deliver(mail(AUDITOR, "audit", {"audit.docx": form_bytes(mailbox_settings, overall_grade=""),
                                           "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)}))
    poll(mailbox_settings)
    assert sorted(p.name for p in mailbox_settings.path("rejected").glob("*.docx")) == ["audit.docx"]
    (reply,) = outbox(mailbox_settings)
    text = reply.get_body(("plain",)).get_content()
    assert "audit.docx: could not be recorded, because" in text and "Overall grade" in text
    assert "old.doc: could not be recorded" in text


def test_watch_once_reads_the_mailbox_from_the_command_line(tmp_path: Path, server: ImapServer) -> None:
    config = write_config(tmp_path, mailbox={"source": "imap", "imap_host": "127.0.0.1", "imap_port": server.port,
                                             "imap_ssl": False})
    settings = load_settings(config)
    with Store(settings.path("database")) as store:
        store.add_work_items([ITEM])
    server.deliver(mail(AUDITOR, "my form", {"form.docx": form_bytes(settings)}))
    env = {**os.environ, "QA_IMAP_USERNAME": USER, "QA_IMAP_PASSWORD": PASSWORD}
    run = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "watch", "--once", "--config", str(config)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    with Store(settings.path("database")) as store:
        assert store.form(ITEM.form_id) is not None


def test_missing_mailbox_credentials_stop_watch_with_one_line(tmp_path: Path, server: ImapServer) -> None:
    config = write_config(tmp_path, mailbox={"source": "imap", "imap_host": "127.0.0.1", "imap_port": server.port,
                                             "imap_ssl": False})
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_IMAP")}
    run = subprocess.run([sys.executable, str(PROJECT_ROOT / "run.py"), "watch", "--once", "--config", str(config)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and "QA_IMAP_USERNAME" in run.stderr
