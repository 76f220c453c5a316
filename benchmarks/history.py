"""Ten years of synthetic history in a store and its register: the state a trust reaches after a decade of use.

    from benchmarks.history import seed_history
    state = seed_history(folder)          # 7,000 forms, about 70,000 register rows

About 700 forms a year, over 40 quarters and the six-weekly cycles in them (QAF 5.5: supervision audits,
observations of practice, thematic peer audits, and good-practice records), each form allocated first (the
Allocations sheet; a few never returned), recorded with its graded domains and SMART actions, concerns
escalated and already notified, good practice already acknowledged, old actions completed by their owners
(the register's edited columns), some files rejected, and the email each step sent (the Sent sheet). The
history ends today, and today's daily work (the chase, the month's briefing, the quarter's draft report) is
done once by the project's own daily tick while seeding, so the state is quiet, as a store is between
cycles: what a benchmark then measures is the cost of one more form, not a catch-up. Synthetic people only.
The rows beyond the forms and allocations are shared between grades, actions and sent mail so the register
holds about ``rows`` rows across its sheets. The config written beside the store (config.yaml) points every
output into ``folder``; copy the folder to run something on the same state twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks.common import scratch_config
from processors.chase.daily import DailyChase
from processors.config.chase import chase_settings
from processors.config.reports import report_settings
from processors.config.settings import Settings, load_settings
from processors.forms.definitions import FORM_TYPES, Kind
from processors.forms.models import ActionItem, Case, FormIdentity, ParsedForm, Rejection, ValidatedForm, WorkItem
from processors.forms.vocabulary import AUDIT_TYPES, COMPLETED, GOOD_PRACTICE, GRADES, LEGAL_STATUSES, NO, ROLES, YES
from processors.register.workbook import write_register
from processors.reports.schedule import with_scheduled_reports
from processors.store.database import Store
from processors.store.records import ActionEdit, SentRecord

YEARS = 10
CYCLE_DAYS = 42                     # the six-weekly cycle (QAF 5.5)
CYCLES = -(-YEARS * 365 // CYCLE_DAYS)  # 87 cycles: ten whole years
FIRST_DAY = date.today() - timedelta(days=CYCLE_DAYS * CYCLES - 1)  # the history ends today
DOMAIN = "example-trust.org.uk"     # the allow-listed domain of config.yaml's email.allowed_domains
SERVICES = ("Early Help", "Children in Need", "Child Protection", "Children in Care", "Care Leavers")
UNRETURNED_EVERY = 25               # one allocation in 25 never came back
REJECTED_EVERY = 60                 # one returned file in 60 was rejected first
CONCERN_EVERY = 40                  # one form in 40 raised an immediate concern
GOOD_PRACTICE_EVERY = 20            # one form in 20 is a good-practice record
SHARES = {"Grades": 0.5, "Actions": 0.3, "Sent": 0.2}  # how the rows beyond forms and allocations are spread


@dataclass(frozen=True)
class HistoryState:
    """What was seeded: where, how much, and the register's rows by sheet (from writing it)."""

    folder: Path
    config: Path
    store: Path
    register: Path
    forms: int
    allocations: int
    cycles: int
    quarters: int
    first_day: date
    last_day: date
    rows: dict[str, int]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    def summary(self) -> str:
        sheets = ", ".join(f"{title} {n:,}" for title, n in self.rows.items() if n)
        return (f"{self.forms:,} forms over {self.quarters} quarters and {self.cycles} cycles "
                f"({self.first_day:%d/%m/%Y} to {self.last_day:%d/%m/%Y}); {self.allocations:,} allocations; "
                f"register {self.total_rows:,} rows ({sheets}); seeded in {self.seconds:.0f} s")


