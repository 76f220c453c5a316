"""`python run.py demo`: the whole cycle on synthetic data, in its own folder under generated/demo.

It never touches the real store or register: every path is redirected into generated/demo, which is
emptied first, so the demo can be run again and again.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from processors.act.notices import letter_signatory
from processors.allocation.cycle import allocate_cycle
from processors.assurance.importer import import_export
from processors.chase.people import load_people
from processors.config.settings import Mailbox, Paths, Settings
from processors.demo.activities import demo_activities
from processors.demo.answers import answers_for
from processors.demo.assurance_samples import write_samples
from processors.demo.fill import fill_form
from processors.demo.mailbox import QA_MAILBOX, deliver, demo_password, loopback_imap, reply_with_form
from processors.demo.synthetic import THEMES, email_for, make_cases, make_pool, write_cases, write_pool
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.routing import IRO_ROUTE
from processors.forms.vocabulary import (
    CP_CHAIR,
    GOOD_PRACTICE,
    INADEQUATE,
    IRO,
    SENIOR_LEADER,
    SERVICE_MANAGER,
    TEAM_MANAGER,
)
from processors.generate.forms import FormGenerator, assign_form_ids, cycle_for
from processors.generate.run import generate_items
from processors.intake.pipeline import BatchReport, Pipeline
from processors.intake.run import ingest_paths
from processors.mail.directory import Person, StaffDirectory
from processors.mail.imap_box import ImapMailbox
from processors.reports.quarter import quarter_of
from processors.reports.runner import run_reports
from processors.store.database import Store
from watchers.mailbox import MailboxWatcher

CHILDREN_IN_CARE, EARLY_HELP_SERVICE = "Children in Care", "Early Help"
DEMO_CASES = 160
GOOD_PRACTICE_RECORDS = 6


@dataclass
class DemoResult:
    folder: Path
    lines: list[str] = field(default_factory=list)
    batch: BatchReport | None = None
    seconds: float = 0.0


def demo_root(settings: Settings) -> Path:
    return settings.path("generated") / "demo"


def demo_settings(settings: Settings) -> Settings:
    """The same settings with every output path inside generated/demo."""
    root = demo_root(settings)
    paths = {name: root / name for name in ("inbox", "processed", "rejected", "outbox", "letters")}
    paths.update(generated=root, register=root / "register.xlsx", database=root / "qa.sqlite3",
                 staff=root / "staff.csv", templates=settings.path("templates"))
    return settings.model_copy(update={"paths": Paths(**paths)})


def _staff(pool: list[Auditor], cases: list[Case]) -> StaffDirectory:
    taken = {a.email for a in pool}
    people = [Person(a.name, a.email, a.role, a.team) for a in pool]
    for name in sorted({c.practitioner for c in cases}):
        people.append(Person(name, email_for(name, taken), "Practitioner"))
    return StaffDirectory(people)


def _good_practice_items(cases: list[Case], pool: list[Auditor], cycle: str, rng: random.Random) -> list[WorkItem]:
    """Six records; the first is a Children in Care worker's (their nominator types the wrong senior leader)."""
    nominators = [a for a in pool if a.role in (IRO, CP_CHAIR, TEAM_MANAGER)]
    in_care = next(c for c in sorted(cases, key=lambda c: c.case_id) if c.service == CHILDREN_IN_CARE)
    others = rng.sample([c for c in cases if c is not in_care], GOOD_PRACTICE_RECORDS - 1)
    return [WorkItem(GOOD_PRACTICE, case, cycle, auditor=rng.choice(nominators).name) for case in [in_care, *others]]


def _early_help_leader(pool: list[Auditor]) -> str:
    return next(a.name for a in pool if a.role == SENIOR_LEADER and EARLY_HELP_SERVICE in a.team)


def _thanked(demo: Settings, store: Store, good_practice: list[WorkItem], say: Callable[[str], None]) -> None:
    """The Children in Care worker's letter: signed by their own senior leader, not the one the nominator typed."""
    record = store.form(good_practice[0].form_id)
    if record is None:
        return
    signatory = letter_signatory(record, load_people(demo, store))
    say(f"   Thank-you letter for {record.form_id} (a {record.service} worker): {signatory.explanation}")


