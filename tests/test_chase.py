"""`chase`: reminders for forms not returned and actions overdue, the weekly digest, re-audit offers.

Every test runs on a fixed clock (``today=``) against a real store; emails are read back from the outbox
(and once from a real SMTP server on loopback).
"""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pydantic
import pytest

from processors.allocation.caselist import read_cases, read_work_items, write_pool
from processors.chase.daily import DailyChase
from processors.chase.reaudit import case_progress
from processors.chase.run import ChaseRun, offer_list_path, run_chase
from processors.config.chase import ChaseSettings
from processors.config.settings import Settings, load_settings
from processors.demo.fill import fill_form
from processors.errors import ConfigError
from processors.forms.models import ActionItem, Auditor, Case, FormIdentity, ParsedForm, ValidatedForm, WorkItem
from processors.generate.forms import FormGenerator
from processors.intake.run import ingest_paths
from processors.mail.directory import Person, StaffDirectory
from processors.store.database import ActionEdit, Store
from tests.conftest import write_config
from tests.returned_forms import thematic_answers
from tests.smtp_server import smtp_server

DOMAIN = "example-trust.org.uk"
DUE = date(2026, 3, 6)                # a Friday; 16/03/2026 is a Monday
NORTH = Case("CF1000001", "Q.Z.", 9, "Child in Need", "Safeguarding North", "North Team 2", "Priya Testwell",
             "Morgan Samplemanager")
THIRD = Case("CF1000003", "A.B.", 4, "Child Protection", "Safeguarding North", "North Team 1", "Ola Nowak",
             "Morgan Samplemanager")
CARE = Case("CF1000002", "X.Y.", 15, "Child Looked After", "Children in Care", "Care Team 1", "Tomasz Nowak",
            "Nadia Nomanager")
POOL = [
    Auditor("AUD001", "Bea Boss", "Strategic Manager", "Safeguarding North", "North Strategic", f"bea.boss@{DOMAIN}"),
    Auditor("AUD002", "Alex Fictional", "Service Manager", "Children in Care", "Care Service",
            f"alex.fictional@{DOMAIN}", manager_id="AUD001"),
    Auditor("AUD003", "Nadia Nomanager", "Team Manager", "Children in Care", "Care Team 1",
            f"nadia.nomanager@{DOMAIN}"),
]
STAFF = [Person("Morgan Samplemanager", f"morgan.samplemanager@{DOMAIN}"),
         Person("Zofia Kamińska", f"zofia.kaminska@{DOMAIN}")]


# --- building a store -------------------------------------------------------------------------

def item(form_id: str, case: Case = NORTH, *, form_type: str = "thematic_audit", auditor: str = "Alex Fictional",
         auditor_email: str = f"alex.fictional@{DOMAIN}", due: date | None = DUE) -> WorkItem:
    return WorkItem(form_type, case, "2026-C02", form_id, auditor=auditor, auditor_email=auditor_email,
                    auditor_role="Service Manager" if auditor == "Alex Fictional" else "", theme="Neglect",
                    due_date=due)


def returned(store: Store, form_id: str, case: Case = NORTH, *, grade: str = "Good",
             actions: Sequence[tuple[str, date]] = (), received: datetime = datetime(2026, 3, 2, 10, 0),
             form_type: str = "thematic_audit", concern: bool = False) -> None:
    """Record a returned form; ``actions`` are (owner, due date) pairs."""
    parsed = ParsedForm(Path(f"/inbox/{form_id}.docx"), FormIdentity(form_id, form_type, "1.0", "2026-C02"),
                        form_type, {}, f"sha-{form_id}-{received.isoformat()}-{grade}")
    values: dict[str, object] = {"overall_grade": grade, "immediate_concern": "Yes" if concern else "No",
                                 "case_id": case.case_id}
    if concern:
        values["immediate_concern_details"] = "No visit for nine weeks"
    store.record_form(ValidatedForm(parsed, form_id, form_type, case.case_id, values, {"planning": grade},
                                    [ActionItem(n, f"Update the plan, step {n}", owner, due)
                                     for n, (owner, due) in enumerate(actions, start=1)],
                                    received=received), f"{form_id}.docx")


