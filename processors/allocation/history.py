"""What allocation learns from the store: which cases were audited, who was observed, and the coverage table.

* **Audits**: every current Supervision File Audit and Thematic Peer Audit recorded, by case ID, dated by
  its 'Date of audit' (the day it was received when that is empty). The allocation's re-audit rule takes
  the later of this and the case list's ``Last audited``. A re-audit the chase offers (the audit found the
  case wanting and its actions have fallen due) is generated from the offer list with ``generate``.
* **Observations**: every current Observation of Practice recorded, by practitioner, dated by its 'Date of
  observation'. Allocation gives observations to the practitioners observed longest ago.
* **Coverage** (QAF 3.1: each team member observed every two months where possible): one row per team
  member of the case list, with when they were last observed, how many days ago, and the observation this
  cycle's allocation gives them; written as the 'Coverage' sheet of the allocation workbook.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from processors.allocation.caselist import Sheet, normalise_text
from processors.allocation.rules import REAUDIT_CHECKED, AllocationHistory, months_before
from processors.forms.models import Case, WorkItem
from processors.forms.vocabulary import NO, OBSERVATION, YES
from processors.store.database import FormRecord, Store

OBSERVE_EVERY_MONTHS = 2  # QAF 3.1: bi-monthly
COVERAGE_SHEET = "Coverage"
COVERAGE_HEADER: tuple[str, ...] = ("Team member", "Team", "Last observed", "Days since",
                                    f"Observed in the last {OBSERVE_EVERY_MONTHS} months", "Observation this cycle")


def _form_date(form: FormRecord) -> date:
    for key in ("audit_date", "observation_date"):
        value = form.values.get(key)
        if isinstance(value, date):
            return value
    return form.received.date()


def history_from_forms(forms: Iterable[FormRecord]) -> AllocationHistory:
    """The latest audit of each case and observation of each practitioner (current versions of returned forms)."""
    audited: dict[str, date] = {}
    observed: dict[str, date] = {}
    for form in forms:
        if form.superseded:
            continue
        when = _form_date(form)
        if form.form_type in REAUDIT_CHECKED and form.case_id:
            key = form.case_id.casefold()
            audited[key] = max(audited.get(key, when), when)
        elif form.form_type == OBSERVATION and form.practitioner:
            key = normalise_text(form.practitioner)
            observed[key] = max(observed.get(key, when), when)
    return AllocationHistory(audited, observed)


def store_history(store: Store) -> AllocationHistory:
    """What the store remembers of the audits and observations returned so far."""
    return history_from_forms(store.forms())


@dataclass(frozen=True)
class CoverageRow:
    member: str
    team: str
    last_observed: date | None
    days_since: int | None
    observed_recently: bool       # within the last OBSERVE_EVERY_MONTHS months
    this_cycle: str               # the form ID of this cycle's observation of them, if any


def coverage(cases: Sequence[Case], history: AllocationHistory, items: Sequence[WorkItem],
             today: date) -> list[CoverageRow]:
    """Each team member of the case list: never observed first, then the longest since, then by team and name."""
    cutoff = months_before(today, OBSERVE_EVERY_MONTHS)
    planned = {normalise_text(i.case.practitioner): i.form_id for i in items if i.form_type == OBSERVATION}
    members: dict[tuple[str, str], Case] = {}
    for case in sorted(cases, key=lambda c: (c.team, c.practitioner)):
        members.setdefault((normalise_text(case.team), normalise_text(case.practitioner)), case)
    rows = []
    for case in members.values():
        last = history.last_observed(case.practitioner)
        rows.append(CoverageRow(case.practitioner, case.team, last, (today - last).days if last else None,
                                last is not None and last > cutoff, planned.get(normalise_text(case.practitioner), "")))
    return sorted(rows, key=lambda r: (r.last_observed is not None, r.last_observed or date.min, r.team, r.member))


def coverage_sheet(rows: Sequence[CoverageRow]) -> Sheet:
    return Sheet(COVERAGE_SHEET, COVERAGE_HEADER,
                 [[r.member, r.team, r.last_observed, "" if r.days_since is None else r.days_since,
                   YES if r.observed_recently else NO, r.this_cycle] for r in rows])
