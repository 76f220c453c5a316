"""The numbers of a quarterly report, by the framework's Outcomes Based Accountability questions (QAF 1.8):
how much did we do, how well did we do it, is anyone better off.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from processors.chase.reaudit import case_progress
from processors.forms.definitions import FORM_TYPES
from processors.forms.vocabulary import GRADES, NOT_REQUIRED
from processors.reports.measures import RANK, GradeCounts, points_change, rate
from processors.reports.quarter import Period, Quarter
from processors.reports.source import GRADED_TYPES, Snapshot, due_day, form_title
from processors.reports.tables import CountRow, GradedRow, ReauditRow, ShareRow, Table
from processors.store.records import CLOSED_STATUSES, ActionRecord, AllocationRecord, FormRecord

IMPACT_DOMAINS: tuple[tuple[str, str], ...] = tuple(
    (t, f.key) for t in GRADED_TYPES for f in FORM_TYPES[t].domains if f.key.startswith("impact_"))
assert IMPACT_DOMAINS, "no graded domain about impact ('impact_...') in the form definitions"

EVIDENCE_RECORD = "good_practice"
assert EVIDENCE_RECORD in FORM_TYPES

ACTION_OUTCOMES: tuple[str, ...] = ("Completed on time", "Completed late", "Completed, date not recorded",
                                    "Open and overdue", "Open, not yet due", NOT_REQUIRED)


_GRADED = frozenset(GRADED_TYPES)


def graded_in(forms: Iterable[FormRecord], period: Period) -> list[FormRecord]:
    """The graded forms received in ``period`` (a report asks this of every form of the snapshot about ten times:
    the period's bounds compared as times, each form's ``received`` being one)."""
    start, end = datetime.combine(period.start, time()), datetime.combine(period.end, time())
    return [f for f in forms if start <= f.received < end and f.form_type in _GRADED and f.overall_grade in RANK]


def graded_row(label: str, detail: str, counts: GradeCounts, change: str = "") -> GradedRow:
    return GradedRow(label, detail, counts.total, tuple(counts.cells()), counts.good_rate, change)


# --- how much did we do ---------------------------------------------------------------------

@dataclass(frozen=True)
class HowMuch:
    types: Table
    services: Table
    allocated: int
    completed: int
    on_time: int
    evidence_records: int     # Good Practice Evidence Records (QAF 8.5) received
    observation_notes: int    # observations whose "good practice seen" box was filled in


def _count_row(label: str, allocations: list[AllocationRecord], received: int) -> CountRow:
    done = [a for a in allocations if a.received is not None]
    on_time = [a for a in done if due_day(a) is None or a.received.date() <= due_day(a)]  # type: ignore[union-attr]
    return CountRow(label, len(allocations), len(done), rate(len(done), len(allocations)), len(on_time),
                    rate(len(on_time), len(done)), received)


def how_much(snap: Snapshot, quarter: Quarter) -> HowMuch:
    due = [a for a in snap.allocations if a.item.form_type in GRADED_TYPES and due_day(a) in quarter]
    arrived = [f for f in snap.forms if f.form_type in GRADED_TYPES and f.received in quarter]
    types = [_count_row(form_title(t), [a for a in due if a.item.form_type == t],
                        sum(f.form_type == t for f in arrived)) for t in GRADED_TYPES]
    total = _count_row("All QA activity", due, len(arrived))
    by_service: dict[str, list[AllocationRecord]] = defaultdict(list)
    for a in due:
        by_service[a.item.case.service or "Service not recorded"].append(a)
    arrived_by_service = defaultdict(int)
    for f in arrived:
        arrived_by_service[f.service or "Service not recorded"] += 1
    services = [_count_row(s, by_service.get(s, []), arrived_by_service.get(s, 0))
                for s in sorted(set(by_service) | set(arrived_by_service))]
    good_practice = [g for g in snap.good_practice if g.current and g.recorded in quarter]
    records = sum(1 for g in good_practice if g.form_type == EVIDENCE_RECORD)
    empty = f"No audits, observations or supervision audits were due or returned in {quarter.label}."
    return HowMuch(Table(tuple(types + [total]) if due or arrived else (), empty),
                   Table(tuple(services), empty), total.allocated, total.completed, total.on_time, records,
                   len(good_practice) - records)


# --- how well did we do it ------------------------------------------------------------------

@dataclass(frozen=True)
class HowWell:
    overall: GradeCounts
    grades: Table
    trend: Table
    domains: Table
    services: Table
    teams: Table
    trend_series: tuple[tuple[str, GradeCounts], ...]
    service_series: tuple[tuple[str, GradeCounts], ...]
    previous_share: float | None


def _by(forms: list[FormRecord], key: Callable[[FormRecord], Hashable]) -> dict:
    groups: dict = defaultdict(list)
    for f in forms:
        groups[key(f)].append(f.overall_grade)
    return {k: GradeCounts.of(v) for k, v in sorted(groups.items())}


def _domain_rows(snap: Snapshot, forms: list[FormRecord]) -> list[GradedRow]:
    grades: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in forms:
        for g in snap.grades_by_form.get(f.form_id, ()):
            grades[(f.form_type, g.domain)].append(g.grade)
    return [graded_row(d.label, form_title(t), GradeCounts.of(grades[(t, d.key)]))
            for t in GRADED_TYPES for d in FORM_TYPES[t].domains if grades.get((t, d.key))]


def _trend(snap: Snapshot, quarters: list[Quarter]) -> tuple[list[GradedRow], list[tuple[str, GradeCounts]]]:
    series = [(q.label, GradeCounts.of(f.overall_grade for f in graded_in(snap.forms, q))) for q in quarters]
    rows, before = [], None
    for label, counts in series:
        rows.append(graded_row(label, "", counts, points_change(counts.good_share, before)))
        before = counts.good_share
    return rows, series


def trend_span(quarter: Quarter, trend_quarters: int) -> list[Quarter]:
    """The quarters a trend shows: ``trend_quarters`` before ``quarter``, and ``quarter``."""
    return [*quarter.previous(trend_quarters), quarter]


def how_well(snap: Snapshot, quarter: Quarter, trend_quarters: int) -> HowWell:
    forms = graded_in(snap.forms, quarter)
    overall = GradeCounts.of(f.overall_grade for f in forms)
    none = f"No graded forms were returned in {quarter.label}."
    grades = tuple(ShareRow(g, n, rate(n, overall.total)) for g, n in zip(GRADES, overall.counts)) if forms else ()
    trend_rows, series = _trend(snap, trend_span(quarter, trend_quarters))
    services = _by(forms, lambda f: f.service or "Service not recorded")
    teams = _by(forms, lambda f: (f.service or "Service not recorded", f.team or "Team not recorded"))
    previous = series[-2][1].good_share if len(series) > 1 else None
    return HowWell(
        overall, Table(grades, none),
        Table(tuple(trend_rows) if any(c.total for _, c in series) else (), "No graded forms in these quarters."),
        Table(tuple(_domain_rows(snap, forms)), none),
        Table(tuple(graded_row(s, "", c) for s, c in services.items()), none),
        Table(tuple(graded_row(t, s, c) for (s, t), c in teams.items()), none),
        tuple(series), tuple(services.items()), previous)


# --- is anyone better off -------------------------------------------------------------------

@dataclass(frozen=True)
class BetterOff:
    impact: Table
    actions: Table
    reaudits: Table
    action_counts: tuple[tuple[str, int], ...]
    actions_due: int          # fell due by ``due_by`` (the quarter's last day, or today if sooner)
    actions_on_time: int      # of those, completed by their due date
    actions_later: int        # due later in the quarter: not yet counted either way
    due_by: date


def _domain_counts(snap: Snapshot, period: Period, form_type: str, key: str) -> GradeCounts:
    return GradeCounts.of(g.grade for f in graded_in(snap.forms, period) if f.form_type == form_type
                          for g in snap.grades_by_form.get(f.form_id, ()) if g.domain == key)


def _impact_rows(snap: Snapshot, quarter: Quarter) -> list[GradedRow]:
    rows = []
    before_q = quarter.previous(1)[0]
    for form_type, key in IMPACT_DOMAINS:
        now, before = _domain_counts(snap, quarter, form_type, key), _domain_counts(snap, before_q, form_type, key)
        if now.total:
            label = FORM_TYPES[form_type].field(key).label
            rows.append(graded_row(label, form_title(form_type), now, points_change(now.good_share, before.good_share)))
    return rows


def action_outcome(action: ActionRecord, today: date) -> str:
    if action.status == NOT_REQUIRED:
        return NOT_REQUIRED
    if action.status in CLOSED_STATUSES:
        if action.completed_on is None or action.due is None:
            return "Completed, date not recorded"
        return "Completed on time" if action.completed_on <= action.due else "Completed late"
    return "Open and overdue" if action.due is not None and action.due < today else "Open, not yet due"


def _reaudit_rows(snap: Snapshot, quarter: Quarter) -> list[ReauditRow]:
    """Cases whose latest audit came back this quarter and had been audited before (processors.chase's
    definition of a re-audit, so reminders and reports agree): did the grade improve?"""
    before_end = [f for f in snap.forms if f.received.date() < quarter.end]
    types = {f.form_id: f.form_type for f in before_end}
    tally: dict[str, Counter] = defaultdict(Counter)
    for progress in case_progress(before_end):
        if progress.later_date in quarter:
            tally[types[progress.later_form_id]][progress.change] += 1
    return [ReauditRow(form_title(t), sum(c.values()), c["improved"], c["no change"], c["declined"],
                       rate(c["improved"], sum(c.values()))) for t, c in sorted(tally.items())]


def better_off(snap: Snapshot, quarter: Quarter, today: date) -> BetterOff:
    due = [a for a in snap.actions if a.due is not None and a.due in quarter and a.form_type in GRADED_TYPES]
    outcomes = defaultdict(int)
    for a in due:
        outcomes[action_outcome(a, today)] += 1
    counts = tuple((o, outcomes[o]) for o in ACTION_OUTCOMES if outcomes[o])
    due_by = min(today, quarter.last_day)
    fallen_due = [a for a in due if a.due <= due_by and action_outcome(a, today) != "Not required"]  # type: ignore[operator]
    on_time = sum(1 for a in fallen_due if action_outcome(a, today) == "Completed on time")
    reaudits = _reaudit_rows(snap, quarter)
    return BetterOff(
        Table(tuple(_impact_rows(snap, quarter)), f"No impact grades were recorded in {quarter.label}."),
        Table(tuple(ShareRow(o, n, rate(n, len(due))) for o, n in counts),
              f"No actions from audits were due in {quarter.label}."),
        Table(tuple(reaudits), f"No case audited in {quarter.label} had been audited before."),
        counts, len(fallen_due), on_time, sum(1 for a in due if a.due > due_by), due_by)  # type: ignore[operator]