@pytest.fixture
def ready(settings: Settings, tmp_path: Path) -> Settings:
    """Settings with a staff list, an auditor pool and the chase section (digest on Mondays)."""
    StaffDirectory(STAFF).save(settings.path("staff"))
    write_pool(tmp_path / "auditor_pool.csv", POOL)
    return with_chase(settings, pool_file=tmp_path / "auditor_pool.csv")


def with_chase(settings: Settings, **chase: object) -> Settings:
    current = getattr(settings, "chase", ChaseSettings())
    return settings.model_copy(update={"chase": current.model_copy(update=chase)})


def chase(settings: Settings, day: date) -> ChaseRun:
    with Store(settings.path("database")) as store:
        return run_chase(settings, day, store)


def mails(settings: Settings, kind: str = "reminder") -> list[EmailMessage]:
    found = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in sorted(settings.path("outbox").glob("*.eml"))]
    return [m for m in found if m["X-QA-Kind"] == kind]


def to(messages: list[EmailMessage], address: str) -> list[EmailMessage]:
    return [m for m in messages if address in m["To"]]


def subject(message: EmailMessage) -> str:
    """The subject as a mail client shows it (Python's parser keeps the space of a folded first line)."""
    return str(message["Subject"]).strip()


def text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def sheet(settings: Settings, name: str) -> dict[str, dict[str, object]]:
    wb = openpyxl.load_workbook(settings.path("register"))
    rows = list(wb[name].iter_rows(values_only=True))
    return {r[0]: dict(zip(rows[0], r)) for r in rows[1:] if r[0]}


def _day(value: object) -> object:
    """A register date cell as a date (openpyxl reads dates back as datetimes)."""
    return value.date() if isinstance(value, datetime) else value


# --- forms not returned -------------------------------------------------------------------------

@pytest.fixture
def allocated(ready: Settings) -> Settings:
    with Store(ready.path("database")) as store:
        store.add_work_items([
            item("2026-C02-TPA-001"),                                                  # out, overdue
            item("2026-C02-TPA-002", CARE),                                            # returned
            item("2026-C02-TPA-003", due=DUE + timedelta(days=30)),                    # not due yet
            item("2026-C02-GPR-001", form_type="good_practice", auditor="", auditor_email=""),  # a nomination
            item("2026-C02-TPA-004", CARE, auditor="Nadia Nomanager", auditor_email=""),  # no manager in the pool
        ])
        returned(store, "2026-C02-TPA-002", CARE)
    return ready


def test_a_form_not_returned_by_its_due_date_reminds_its_auditor(allocated: Settings) -> None:
    assert chase(allocated, DUE).sent == []                      # due today: not late yet
    run = chase(allocated, DUE + timedelta(days=1))
    assert sorted(r.target_id for r in run.sent) == ["2026-C02-TPA-001", "2026-C02-TPA-004"]
    (alex,) = to(mails(allocated), f"alex.fictional@{DOMAIN}")
    assert subject(alex) == "Reminder: QA form 2026-C02-TPA-001 (case CF1000001) was due 06/03/2026"
    body = text(alex)
    assert "Dear Alex Fictional" in body and "Thematic Peer Audit" in body and "1 day overdue" in body
    assert "Q.Z." not in body                                    # the case by ID, never the child
    (nadia,) = to(mails(allocated), f"nadia.nomanager@{DOMAIN}")  # address from the auditor pool
    assert "2026-C02-TPA-004" in subject(nadia)
    everything = " ".join(subject(m) + text(m) for m in mails(allocated))
    for not_chased in ("TPA-002", "TPA-003", "GPR-001"):         # returned, not due, a nomination
        assert not_chased not in everything
    assert not to(mails(allocated), f"bea.boss@{DOMAIN}")        # too early for the manager


