"""Values from people's files reach email safely: one line per header, one whole allowed address per recipient.

Everything is sent to the real loopback SMTP server (tests/smtp_server.py), so what an outsider would
receive is what the server received.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from processors.allocation.caselist import read_pool
from processors.config.settings import Settings, load_settings
from processors.demo.fill import fill_form
from processors.errors import DeliveryError, InputFileError
from processors.generate.forms import FormGenerator
from processors.intake.run import ingest_paths
from processors.mail.directory import Person, StaffDirectory
from processors.mail.mailer import Message, make_mailer
from processors.store.database import Store
from tests.conftest import write_config
from tests.returned_forms import GPR, TPA, good_practice_answers, thematic_answers
from tests.smtp_server import smtp_server

OUTSIDE = "attacker@elsewhere.example, sam@example-trust.org.uk"
BARE = "postmaster,x@example-trust.org.uk"


def smtp_settings(folder: Path, port: int, **email: object) -> Settings:
    return load_settings(write_config(folder, email={"backend": "smtp", **email,
                                                     "smtp": {"host": "127.0.0.1", "port": port,
                                                              "starttls": False}}))


def every_recipient(inbox) -> list[str]:  # noqa: ANN001 - tests.smtp_server.Inbox
    return [r for _, recipients in inbox.envelopes for r in recipients]


def test_a_line_break_in_a_name_is_sent_on_one_line_and_the_batch_carries_on(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        settings = smtp_settings(tmp_path, port)
        with Store(settings.path("database")) as store:
            store.add_work_items([GPR, TPA])
        StaffDirectory([Person("Rhys ap Gwilym", "rhys.apgwilym@example-trust.org.uk")]).save(settings.path("staff"))
        settings.path("inbox").mkdir(parents=True)
        generator = FormGenerator(settings.path("templates"), "Trust", 14)
        answers = {**good_practice_answers(), "practitioner": "Rhys\nap\u2028Gwilym\r"}
        (settings.path("inbox") / "a gp.docx").write_bytes(fill_form(generator.render(GPR), answers))
        (settings.path("inbox") / "b audit.docx").write_bytes(fill_form(generator.render(TPA), thematic_answers()))
        report = ingest_paths(settings, [settings.path("inbox")])
    assert [o.status for o in report.outcomes] == ["recorded", "recorded"]
    assert not report.delivery_problems
    subjects = [m["Subject"] for m in inbox.messages]
    assert "Good practice recognised: Rhys ap Gwilym" in subjects
    assert all("\n" not in s and "\r" not in s and "\u2028" not in s for s in subjects)
    assert settings.path("register").exists()


@pytest.mark.parametrize("cell", [OUTSIDE, BARE, "sam@example-trust.org.uk.elsewhere.example",
                                  "sam@mail.example-trust.org.uk", "sam@example-trust.org.uk\nBcc: x@y.example"])
def test_a_recipient_is_refused_unless_it_is_one_whole_allowed_address(tmp_path: Path, cell: str) -> None:
    with smtp_server() as (inbox, port):
        mailer = make_mailer(smtp_settings(tmp_path, port))
        with pytest.raises(DeliveryError, match="only addresses at example-trust.org.uk are allowed"):
            mailer.send(Message(to=(cell,), subject="Good practice recognised", body="x"))
        with pytest.raises(DeliveryError):
            mailer.send(Message(to=("qa.manager@example-trust.org.uk",), cc=(cell,), subject="s", body="x"))
    assert inbox.envelopes == []


def test_a_subdomain_is_allowed_only_when_the_config_names_it(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        mailer = make_mailer(smtp_settings(tmp_path, port, allowed_domains=["*.example-trust.org.uk"]))
        mailer.send(Message(to=("Sam Roe <Sam@Mail.Example-Trust.org.uk>",), subject="s", body="x"))
        with pytest.raises(DeliveryError):
            mailer.send(Message(to=("sam@example-trust.org.uk.elsewhere.example",), subject="s", body="x"))
    assert [r.lower() for r in every_recipient(inbox)] == ["sam@mail.example-trust.org.uk"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("cell", [OUTSIDE, BARE, "postmaster", "sam@", "sam@example-trust"])
def test_a_staff_list_cell_that_is_not_one_address_stops_ingest_naming_the_cell(tmp_path: Path, cell: str) -> None:
    with smtp_server() as (inbox, port):
        settings = smtp_settings(tmp_path, port)
        with Store(settings.path("database")) as store:
            store.add_work_items([GPR])
        write_csv(settings.path("staff"), [["Name", "Email"], ["Zofia Kamińska", "zofia@example-trust.org.uk"],
                                           ["Rhys ap Gwilym", cell]])
        settings.path("inbox").mkdir(parents=True)
        generator = FormGenerator(settings.path("templates"), "Trust", 14)
        (settings.path("inbox") / "gp.docx").write_bytes(fill_form(generator.render(GPR), good_practice_answers()))
        with pytest.raises(InputFileError) as caught:
            ingest_paths(settings, [settings.path("inbox")])
    assert (Path(caught.value.file).name, caught.value.row, caught.value.column) == ("staff.csv", 3, "Email")
    assert str(caught.value).startswith(f"{settings.path('staff')}, row 3, column 'Email': ")
    assert inbox.envelopes == []


@pytest.mark.parametrize("cell", [OUTSIDE, BARE])
def test_an_auditor_pool_cell_with_two_addresses_stops_naming_the_cell(tmp_path: Path, cell: str) -> None:
    pool = write_csv(tmp_path / "auditor_pool.csv", [
        ["Auditor ID", "Name", "Role", "Service", "Team", "Email", "Line manager ID"],
        ["AUD001", "Sam Roe", "Team Manager", "Safeguarding", "Corby CP 1", cell, ""]])
    with pytest.raises(InputFileError) as caught:
        read_pool(pool)
    assert (caught.value.row, caught.value.column) == (2, "Email")
    assert "addresses: write exactly one email address" in str(caught.value)