@dataclass(frozen=True)
class Budget:
    """How many rows each form gets on the sheets whose size ``rows`` sets."""

    grades: int
    actions: int
    sent: int

    @classmethod
    def of(cls, forms: int, rows: int) -> Budget:
        fixed = forms * 2 + forms // UNRETURNED_EVERY + forms // CONCERN_EVERY + forms // GOOD_PRACTICE_EVERY \
            + forms // REJECTED_EVERY
        rest = max(rows - fixed, 0)
        return cls(*(round(rest * SHARES[k]) for k in ("Grades", "Actions", "Sent")))


def spread(total: int, count: int, n: int) -> int:
    """Form ``n``'s share when ``total`` is spread as evenly as whole numbers allow over ``count`` forms."""
    return total // count + (1 if n < total % count else 0)


def cycle_of(n: int, forms: int, cycles: int) -> tuple[str, date]:
    """(cycle ID, its first day) of form ``n``: forms are spread evenly over the cycles."""
    index = n * cycles // forms
    start = FIRST_DAY + timedelta(days=CYCLE_DAYS * index)
    number = (start - date(start.year, 1, 1)).days // CYCLE_DAYS + 1
    return f"{start.year}-C{number:02d}", start


def form_type_of(n: int) -> str:
    return GOOD_PRACTICE if n % GOOD_PRACTICE_EVERY == 0 else AUDIT_TYPES[n % len(AUDIT_TYPES)]


def work_item(n: int, forms: int, cycles: int) -> WorkItem:
    cycle_id, start = cycle_of(n, forms, cycles)
    form_type = form_type_of(n)
    service = SERVICES[n % len(SERVICES)]
    case = Case(f"CF{4000000 + n:07d}", "X.Y.", 3 + n % 14, LEGAL_STATUSES[n % len(LEGAL_STATUSES)], service,
                f"{service} {n % 4 + 1}", f"Practitioner {n % 211}", f"Manager {n % 23}")
    return WorkItem(form_type, case, cycle_id, f"{cycle_id}-{FORM_TYPES[form_type].code}-{n:05d}",
                    auditor=f"Auditor {n % 66}", auditor_email=f"auditor{n % 66}@{DOMAIN}",
                    auditor_role=ROLES[n % len(ROLES)], due_date=start + timedelta(days=28))


def domains(form_type: str) -> list[str]:
    return [f.key for f in FORM_TYPES[form_type].fields if f.kind == Kind.GRADE and f.key != "overall_grade"]


def returned(item: WorkItem, n: int, grades: int, actions: int) -> ValidatedForm:
    """The form as the auditor returned it (a week or so before its due date)."""
    received = datetime.combine(item.due_date or FIRST_DAY, datetime.min.time()) - timedelta(days=n % 9, hours=n % 7)
    grade = GRADES[n % 4]
    values: dict[str, object] = {"overall_grade": grade, "strengths": "Clear, child-centred plan"}
    if item.form_type == GOOD_PRACTICE:
        values = {"what_was_done": "Kept the child's voice at the centre of the plan",
                  "difference_for_child": "Settled at school", "nominated_by": item.auditor,
                  "value_child_focussed": True, "senior_leader": "Director", "share_across_workforce": YES}
    concern = n % CONCERN_EVERY == 7  # never a good-practice record (those are every 20th)
    if item.form_type != GOOD_PRACTICE:
        values |= {"immediate_concern": YES if concern else NO,
                   "immediate_concern_details": "Escalated to the team manager the same day" if concern else ""}
    graded = {d: GRADES[(n + i) % 4] for i, d in enumerate(domains(item.form_type)[:grades])}
    items = [ActionItem(a, f"Review the plan with the family and record the outcome ({a})", item.case.team_manager,
                        received.date() + timedelta(days=14 * a)) for a in range(1, actions + 1)]
    parsed = ParsedForm(Path(f"{item.form_id}.docx"), FormIdentity(item.form_id, item.form_type, "1.0", item.cycle_id),
                        item.form_type, {}, f"history-{n}", saved_at=received)
    return ValidatedForm(parsed, item.form_id, item.form_type, item.case.case_id, values, graded, items,
                         received=received)


