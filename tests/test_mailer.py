"""Email: a real SMTP server on loopback receives the mail; the outbox holds .eml files; the allow-list holds."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from processors.config.settings import Settings, load_settings
from processors.errors import DeliveryError
from processors.mail.mailer import make_mailer
from processors.mail.message import Message
from tests.conftest import write_config
from tests.smtp_server import smtp_server

LETTER = b"PK\x03\x04 pretend docx bytes"


def message(tmp_path: Path, to: tuple[str, ...] = ("qa.manager@example-trust.org.uk",)) -> Message:
    attachment = tmp_path / "2026-C09-GPR-001_thank_you.docx"
    attachment.write_bytes(LETTER)
    return Message(to=to, subject="Good practice recognised: Siân Llewelyn", body="Diolch yn fawr – thank you.",
                   attachments=(attachment,), kind="good_practice")


def test_smtp_delivers_message_and_attachment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_server() as (inbox, port):
        config = write_config(tmp_path, email={"backend": "smtp", "smtp": {"host": "127.0.0.1", "port": port,
                                                                            "starttls": False}})
        make_mailer(load_settings(config)).send(message(tmp_path))
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["Subject"] == "Good practice recognised: Siân Llewelyn"
    assert inbox.envelopes[0][1] == ["qa.manager@example-trust.org.uk"]
    assert "Diolch yn fawr" in received.get_body(("plain",)).get_content()
    (part,) = list(received.iter_attachments())
    assert part.get_filename() == "2026-C09-GPR-001_thank_you.docx"
    assert part.get_content() == LETTER


def test_an_unreachable_smtp_server_is_one_clear_error(tmp_path: Path) -> None:
    from tests.smtp_server import free_port

    config = write_config(tmp_path, email={"backend": "smtp", "smtp": {"host": "127.0.0.1", "port": free_port(),
                                                                        "starttls": False, "timeout_seconds": 2}})
    with pytest.raises(DeliveryError, match="check email.smtp in config.yaml"):
        make_mailer(load_settings(config)).send(message(tmp_path))


def test_outbox_writes_an_eml_a_mail_client_opens(settings: Settings, tmp_path: Path) -> None:
    result = make_mailer(settings).send(message(tmp_path))
    path = Path(result.detail)
    assert path.parent == settings.path("outbox") and path.suffix == ".eml"
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "qa.manager@example-trust.org.uk"
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["2026-C09-GPR-001_thank_you.docx"]
    second = make_mailer(settings).send(message(tmp_path))
    assert second.detail != result.detail  # never overwrites


def test_addresses_outside_the_allowed_domains_are_refused(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(DeliveryError, match=r"only addresses at example-trust.org.uk are allowed"):
        make_mailer(settings).send(message(tmp_path, to=("someone@gmail.com", "qa.manager@example-trust.org.uk")))
    assert not settings.path("outbox").exists() or not list(settings.path("outbox").iterdir())
