"""Allocation (issue 6): the framework's rules hold for any pool and case list, feasible or not."""

from __future__ import annotations

import calendar
import random
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from processors.allocation.rules import (
    NO_HISTORY,
    AllocationHistory,
    AllocationResult,
    allocate,
    months_before,
    read_practice_week_team,
    resolve_practice_week,
)
from processors.demo.synthetic import make_cases, make_pool
from processors.errors import ConfigError, InputFileError
from processors.forms.definitions import form_type
from processors.forms.models import ROLES, Auditor, Case

TODAY = date(2026, 3, 2)
DUE = date(2026, 3, 16)
COUNTS = {"thematic_audit": 33, "practice_observation": 22, "supervision_audit": 22}
TYPES = tuple(COUNTS)


# --- an independent statement of the rules, used as the oracle -------------------------------

@dataclass(frozen=True)
class Oracle:
    pool: list[Auditor]
    practice_week: frozenset[str]
    months: int
    history: AllocationHistory = NO_HISTORY

    def by_id(self, auditor_id: str) -> Auditor | None:
        return next((a for a in self.pool if a.auditor_id == auditor_id), None)

    def bosses(self, a: Auditor, stop_at_senior: bool) -> list[str]:
        if (stop_at_senior and a.role == "Senior Leader") or not self.by_id(a.manager_id):
            return []
        boss = self.by_id(a.manager_id)
        return [boss.auditor_id, *self.bosses(boss, stop_at_senior)]

    def line(self, case: Case) -> set[str]:
        heads = [a for a in self.pool if (a.role == "Team Manager" and a.team == case.team)
                 or a.name == case.team_manager]
        heads = heads or [a for a in self.pool if a.role == "Service Manager" and a.service == case.service]
        return {x for h in heads for x in (h.auditor_id, *self.bosses(h, True))}

    def covers(self, manager: Auditor, service: str) -> bool:
        return manager.service == service or any(
            b.service == service and manager.auditor_id in self.bosses(b, False) for b in self.pool)

    def last_audited(self, case: Case) -> date | None:
        stored = self.history.audited.get(case.case_id.casefold())
        dates = [d for d in (case.last_audited, stored) if d is not None]
        return max(dates) if dates else None

    def recent(self, case: Case) -> bool:
        last = self.last_audited(case)
        if last is None:
            return False
        year, month = TODAY.year, TODAY.month
        for _ in range(self.months):
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        cutoff = date(year, month, min(TODAY.day, calendar.monthrange(year, month)[1]))
        return last > cutoff

    def may(self, form: str, a: Auditor, case: Case) -> bool:
        if a.name.casefold() in (case.iro.casefold(), case.cp_chair.casefold()):
            return False  # the case's IRO or CP Chair may review it: never audits it
        if form == "practice_observation":
            return a.role == "Team Manager" and a.team == case.team
        if a.team == case.team or a.name == case.practitioner:
            return False
        if form == "supervision_audit":
            return a.role in ("Service Manager", "Strategic Manager") and self.covers(a, case.service)
        return a.auditor_id not in self.practice_week and a.auditor_id not in self.line(case)

    def usable(self, form: str, cases: list[Case]) -> list[Case]:
        return [c for c in cases if form == "practice_observation" or not self.recent(c)]

    def eligible(self, form: str, cases: list[Case]) -> list[Auditor]:
        return [a for a in self.pool if any(self.may(form, a, c) for c in self.usable(form, cases))]


def check_rules(result: AllocationResult, cases: list[Case], pool: list[Auditor], counts: dict[str, int],
                oracle: Oracle, cycle: str) -> None:
    """Every rule of issue 6, checked against the oracle."""
    by_email = {a.email: a for a in pool}
    used = Counter(i.case.case_id for i in result.items)
    assert all(n == 1 for n in used.values()), "a case got two forms in one cycle"
    for form in TYPES:
        items = [i for i in result.items if i.form_type == form]
        short = [u for u in result.unallocated if u.form_type == form]
        wanted = counts.get(form, 0)
        assert len(items) + len(short) == wanted
        assert [u.slot for u in short] == list(range(len(items) + 1, wanted + 1))
        code = form_type(form).code
        assert [i.form_id for i in items] == [f"{cycle}-{code}-{n:03d}" for n in range(1, len(items) + 1)]
        for item in items:
            auditor = by_email[item.auditor_email]
            assert (item.auditor, item.auditor_role, item.due_date) == (auditor.name, auditor.role, DUE)
            assert oracle.may(form, auditor, item.case), (form, auditor.auditor_id, item.case.case_id)
            if form != "practice_observation":
                assert not oracle.recent(item.case), f"{item.case.case_id} re-audited within {oracle.months} months"
        eligible = oracle.eligible(form, cases)
        load = Counter(by_email[i.auditor_email].auditor_id for i in items)
        if items:
            assert max(load.values()) <= wanted / len(eligible) + 1, "more than one above the fair share"
        if short:
            assert short[0].reason and "\n" not in short[0].reason
            cap = wanted // len(eligible) + 1 if eligible else 0
            for case in oracle.usable(form, cases):
                if case.case_id not in used:
                    takers = [a for a in pool if oracle.may(form, a, case) and load[a.auditor_id] < cap]
                    assert not takers, f"{case.case_id} could still have gone to {takers[0].auditor_id}"