def sent_mail(item: WorkItem, n: int, count: int) -> Iterator[SentRecord]:
    """The email a form caused: the form sent out, reminders, findings to the team manager."""
    kinds = ("allocation", "reminder", "findings", "thank_you")
    sent = datetime.combine(item.due_date or FIRST_DAY, datetime.min.time()) - timedelta(days=27)
    for k in range(count):
        yield SentRecord(sent + timedelta(days=7 * k, minutes=n % 60), kinds[k % len(kinds)],
                         f"QA form {item.form_id}", item.auditor_email, f"{item.form_id}.docx" if k == 0 else "",
                         "outbox", "sent")


def seed_history(folder: Path, forms: int = 7000, rows: int = 70000) -> HistoryState:
    """Seed ``folder`` with ten years of history (see the module's docstring) and write its register."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    config = scratch_config(folder)
    cycles = CYCLES
    budget = Budget.of(forms, rows)
    graded = [n for n in range(forms) if domains(form_type_of(n))]
    share = {n: i for i, n in enumerate(graded)}
    items = [work_item(n, forms, cycles) for n in range(forms)]
    unreturned = [work_item(forms + n, forms + forms // UNRETURNED_EVERY, cycles)
                  for n in range(forms // UNRETURNED_EVERY)]
    store_path, register = folder / "qa.sqlite3", folder / "register.xlsx"
    with Store(store_path) as store:
        with store.transaction():
            store.add_work_items(items + unreturned, generated_at=datetime.combine(FIRST_DAY, datetime.min.time()))
            for n, item in enumerate(items):
                grades = spread(budget.grades, len(graded), share[n]) if n in share else 0
                form = returned(item, n, grades, spread(budget.actions, forms, n))
                if n % REJECTED_EVERY == 0:
                    store.record_rejection(Rejection(Path(f"{item.form_id}.docx"), "a required answer was missing",
                                                     form.received - timedelta(days=2), item.form_id),
                                           f"rejected-{n}")
                store.record_form(form, form.parsed.source.name)
                for mail in sent_mail(item, n, spread(budget.sent, forms, n)):
                    store.record_sent(mail)
        _settle(store, datetime.now())
        _daily_work_done(load_settings(config), store)
        report = write_register(store, register)
    last_day = FIRST_DAY + timedelta(days=CYCLE_DAYS * cycles - 1)
    return HistoryState(folder, config, store_path, register, forms, len(items) + len(unreturned), cycles,
                        YEARS * 4, FIRST_DAY, last_day, dict(report.rows), time.perf_counter() - started)


def _settle(store: Store, now: datetime) -> None:
    """Every notice already sent; actions due before the last half-year completed by their owners."""
    pending = store.pending_notices()
    for form_id in pending["escalation"]:
        store.mark_escalation_notified(form_id, now)
    for form_id in pending["good_practice"]:
        store.mark_good_practice_notified(form_id, now)
    cutoff = now.date() - timedelta(days=183)
    store.set_action_edits({a.action_id: ActionEdit(COMPLETED, a.due + timedelta(days=3) if a.due else None)
                            for a in store.actions() if a.due and a.due < cutoff})


def _daily_work_done(settings: Settings, store: Store) -> None:
    """Today's chase and scheduled reports, made once by the watcher's own daily tick (reminders, briefing,
    draft report, all to the outbox), so a watcher started on this state has no catch-up to do."""
    with_scheduled_reports(DailyChase(settings, store, clock=_after_daily_at(settings)))()


def _after_daily_at(settings: Settings) -> Callable[[], datetime]:
    """A clock past today's chase and report times, so the tick runs whatever hour the benchmark starts."""
    latest = max(chase_settings(settings).daily_at, report_settings(settings).schedule.daily_at)
    now = max(datetime.now(), datetime.combine(date.today(), latest))
    return lambda: now


__all__ = ["HistoryState", "seed_history"]