def test_after_n_days_the_auditors_line_manager_is_told_too(allocated: Settings) -> None:
    chase(allocated, DUE + timedelta(days=6))
    assert not to(mails(allocated), f"bea.boss@{DOMAIN}")
    run = chase(allocated, DUE + timedelta(days=7))              # escalate_to_manager_after_days: 7
    (bea,) = to(mails(allocated), f"bea.boss@{DOMAIN}")
    assert subject(bea) == "Overdue QA form 2026-C02-TPA-001: allocated to Alex Fictional"
    assert "7 days overdue" in text(bea) and "auditor Alex Fictional" in text(bea)
    assert len(to(mails(allocated), f"alex.fictional@{DOMAIN}")) == 2   # the auditor is still reminded
    # Nadia has no line manager in the pool: the QA administrator is asked to chase by hand
    (admin,) = to(mails(allocated), "qa.admin@")
    assert subject(admin) == "Chase by hand: 1 reminder could not be sent"
    assert "2026-C02-TPA-004" in text(admin) and "no line manager for 'Nadia Nomanager'" in text(admin)
    assert {r.kind for r in run.sent} == {"form_overdue", "form_overdue_manager", "manager_unknown"}


def test_one_email_per_person_lists_all_their_overdue_forms(allocated: Settings) -> None:
    with Store(allocated.path("database")) as store:
        store.add_work_items([item("2026-C02-TPA-005", THIRD),
                              item("2026-C02-TPA-006", auditor="Ruth Nowhere", auditor_email="")])
    chase(allocated, DUE + timedelta(days=3))
    (alex,) = to(mails(allocated), f"alex.fictional@{DOMAIN}")
    assert subject(alex) == "Reminder: 2 QA forms allocated to you are overdue"
    assert "These 2 Quality Assurance forms" in text(alex)
    assert "2026-C02-TPA-001" in text(alex) and "2026-C02-TPA-005" in text(alex) and "A.B." not in text(alex)
    (admin,) = to(mails(allocated), "qa.admin@")                 # an auditor nobody can find
    assert "2026-C02-TPA-006" in text(admin) and "auditor 'Ruth Nowhere' has no email address" in text(admin)


def test_reminders_repeat_no_more_often_than_configured(allocated: Settings) -> None:
    every_three = with_chase(allocated, remind_every_days=3)
    sent = [len(chase(every_three, DUE + timedelta(days=d)).sent) for d in range(1, 6)]
    assert sent == [2, 0, 0, 2, 0]


def test_escalation_days_come_from_the_config(allocated: Settings) -> None:
    quick = with_chase(allocated, escalate_to_manager_after_days=2)
    chase(quick, DUE + timedelta(days=2))
    assert to(mails(quick), f"bea.boss@{DOMAIN}")


# --- actions ------------------------------------------------------------------------------------

@pytest.fixture
def with_actions(ready: Settings) -> Settings:
    with Store(ready.path("database")) as store:
        store.add_work_items([item("2026-C02-TPA-010")])
        returned(store, "2026-C02-TPA-010", actions=[
            ("Morgan Samplemanager", date(2026, 3, 10)),   # A1 overdue, open
            ("Morgan Samplemanager", date(2026, 3, 10)),   # A2 Completed
            ("Morgan Samplemanager", date(2026, 3, 10)),   # A3 Not required
            ("Morgan Samplemanager", date(2026, 4, 30)),   # A4 not due yet
            ("Harriet Unlisted", date(2026, 3, 11)),       # A5 owner not in the staff list
            ("Morgan Samplemanager", date(2026, 3, 10)),   # A6 given a Completed on date, Status left Open
        ])
        store.set_action_edits({"2026-C02-TPA-010-A2": ActionEdit("Completed", date(2026, 3, 9)),
                                "2026-C02-TPA-010-A3": ActionEdit("Not required"),
                                "2026-C02-TPA-010-A6": ActionEdit("Open", date(2026, 3, 8))})
    return ready


def test_an_overdue_action_reminds_its_owner_and_closed_ones_are_not_chased(with_actions: Settings) -> None:
    run = chase(with_actions, date(2026, 3, 12))
    (morgan,) = to(mails(with_actions), f"morgan.samplemanager@{DOMAIN}")
    assert subject(morgan) == "Reminder: QA action 2026-C02-TPA-010-A1 (case CF1000001) was due 10/03/2026"
    body = text(morgan)
    assert "Update the plan, step 1" in body and "2 days overdue" in body and "Q.Z." not in body
    for not_chased in ("-A2", "-A3", "-A4", "-A6"):
        assert not_chased not in body
    assert [a.action_id for a in run.unmatched_owners] == ["2026-C02-TPA-010-A5"]