# --- random organisations --------------------------------------------------------------------

NAMES = ("Siân Llewelyn", "Łukasz Wójcik", "Niamh O'Connor", "محمد", "Priya Patel", "Kwame Mensah", "Emma Clarke",
         "Rhys Bowen", "Zofia Nowak", "Imran Iqbal", "Orla Doyle", "Yusuf Haddad")


@st.composite
def organisations(draw: st.DrawFn) -> tuple[list[Auditor], list[Case], AllocationHistory]:
    services = draw(st.lists(st.sampled_from(["Early Help", "Children in Care", "Leaving Care", "Disabled Children"]),
                             min_size=1, max_size=3, unique=True))
    teams = {s: [f"{s} {n}" for n in range(draw(st.integers(1, 3)))] for s in services}
    pool: list[Auditor] = []
    for n in range(draw(st.integers(0, 14))):
        role = draw(st.sampled_from(ROLES))
        service = draw(st.sampled_from([*services, "SQAS"]))
        own_teams = teams.get(service, [])
        team = draw(st.sampled_from([*own_teams, f"{service} unit {n % 2}"]))  # any role may sit in a case team
        boss = draw(st.sampled_from(["", *(a.auditor_id for a in pool)]))
        pool.append(Auditor(f"AUD{n:03d}", f"{NAMES[n % len(NAMES)]} {n}", role, service, team,
                            f"a{n}@example-trust.org.uk", boss))
    names = [a.name for a in pool] + ["Someone Else"]
    cases = []
    for n in range(draw(st.integers(0, 18))):
        service = draw(st.sampled_from(services))
        team = draw(st.sampled_from([*teams[service], f"{service} no manager"]))
        audited = draw(st.none() | st.integers(0, 800).map(lambda d: TODAY - timedelta(days=d)))
        reviewers = st.sampled_from(["", "", *names])
        cases.append(Case(f"CF{n:07d}", "A.B.", 7, "Child in Need", service, team, draw(st.sampled_from(names)),
                          draw(st.sampled_from(names)), audited, iro=draw(reviewers), cp_chair=draw(reviewers)))
    stored = {c.case_id.casefold(): TODAY - timedelta(days=draw(st.integers(0, 800)))
              for c in cases if draw(st.booleans())}  # audits the store has recorded
    return pool, cases, AllocationHistory(stored)


scenarios = st.tuples(
    organisations(),
    st.fixed_dictionaries({form: st.integers(0, 9) for form in TYPES}),
    st.integers(0, 2**32),
    st.sets(st.integers(0, 14), max_size=5),
    st.integers(0, 24),
)


@settings(max_examples=250, deadline=None)
@given(scenarios)
def test_every_rule_holds_for_any_pool_and_case_list(scenario) -> None:
    (pool, cases, history), counts, seed, practice_week_numbers, months = scenario
    practice_week = {f"AUD{n:03d}" for n in practice_week_numbers}
    result = allocate(cases, pool, "C7", counts, seed, DUE, "Neglect", practice_week, months, TODAY, history)
    known = {a.auditor_id for a in pool}
    oracle = Oracle(pool, frozenset(practice_week & known), months, history)
    check_rules(result, cases, pool, counts, oracle, "C7")
    assert {s.case_id for s in result.skipped} == {c.case_id for c in cases if oracle.recent(c)}
    assert len(result.warnings) == len(practice_week - known)
    again = allocate(list(reversed(cases)), list(reversed(pool)), "C7", counts, seed, DUE, "Neglect", practice_week,
                     months, TODAY, history)
    assert again == result, "the same seed must give the same allocation"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32), n_cases=st.integers(60, 140), practice_week=st.sets(st.integers(1, 66),
                                                                                         max_size=12))
