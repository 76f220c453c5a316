"""The weekly digest to the QA administrator: returns by service, overdue actions, open escalations, re-audits.

"Returns by service" covers the open cycles: every cycle with a form still out, and the latest cycle. An
escalation is listed while the current version of its form records the concern, nobody has entered a
"Resolved on" date for it in the register, and it was raised within ``escalation_window_days``. Cases by ID only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from processors.act.follow_up import smart_gaps_of
from processors.chase.messages import action_line
from processors.chase.reaudit import CaseProgress, ReauditOffer, offer_line
from processors.chase.rules import CHASED_FORM_TYPES, OverdueAction
from processors.dates import DATE_FORMAT_PY
from processors.mail.message import Message
from processors.store.database import AllocationRecord, EscalationRecord, FormRecord


@dataclass(frozen=True)
class ServiceReturns:
    service: str
    allocated: int
    returned: int
    overdue: int        # not returned and past the due date

    @property
    def outstanding(self) -> int:
        return self.allocated - self.returned


@dataclass(frozen=True)
class Digest:
    today: date
    cycles: tuple[str, ...]
    services: tuple[ServiceReturns, ...]
    overdue_actions: tuple[OverdueAction, ...]
    escalations: tuple[EscalationRecord, ...]
    offers: tuple[ReauditOffer, ...]
    unmatched_owners: tuple[OverdueAction, ...]
    progress: tuple[CaseProgress, ...]   # re-audits returned in the last week
    offer_file: Path | None = None       # the offer list (not attached: it holds case details)
    smart_gaps: tuple[FormRecord, ...] = ()  # recorded forms whose actions are still not SMART (QAF 8.2.1)


def open_cycles(allocations: Sequence[AllocationRecord]) -> tuple[str, ...]:
    chased = [a for a in allocations if a.item.form_type in CHASED_FORM_TYPES]
    cycles = {a.item.cycle_id for a in chased if not a.version}
    if chased:
        cycles.add(max(a.item.cycle_id for a in chased))
    return tuple(sorted(cycles))


def returns_by_service(allocations: Sequence[AllocationRecord], cycles: Iterable[str],
                       today: date) -> tuple[ServiceReturns, ...]:
    wanted = set(cycles)
    counts: dict[str, list[int]] = {}
    for a in allocations:
        if a.item.form_type not in CHASED_FORM_TYPES or a.item.cycle_id not in wanted:
            continue
        row = counts.setdefault(a.item.case.service or "(no service)", [0, 0, 0])
        row[0] += 1
        row[1] += bool(a.version)
        row[2] += not a.version and a.item.due_date is not None and a.item.due_date < today
    return tuple(ServiceReturns(s, *n) for s, n in sorted(counts.items()))


def open_escalations(escalations: Iterable[EscalationRecord], today: date, window_days: int) -> tuple[
        EscalationRecord, ...]:
    since = today - timedelta(days=window_days)
    return tuple(e for e in escalations if e.is_open and e.raised.date() >= since)


def _table(services: Sequence[ServiceReturns]) -> list[str]:
    width = max([len(s.service) for s in services] + [len("Service"), len("Total")])
    head = f"  {'Service':<{width}}  Allocated  Returned  Outstanding  Overdue"
    lines = [head, "  " + "-" * (len(head) - 2)]
    for s in services:
        lines.append(f"  {s.service:<{width}}  {s.allocated:>9}  {s.returned:>8}  {s.outstanding:>11}  {s.overdue:>7}")
    total = ServiceReturns("Total", sum(s.allocated for s in services), sum(s.returned for s in services),
                           sum(s.overdue for s in services))
    lines.append(f"  {total.service:<{width}}  {total.allocated:>9}  {total.returned:>8}  {total.outstanding:>11}  "
                 f"{total.overdue:>7}")
    return lines


def _section(title: str, lines: list[str], empty: str) -> list[str]:
    return ["", title, *(lines or [f"  {empty}"])]


def _when(day: date | None, none: str) -> str:
    return day.strftime(DATE_FORMAT_PY) if day else none


def _overdue_action(a: OverdueAction) -> str:
    return f"{action_line(a)}\n      Owner: {a.owner or 'not named'}; last chased: {_when(a.last_chased, 'never')}"


def _unmatched(a: OverdueAction) -> str:
    return f"  - Action {a.action_id} (case {a.case_id}): owner '{a.owner or 'not named'}'"


def _escalation(e: EscalationRecord) -> str:
    alert = f"alert sent {_when(e.notified_at, '')}" if e.notified_at else "alert NOT sent"
    return (f"  - Form {e.form_id}, case {e.case_id} ({e.service or 'no service'}): raised "
            f"{e.raised:{DATE_FORMAT_PY}}; {alert}")


def _progress(p: CaseProgress) -> str:
    return (f"  - Case {p.case_id}: {p.earlier_grade} ({p.earlier_form_id}) -> {p.later_grade} "
            f"({p.later_form_id}): {p.change}")


def digest_text(d: Digest) -> str:
    lines = [f"Weekly QA digest for {d.today:{DATE_FORMAT_PY}}.", "",
             f"Returned and outstanding forms by service (cycles {', '.join(d.cycles) or 'none'}):",
             *(_table(d.services) if d.services else ["  No forms allocated."])]
    lines += _section(f"Overdue SMART actions ({len(d.overdue_actions)}):",
                      [_overdue_action(a) for a in d.overdue_actions], "None.")
    lines += _section(f"Owners not in the staff list ({len(d.unmatched_owners)}): chase these by hand",
                      [_unmatched(a) for a in d.unmatched_owners], "None.")
    lines += _section(f"Open escalations ({len(d.escalations)}):", [_escalation(e) for e in d.escalations], "None.")
    lines += _section(f"Cases offered for re-audit ({len(d.offers)}):", [offer_line(o) for o in d.offers], "None.")
    if d.offers and d.offer_file:
        lines += [f"  The offer list, ready for `python run.py generate --cases`: {d.offer_file}"]
    lines += _section("Re-audits returned this week:", [_progress(p) for p in d.progress], "None.")
    lines += _section(f"Forms still waiting for SMART actions ({len(d.smart_gaps)}): the auditors were asked",
                      [f"  - Form {f.form_id}, case {f.case_id} ({f.auditor or 'no auditor'}): "
                       + "; ".join(smart_gaps_of(f)) for f in d.smart_gaps], "None.")
    return "\n".join(lines) + "\n"


def digest_message(d: Digest, admin_email: str) -> Message:
    outstanding = sum(s.outstanding for s in d.services)
    subject = (f"QA weekly digest {d.today:{DATE_FORMAT_PY}}: {outstanding} form(s) outstanding, "
               f"{len(d.overdue_actions)} action(s) overdue, {len(d.escalations)} open escalation(s)")
    return Message(to=(admin_email,), subject=subject, body=digest_text(d), kind="digest")
