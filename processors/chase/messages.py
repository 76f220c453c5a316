"""The words of each reminder. One email per person and kind of reminder, listing every item for them.

Cases are named by case ID and forms by form ID, never by a child's initials.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from processors.chase.rules import (
    ACTION_OWNER,
    FOR_ADMIN,
    FORM_AUDITOR,
    FORM_MANAGER,
    OverdueAction,
    OverdueForm,
    Reminder,
)
from processors.dates import DATE_FORMAT_PY
from processors.forms.definitions import FORM_TYPES
from processors.mail.message import Message

CLOSING = "Following up every audit and its actions is how we close the loop (Quality Assurance Framework 8.2.1)."


@dataclass(frozen=True)
class Wording:
    """What every message needs besides the reminders themselves."""

    organisation: str
    admin_email: str
    staff_file: str
    pool_file: str


def group_key(reminder: Reminder) -> tuple[str, str]:
    """Reminders with the same key go out in one email."""
    return reminder.recipient.casefold(), "admin" if reminder.kind in FOR_ADMIN else reminder.kind


def _day(d: date) -> str:
    return d.strftime(DATE_FORMAT_PY)


def _late(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''} overdue"


def _title(form_type: str) -> str:
    definition = FORM_TYPES.get(form_type)
    return definition.title if definition else form_type


def form_line(form: OverdueForm, with_auditor: bool = False) -> str:
    who = f", auditor {form.auditor}" if with_auditor and form.auditor else ""
    state = ("returned but rejected: needs correction and returning again, " if form.needs_correction
             else "not returned, ")
    return (f"  - Form {form.form_id} ({_title(form.form_type)}), case {form.case_id}{who}: "
            f"{state}due {_day(form.due)}, {_late(form.days_overdue)}")


def action_line(action: OverdueAction) -> str:
    return (f"  - Action {action.action_id} (form {action.form_id}, case {action.case_id}): "
            f"due {_day(action.due)}, {_late(action.days_overdue)}\n      {action.text.strip()}")


def compose(reminders: Sequence[Reminder], wording: Wording) -> Message:
    """The email for one group of reminders (all with the same ``group_key``)."""
    first = reminders[0]
    if first.kind in FOR_ADMIN:
        return _for_admin(reminders, wording)
    builder = {FORM_AUDITOR: _to_auditor, FORM_MANAGER: _to_manager, ACTION_OWNER: _to_owner}[first.kind]
    subject, lines = builder(reminders, wording)
    body = "\n".join([f"Dear {first.recipient_name},", "", *lines, "", CLOSING, "", f"QA team, {wording.organisation}"])
    return Message(to=(first.recipient,), subject=subject, body=body, kind="reminder")


def _pick(items: Sequence[object], one: str, many: str) -> str:
    """``one`` for a single item, else ``many`` with {n} the count."""
    return one if len(items) == 1 else many.format(n=len(items))


def _state(forms: Sequence[OverdueForm], whose: str) -> str:
    """'not returned yet', or 'returned but needs correction' when that is true of every form listed."""
    if all(f.needs_correction for f in forms):
        return _pick(forms, f"This Quality Assurance form {whose} was returned but needs correction (you were sent "
                            "the reasons and the file): please correct it and return it:",
                     f"These {{n}} Quality Assurance forms {whose} were returned but need correction (you were "
                     "sent the reasons and the files): please correct them and return them:")
    return _pick(forms, f"This Quality Assurance form {whose} has not been returned yet:",
                 f"These {{n}} Quality Assurance forms {whose} have not been returned yet (or need correction):")


def _to_auditor(reminders: Sequence[Reminder], wording: Wording) -> tuple[str, list[str]]:
    forms = [r.item for r in reminders if isinstance(r.item, OverdueForm)]
    first = forms[0]
    subject = _pick(forms, f"Reminder: QA form {first.form_id} (case {first.case_id}) was due {_day(first.due)}",
                    "Reminder: {n} QA forms allocated to you are overdue")
    lines = [_state(forms, "allocated to you"), ""]
    lines += [form_line(f) for f in forms]
    lines += ["", _pick(forms, "Please complete it and return it", "Please complete them and return them")
              + " to the QA team as soon as you can. If you cannot, reply to the QA administrator "
              f"({wording.admin_email}) so the work can be reallocated."]
    return subject, lines


def _to_manager(reminders: Sequence[Reminder], wording: Wording) -> tuple[str, list[str]]:
    forms = [r.item for r in reminders if isinstance(r.item, OverdueForm)]
    subject = _pick(forms, f"Overdue QA form {forms[0].form_id}: allocated to {forms[0].auditor}",
                    "{n} overdue QA forms allocated to people you manage")
    lines = [_pick(forms, "This Quality Assurance form, allocated to someone you line manage, is well past its "
                          "return date without a form we could record:",
                   "These {n} Quality Assurance forms, allocated to people you line manage, are well past their "
                   "return date without a form we could record:"), ""]
    lines += [form_line(f, with_auditor=True) for f in forms]
    lines += ["", _pick(forms, "Please make sure it is", "Please make sure they are") + " completed and returned, "
              f"or tell the QA administrator ({wording.admin_email}) if a form should be reallocated."]
    return subject, lines


def _to_owner(reminders: Sequence[Reminder], wording: Wording) -> tuple[str, list[str]]:
    actions = [r.item for r in reminders if isinstance(r.item, OverdueAction)]
    first = actions[0]
    subject = _pick(actions, f"Reminder: QA action {first.action_id} (case {first.case_id}) was due "
                             f"{_day(first.due)}", "Reminder: {n} QA actions you own are overdue")
    lines = [_pick(actions, "This SMART action from a Quality Assurance audit names you as its owner and is past "
                            "its due date:",
                   "These {n} SMART actions from Quality Assurance audits name you as their owner and are past "
                   "their due date:"), ""]
    lines += [action_line(a) for a in actions]
    lines += ["", f"When an action is done, tell the QA administrator ({wording.admin_email}) so the register shows "
                  "it as Completed; if it is no longer needed, say so and it will be marked Not required."]
    return subject, lines


def _for_admin(reminders: Sequence[Reminder], wording: Wording) -> Message:
    lines = ["Dear QA administrator,", "",
             _pick(reminders, "This reminder could not be sent", "These {n} reminders could not be sent")
             + " because there is nobody to send to. Please chase by hand, and add the missing people (or line "
               "managers) to the staff list or the auditor pool so they are reminded next time:", ""]
    for r in reminders:
        item_line = form_line(r.item) if isinstance(r.item, OverdueForm) else action_line(r.item)
        lines += [item_line, f"      Not sent: {r.note}"]
    lines += ["", f"Staff list: {wording.staff_file}", f"Auditor pool: {wording.pool_file}"]
    subject = _pick(reminders, "Chase by hand: 1 reminder could not be sent",
                    "Chase by hand: {n} reminders could not be sent")
    return Message(to=(reminders[0].recipient,), subject=subject, body="\n".join(lines), kind="reminder")