def test_rules_hold_on_trust_sized_synthetic_data(seed: int, n_cases: int, practice_week: set[int]) -> None:
    pool = make_pool(seed)
    cases = make_cases(n_cases, seed, pool, today=TODAY)
    members = {f"AUD{n:03d}" for n in practice_week}
    history = observation_history(cases, seed)
    result = allocate(cases, pool, "C1", COUNTS, seed, DUE, "Neglect", members, 12, TODAY, history)
    check_rules(result, cases, pool, COUNTS, Oracle(pool, frozenset(members), 12, history), "C1")
    check_observations_prefer_the_longest_unobserved(result, cases, history)


def observation_history(cases: list[Case], seed: int) -> AllocationHistory:
    """Some practitioners observed at some point in the last 200 days, the others never."""
    rng = random.Random(seed)
    names = sorted({c.practitioner for c in cases})
    return AllocationHistory(observed={" ".join(n.casefold().split()): TODAY - timedelta(days=rng.randint(0, 200))
                                       for n in names if rng.random() < 0.6})


def check_observations_prefer_the_longest_unobserved(result: AllocationResult, cases: list[Case],
                                                     history: AllocationHistory) -> None:
    """QAF 3.1: within a team, nobody left unobserved this cycle was observed longer ago (or never) than
    anyone the Team Manager observes; nobody is observed twice while a team member is not observed at all."""
    def last(name: str) -> date:
        return history.last_observed(name) or date.min

    observed = [i for i in result.items if i.form_type == "practice_observation"]
    chosen = {i.case.practitioner for i in observed}
    used = {i.case.case_id for i in result.items}
    for item in observed:
        team = [c for c in cases if c.team == item.case.team]
        left = {c.practitioner for c in team if c.case_id not in used and c.practitioner not in chosen}
        for other in left:
            assert last(other) >= last(item.case.practitioner), (
                f"{item.case.practitioner} (last observed {last(item.case.practitioner)}) observed before "
                f"{other} (last observed {last(other)})")
    twice = Counter((i.case.team, i.case.practitioner) for i in observed)
    for item in observed:
        if twice[item.case.team, item.case.practitioner] > 1:
            team = {c.practitioner for c in cases if c.team == item.case.team}
            assert team <= chosen, f"{item.case.practitioner} observed twice while a team member was not at all"


# --- the trust's own cycle -------------------------------------------------------------------

@pytest.fixture(scope="module")
def trust() -> tuple[list[Auditor], list[Case]]:
    pool = make_pool(2026)
    return pool, make_cases(160, 2026, pool, today=TODAY)


def run(pool: list[Auditor], cases: list[Case], counts: dict[str, int] = COUNTS, seed: int = 1,
        practice_week: set[str] | None = None, months: int = 12) -> AllocationResult:
    return allocate(cases, pool, "2026-C2", counts, seed, DUE, "Voice of the child", practice_week or set(), months,
                    TODAY)


def test_a_normal_cycle_gives_33_22_22_and_spreads_the_load(trust) -> None:
    pool, cases = trust
    result = run(pool, cases)
    assert result.unallocated == [] and result.warnings == []
    assert Counter(i.form_type for i in result.items) == Counter(COUNTS)
    roles = {form: {i.auditor_role for i in result.items if i.form_type == form} for form in TYPES}
    assert roles["practice_observation"] == {"Team Manager"}
    assert roles["supervision_audit"] <= {"Service Manager", "Strategic Manager"}
    assert len(roles["thematic_audit"]) >= 3
    per_type = Counter((i.form_type, i.auditor_email) for i in result.items)
    assert max(per_type.values()) <= 2
    assert {i.theme for i in result.items if i.form_type == "thematic_audit"} == {"Voice of the child"}
    assert {i.theme for i in result.items if i.form_type != "thematic_audit"} == {""}
    assert result.items[0].form_id == "2026-C2-OBS-001"


def test_team_managers_do_not_peer_audit_their_own_teams_or_lines(trust) -> None:
    pool, cases = trust
    ids = {a.auditor_id: a for a in pool}
    for item in run(pool, cases).items:
        if item.form_type != "thematic_audit":
            continue
        auditor = next(a for a in pool if a.email == item.auditor_email)
        assert auditor.team != item.case.team
        line, current = [], next(a for a in pool if a.role == "Team Manager" and a.team == item.case.team)
        while current.role != "Senior Leader" and current.manager_id:
            current = ids[current.manager_id]
            line.append(current.auditor_id)
        assert auditor.auditor_id not in line, f"{auditor.role} audits {item.case.case_id} in their own line"


