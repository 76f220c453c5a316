"""The good-practice thank-you letter (QAF 8.5.4): signed by the practitioner's own senior leader.

The signatory comes from the auditor pool's management line; the senior leader the nominator typed is
used only when the pool cannot say. The letter has a letterhead, the signatory's name and job title and
space to sign, as LibreOffice shows it.
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from pypdf import PdfReader

from processors.act.signatory import FROM_NOMINATOR, FROM_POOL, choose_signatory
from processors.chase.people import People
from processors.config.settings import Settings
from processors.demo.fill import fill_form
from processors.demo.synthetic import make_pool, write_pool
from processors.forms.models import Auditor, Case, WorkItem
from processors.generate.forms import FormGenerator
from processors.intake.run import ingest_paths
from processors.mail.directory import Person, StaffDirectory
from processors.store.database import POOL_STATE, Store
from processors.word.office import convert
from tests.returned_forms import good_practice_answers


def _a(aid: str, name: str, role: str, service: str, team: str, boss: str = "") -> Auditor:
    return Auditor(aid, name, role, service, team, f"{aid.lower()}@example-trust.org.uk", boss)


POOL = (
    _a("D", "Dee Director", "Senior Leader", "Senior Leadership Team", "Director of Children's Services"),
    _a("AD1", "Carys Bowen", "Senior Leader", "Senior Leadership Team", "Assistant Director, Corporate Parenting", "D"),
    _a("AD2", "Omar Haddad", "Senior Leader", "Senior Leadership Team", "Assistant Director, Early Help", "D"),
    _a("ST1", "Kiran Patel", "Strategic Manager", "Children in Care", "Corporate Parenting Strategic", "AD1"),
    _a("SM1", "Orla Doyle", "Service Manager", "Children in Care", "Children in Care North", "ST1"),
    _a("TM1", "Mark Turner", "Team Manager", "Children in Care", "Children in Care North 1", "SM1"),
    _a("TM2", "Folake Owusu", "Team Manager", "Early Help", "Early Help Corby", "AD2"),
    _a("TM3", "Nobody Above", "Team Manager", "Leaving Care", "Leaving Care North"),
)
PEOPLE = People(StaffDirectory([Person("Omar Haddad", "omar.haddad@example-trust.org.uk", "Assistant Director")]),
                POOL)


def test_the_signatory_is_the_first_senior_leader_up_the_practitioner_s_line() -> None:
    chosen = choose_signatory(PEOPLE, "Rhys ap Gwilym", "Mark Turner", "Children in Care North 1", "Omar Haddad")
    assert (chosen.name, chosen.job_title, chosen.source) == (
        "Carys Bowen", "Assistant Director, Corporate Parenting", FROM_POOL)
    assert chosen.email == "ad1@example-trust.org.uk"  # from the pool when not in the staff list
    assert "Rhys ap Gwilym -> Mark Turner -> Orla Doyle -> Kiran Patel -> Carys Bowen" in chosen.explanation
    assert "The nominator suggested Omar Haddad" in chosen.explanation  # not the Early Help leader they typed


def test_the_team_s_manager_in_the_pool_stands_in_when_the_form_names_none() -> None:
    chosen = choose_signatory(PEOPLE, "Rhys ap Gwilym", "", "early help corby", "Carys Bowen")
    assert chosen.name == "Omar Haddad" and chosen.email == "omar.haddad@example-trust.org.uk"


def test_a_practitioner_in_the_pool_starts_from_their_own_line_manager() -> None:
    chosen = choose_signatory(PEOPLE, "Orla Doyle", "", "", "")
    assert chosen.name == "Carys Bowen" and chosen.source == FROM_POOL


def test_the_nominator_s_choice_is_used_only_when_the_pool_cannot_say() -> None:
    no_pool = choose_signatory(People(PEOPLE.staff), "Rhys ap Gwilym", "Mark Turner", "", "Omar Haddad")
    assert (no_pool.name, no_pool.source, no_pool.job_title) == ("Omar Haddad", FROM_NOMINATOR, "Assistant Director")
    assert "the auditor pool is not known" in no_pool.explanation
    unknown = choose_signatory(PEOPLE, "Rhys ap Gwilym", "Someone Else", "Team X", "Carys Bowen")
    assert unknown.source == FROM_NOMINATOR and unknown.name == "Carys Bowen"
    assert unknown.job_title == "Assistant Director, Corporate Parenting"  # their post from the pool
    assert "is in the auditor pool" in unknown.explanation
    top = choose_signatory(PEOPLE, "Rhys ap Gwilym", "Nobody Above", "", "Dee Director")
    assert top.source == FROM_NOMINATOR and "no Senior Leader is above" in top.explanation


def _children_in_care_record(settings: Settings) -> tuple[Auditor, Auditor, Case]:
    """A Children in Care worker's good practice, nominated with the Early Help senior leader typed in."""
    pool = make_pool(7)
    by_id = {a.auditor_id: a for a in pool}
    manager = next(a for a in pool if a.role == "Team Manager" and a.service == "Children in Care")
    line = [manager]
    while line[-1].role != "Senior Leader":
        line.append(by_id[line[-1].manager_id])
    early_help = next(a for a in pool if a.team == "Assistant Director, Early Help and Disabled Children")
    case = Case("CF1357913", "A.B.", 14, "Child Looked After", "Children in Care", manager.team, "Ffion Prosser",
                manager.name)
    write_pool(settings.path("generated") / "pool.csv", pool)
    item = WorkItem("good_practice", case, "2026-C09", form_id="2026-C09-GPR-007")
    with Store(settings.path("database")) as store:
        store.add_work_items([item])
        store.set_state(POOL_STATE, str(settings.path("generated") / "pool.csv"))
    StaffDirectory([Person("Ffion Prosser", "ffion.prosser@example-trust.org.uk")]).save(settings.path("staff"))
    inbox = settings.path("inbox")
    inbox.mkdir(parents=True)
    form = FormGenerator(settings.path("templates"), settings.organisation, 14).render(item)
    (inbox / "gp.docx").write_bytes(fill_form(form, {**good_practice_answers(), "senior_leader": early_help.name}))
    return line[-1], early_help, case


def test_a_children_in_care_worker_is_thanked_by_their_own_senior_leader_on_a_signed_letterhead(
        settings: Settings, tmp_path: Path) -> None:
    leader, early_help, _ = _children_in_care_record(settings)
    assert leader.team == "Assistant Director, Corporate Parenting"
    ingest_paths(settings, [settings.path("inbox")])
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in settings.path("outbox").glob("*.eml")]
    (thanks,) = [m for m in mails if m["X-QA-Kind"] == "thank_you"]
    assert thanks["To"] == leader.email
    body = thanks.get_body(("plain",)).get_content()
    assert f"Signed by {leader.name} (Assistant Director, Corporate Parenting)" in body
    assert f"The nominator suggested {early_help.name}" in body
    letter = settings.path("letters") / "2026-C09-GPR-007_thank_you.docx"
    (pdf,) = convert([letter], "pdf", tmp_path / "pdf")
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages)
    assert settings.organisation in text  # the letterhead
    assert "Dear Ffion Prosser" in text
    assert f"{leader.name} Assistant Director, Corporate Parenting" in text  # name over job title
    assert "____" in text and text.index("____") < text.index(leader.name)  # space to sign above the name
    assert early_help.name not in text