def test_an_owner_not_in_the_staff_list_is_listed_for_the_qa_administrator(with_actions: Settings) -> None:
    chase(with_actions, date(2026, 3, 12))
    (admin,) = to(mails(with_actions), "qa.admin@")
    assert "2026-C02-TPA-010-A5" in text(admin)
    assert "owner 'Harriet Unlisted' is not in the staff list" in text(admin)
    assert "staff.csv" in text(admin)                            # where to add them


def test_a_second_run_the_same_day_sends_nothing_new(with_actions: Settings) -> None:
    with Store(with_actions.path("database")) as store:
        store.add_work_items([item("2026-C02-TPA-011")])
    day = date(2026, 3, 16)                                      # a Monday: the digest goes too
    first = chase(with_actions, day)
    files = sorted(with_actions.path("outbox").iterdir())
    assert first.sent and first.digest_sent
    second = chase(with_actions, day)
    assert second.sent == [] and not second.digest_sent
    assert sorted(r.target_id for r in second.skipped) == sorted(r.target_id for r in first.sent)
    assert sorted(with_actions.path("outbox").iterdir()) == files
    third = chase(with_actions, day + timedelta(days=1))         # a new day: reminded again, no digest
    assert len(third.sent) == len(first.sent) and not third.digest_sent


def test_reminders_are_recorded_and_the_register_shows_the_day_last_chased(with_actions: Settings) -> None:
    with Store(with_actions.path("database")) as store:
        store.add_work_items([item("2026-C02-TPA-011")])
    day = date(2026, 3, 12)
    chase(with_actions, day)
    with Store(with_actions.path("database")) as store:
        rows = set(store.query("SELECT kind, target_id, recipient, sent_on FROM reminders WHERE kind != 'digest'"))
    assert rows == {
        ("action_overdue", "2026-C02-TPA-010-A1", f"morgan.samplemanager@{DOMAIN}", "2026-03-12"),
        ("owner_unmatched", "2026-C02-TPA-010-A5", "qa.admin@example-trust.org.uk", "2026-03-12"),
        ("form_overdue", "2026-C02-TPA-011", f"alex.fictional@{DOMAIN}", "2026-03-12"),
    }
    actions = sheet(with_actions, "Actions")
    assert _day(actions["2026-C02-TPA-010-A1"]["Last chased"]) == day
    assert actions["2026-C02-TPA-010-A2"]["Last chased"] is None    # Completed: never chased
    assert actions["2026-C02-TPA-010-A5"]["Last chased"] is None    # nobody to chase yet
    allocations = sheet(with_actions, "Allocations")
    assert _day(allocations["2026-C02-TPA-011"]["Last chased"]) == day
    assert allocations["2026-C02-TPA-010"]["Last chased"] is None   # returned


def test_a_refused_reminder_is_a_problem_and_is_tried_again_next_run(with_actions: Settings) -> None:
    StaffDirectory([Person("Morgan Samplemanager", "morgan@gmail.example")]).save(with_actions.path("staff"))
    run = chase(with_actions, date(2026, 3, 12))
    assert any("morgan@gmail.example" in p and "only addresses at" in p for p in run.problems)
    assert "2026-C02-TPA-010-A1" not in [r.target_id for r in run.sent]
    StaffDirectory(STAFF).save(with_actions.path("staff"))
    again = chase(with_actions, date(2026, 3, 12))
    assert "2026-C02-TPA-010-A1" in [r.target_id for r in again.sent]


# --- the weekly digest --------------------------------------------------------------------------

@pytest.fixture
def busy(with_actions: Settings) -> Settings:
    with Store(with_actions.path("database")) as store:
        store.add_work_items([item("2026-C02-TPA-020"), item("2026-C02-TPA-021", CARE),
                              item("2026-C02-TPA-022", CARE, due=date(2026, 3, 20))])
        returned(store, "2026-C02-TPA-021", CARE, concern=True, received=datetime(2026, 3, 4, 9, 0))
    return with_actions


