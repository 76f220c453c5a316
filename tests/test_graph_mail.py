"""Email through Microsoft Graph, against a loopback server that checks requests as Graph's docs describe."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from processors.config.settings import Settings, load_settings
from processors.errors import ConfigError, DeliveryError
from processors.graph.client import GraphClient, GraphProtocol
from processors.intake.pipeline import Pipeline
from processors.mail.graph import GraphMailer
from processors.mail.message import CheckedMailer, Message
from processors.store.database import Store
from tests.conftest import write_config
from tests.fake_graph import (
    CLIENT_ID,
    DRIVE,
    MAILBOX,
    MAILBOX_ID,
    MAILBOX_UPN,
    MAX_REQUEST,
    TENANT,
    TOKEN,
    FakeGraph,
    fake_graph,
    token_backend,
)
from tests.test_sharepoint import FIRST, returned, thematic_answers

ENV = {"QA_GRAPH_TENANT_ID": TENANT, "QA_GRAPH_CLIENT_ID": CLIENT_ID, "QA_GRAPH_CLIENT_SECRET": "not-a-real-secret"}


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with fake_graph() as server:
        yield server


@pytest.fixture
def graph_settings(tmp_path: Path, fake: FakeGraph) -> Settings:
    return load_settings(write_config(tmp_path, email={
        "backend": "graph", "graph": {"base_url": fake.base_url, "mailbox": MAILBOX, "mailbox_user": MAILBOX_UPN,
                                      "drive_id": DRIVE}}))


def mailer(settings: Settings, **options: object) -> GraphMailer:
    client = GraphClient.from_settings(settings, token_backend=token_backend(), environ=ENV, **options)
    return GraphMailer(client, settings.email.graph.mailbox, user=settings.email.graph.mailbox_user)


def letter(tmp_path: Path, size: int = 0, name: str = "2026-C09-GPR-001_thank_you.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(os.urandom(size) if size else b"PK\x03\x04 a small letter")
    return path


def test_send_mail_posts_the_documented_message_shape(graph_settings: Settings, fake: FakeGraph,
                                                      tmp_path: Path) -> None:
    attachment = letter(tmp_path)
    message = Message(to=("abena.mensah@example-trust.org.uk",), cc=("qa.manager@example-trust.org.uk",),
                      subject="Thank you – good practice", body="Diolch yn fawr.\nThe QA team",
                      attachments=(attachment,), kind="thank_you")
    result = mailer(graph_settings).send(message)
    assert result.backend == "graph" and fake.problems == []
    (request,) = fake.requests_to("sendMail")
    assert request.path == f"/v1.0/users/{MAILBOX_UPN}/sendMail"  # user-sendmail.md: id or userPrincipalName
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    body = request.json()
    assert body["saveToSentItems"] is True
    sent = body["message"]
    assert sent["subject"] == "Thank you – good practice"
    assert sent["body"] == {"contentType": "Text", "content": "Diolch yn fawr.\nThe QA team"}
    assert sent["toRecipients"] == [{"emailAddress": {"address": "abena.mensah@example-trust.org.uk"}}]
    assert sent["ccRecipients"] == [{"emailAddress": {"address": "qa.manager@example-trust.org.uk"}}]
    assert sent["internetMessageHeaders"] == [{"name": "X-QA-Kind", "value": "thank_you"}]
    (file_attachment,) = sent["attachments"]
    assert file_attachment["@odata.type"] == "#microsoft.graph.fileAttachment"
    assert file_attachment["name"] == attachment.name
    assert file_attachment["contentType"].startswith("application/vnd.openxmlformats")
    assert base64.b64decode(file_attachment["contentBytes"]) == attachment.read_bytes()
    assert [m.via for m in fake.sent] == ["sendMail"]


def test_a_429_on_send_mail_waits_for_retry_after_then_sends_once(graph_settings: Settings,
                                                                  fake: FakeGraph) -> None:
    fake.throttle("sendMail", times=1, retry_after=1)
    mailer(graph_settings).send(Message(to=("qa.admin@example-trust.org.uk",), subject="Reminder", body="Due."))
    first, second = fake.requests_to("sendMail")
    assert 0.95 <= second.at - first.at < 2.5
    assert len(fake.sent) == 1


def test_throttling_that_does_not_end_is_a_clear_delivery_error(graph_settings: Settings, fake: FakeGraph) -> None:
    fake.throttle("sendMail", times=10, retry_after=0)
    with pytest.raises(DeliveryError, match=r"Microsoft Graph is busy \(429.*after 3 attempts\): try again later"):
        mailer(graph_settings, max_attempts=3).send(Message(to=("qa.admin@example-trust.org.uk",), subject="S",
                                                            body="B"))
    assert len(fake.requests_to("sendMail")) == 3 and fake.sent == []


def test_a_4_mb_attachment_goes_through_an_upload_session_in_chunks(graph_settings: Settings, fake: FakeGraph,
                                                                   tmp_path: Path) -> None:
    report = letter(tmp_path, size=4 * 1024 * 1024 + 123, name="Quarterly report Q3.docx")
    small = letter(tmp_path)
    result = mailer(graph_settings).send(Message(to=("slt@example-trust.org.uk",), subject="Q3 report",
                                                 body="Attached.", attachments=(report, small), kind="report"))
    assert fake.problems == [] and fake.requests_to("sendMail") == []
    assert "upload session" in result.detail
    (session,) = fake.sessions.values()
    total = report.stat().st_size
    assert session.chunks == [(0, 2097151, total), (2097152, 4194303, total), (4194304, total - 1, total)]
    assert all("authorization" not in r.headers for r in fake.requests_to("upload-chunk"))
    (sent,) = fake.sent
    assert sent.via == "draft" and fake.drafts == {}
    assert sent.attachments == {report.name: report.read_bytes(), small.name: small.read_bytes()}
    assert sent.message["toRecipients"] == [{"emailAddress": {"address": "slt@example-trust.org.uk"}}]


def test_a_refused_send_is_a_delivery_error_and_leaves_no_draft(graph_settings: Settings, fake: FakeGraph,
                                                                tmp_path: Path) -> None:
    big = letter(tmp_path, size=3 * 1024 * 1024 + 1)
    fake.throttle("send-draft", times=5, retry_after=0)
    with pytest.raises(DeliveryError, match="could not send 'Q3' through Microsoft Graph"):
        mailer(graph_settings, max_attempts=2).send(Message(to=("slt@example-trust.org.uk",), subject="Q3",
                                                            body="B", attachments=(big,)))
    assert fake.drafts == {} and fake.sent == []
    assert [r.route for r in fake.requests if r.route == "delete-message"] == ["delete-message"]


def test_a_mailbox_addressed_by_an_email_address_that_is_not_its_sign_in_name_says_what_to_set(
        tmp_path: Path, fake: FakeGraph) -> None:
    settings = load_settings(write_config(tmp_path, email={"graph": {"base_url": fake.base_url,
                                                                     "mailbox": MAILBOX}}))
    with pytest.raises(DeliveryError, match=r"404 ErrorInvalidUser.*set email\.graph\.mailbox_user in config\.yaml "
                                            r"to the QA mailbox's user principal name .* or object ID"):
        mailer(settings).send(Message(to=("qa.admin@example-trust.org.uk",), subject="S", body="B"))
    (refused,) = fake.requests_to("sendMail")
    assert refused.path == f"/v1.0/users/{MAILBOX}/sendMail" and refused.status == 404 and fake.sent == []


def test_the_mailbox_may_be_named_by_its_object_id(tmp_path: Path, fake: FakeGraph) -> None:
    settings = load_settings(write_config(tmp_path, email={"graph": {
        "base_url": fake.base_url, "mailbox": MAILBOX, "mailbox_user": MAILBOX_ID}}))
    mailer(settings).send(Message(to=("qa.admin@example-trust.org.uk",), subject="S", body="B"))
    assert fake.requests_to("sendMail")[0].path == f"/v1.0/users/{MAILBOX_ID}/sendMail" and len(fake.sent) == 1
    with pytest.raises(ConfigError, match="email.graph.mailbox_user 'QA Forms' is neither a user principal name"):
        GraphMailer(mailer(settings).client, MAILBOX, user="QA Forms")


def test_an_escalation_alert_from_the_pipeline_goes_out_through_graph(graph_settings: Settings,
                                                                     fake: FakeGraph) -> None:
    with Store(graph_settings.path("database")) as store:
        store.add_work_items([FIRST])
        graph_settings.path("inbox").mkdir(parents=True)
        path = returned(graph_settings, FIRST, thematic_answers(
            immediate_concern="Yes", immediate_concern_details="No visit for 9 weeks.",
            escalation_route="IRO / CP Chair escalation (Care First)"), "concern.docx")
        checked = CheckedMailer(mailer(graph_settings), graph_settings.email.allowed_domains)
        report = Pipeline(graph_settings, store, mailer=checked).process_batch([path])
    assert report.delivery_problems == [] and {s.backend for s in report.sent} == {"graph"}
    (sent,) = [s for s in fake.sent if s.message["subject"].startswith("Immediate concern")]
    assert sent.message["subject"] == "Immediate concern: case CF1357911 (form 2026-C10-TPA-001)"
    assert {r["emailAddress"]["address"] for r in sent.message["toRecipients"]} == {
        "service.manager@example-trust.org.uk", "qa.manager@example-trust.org.uk"}
    assert "J.K." not in sent.message["body"]["content"]  # the case by ID, never the child


def test_a_missing_secret_is_a_config_error_naming_the_variable(graph_settings: Settings) -> None:
    env = dict(ENV)
    del env["QA_GRAPH_CLIENT_SECRET"]
    with pytest.raises(ConfigError, match="QA_GRAPH_CLIENT_SECRET is not set: set it to the client secret"):
        GraphClient.from_settings(graph_settings, environ=env)


def test_production_sign_in_is_msal_client_credentials_for_the_tenant(graph_settings: Settings) -> None:
    client = GraphClient.from_settings(graph_settings, environ=ENV)
    con = client.account.con
    assert con.auth_flow_type == "credentials" and con.auth == (CLIENT_ID, "not-a-real-secret")
    assert con._msal_authority == f"https://login.microsoftonline.com/{TENANT}"
    assert not client.account.is_authenticated  # no token until MSAL is asked: nothing is stored on disk
    assert client.account.protocol.prefix_scope(".default") == "https://graph.microsoft.com/.default"
    assert GraphProtocol("https://graph.microsoft.com/v1.0").service_url == "https://graph.microsoft.com/v1.0/"


@pytest.mark.parametrize(("megabytes", "via"), [(2.9, "sendMail"), (3.0, "draft"), (3.1, "draft")])
def test_an_attachment_near_the_limit_goes_inline_only_while_the_request_fits(
        graph_settings: Settings, fake: FakeGraph, tmp_path: Path, megabytes: float, via: str) -> None:
    report = letter(tmp_path, size=int(megabytes * 1024 * 1024), name="Quarterly report Q3.docx")
    mailer(graph_settings).send(Message(to=("slt@example-trust.org.uk",), subject="Q3 report", body="Attached.",
                                        attachments=(report,), kind="report"))
    (sent,) = fake.sent
    assert sent.via == via and sent.attachments == {report.name: report.read_bytes()}
    assert fake.problems == [] and all(r.status != 413 and len(r.body) <= MAX_REQUEST for r in fake.requests)
    if via == "draft":  # 3 MB and over: an upload session (attachment-createuploadsession.md)
        assert fake.requests_to("sendMail") == [] and len(fake.sessions) == 1
        assert fake.requests_to("add-attachment") == []


def test_attachments_that_fit_one_by_one_but_not_together_are_added_to_a_draft(graph_settings: Settings,
                                                                               fake: FakeGraph,
                                                                               tmp_path: Path) -> None:
    first = letter(tmp_path, size=1600 * 1024, name="Q3 report.docx")
    second = letter(tmp_path, size=1600 * 1024, name="Q3 report.pdf")
    mailer(graph_settings).send(Message(to=("slt@example-trust.org.uk",), subject="Q3", body="Attached.",
                                        attachments=(first, second), kind="report"))
    (sent,) = fake.sent
    assert sent.via == "draft" and fake.sessions == {} and len(fake.requests_to("add-attachment")) == 2
    assert sent.attachments == {first.name: first.read_bytes(), second.name: second.read_bytes()}
    assert all(r.status != 413 for r in fake.requests)


@pytest.mark.parametrize("route", ["sendMail", "create-message", "createUploadSession", "send-draft"])
def test_a_post_answered_503_is_not_sent_again(graph_settings: Settings, fake: FakeGraph, tmp_path: Path,
                                               route: str) -> None:
    big = letter(tmp_path, size=3 * 1024 * 1024 + 1) if route != "sendMail" else letter(tmp_path)
    fake.fail(route, 503, times=1, retry_after=0)
    with pytest.raises(DeliveryError, match=r"\(503 ServiceUnavailable.*may or may not have done it.*Sent Items"):
        mailer(graph_settings).send(Message(to=("slt@example-trust.org.uk",), subject="Q3", body="B",
                                            attachments=(big,)))
    assert len(fake.requests_to(route)) == 1 and fake.sent == [] and fake.drafts == {}


def test_a_long_retry_after_on_send_mail_is_waited_in_full(graph_settings: Settings, fake: FakeGraph) -> None:
    waits: list[float] = []
    fake.throttle("sendMail", times=1, retry_after=200)
    mailer(graph_settings, sleep=waits.append).send(Message(to=("qa.admin@example-trust.org.uk",), subject="S",
                                                            body="B"))
    assert waits == [200.0] and len(fake.sent) == 1


def test_a_mailbox_outside_the_access_policy_is_blamed_on_the_policy(graph_settings: Settings,
                                                                     fake: FakeGraph) -> None:
    fake.mailbox_outside_policy = True
    with pytest.raises(DeliveryError) as refused:
        mailer(graph_settings).send(Message(to=("qa.admin@example-trust.org.uk",), subject="S", body="B"))
    message = str(refused.value)
    assert "403 ErrorAccessDenied: Access to OData is disabled." in message
    assert "Exchange application access policy" in message and "site" not in message


def test_a_message_written_with_an_html_part_is_sent_as_html(graph_settings: Settings, fake: FakeGraph) -> None:
    html = "<p>Your forms for cycle <b>2026-C09</b>: 2 forms.</p>"
    mailer(graph_settings).send(Message(to=("niamh.oconnor@example-trust.org.uk",), subject="Your QA forms",
                                        body="Your forms for cycle 2026-C09: 2 forms.", html=html, kind="allocation"))
    (sent,) = fake.sent
    assert sent.message["body"] == {"contentType": "HTML", "content": html}
