"""Allocation reads its own history (issue 12 item 7): returned audits hold their cases back, observations go to
the team members observed longest ago, the case's IRO and CP Chair never audit it, and coverage is written."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl

from processors.allocation.cycle import allocate_cycle
from processors.allocation.history import COVERAGE_HEADER, COVERAGE_SHEET, coverage
from processors.allocation.rules import AllocationHistory, allocate
from processors.config.settings import Settings
from processors.demo.answers import answers_for
from processors.demo.fill import fill_form
from processors.demo.synthetic import make_cases, make_pool, write_cases, write_pool
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator
from processors.intake.run import ingest_paths
from processors.store.database import Store

TODAY = date(2026, 9, 1)
NEXT = TODAY + timedelta(days=42)
AUDITS = ("supervision_audit", "thematic_audit")


def _inputs(folder: Path) -> tuple[Path, Path]:
    pool = make_pool(11)
    cases = [replace(c, last_audited=None) for c in make_cases(150, 11, pool, today=TODAY)]  # only the store knows
    cases_file, pool_file = folder / "cases.xlsx", folder / "pool.csv"
    write_cases(cases_file, cases)
    write_pool(pool_file, pool)
    return cases_file, pool_file


def _return_all(settings: Settings, items: list[WorkItem], today: date) -> None:
    generator = FormGenerator(settings.path("templates"), settings.organisation, 14, today)
    inbox = settings.path("inbox")
    inbox.mkdir(parents=True, exist_ok=True)
    rng = random.Random(3)
    for n, item in enumerate(items):
        answers = dict(answers_for(item, FORM_TYPES[item.form_type], rng, today).answers)
        for key in ("audit_date", "observation_date"):
            if key in answers:
                answers[key] = today
        saved = datetime(today.year, today.month, today.day, 9) + timedelta(minutes=n)
        (inbox / f"{item.form_id}.docx").write_bytes(fill_form(generator.render(item), answers, saved_at=saved))
    ingest_paths(settings, [inbox])


def test_the_next_cycle_does_not_hand_out_the_cases_just_audited(settings: Settings, tmp_path: Path) -> None:
    cases_file, pool_file = _inputs(tmp_path)
    first = allocate_cycle(settings, cases_file, pool_file, "2026-C07", "Neglect", None, send=False, today=TODAY)
    _return_all(settings, first.result.items, TODAY + timedelta(days=10))
    with Store(settings.path("database")) as store:
        recorded = {f.case_id for f in store.forms() if f.form_type in AUDITS}
        observed = {f.practitioner for f in store.forms() if f.form_type == "practice_observation"}
    assert len(recorded) > 40 and len(observed) > 15

    second = allocate_cycle(settings, cases_file, pool_file, "2026-C08", "Neglect", None, send=False, today=NEXT)
    audited_again = {i.case.case_id for i in second.result.items if i.form_type in AUDITS} & recorded
    assert audited_again == set(), f"{len(audited_again)} cases audited last cycle handed out again"
    skipped = {s.case_id: s.reason for s in second.result.skipped}
    assert set(skipped) == recorded
    assert "(a form returned and recorded), within the last 12 months" in next(iter(skipped.values()))

    # observations go to team members never observed, while their team has any
    never = {r.member for r in second.coverage if r.last_observed is None}
    for item in (i for i in second.result.items if i.form_type == "practice_observation"):
        team_never = {r.member for r in second.coverage if r.team == item.case.team} & never
        if team_never:
            assert item.case.practitioner in never, f"{item.case.practitioner} observed again before {team_never}"

    sheet = openpyxl.load_workbook(second.allocation_file)[COVERAGE_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == COVERAGE_HEADER
    by_member = {r[0]: r for r in rows[1:]}
    someone = next(iter(observed))
    assert by_member[someone][2] is not None and by_member[someone][3] == 32  # observed 10 days into the last cycle
    assert by_member[someone][4] == "Yes"
    assert [r[2] for r in rows[1:]].index(None) == 0  # never observed first
    assert any(line.startswith("  coverage: ") for line in second.summary_lines())


def test_history_uses_the_audit_date_and_the_later_date_wins() -> None:
    history = AllocationHistory({"cf1": date(2026, 1, 5)})
    case = Case("CF1", "A.B.", 3, "Child in Need", "S", "T", "P", "M", last_audited=date(2025, 1, 1))
    assert history.last_audited(case) == date(2026, 1, 5)
    assert history.last_audited(replace(case, last_audited=date(2026, 2, 1))) == date(2026, 2, 1)
    assert history.last_audited(replace(case, case_id="CF2")) == date(2025, 1, 1)


def test_the_case_s_iro_and_cp_chair_never_audit_it_and_the_reason_says_so() -> None:
    pool = make_pool(5)
    iro = next(a for a in pool if a.role == "IRO")
    chair = next(a for a in pool if a.role == "CP Chair")
    tm = next(a for a in pool if a.role == "Team Manager" and a.service == "Early Help")
    case = Case("CF0000009", "A.B.", 6, "Child Protection", tm.service, tm.team, "Emma Clarke", tm.name,
                iro=iro.name.upper(), cp_chair=chair.name)  # names match ignoring case
    only_them = [iro, chair]
    result = allocate([case], only_them, "C1", {"thematic_audit": 1}, 1, NEXT, "Neglect", set(), 12, TODAY)
    (short,) = result.unallocated
    assert f"{iro.name} is case CF0000009's IRO" in short.reason
    assert f"{chair.name} is case CF0000009's CP Chair" in short.reason
    others = [a for a in pool if a.role in ("IRO", "CP Chair")]
    for seed in range(5):
        result = allocate([case], others, "C1", {"thematic_audit": 1}, seed, NEXT, "Neglect", set(), 12, TODAY)
        assert result.items and result.items[0].auditor not in (iro.name, chair.name)


def test_coverage_lists_never_observed_first_then_the_longest_since() -> None:
    members = [("T1", "Ann"), ("T1", "Bob"), ("T2", "Cy"), ("T2", "Di"), ("T1", "Ann")]
    cases = [Case(f"CF{n}", "A.B.", 3, "Child in Need", "S", team, name, "M") for n, (team, name) in enumerate(members)]
    history = AllocationHistory(observed={"ann": TODAY - timedelta(days=10), "cy": TODAY - timedelta(days=90)})
    item = WorkItem("practice_observation", cases[1], "C1", form_id="C1-OBS-001")
    rows = coverage(cases, history, [item], TODAY)
    assert [(r.member, r.days_since, r.observed_recently, r.this_cycle) for r in rows] == [
        ("Bob", None, False, "C1-OBS-001"), ("Di", None, False, ""), ("Cy", 90, False, ""), ("Ann", 10, True, "")]

