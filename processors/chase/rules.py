"""Who is reminded of what on a given day: pure functions over the store's records and a fixed ``today``.

* A form allocated for a case audit or observation, not returned by its due date, is overdue from the day
  after: its auditor is reminded; from ``escalate_after`` days overdue their line manager (from the auditor
  pool) is told too. Good Practice Evidence Records are nominations, never chased.
* A SMART action past its due date whose status is not Completed or Not required (and with no Completed on
  date) is overdue: its owner, matched to the staff list, is reminded.
* Whoever cannot be reached (an auditor or owner with no address, an auditor with no line manager in the
  pool) is listed for the QA administrator to chase by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from processors.chase.people import Contact, People
from processors.forms.vocabulary import (
    AUDIT_TYPES,
    COMMISSIONED_AUDIT,
    LEADER_OBSERVATION,
    PRACTICE_WEEK_REVIEW,
    YOUNG_INSPECTOR_FEEDBACK,
)
from processors.store.records import CLOSED_STATUSES, ActionRecord, AllocationRecord

FORM_AUDITOR = "form_overdue"            # to the auditor
FORM_MANAGER = "form_overdue_manager"    # to the auditor's line manager
ACTION_OWNER = "action_overdue"          # to the action's owner
NO_AUDITOR = "auditor_unmatched"         # to the QA administrator: the auditor has no address
NO_MANAGER = "manager_unknown"           # to the QA administrator: nobody to escalate to
NO_OWNER = "owner_unmatched"             # to the QA administrator: the owner is not in the staff list
DIGEST = "digest"
REAUDIT_OFFER = "reaudit_offer"
FOR_ADMIN = frozenset({NO_AUDITOR, NO_MANAGER, NO_OWNER})
# Allocated work with a person and a due date; blank forms anyone may fill (good practice, management audits) are not.
CHASED_FORM_TYPES = frozenset(AUDIT_TYPES) | {COMMISSIONED_AUDIT, LEADER_OBSERVATION, PRACTICE_WEEK_REVIEW,
                                              YOUNG_INSPECTOR_FEEDBACK}


@dataclass(frozen=True)
class OverdueForm:
    form_id: str
    form_type: str
    case_id: str
    cycle_id: str
    service: str
    auditor: str
    auditor_email: str
    due: date
    days_overdue: int
    needs_correction: bool = False   # it came back, was rejected, and the corrected form has not come yet


@dataclass(frozen=True)
class OverdueAction:
    action_id: str
    form_id: str
    case_id: str
    service: str
    text: str
    owner: str
    due: date
    days_overdue: int
    last_chased: date | None


@dataclass(frozen=True)
class Reminder:
    """One reminder about one form or action to one person; recorded as (kind, target_id, recipient, day)."""

    kind: str
    target_id: str
    recipient: str            # an email address
    recipient_name: str
    item: OverdueForm | OverdueAction
    note: str = ""            # for the QA administrator: what is missing


def overdue_forms(allocations: Iterable[AllocationRecord], today: date) -> list[OverdueForm]:
    """Allocated forms of a chased type that have not come back and whose due date has passed."""
    out = []
    for a in allocations:
        item = a.item
        if a.version or item.form_type not in CHASED_FORM_TYPES or item.due_date is None or item.due_date >= today:
            continue
        out.append(OverdueForm(item.form_id, item.form_type, item.case.case_id, item.cycle_id, item.case.service,
                               item.auditor, item.auditor_email, item.due_date, (today - item.due_date).days,
                               a.needs_correction))
    return sorted(out, key=lambda f: (f.due, f.form_id))


def is_done(action: ActionRecord) -> bool:
    return action.status in CLOSED_STATUSES or action.completed_on is not None


def overdue_actions(actions: Iterable[ActionRecord], today: date) -> list[OverdueAction]:
    """Actions past their due date that are not Completed, Not required, or given a Completed on date."""
    out = [OverdueAction(a.action_id, a.form_id, a.case_id, a.service, a.text, a.owner, a.due, (today - a.due).days,
                         a.last_chased)
           for a in actions if a.due is not None and a.due < today and not is_done(a)]
    return sorted(out, key=lambda a: (a.due, a.action_id))


def form_reminders(forms: Iterable[OverdueForm], people: People, admin: Contact,
                   escalate_after_days: int) -> list[Reminder]:
    """The auditor's reminder for each overdue form, and their manager's once it is ``escalate_after_days`` late."""
    out: list[Reminder] = []
    for form in forms:
        auditor = people.find(form.auditor, form.auditor_email)
        if auditor is None:
            out.append(_for_admin(NO_AUDITOR, form.form_id, form, admin,
                                  f"auditor '{form.auditor or 'not named'}' has no email address in the allocation, "
                                  "the staff list or the auditor pool"))
        else:
            out.append(Reminder(FORM_AUDITOR, form.form_id, auditor.email, auditor.name, form))
        if form.days_overdue < escalate_after_days:
            continue
        manager = people.manager_of(form.auditor, auditor.email if auditor else form.auditor_email)
        if manager is None:
            out.append(_for_admin(NO_MANAGER, form.form_id, form, admin,
                                  f"{form.days_overdue} days overdue and no line manager for "
                                  f"'{form.auditor or 'the auditor'}' in the auditor pool to escalate to"))
        else:
            out.append(Reminder(FORM_MANAGER, form.form_id, manager.email, manager.name, form))
    return out


def action_reminders(actions: Iterable[OverdueAction], people: People, admin: Contact) -> list[Reminder]:
    """The owner's reminder for each overdue action; owners not in the staff list go to the QA administrator."""
    out: list[Reminder] = []
    for action in actions:
        owner = people.find(action.owner)
        if owner is None:
            why = f"owner '{action.owner}' is not in the staff list" if action.owner else "no owner is named"
            out.append(_for_admin(NO_OWNER, action.action_id, action, admin, why))
        else:
            out.append(Reminder(ACTION_OWNER, action.action_id, owner.email, owner.name, action))
    return out


def _for_admin(kind: str, target: str, item: OverdueForm | OverdueAction, admin: Contact, note: str) -> Reminder:
    return Reminder(kind, target, admin.email, admin.name, item, note)
