"""Returns by email through Microsoft Graph: the QA mailbox's messages and attachments (against the faithful fake)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

import pytest

from processors.config.settings import Settings, load_settings
from processors.demo.fill import fill_form
from processors.generate.forms import FormGenerator
from processors.graph.client import GraphClient
from processors.intake.pipeline import Pipeline
from processors.mail.graph_box import GraphMailbox
from processors.store.database import Store
from tests.conftest import write_config
from tests.fake_graph import DRIVE, MAILBOX, MAILBOX_UPN, FakeGraph, fake_graph, token_backend
from tests.returned_forms import TPA, thematic_answers
from tests.test_graph_mail import ENV
from watchers.mailbox import MailboxWatcher

AUDITOR = "niamh.oconnor@example-trust.org.uk"
ITEM = replace(TPA, auditor_email=AUDITOR)
DONE = "QA returns done"


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with fake_graph() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, fake: FakeGraph) -> Settings:
    config = write_config(tmp_path, email={"graph": {"base_url": fake.base_url, "mailbox": MAILBOX,
                                                     "mailbox_user": MAILBOX_UPN, "drive_id": DRIVE}},
                          mailbox={"source": "graph", "done_folder": DONE})
    loaded = load_settings(config)
    with Store(loaded.path("database")) as store:
        store.add_work_items([ITEM])
    return loaded


def mailbox(settings: Settings) -> AbstractContextManager[GraphMailbox]:
    return GraphMailbox(GraphClient.from_settings(settings, token_backend=token_backend(), environ=ENV), settings)


def poll(settings: Settings) -> int:
    with Store(settings.path("database")) as store:
        return MailboxWatcher(settings, Pipeline(settings, store), lambda: mailbox(settings)).poll()


def form_bytes(settings: Settings) -> bytes:
    return fill_form(FormGenerator(settings.path("templates"), "Trust", 14).render(ITEM), thematic_answers())


def replies(settings: Settings) -> list[EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(settings.path("outbox").glob("*-mail_reply-*.eml"))]


def test_a_form_emailed_to_the_qa_mailbox_is_recorded_and_the_message_filed(settings: Settings,
                                                                            fake: FakeGraph) -> None:
    fake.deliver(AUDITOR, "RE: your QA forms", {"audit.docx": form_bytes(settings), "logo.png": b"\x89PNG"})
    assert poll(settings) == 1
    with Store(settings.path("database")) as store:
        assert store.form(ITEM.form_id) is not None
    assert fake.mail_in("inbox") == [] and fake.mail_in(DONE) == ["RE: your QA forms"]
    (reply,) = replies(settings)
    assert f"recorded as form {ITEM.form_id}" in reply.get_body(("plain",)).get_content()
    listed = fake.requests_to("list-messages")[0]
    assert "/users/" + MAILBOX_UPN in listed.path  # addressed by its sign-in name, as user-list-messages.md says
    assert poll(settings) == 0


def test_an_auto_reply_is_filed_but_never_answered(settings: Settings, fake: FakeGraph) -> None:
    fake.deliver(AUDITOR, "Automatic reply: away", {}, headers={"Auto-Submitted": "auto-replied"})
    assert poll(settings) == 1 and replies(settings) == [] and fake.mail_in(DONE) == ["Automatic reply: away"]


def test_the_fake_answers_an_email_address_used_as_the_user_with_404_invalid_user(settings: Settings,
                                                                                   fake: FakeGraph) -> None:
    wrong = settings.model_copy(update={"email": settings.email.model_copy(update={
        "graph": settings.email.graph.model_copy(update={"mailbox_user": ""})})})
    fake.deliver(AUDITOR, "form", {"audit.docx": form_bytes(settings)})
    with pytest.raises(Exception, match="ErrorInvalidUser|user principal name"), mailbox(wrong) as box:
        box.new_messages()