def test_the_digest_goes_only_on_the_configured_weekday(busy: Settings) -> None:
    for day in range(9, 16):                                     # Monday 9th is before anything is due
        chase(with_chase(busy, digest_weekday="wednesday"), date(2026, 3, day))
    digests = mails(busy, "digest")
    assert len(digests) == 1 and digests[0]["Subject"].startswith("QA weekly digest 11/03/2026")
    assert digests[0]["To"] == "qa.admin@example-trust.org.uk"


def test_the_digest_shows_returns_by_service_overdue_actions_and_open_escalations(busy: Settings) -> None:
    chase(busy, date(2026, 3, 16))
    (digest,) = mails(busy, "digest")
    body = text(digest)
    assert "Q.Z." not in body and "X.Y." not in body
    by_service = {line.split("  ")[1].strip(): line.split()[-4:] for line in body.splitlines()
                  if line.startswith("  Safeguarding North") or line.startswith("  Children in Care")
                  or line.startswith("  Total")}
    #                               allocated, returned, outstanding, overdue
    assert by_service["Safeguarding North"] == ["2", "1", "1", "1"]
    assert by_service["Children in Care"] == ["2", "1", "1", "0"]
    assert by_service["Total"] == ["4", "2", "2", "1"]
    overdue = body.split("Overdue SMART actions (2):")[1].split("Owners not in the staff list")[0]
    assert "2026-C02-TPA-010-A1" in overdue and "2026-C02-TPA-010-A5" in overdue and "-A2" not in overdue
    assert "last chased: 16/03/2026" in overdue
    assert "Action 2026-C02-TPA-010-A5 (case CF1000001): owner 'Harriet Unlisted'" in body
    escalations = body.split("Open escalations (1):")[1]
    assert "Form 2026-C02-TPA-021, case CF1000002 (Children in Care): raised 04/03/2026" in escalations
    assert subject(digest) == ("QA weekly digest 16/03/2026: 2 form(s) outstanding, 2 action(s) overdue, "
                                 "1 open escalation(s)")


# --- re-audit -----------------------------------------------------------------------------------

@pytest.fixture
def graded(ready: Settings) -> Settings:
    with Store(ready.path("database")) as store:
        store.add_work_items([item("2026-C02-TPA-030"), item("2026-C02-TPA-031", CARE),
                              item("2026-C02-SFA-032", THIRD, form_type="supervision_audit")])
        returned(store, "2026-C02-TPA-030", grade="Requires Improvement",
                 actions=[("Morgan Samplemanager", date(2026, 4, 1)), ("Morgan Samplemanager", date(2026, 4, 10))])
        returned(store, "2026-C02-TPA-031", CARE, grade="Good", actions=[("Morgan Samplemanager", date(2026, 4, 1))])
        returned(store, "2026-C02-SFA-032", THIRD, grade="Inadequate",
                 actions=[("Morgan Samplemanager", date(2026, 4, 20))], form_type="supervision_audit")
    return ready


def test_a_case_found_wanting_is_offered_for_reaudit_once_its_actions_fall_due(graded: Settings) -> None:
    assert chase(graded, date(2026, 4, 9)).reaudit_offers == []        # one action still to fall due
    run = chase(graded, date(2026, 4, 10))
    assert [(o.case_id, o.grade, o.form_id) for o in run.reaudit_offers] == [
        ("CF1000001", "Requires Improvement", "2026-C02-TPA-030")]      # a Good case is never offered
    later = chase(graded, date(2026, 4, 20))
    assert [o.case_id for o in later.reaudit_offers] == ["CF1000001", "CF1000003"]
    assert later.reaudit_offers[0].offered_since == date(2026, 4, 10)    # first offered, not re-dated
    assert later.reaudit_file == offer_list_path(graded)