def test_the_line_runs_up_to_the_assistant_director_but_not_the_director(trust) -> None:
    pool, cases = trust
    ids = {a.auditor_id: a for a in pool}
    case = next(c for c in cases if c.service == "Early Help" and c.last_audited is None)
    line = [next(a for a in pool if a.role == "Team Manager" and a.team == case.team)]
    while line[-1].manager_id:
        line.append(ids[line[-1].manager_id])
    assert [a.role for a in line] == ["Team Manager", "Service Manager", "Strategic Manager", "Senior Leader",
                                      "Senior Leader"]
    *accountable, director = line
    assert [i.auditor for i in run(line, [case], {"thematic_audit": 1}).items] == [director.name]
    (short,) = run(accountable, [case], {"thematic_audit": 1}).unallocated
    assert short.reason.startswith(f"everyone in the pool is excluded from the cases left ({case.case_id}): each "
                                   "auditor is in the case's team or management line")


def test_practice_week_team_gets_no_thematic_audits_but_other_work(trust) -> None:
    pool, cases = trust
    team = [a for a in pool if a.role in ("Team Manager", "Service Manager")][:15]
    result = run(pool, cases, practice_week={a.auditor_id for a in team[:10]} | {a.name for a in team[10:]})
    names = {a.name for a in team}
    assert not [i for i in result.items if i.form_type == "thematic_audit" and i.auditor in names]
    assert [i for i in result.items if i.form_type != "thematic_audit" and i.auditor in names]
    assert result.unallocated == []


def test_recently_audited_cases_get_no_audit_but_may_be_observed(trust) -> None:
    pool, _ = trust
    tm = next(a for a in pool if a.team == "Corby CIN 1")
    case = Case("CF0000001", "J.S.", 4, "Child in Need", tm.service, tm.team, "Emma Clarke", tm.name,
                TODAY - timedelta(days=200))
    result = run(pool, [case], {"thematic_audit": 1})
    assert result.items == []
    assert result.skipped[0].case_id == "CF0000001" and "within the last 12 months" in result.skipped[0].reason
    assert "1 audited within the last 12 months" in result.unallocated[0].reason
    assert run(pool, [case], {"thematic_audit": 1}, months=6).items  # configurable
    assert run(pool, [case], {"practice_observation": 1}).items[0].auditor == tm.name


def test_exactly_twelve_months_ago_may_be_audited_again() -> None:
    assert months_before(date(2026, 3, 2), 12) == date(2025, 3, 2)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 3, 30), 1) == date(2024, 2, 29)
    pool = make_pool(3)
    tm = next(a for a in pool if a.role == "Team Manager")
    case = Case("CF0000002", "J.S.", 4, "Child in Need", tm.service, tm.team, "Emma Clarke", tm.name,
                date(2025, 3, 2))
    assert run(pool, [case], {"thematic_audit": 1}).items
    assert not run(pool, [replace(case, last_audited=date(2025, 3, 3))], {"thematic_audit": 1}).items


def test_supervision_audits_stay_within_the_managers_services(trust) -> None:
    pool, cases = trust
    ids = {a.auditor_id: a for a in pool}
    strategic = {a.auditor_id: {b.service for b in pool if b.manager_id == a.auditor_id} | {a.service}
                 for a in pool if a.role == "Strategic Manager"}
    for item in run(pool, cases, seed=5).items:
        if item.form_type == "supervision_audit":
            auditor = next(a for a in pool if a.email == item.auditor_email)
            services = strategic.get(auditor.auditor_id, {auditor.service})
            assert item.case.service in services, (ids[auditor.auditor_id].team, item.case.service)


def test_infeasible_cycle_allocates_what_it_can_and_says_why(trust) -> None:
    pool, cases = trust
    few = [c for c in cases if c.last_audited is None][:10]
    no_tms = [a for a in pool if a.team not in {c.team for c in few[:4]} or a.role != "Team Manager"]
    result = run(no_tms, few, {"practice_observation": 8, "supervision_audit": 4, "thematic_audit": 5})
    given = Counter(i.form_type for i in result.items)
    short = Counter(u.form_type for u in result.unallocated)
    assert given + short == Counter({"practice_observation": 8, "supervision_audit": 4, "thematic_audit": 5})
    first = next(u for u in result.unallocated if u.form_type == "practice_observation")
    assert first.describe().startswith(f"Observation of Practice {given['practice_observation'] + 1} of 8: ")
    assert "no Team Manager in the auditor pool" in first.reason and few[0].team in first.reason
    assert "add the Team Manager to the pool" in first.reason
    thematic = [u for u in result.unallocated if u.form_type == "thematic_audit"]
    assert thematic and "no case is left for it (the case list has 10 cases" in thematic[0].reason


