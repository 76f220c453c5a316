"""Re-audit: cases found wanting are offered for audit again once their actions have fallen due.

A case whose latest case audit (Supervision File Audit or Thematic Peer Audit) is graded in
``reaudit_grades`` is offered from ``reaudit_after_action_due_days`` after the last of that audit's actions
falls due (after the audit itself when it set no dated actions), unless another audit of the case is already
allocated and not back. The offers are written as an allocation list that ``generate`` takes directly, with
the original auditor and no Last audited date. (``allocate`` does not hand the case out again within
``cycle.reaudit_months``: it reads the audit from the store.) ``case_progress`` tells reports whether a
re-audited case improved.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from processors.allocation.caselist import ALLOCATION_HEADER, allocation_cells, write_table
from processors.allocation.rules import REAUDIT_CHECKED
from processors.dates import DATE_FORMAT_PY
from processors.forms.models import Case, WorkItem
from processors.forms.vocabulary import GRADES
from processors.store.database import ActionRecord, AllocationRecord, FormRecord

OFFER_EXTRA_COLUMNS: tuple[str, ...] = ("Re-audit of", "Earlier grade", "Actions due by", "Offered since")


@dataclass(frozen=True)
class ReauditOffer:
    case_id: str
    form_id: str                 # the audit that found the case wanting
    form_type: str
    grade: str
    audited: date
    actions_due: date | None     # the last of its actions' due dates (None: it set no dated actions)
    offer_from: date             # the day the case became due for re-audit
    service: str
    item: WorkItem               # the row of the offer list
    offered_since: date | None = None  # first day it was offered (set by the caller from the store)


@dataclass(frozen=True)
class CaseProgress:
    """A case's audit before the latest, against the latest: did the case improve?"""

    case_id: str
    earlier_form_id: str
    earlier_grade: str
    earlier_date: date
    later_form_id: str
    later_grade: str
    later_date: date

    @property
    def change(self) -> str:
        before, after = GRADES.index(self.earlier_grade), GRADES.index(self.later_grade)
        return "improved" if after < before else "declined" if after > before else "no change"


def _audits_by_case(forms: Iterable[FormRecord]) -> dict[str, list[FormRecord]]:
    """Graded case audits (current versions), oldest first, by case ID (compared ignoring case)."""
    out: dict[str, list[FormRecord]] = {}
    for f in forms:
        if f.form_type in REAUDIT_CHECKED and f.overall_grade in GRADES and f.case_id and not f.superseded:
            out.setdefault(f.case_id.casefold(), []).append(f)
    for audits in out.values():
        audits.sort(key=lambda f: (f.received, f.form_id))
    return out


def case_progress(forms: Iterable[FormRecord]) -> list[CaseProgress]:
    """Every case audited at least twice: its latest overall grade against the one before (from store.forms())."""
    out = []
    for audits in _audits_by_case(forms).values():
        if len(audits) >= 2:
            before, after = audits[-2], audits[-1]
            out.append(CaseProgress(after.case_id, before.form_id, before.overall_grade, before.received.date(),
                                    after.form_id, after.overall_grade, after.received.date()))
    return sorted(out, key=lambda p: p.case_id)


def _pending_cases(allocations: Iterable[AllocationRecord]) -> dict[str, set[str]]:
    """Case ID -> form IDs of audits allocated and not yet returned."""
    out: dict[str, set[str]] = {}
    for a in allocations:
        if not a.version and a.item.form_type in REAUDIT_CHECKED:
            out.setdefault(a.item.case.case_id.casefold(), set()).add(a.item.form_id)
    return out


def reaudit_offers(forms: Sequence[FormRecord], actions: Sequence[ActionRecord],
                   allocations: Sequence[AllocationRecord], today: date, grades: Collection[str],
                   after_days: int) -> list[ReauditOffer]:
    """The cases to offer for re-audit on ``today`` (see the module's docstring)."""
    items = {a.item.form_id: a.item for a in allocations}
    pending = _pending_cases(allocations)
    dues: dict[str, list[date]] = {}
    for a in actions:
        if a.due is not None:
            dues.setdefault(a.form_id, []).append(a.due)
    offers = []
    for key, audits in _audits_by_case(forms).items():
        latest = audits[-1]
        if latest.overall_grade not in grades or pending.get(key, set()) - {latest.form_id}:
            continue
        last_due = max(dues[latest.form_id]) if latest.form_id in dues else None
        offer_from = (last_due or latest.received.date()) + timedelta(days=after_days)
        if today >= offer_from:
            offers.append(ReauditOffer(latest.case_id, latest.form_id, latest.form_type, latest.overall_grade,
                                       latest.received.date(), last_due, offer_from, latest.service,
                                       offer_item(latest, items.get(latest.form_id))))
    return sorted(offers, key=lambda o: (o.offer_from, o.case_id))


def offer_item(form: FormRecord, original: WorkItem | None) -> WorkItem:
    """The allocation row for a re-audit: same form type and auditor; a new form ID, cycle and due date come
    when it is generated (``generate`` takes the offer list directly); no Last audited date."""
    if original is not None:
        return replace(original, form_id="", cycle_id="", due_date=None, source_row=0,
                       case=replace(original.case, last_audited=None))
    values = form.values
    age = str(values.get("child_age") or "0").strip()
    case = Case(form.case_id, str(values.get("child_initials") or ""), int(age) if age.isdigit() else 0,
                str(values.get("legal_status") or ""), form.service, form.team, form.practitioner, form.team_manager)
    return WorkItem(form.form_type, case, "", auditor=form.auditor, theme=form.theme)


def write_offers(path: Path, offers: Sequence[ReauditOffer]) -> None:
    """The offer list as CSV or .xlsx: the allocation columns, then why each case is offered."""
    rows = [[*allocation_cells(o.item), o.form_id, o.grade, o.actions_due, o.offered_since or o.offer_from]
            for o in offers]
    write_table(path, (*ALLOCATION_HEADER, *OFFER_EXTRA_COLUMNS), rows, sheet="Re-audit offers")


def offer_line(offer: ReauditOffer) -> str:
    due = f"actions due by {offer.actions_due:{DATE_FORMAT_PY}}" if offer.actions_due else "no dated actions"
    return (f"  - Case {offer.case_id}: {offer.grade} in {offer.form_id} "
            f"({offer.audited:{DATE_FORMAT_PY}}); {due}")