def test_the_offer_list_is_accepted_by_generate_and_allocate(graded: Settings) -> None:
    run = chase(graded, date(2026, 4, 20))
    path = run.reaudit_file
    assert path is not None and path.suffix == ".xlsx"
    items = read_work_items(path, "2026-C04", None)                 # what `generate --cases` reads
    assert [(i.case.case_id, i.form_type, i.auditor, i.form_id, i.cycle_id) for i in items] == [
        ("CF1000001", "thematic_audit", "Alex Fictional", "", "2026-C04"),
        ("CF1000003", "supervision_audit", "Alex Fictional", "", "2026-C04")]
    cases = read_cases(path)                                        # what `allocate --cases` reads
    assert [c.last_audited for c in cases] == [None, None]          # not held back by the re-audit rule
    header = [c.value for c in next(openpyxl.load_workbook(path).active.iter_rows(max_row=1))]
    assert header[-4:] == ["Re-audit of", "Earlier grade", "Actions due by", "Offered since"]


def test_reaudit_waits_the_configured_days_and_not_while_a_reaudit_is_allocated(graded: Settings) -> None:
    slower = with_chase(graded, reaudit_after_action_due_days=14)
    assert chase(slower, date(2026, 4, 23)).reaudit_offers == []
    assert [o.case_id for o in chase(slower, date(2026, 4, 24)).reaudit_offers] == ["CF1000001"]
    with Store(graded.path("database")) as store:
        store.add_work_items([item("2026-C04-TPA-001", due=date(2026, 5, 1))])   # the re-audit, allocated
    assert chase(slower, date(2026, 4, 25)).reaudit_offers == []


def test_the_digest_lists_offers_and_says_where_the_offer_list_is(graded: Settings) -> None:
    chase(graded, date(2026, 4, 13))                                 # a Monday
    (digest,) = mails(graded, "digest")
    body = text(digest)
    assert "Case CF1000001: Requires Improvement in 2026-C02-TPA-030 (02/03/2026); actions due by 10/04/2026" in body
    assert str(offer_list_path(graded)) in body
    assert list(digest.iter_attachments()) == []                     # the list holds case details: not emailed


def test_case_progress_says_whether_a_reaudited_case_improved(graded: Settings) -> None:
    with Store(graded.path("database")) as store:
        store.add_work_items([item("2026-C04-TPA-001"), item("2026-C04-TPA-002", CARE)])
        returned(store, "2026-C04-TPA-001", grade="Good", received=datetime(2026, 5, 1, 9, 0))
        returned(store, "2026-C04-TPA-002", CARE, grade="Inadequate", received=datetime(2026, 5, 2, 9, 0))
        progress = {p.case_id: p for p in case_progress(store.forms())}
    assert set(progress) == {"CF1000001", "CF1000002"}                  # CF1000003 audited once
    assert (progress["CF1000001"].earlier_grade, progress["CF1000001"].later_grade,
            progress["CF1000001"].change) == ("Requires Improvement", "Good", "improved")
    assert progress["CF1000002"].change == "declined"
    chase(graded, date(2026, 5, 4))                                   # Monday: the digest says so
    assert "Case CF1000001: Requires Improvement (2026-C02-TPA-030) -> Good (2026-C04-TPA-001): improved" \
        in text(mails(graded, "digest")[0])


# --- end to end: a real returned form, a real SMTP server, the daily run inside watch -------------

def test_a_real_returned_form_is_chased_through_a_real_smtp_server(tmp_path: Path) -> None:
    with smtp_server() as (inbox, port):
        config = write_config(tmp_path, email={"backend": "smtp", "smtp": {"host": "127.0.0.1", "port": port,
                                                                           "starttls": False}})
        settings = load_settings(config)
        StaffDirectory(STAFF).save(settings.path("staff"))
        form = item("2026-C09-TPA-001", due=date(2026, 11, 27))
        with Store(settings.path("database")) as store:
            store.add_work_items([form])
        settings.path("inbox").mkdir(parents=True)
        docx = FormGenerator(settings.path("templates"), "Trust", 14).render(form)
        (settings.path("inbox") / "audit.docx").write_bytes(fill_form(docx, thematic_answers()))
        assert ingest_paths(settings, [settings.path("inbox")]).count("recorded") == 1
        first = chase(settings, date(2026, 12, 22))               # action_1 was due 18/12/2026
        second = chase(settings, date(2026, 12, 22))
    assert [r.target_id for r in first.sent] == ["2026-C09-TPA-001-A1"] and second.sent == []
    (message,) = [m for m in inbox.messages if m["X-QA-Kind"] == "reminder"]  # (the findings went at intake)
    assert message["To"] == f"zofia.kaminska@{DOMAIN}"
    assert "=Update the chronology" in text(message) and "4 days overdue" in text(message)
    assert _day(sheet(settings, "Actions")["2026-C09-TPA-001-A1"]["Last chased"]) == date(2026, 12, 22)


