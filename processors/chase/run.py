"""One chase run: close the loop on forms and actions (QAF 8.2.1).

One run, for a given ``today``: reminders for forms not returned by their due date (escalating to the
auditor's line manager), for SMART actions past their due date, and for the QA administrator whatever cannot
be sent; re-audit offers for cases found wanting whose actions have fallen due; on the configured weekday,
the weekly digest. Every reminder is recorded in the store, so a second run the same day sends nothing new;
the register shows the day each form and action was last chased.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from processors.act.follow_up import smart_gaps_of
from processors.chase.digest import Digest, digest_message, open_cycles, open_escalations, returns_by_service
from processors.chase.messages import Wording
from processors.chase.people import Contact, People, load_pool, pool_path
from processors.chase.reaudit import ReauditOffer, case_progress, reaudit_offers, write_offers
from processors.chase.rules import (
    DIGEST,
    NO_OWNER,
    REAUDIT_OFFER,
    OverdueAction,
    Reminder,
    action_reminders,
    form_reminders,
    overdue_actions,
    overdue_forms,
)
from processors.chase.send import deliver, not_sent
from processors.config.chase import WEEKDAYS, ChaseSettings, chase_settings, resolve
from processors.config.settings import Settings
from processors.dates import DATE_FORMAT_PY
from processors.errors import InputFileError, RegisterLockedError
from processors.mail.directory import StaffDirectory
from processors.mail.mailer import make_mailer
from processors.mail.message import Mailer
from processors.mail.sending import send_collecting
from processors.register.read_first import read_edits_first
from processors.register.workbook import write_register
from processors.store.database import ActionRecord, AllocationRecord, FormRecord, Store
from processors.store.lock import run_lock

log = logging.getLogger("qa.chase")
OFFERS_STATE = "reaudit_offers_written"  # state: the offers the offer list was last written with


@dataclass
class ChaseRun:
    today: date
    sent: list[Reminder] = field(default_factory=list)
    skipped: list[Reminder] = field(default_factory=list)            # already sent today (remind_every_days)
    unmatched_owners: list[OverdueAction] = field(default_factory=list)
    digest_sent: bool = False
    reaudit_offers: list[ReauditOffer] = field(default_factory=list)
    reaudit_file: Path | None = None
    emails: int = 0
    problems: list[str] = field(default_factory=list)
    register_path: Path | None = None

    def summary_lines(self) -> list[str]:
        lines = [f"Chase for {self.today:{DATE_FORMAT_PY}}: {len(self.sent)} reminder(s) sent in {self.emails} "
                 f"email(s); {len(self.skipped)} already sent and not repeated"]
        by_person: dict[str, list[str]] = {}
        for r in self.sent:
            by_person.setdefault(r.recipient, []).append(r.target_id)
        lines += [f"  {who}: {', '.join(targets)}" for who, targets in by_person.items()]
        lines += [f"  owner not in the staff list: action {a.action_id} ('{a.owner or 'not named'}')"
                  for a in self.unmatched_owners]
        lines.append("  weekly digest sent" if self.digest_sent else "  no weekly digest sent in this run")
        if self.reaudit_offers:
            lines.append(f"  {len(self.reaudit_offers)} case(s) offered for re-audit -> {self.reaudit_file}")
        lines += [f"  problem: {p}" for p in self.problems]
        if self.register_path:
            lines.append(f"  Register: {self.register_path}")
        return lines


@dataclass(frozen=True)
class _Context:
    settings: Settings
    config: ChaseSettings
    store: Store
    mailer: Mailer
    today: date
    people: People
    admin: Contact
    wording: Wording


def run_chase(settings: Settings, today: date | None = None, store: Store | None = None, *,
              mailer: Mailer | None = None, register: bool = True) -> ChaseRun:
    """One chase (see the module's docstring); ``store`` defaults to the configured database."""
    today = today or date.today()
    if store is None:
        with run_lock(settings, "chase"), Store(settings.path("database")) as own:
            return run_chase(settings, today, own, mailer=mailer, register=register)
    with run_lock(settings, "chase"):
        return _chase(settings, today, store, mailer, register)


def _chase(settings: Settings, today: date, store: Store, mailer: Mailer | None, register: bool) -> ChaseRun:
    ctx = _context(settings, store, mailer or make_mailer(settings, store), today)
    unread = _read_edits(settings, store)  # an action marked Completed in the register is not chased
    with store.reading_snapshot():  # one state of the store, while the watcher's intake goes on
        allocations, actions, forms = store.allocations(), store.actions(), store.forms()
    run = _remind(ctx, allocations, actions)
    run.problems += unread
    run.reaudit_offers = _offers(ctx, forms, actions, allocations)
    run.reaudit_file = _write_offer_list(ctx, run.reaudit_offers, run.problems)
    if WEEKDAYS[today.weekday()] == ctx.config.digest_weekday:
        run.digest_sent = _digest(ctx, run, allocations, forms)
    if register and store.register_dirty:
        run.register_path = _write_register(settings, store, run.problems)
    log.info("chase %s: %d reminder(s) sent, %d not repeated, digest %s, %d re-audit offer(s), %d problem(s)",
             today.isoformat(), len(run.sent), len(run.skipped), "sent" if run.digest_sent else "not sent",
             len(run.reaudit_offers), len(run.problems))
    return run


def _read_edits(settings: Settings, store: Store) -> list[str]:
    """People's edits in the register, stored before anything is decided; problems reading it, as lines."""
    try:
        for warning in read_edits_first(store, settings.path("register")):
            log.warning("register: %s", warning)
    except RegisterLockedError as exc:
        return [str(exc)]
    return []


def _context(settings: Settings, store: Store, mailer: Mailer, today: date) -> _Context:
    config = chase_settings(settings)
    pool = pool_path(settings, store)
    people = People(StaffDirectory.load(settings.path("staff")), load_pool(pool))
    wording = Wording(settings.organisation, settings.contacts.qa_administrator, str(settings.path("staff")),
                      str(pool) if pool else "not configured (chase.pool_file in config.yaml)")
    admin = Contact("QA administrator", settings.contacts.qa_administrator)
    return _Context(settings, config, store, mailer, today, people, admin, wording)


def _remind(ctx: _Context, allocations: list[AllocationRecord], actions: list[ActionRecord]) -> ChaseRun:
    reminders = form_reminders(overdue_forms(allocations, ctx.today), ctx.people, ctx.admin,
                               ctx.config.escalate_to_manager_after_days)
    reminders += action_reminders(overdue_actions(actions, ctx.today), ctx.people, ctx.admin)
    delivery = deliver(ctx.store, ctx.mailer, reminders, ctx.today, ctx.config.remind_every_days, ctx.wording)
    unmatched = [r.item for r in reminders if r.kind == NO_OWNER and isinstance(r.item, OverdueAction)]
    return ChaseRun(ctx.today, delivery.sent, delivery.skipped, unmatched, emails=len(delivery.results),
                    problems=delivery.problems)


def _offers(ctx: _Context, forms: list[FormRecord], actions: list[ActionRecord],
            allocations: list[AllocationRecord]) -> list[ReauditOffer]:
    """Today's re-audit offers, each recorded the first day it is made (and dated from then)."""
    offers = reaudit_offers(forms, actions, allocations, ctx.today, ctx.config.reaudit_grades,
                            ctx.config.reaudit_after_action_due_days)
    out = []
    for offer in offers:
        first = ctx.store.first_reminder(REAUDIT_OFFER, offer.form_id)
        if first is None:
            ctx.store.record_reminder(REAUDIT_OFFER, offer.form_id, ctx.admin.email, ctx.today)
        out.append(replace(offer, offered_since=first or ctx.today))
    return out


def offer_list_path(settings: Settings) -> Path:
    config = chase_settings(settings)
    if config.reaudit_file is not None:
        return resolve(settings, config.reaudit_file)
    return settings.path("generated") / "reaudit_offers.xlsx"


def _write_offer_list(ctx: _Context, offers: list[ReauditOffer], problems: list[str]) -> Path | None:
    """Rewrite the offer list only when the offers changed (or it was deleted), so edits to it survive."""
    path = offer_list_path(ctx.settings)
    key = ",".join(o.form_id for o in offers)
    if not offers and not path.exists():
        return None
    if path.exists() and ctx.store.get_state(OFFERS_STATE) == key:
        return path
    try:
        write_offers(path, offers)
    except InputFileError as exc:
        problems.append(f"re-audit offers not written: {exc}")
        return path if path.exists() else None
    ctx.store.set_state(OFFERS_STATE, key)
    return path


def _digest(ctx: _Context, run: ChaseRun, allocations: list[AllocationRecord], forms: list[FormRecord]) -> bool:
    """The weekly digest, once per ISO week; True when it was sent now."""
    year, week, _ = ctx.today.isocalendar()
    target = f"{year}-W{week:02d}"
    if ctx.store.first_reminder(DIGEST, target) is not None:
        return False
    cycles = open_cycles(allocations)
    week_ago = ctx.today - timedelta(days=7)
    digest = Digest(ctx.today, cycles, returns_by_service(allocations, cycles, ctx.today),
                    tuple(overdue_actions(ctx.store.actions(), ctx.today)),  # with today's Last chased
                    open_escalations(ctx.store.escalations(), ctx.today, ctx.config.escalation_window_days),
                    tuple(run.reaudit_offers), tuple(run.unmatched_owners),
                    tuple(p for p in case_progress(forms) if p.later_date > week_ago), run.reaudit_file,
                    tuple(f for f in forms if smart_gaps_of(f)))
    if send_collecting(ctx.mailer, digest_message(digest, ctx.admin.email), run.problems, not_sent) is None:
        return False
    ctx.store.record_reminder(DIGEST, target, ctx.admin.email, ctx.today)
    run.emails += 1
    return True


def _write_register(settings: Settings, store: Store, problems: list[str]) -> Path | None:
    path = settings.path("register")
    try:
        write_register(store, path)
    except RegisterLockedError as exc:
        problems.append(str(exc))
        return None
    return path