def _bad_files(inbox: Path, spare_form: bytes) -> list[str]:
    """A few files a real inbox gets: each must end in rejected/ with a reason."""
    (inbox / "Audit notes (old format).doc").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 1024)
    (inbox / "photo of form.jpg").write_bytes(bytes.fromhex("FFD8FFE000104A464946") + b"\0" * 512)
    (inbox / "half-copied form.docx").write_bytes(spare_form[: len(spare_form) // 2])
    return ["an old .doc", "a photo", "a half-copied .docx"]


def _safeguarding_cases(n: int, item: WorkItem, answers: dict, shown: set[str]) -> None:
    """Once each: an Early Help concern sent down the IRO route (flagged), an Inadequate form without actions
    (recorded, the auditor asked for SMART actions), a good practice record the nominator asked not to share."""
    keys = {f.key for f in FORM_TYPES[item.form_type].fields}
    if "misrouted" not in shown and item.case.legal_status == "Early Help" and "escalation_route" in keys and n != 3:
        shown.add("misrouted")
        answers.update(immediate_concern="Yes", immediate_concern_details="Parent intoxicated at the visit.",
                       escalation_route=IRO_ROUTE)
    elif "no actions" not in shown and "overall_grade" in keys and "action_1" in keys and n > 3:
        shown.add("no actions")
        answers["overall_grade"] = INADEQUATE
        for key in [k for k in answers if k.startswith("action_")]:
            del answers[key]
    elif "private" not in shown and item.form_type == "good_practice":
        shown.add("private")
        answers["share_across_workforce"] = "No"


def _returns(gen: FormGenerator, items: list[WorkItem], pool: list[Auditor], inbox: Path, seed: int,
             today: date) -> int:
    rng = random.Random(seed)
    leaders = [a.name for a in pool if a.role == SENIOR_LEADER]
    written = 0
    shown: set[str] = set()
    for n, item in enumerate(items):
        if n % 11 == 10:  # a few forms are still out with their auditors
            continue
        demo = answers_for(item, FORM_TYPES[item.form_type], rng, today)
        answers = dict(demo.answers)
        if item.form_type == GOOD_PRACTICE:
            answers["senior_leader"] = rng.choice(leaders)
            if item.case.service == CHILDREN_IN_CARE and not shown & {"thanked"}:
                shown.add("thanked")  # the nominator types the Early Help leader: the pool's line decides
                answers["senior_leader"] = _early_help_leader(pool)
        if n == 3:  # forgotten grade: rejected and sent back, but its concern still raises the alert at once
            answers.pop("overall_grade", None)
            answers.update(immediate_concern="Yes", immediate_concern_details="Child not seen for six weeks.")
        _safeguarding_cases(n, item, answers, shown)
        saved = datetime(today.year, today.month, today.day, 9) + timedelta(minutes=n)  # saved in Word
        data = fill_form(gen.render(item), answers, saved_at=saved)
        (inbox / f"{item.form_id} returned.docx").write_bytes(data)
        written += 1
        if n == 5:  # a corrected form sent again, saved later: current whatever the order it is read in
            answers["strengths"] = str(answers.get("strengths", "")) + " (corrected after discussion)"
            corrected = fill_form(gen.render(item), answers, saved_at=saved + timedelta(hours=3))
            (inbox / f"{item.form_id} returned v2.docx").write_bytes(corrected)
            written += 1
        if n == 7:  # the same file dropped twice: recorded once
            (inbox / f"{item.form_id} returned - Copy.docx").write_bytes(data)
            written += 1
    return written


def _commentary(demo: Settings, quarter: str, today: date, say: Callable[[str], None]) -> None:
    """The draft, and the QA Manager's commentary form filled in Word and returned through the inbox."""
    draft = run_reports(demo, quarter, None, None, send=False, today=today, draft=True)
    assert draft.commentary_form is not None
    answers = {"analysis": "Voice of the child is recorded well; plans are not reviewed when circumstances change.",
               "where_to_focus": "Reviewing plans on time, and management oversight recording the rationale for "
                                 "decisions.",
               "recommendation_1": "Every plan reviewed within 20 working days of a change of circumstances",
               "recommendation_1_owner": "Head of Service", "recommendation_1_due": today + timedelta(days=90),
               "action_1": "A practice week on reviewing plans", "action_1_owner": "Principal Social Worker",
               "action_1_due": today + timedelta(days=30)}
    returned = demo.path("inbox") / f"{quarter} QA commentary.docx"
    returned.write_bytes(fill_form(draft.commentary_form.read_bytes(), answers))
    ingest_paths(demo, [returned])
    say(f"7. Draft reports and the QA Manager's commentary form -> {draft.commentary_form}; filled in Word and "
        "returned through the inbox (its SMT-agreed action joins the Actions sheet)")


def _report(demo: Settings, pool: list[Auditor], today: date, say: Callable[[str], None]) -> None:
    """The quarter's reports, each service's going to its Service Managers, all into the outbox."""
    managers: dict[str, list[str]] = {}
    for auditor in pool:
        if auditor.role == SERVICE_MANAGER:
            managers.setdefault(auditor.service, []).append(auditor.email)
    options = demo.reports.model_copy(update={"recipients": demo.reports.recipients.model_copy(
        update={"services": {service: tuple(emails) for service, emails in managers.items()}})})
    label = quarter_of(today).label
    folder = demo.path("generated") / "exports"
    imported = [import_export(demo, kind, path).rows for kind, path in write_samples(folder, quarter_of(today)).items()]
    say(f"6. Imported {sum(imported)} rows of other sources of assurance (SQAS escalations, NSCP audits, staff "
        f"survey, feedback, performance indicators) from {folder}")
    _commentary(demo.model_copy(update={"reports": options.model_copy(update={"pdf": False})}), label, today, say)
    run = run_reports(demo.model_copy(update={"reports": options}), label, None, None, send=True, today=today)
    say("8. Quarterly reports (Word and PDF), emailed to the outbox:")
    for line in run.summary_lines():
        say("   " + line)


def _return_by_email(demo: Settings, gen: FormGenerator, items: list[WorkItem], seed: int, today: date,
                     say: Callable[[str], None]) -> None:
    """One auditor replies to the allocation email with the form attached; watch reads the QA mailbox."""
    item = next((i for n, i in enumerate(items) if n % 11 == 10 and i.auditor_email), None)  # still out
    if item is None:
        return
    answers = answers_for(item, FORM_TYPES[item.form_type], random.Random(seed), today).answers
    data = fill_form(gen.render(item), answers)
    user, password = QA_MAILBOX, demo_password()
    try:
        with loopback_imap(user, password) as port:
            deliver(port, user, password, reply_with_form(item.auditor_email, f"Your QA forms for cycle "
                                                          f"{item.cycle_id}", f"{item.form_id}.docx", data))
            cfg = Mailbox(source="imap", imap_host="127.0.0.1", imap_port=port, imap_ssl=False)
            mail = demo.model_copy(update={"mailbox": cfg})
            with Store(mail.path("database")) as store:
                read = MailboxWatcher(mail, Pipeline(mail, store),
                                      lambda: ImapMailbox(cfg, credentials=(user, password))).poll()
    except (OSError, RuntimeError) as exc:
        say(f"   (the return by email was skipped: {exc})")
        return
    say(f"   {item.auditor} replied to the allocation email with {item.form_id} attached: the QA mailbox (IMAP on "
        f"loopback) was read ({read} message), the form recorded and the sender answered")


def run_demo(settings: Settings, say: Callable[[str], None] = print, today: date | None = None) -> DemoResult:
    started = time.perf_counter()
    today = today or date.today()
    demo = demo_settings(settings)
    root = demo_root(settings)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    result = DemoResult(root)
    seed = settings.cycle.seed
    cycle = cycle_for(today, settings.cycle.length_days)

    pool = make_pool(seed)
    cases = make_cases(DEMO_CASES, seed, pool, today=today)
    write_pool(root / "auditor_pool.csv", pool)
    write_cases(root / "case_list.csv", cases)
    _staff(pool, cases).save(demo.path("staff"))
    say(f"1. Synthetic data: {len(pool)} auditors, {len(cases)} cases -> {root / 'case_list.csv'}")

    theme = THEMES[seed % len(THEMES)]
    allocated = allocate_cycle(demo, root / "case_list.csv", root / "auditor_pool.csv", cycle, theme, None,
                               today=today)
    say(f"2. Allocated cycle {cycle} (theme '{theme}'): {len(allocated.result.items)} pieces of work, "
        f"{len(allocated.result.unallocated)} could not be allocated -> {allocated.allocation_file}")
    say(f"3. Generated {allocated.generated.count} pre-filled Word forms -> {demo.path('generated') / cycle}; "
        f"emailed {allocated.sent} auditors their forms -> {demo.path('outbox')}")
    good_practice = assign_form_ids(_good_practice_items(cases, pool, cycle, random.Random(seed)))
    generate_items(demo, good_practice, today=today)
    say(f"   and {len(good_practice)} Good Practice Evidence Records for colleagues to fill in")
    items = allocated.result.items + good_practice
    generator = FormGenerator(demo.path("templates"), settings.organisation, settings.cycle.due_days, today)
    with Store(demo.path("database")) as store:
        inbox = demo.path("inbox")
        inbox.mkdir(parents=True, exist_ok=True)
        returned = _returns(generator, items, pool, inbox, seed, today)
        bad = _bad_files(inbox, generator.render(replace(items[0], form_id=items[0].form_id + "-X")))
        say(f"4. Auditors returned {returned} completed forms, plus {', '.join(bad)} -> {inbox}")

        batch = Pipeline(demo, store).process_batch(sorted(p for p in inbox.iterdir() if p.is_file()))
        result.batch = batch
        for line in batch.summary_lines():
            say("   " + line)
        _thanked(demo, store, good_practice, say)
    _return_by_email(demo, generator, items, seed, today, say)
    say(f"5. Processed forms -> {demo.path('processed')}; rejected, with reasons -> {demo.path('rejected')}")
    say(f"   Emails (escalations, good practice, thank-you letters) -> {demo.path('outbox')}")
    say(f"   Thank-you letters -> {demo.path('letters')}")
    say(f"   Register -> {demo.path('register')}")
    say("   The framework's other activities:")
    demo_activities(demo, root, pool, cases, today, say)
    _report(demo, pool, today, say)
    result.seconds = time.perf_counter() - started
    say(f"Demo finished in {result.seconds:.1f} s. Everything is under {root}")
    return result

