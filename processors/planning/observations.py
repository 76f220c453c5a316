"""`observations plan` (QAF 3.3): every leader from Team Manager to the DCS observes practice once a year.

One observation per leader, of a team outside their own line (not their own team, and not a team whose
management line they are in: the allocation's rules), spread over the year's twelve months and over the teams
(the team observed least so far first). Written as an .xlsx plan the QA Manager shares with the leaders; each
leader's observation form is generated (the leader as its auditor, due two weeks after their week) and emailed
to them with the allocation's email, so the return is matched and chased like any allocated form.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from processors.allocation.caselist import Sheet, write_table
from processors.config.settings import Settings
from processors.errors import InputFileError
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.vocabulary import (
    LEADER_OBSERVATION,
    SENIOR_LEADER,
    SERVICE_MANAGER,
    STRATEGIC_MANAGER,
    TEAM_MANAGER,
)
from processors.generate.forms import assign_form_ids, cycle_for
from processors.generate.run import generate_items
from processors.planning.deliver import deliver
from processors.planning.people import load_pool, rules_for
from processors.store.database import Store
from processors.store.lock import run_lock
from processors.templates.check import FORM_TEMPLATES, require_templates

LEADER_ROLES = (SENIOR_LEADER, STRATEGIC_MANAGER, SERVICE_MANAGER, TEAM_MANAGER)  # most senior first
PLAN_HEADER = ("Month", "Week beginning", "Leader", "Role", "Leader's service", "Service observed", "Team observed",
               "Form ID")
RETURN_WITHIN = timedelta(days=14)  # after the observation's week beginning


@dataclass(frozen=True)
class PlannedObservation:
    leader: Auditor
    team: str
    service: str
    week: date
    team_manager: str = ""
    form_id: str = ""

    def cells(self) -> tuple[object, ...]:
        return (f"{self.week:%B}", self.week, self.leader.name, self.leader.role, self.leader.service, self.service,
                self.team, self.form_id)

    def work_item(self, cycle_days: int) -> WorkItem:
        """The leader's form: no case (they choose what to observe), the team observed and its manager filled in."""
        team = Case("", "", 0, "", self.service, self.team, "", self.team_manager)
        return WorkItem(LEADER_OBSERVATION, team, cycle_for(self.week, cycle_days), auditor=self.leader.name,
                        auditor_email=self.leader.email, auditor_role=self.leader.role,
                        due_date=self.week + RETURN_WITHIN)


@dataclass(frozen=True)
class ObservationPlan:
    year: int
    observations: list[PlannedObservation]
    unplanned: list[str]  # leaders with no team outside their line, with why
    plan_file: Path
    items: list[WorkItem]
    forms: list[Path]
    sent: int = 0
    problems: list[str] | None = None

    def summary_lines(self) -> list[str]:
        months = len({o.week.month for o in self.observations})
        lines = [f"Planned {len(self.observations)} leaders' observation(s) for {self.year} across {months} month(s) "
                 f"-> {self.plan_file}",
                 f"Generated {len(self.forms)} observation form(s); "
                 + (f"emailed {self.sent} leader(s) their form" if self.sent else "not emailed")]
        lines += [f"  not planned: {u}" for u in self.unplanned]
        return lines + [f"  not emailed: {p}" for p in self.problems or []]


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _team_as_case(team: tuple[str, str], manager: str) -> Case:
    """A team, as the rules see a case of it (the ID keys the rules' cache of management lines)."""
    return Case(f"team:{team[0]}/{team[1]}", "", 0, "", team[0], team[1], "", manager)


def plan_observations(pool: list[Auditor], year: int) -> tuple[list[PlannedObservation], list[str]]:
    rules = rules_for(pool)
    teams = sorted({(a.service, a.team) for a in pool if a.role == TEAM_MANAGER})
    if not teams:
        raise InputFileError("--pool", "the pool has no Team Managers, so no teams to observe: check the pool's Role "
                                       "column")
    managers = {t: next(a.name for a in pool if a.role == TEAM_MANAGER and (a.service, a.team) == t) for t in teams}
    leaders = sorted((a for a in pool if a.role in LEADER_ROLES),
                     key=lambda a: (LEADER_ROLES.index(a.role), a.name.casefold()))
    observed: Counter[tuple[str, str]] = Counter()
    planned: list[PlannedObservation] = []
    unplanned: list[str] = []
    for leader in leaders:
        free = [t for t in teams if not rules.conflict(LEADER_OBSERVATION, leader, _team_as_case(t, managers[t]))]
        if not free:
            unplanned.append(f"{leader.name}: every team in the pool is in their own line")
            continue
        service, team = min(free, key=lambda t: (observed[t], t))
        observed[(service, team)] += 1
        n = len(planned)
        week = _first_monday(year, n % 12 + 1) + timedelta(weeks=(n // 12) % 4)
        planned.append(PlannedObservation(leader, team, service, week, managers[(service, team)]))
    return sorted(planned, key=lambda o: (o.week, o.leader.name)), unplanned


def write_observation_plan(settings: Settings, year: int, pool_file: Path | None, out: Path | None = None, *,
                           send: bool = True, today: date | None = None) -> ObservationPlan:
    """Plan the year, generate each leader's form, write the plan and email each leader theirs."""
    if not 2000 <= year <= 2100:
        raise InputFileError("--year", f"'{year}' is not a year: give it as 2027")
    require_templates(settings.path("templates"), FORM_TEMPLATES)
    with run_lock(settings, "observations"):
        observations, unplanned = plan_observations(load_pool(settings, pool_file), year)
        with Store(settings.path("database")) as store:
            items = assign_form_ids([o.work_item(settings.cycle.length_days) for o in observations],
                                    taken=[w.form_id for w in store.work_items()])
        observations = [replace(o, form_id=i.form_id) for o, i in zip(observations, items, strict=True)]
        generated = generate_items(settings, items, today=today)
        target = out or settings.path("generated") / f"leaders_observations_{year}.xlsx"
        by_leader = [(o.leader.name, o.leader.role, f"{o.week:%B}", o.team, o.form_id) for o in
                     sorted(observations, key=lambda o: o.leader.name.casefold())]
        write_table(target, PLAN_HEADER, [o.cells() for o in observations], sheet=f"Observations {year}",
                    extra=[Sheet("By leader", ("Leader", "Role", "Month", "Team observed", "Form ID"), by_leader)])
        sent, problems = deliver(settings, items, generated, send)
    forms = [f.path for r in generated.results for f in r.forms]
    return ObservationPlan(year, observations, unplanned, target, items, forms, sent, problems)
