"""`practice-week plan` (QAF 7.3-7.5): a practice-week team from outside the service, Young Inspectors among
them, comes alongside the service's practitioners for a week.

Each reviewer from the pool gets ``visits_each`` visits (different practitioners first), never one they have a
conflict with (the allocation's rules: not their own team, the practitioner, the case's management line, IRO or
CP Chair; and not a service they work in). Each Young Inspector goes along on one of those visits and gets the
Young Inspectors' feedback form for it. The team is remembered for the week's cycle, so `allocate` gives them no
thematic peer audits that cycle (QAF 7.3). The plan is written as an allocation file; forms are generated and
emailed like the cycle's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from processors.allocation.caselist import (
    Row,
    column_key,
    read_cases,
    read_table,
    same_text,
    write_allocation,
    write_table,
)
from processors.config.settings import Settings
from processors.errors import InputFileError
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.vocabulary import PRACTICE_WEEK_REVIEW, YOUNG_INSPECTOR_FEEDBACK
from processors.generate.forms import assign_form_ids, cycle_for
from processors.generate.run import generate_items
from processors.naming import safe_name
from processors.planning.deliver import deliver
from processors.planning.people import load_pool, rules_for
from processors.planning.team_state import remember_team
from processors.planning.week import return_by, week_start
from processors.store.database import Store
from processors.store.lock import run_lock
from processors.templates.check import FORM_TEMPLATES, require_templates

YOUNG_INSPECTOR = "Young Inspector"


@dataclass(frozen=True)
class Member:
    name: str
    email: str
    young_inspector: bool
    auditor: Auditor | None  # their pool entry (reviewers); None for Young Inspectors


@dataclass(frozen=True)
class PracticeWeekPlan:
    service: str
    cycle_id: str
    items: list[WorkItem]
    plan_file: Path
    unvisited: list[str]   # reviewers who could not be given a visit, with why
    sent: int
    problems: list[str]

    def summary_lines(self) -> list[str]:
        reviews = sum(1 for i in self.items if i.form_type == PRACTICE_WEEK_REVIEW)
        young = len(self.items) - reviews
        lines = [f"Practice week in {self.service} (cycle {self.cycle_id}): {reviews} visit(s) with a reviewer, "
                 f"{young} with a Young Inspector -> {self.plan_file}",
                 f"  the team has no thematic peer audits in cycle {self.cycle_id} (allocate reads the team)"]
        lines += [f"  not given a visit: {u}" for u in self.unvisited]
        lines.append(f"Emailed {self.sent} reviewer(s) their forms")
        return lines + [f"  not emailed: {p}" for p in self.problems]


def read_team(path: Path, pool: list[Auditor]) -> list[Member]:
    """A CSV/.xlsx with a Name column (optional Role and Email): pool members by name or auditor ID, and Young
    Inspectors (Role 'Young Inspector', with an Email)."""
    table = read_table(path, ("Name",), ("Role", "Email"))
    members = [_member(Row(table, n, cells), pool) for n, cells in table.rows]
    if not members:
        raise InputFileError(path.name, "the practice-week team file is empty: one row per member, with Name")
    return members


def _member(row: Row, pool: list[Auditor]) -> Member:
    name = row.text("Name")
    young = column_key(row.text("Role", required=False)) == column_key(YOUNG_INSPECTOR)
    if young:
        return Member(name, row.text("Email", required=False), True, None)
    found = next((a for a in pool if a.auditor_id.casefold() == name.casefold() or same_text(a.name, name)), None)
    if found is None:
        raise row.error("Name", f"'{name}' is not in the auditor pool: check the spelling, or give Role "
                                f"'{YOUNG_INSPECTOR}' and an Email for a Young Inspector")
    return Member(found.name, found.email, False, found)


def _conflict(settings_pool: list[Auditor], member: Member, case: Case, service: str) -> str:
    if member.auditor is None:
        return "they are the case's practitioner" if same_text(member.name, case.practitioner) else ""
    if same_text(member.auditor.service, service):
        return "they work in the service (the team comes from outside it)"
    return rules_for(settings_pool).conflict(PRACTICE_WEEK_REVIEW, member.auditor, case)


def plan_visits(cases: list[Case], members: list[Member], pool: list[Auditor], service: str, cycle_id: str,
                due: date, visits_each: int) -> tuple[list[WorkItem], list[str]]:
    """Visits for reviewers (least-visited practitioners first), then a Young Inspector alongside one each."""
    mine = [c for c in cases if same_text(c.service, service)]
    if not mine:
        raise InputFileError("--service", f"no case in the case list is in '{service}': check the service's name")
    reviewers = [m for m in members if not m.young_inspector]
    visited: Counter[str] = Counter()
    used: set[str] = set()
    items: list[WorkItem] = []
    unvisited: list[str] = []
    for _ in range(visits_each):
        for member in reviewers:
            free = [c for c in mine if c.case_id not in used and not _conflict(pool, member, c, service)]
            if not free:
                if not any(i.auditor == member.name for i in items):
                    why = {_conflict(pool, member, c, service) for c in mine} - {""}
                    unvisited.append(f"{member.name}: " + ("; ".join(sorted(why)) or "no case left to visit"))
                continue
            case = min(free, key=lambda c: (visited[c.practitioner.casefold()], c.case_id))
            visited[case.practitioner.casefold()] += 1
            used.add(case.case_id)
            items.append(_item(PRACTICE_WEEK_REVIEW, case, member, cycle_id, due))
    reviews = [i for i in items if i.form_type == PRACTICE_WEEK_REVIEW]
    for n, member in enumerate(m for m in members if m.young_inspector):
        fits = [i for i in reviews if not _conflict(pool, member, i.case, service)]
        if fits:
            items.append(_item(YOUNG_INSPECTOR_FEEDBACK, fits[n % len(fits)].case, member, cycle_id, due))
        else:
            unvisited.append(f"{member.name}: no visit to go along on")
    return items, unvisited


def _item(form_type: str, case: Case, member: Member, cycle_id: str, due: date) -> WorkItem:
    role = member.auditor.role if member.auditor else YOUNG_INSPECTOR
    return WorkItem(form_type, case, cycle_id, auditor=member.name, auditor_email=member.email, auditor_role=role,
                    due_date=due)


def plan_practice_week(settings: Settings, service: str, week: date, team_file: Path, cases_file: Path | None,
                       pool_file: Path | None, *, visits_each: int = 2, send: bool = True) -> PracticeWeekPlan:
    require_templates(settings.path("templates"), FORM_TEMPLATES)
    if visits_each < 1:
        raise InputFileError("--visits-each", "give at least 1 visit per reviewer")
    monday = week_start(week)
    cycle = cycle_for(monday, settings.cycle.length_days)
    with run_lock(settings, "practice-week"):
        pool = load_pool(settings, pool_file)
        members = read_team(team_file, pool)
        cases = read_cases(cases_file) if cases_file else _known_cases(settings)
        items, unvisited = plan_visits(cases, members, pool, service, cycle, return_by(monday), visits_each)
        folder = settings.path("generated") / safe_name(cycle)
        plan_file = folder / f"practice_week_{safe_name(service)}_{monday:%Y-%m-%d}.xlsx"
        team_copy = folder / f"practice_week_team_{safe_name(cycle)}.csv"
        write_table(team_copy, ("Name",), [(m.name,) for m in members if m.auditor is not None], sheet="Team")
        remember_team(settings, cycle, team_copy)
        with Store(settings.path("database")) as store:
            items = assign_form_ids(items, taken=[w.form_id for w in store.work_items()])
        generated = generate_items(settings, items, today=monday)
        write_allocation(plan_file, items)
        sent, problems = deliver(settings, items, generated, send)
    return PracticeWeekPlan(service, cycle, items, plan_file, unvisited, sent, problems)


def _known_cases(settings: Settings) -> list[Case]:
    with Store(settings.path("database")) as store:
        return list({i.case.case_id: i.case for i in store.work_items() if i.case.case_id}.values())