def test_load_cap_is_reported_when_one_auditor_could_take_more() -> None:
    pool = make_pool(4)
    tm = next(a for a in pool if a.role == "Team Manager")
    other = next(a for a in pool if a.role == "Team Manager" and a.team != tm.team)
    cases = [Case(f"CF10000{n:02d}", "A.B.", 3, "Child in Need", tm.service, tm.team, f"Worker {n}", tm.name)
             for n in range(6)] + [Case("CF2000000", "A.B.", 3, "Child in Need", other.service, other.team, "W",
                                        other.name)]
    result = run(pool, cases, {"practice_observation": 6})
    assert Counter(i.auditor for i in result.items) == {tm.name: 4, other.name: 1}
    assert len(result.unallocated) == 1
    assert f"already has 4, the most allowed (6 forms shared among 2 eligible auditors, plus one): they are " \
           f"{tm.name}" in result.unallocated[0].reason


def test_empty_pool_and_empty_case_list() -> None:
    result = run([], [], {"thematic_audit": 2})
    assert result.items == [] and [u.slot for u in result.unallocated] == [1, 2]
    assert "the auditor pool is empty" in result.unallocated[0].reason


def test_different_seeds_give_different_but_valid_allocations(trust) -> None:
    pool, cases = trust
    first, second = run(pool, cases, seed=1), run(pool, cases, seed=2)
    assert first == run(pool, cases, seed=1)
    assert [(i.case.case_id, i.auditor) for i in first.items] != [(i.case.case_id, i.auditor) for i in second.items]


@pytest.mark.parametrize(("counts", "expected"), [
    ({"good_practice": 2}, "'good_practice' forms are not allocated"),
    ({"spot_check": 2}, "unknown form type 'spot_check'"),
    ({"TPA": -1}, "'TPA' is -1"),
])
def test_bad_counts_are_a_config_error(counts: dict[str, int], expected: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(expected)):
        run([], [], counts)


def test_counts_by_code_or_title() -> None:
    pool = make_pool(9)
    cases = make_cases(30, 9, pool, today=TODAY)
    result = run(pool, cases, {"TPA": 3, "Observation of Practice": 2})
    assert Counter(i.form_type for i in result.items) == {"thematic_audit": 3, "practice_observation": 2}


# --- the practice-week team file -------------------------------------------------------------

def test_practice_week_file_formats(tmp_path: Path) -> None:
    (tmp_path / "names.csv").write_text("Team,Name\nSQAS,Siân Llewelyn\nSLT,  Niamh  O'Connor \n,\n",
                                        encoding="utf-8-sig")
    assert read_practice_week_team(tmp_path / "names.csv") == {"Siân Llewelyn", "Niamh O'Connor"}
    (tmp_path / "ids.csv").write_text("auditor id\nAUD001\nAUD017\n", encoding="utf-8")
    assert read_practice_week_team(tmp_path / "ids.csv") == {"AUD001", "AUD017"}
    (tmp_path / "list.txt").write_text("# practice week, March\nŁukasz Wójcik\n\nمحمد\n", encoding="utf-8")
    assert read_practice_week_team(tmp_path / "list.txt") == {"Łukasz Wójcik", "محمد"}
    (tmp_path / "plain.csv").write_text("Smith, John\nPriya Patel\n", encoding="utf-8")
    assert read_practice_week_team(tmp_path / "plain.csv") == {"Smith, John", "Priya Patel"}


def test_practice_week_file_problems(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("\n# nobody yet\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="the practice-week team file is empty"):
        read_practice_week_team(tmp_path / "empty.txt")
    with pytest.raises(InputFileError, match="file not found"):
        read_practice_week_team(tmp_path / "missing.txt")


def test_practice_week_names_and_ids_resolve_and_unknown_ones_warn() -> None:
    pool = make_pool(1)
    ids, warnings = resolve_practice_week({"aud003", pool[5].name.upper(), "Jon Smiht"}, pool)
    assert ids == {"AUD003", pool[5].auditor_id}
    assert warnings == ["practice-week team member 'Jon Smiht' is not in the auditor pool: check the spelling or "
                        "use their Auditor ID"]