def test_inside_watch_the_chase_runs_once_a_day_after_the_configured_time(with_actions: Settings) -> None:
    settings = with_chase(with_actions, daily_at=time(8, 30))
    now = [datetime(2026, 3, 12, 8, 29)]
    with Store(settings.path("database")) as store:
        daily = DailyChase(settings, store, clock=lambda: now[0])
        assert daily() is None                                      # before 08:30
        now[0] = datetime(2026, 3, 12, 8, 30)
        run = daily()
        assert run is not None and run.sent
        now[0] = datetime(2026, 3, 12, 17, 0)
        assert daily() is None                                      # once a day
        assert DailyChase(settings, store, clock=lambda: now[0])() is None   # a restarted watch too
        now[0] = datetime(2026, 3, 13, 8, 45)
        assert daily() is not None                                  # the next day
        disabled = DailyChase(with_chase(settings, enabled=False), store, clock=lambda: datetime(2026, 3, 14, 9))
        assert disabled() is None
    assert len(to(mails(settings), f"morgan.samplemanager@{DOMAIN}")) == 2


def test_the_folder_watcher_runs_the_daily_chase_on_its_ticks(with_actions: Settings) -> None:
    from processors.intake.pipeline import Pipeline
    from watchers.folder import FolderWatcher

    with Store(with_actions.path("database")) as store:
        watcher = FolderWatcher(with_actions, Pipeline(with_actions, store))
        daily = DailyChase(with_actions, store, clock=lambda: datetime(2026, 3, 12, 9, 0))
        runs: list[ChaseRun] = []

        def tick() -> None:
            run = daily()
            if run is not None:
                runs.append(run)
                watcher.stop_event.set()

        thread = threading.Thread(target=watcher.run, kwargs={"tick": 0.01, "on_tick": tick})
        thread.start()
        thread.join(timeout=10)
        watcher.stop_event.set()
    assert len(runs) == 1 and to(mails(with_actions), f"morgan.samplemanager@{DOMAIN}")


def test_a_failing_daily_run_does_not_stop_the_watcher_and_is_tried_again_later(with_actions: Settings) -> None:
    calls: list[date] = []

    def broken(settings: Settings, today: date, store: Store, **_: object) -> ChaseRun:
        calls.append(today)
        raise OSError("disk full")

    now = [datetime(2026, 3, 12, 9, 0)]
    with Store(with_actions.path("database")) as store:
        daily = DailyChase(with_actions, store, clock=lambda: now[0], runner=broken)
        assert daily() is None and daily() is None
        now[0] += timedelta(minutes=31)
        daily()
    assert calls == [date(2026, 3, 12), date(2026, 3, 12)]


# --- the chase: section of config.yaml ---------------------------------------------------------

def test_a_missing_auditor_pool_is_one_clear_error(ready: Settings, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"chase.pool_file in config.yaml: nowhere.csv: file not found"):
        chase(with_chase(ready, pool_file=tmp_path / "nowhere.csv"), DUE)


def test_chase_settings_reject_what_would_misfire() -> None:
    assert ChaseSettings(daily_at="07:45").daily_at == time(7, 45)
    with pytest.raises(pydantic.ValidationError, match='in quotes'):
        ChaseSettings(daily_at=480)                                  # YAML's reading of an unquoted 8:00
    with pytest.raises(pydantic.ValidationError):
        ChaseSettings(digest_weekday="mondays")
    with pytest.raises(pydantic.ValidationError):
        ChaseSettings(escalate_after=3)                              # unknown keys are refused
    with pytest.raises(pydantic.ValidationError):
        ChaseSettings(reaudit_grades=("Poor",))
