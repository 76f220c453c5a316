"""Planning the framework's other activities: `commission`, `practice-week plan`, `observations plan` (issue 14)."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from processors.allocation.caselist import read_cases, read_pool, same_text
from processors.allocation.cycle import allocate_cycle
from processors.allocation.rules import Organisation
from processors.config.settings import PROJECT_ROOT, Settings
from processors.demo.synthetic import make_cases, make_pool, write_cases, write_pool
from processors.errors import InputFileError
from processors.forms.vocabulary import (
    COMMISSIONED_AUDIT,
    LEADER_OBSERVATION,
    PRACTICE_WEEK_REVIEW,
    TEAM_MANAGER,
    THEMATIC,
    YOUNG_INSPECTOR_FEEDBACK,
)
from processors.planning.commission import commission_audit
from processors.planning.observations import LEADER_ROLES, write_observation_plan
from processors.planning.practice_week import plan_practice_week
from processors.reading.parse import parse_file
from processors.store.database import Store

TODAY = date(2026, 11, 27)


def inputs(folder: Path) -> tuple[Path, Path]:
    pool = make_pool(11)
    cases_file, pool_file = folder / "cases.xlsx", folder / "pool.csv"
    write_cases(cases_file, make_cases(150, 11, pool, today=TODAY))
    write_pool(pool_file, pool)
    return cases_file, pool_file


def _mails(settings: Settings) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in settings.path("outbox").glob("*.eml")]


def test_commission_sends_the_form_to_an_auditor_with_no_conflict(settings: Settings, tmp_path: Path) -> None:
    cases_file, pool_file = inputs(tmp_path)
    case = read_cases(cases_file)[0]
    pool = read_pool(pool_file)
    summary = commission_audit(settings, case.case_id, "NSCP", "Repeat referrals in six months",
                               cases_file=cases_file, pool_file=pool_file, today=TODAY)
    chosen = next(a for a in pool if a.name == summary.item.auditor)
    assert not same_text(chosen.team, case.team) and chosen.name != case.practitioner
    assert chosen.auditor_id not in Organisation(tuple(pool)).line_of(case)
    parsed = parse_file(summary.form)
    assert parsed.form_type == COMMISSIONED_AUDIT
    assert parsed.values["commissioned_by"] == "NSCP" and "Repeat referrals" in parsed.values["commission_reason"]
    mails = _mails(settings)
    assert len(mails) == 1 and mails[0]["To"].addresses[0].addr_spec == chosen.email
    assert [a.get_filename() for a in mails[0].iter_attachments()] == [summary.form.name]
    with Store(settings.path("database")) as store:
        assert store.work_item(summary.item.form_id) is not None  # matched and chased when it comes back


def test_commission_refuses_a_named_auditor_in_the_cases_line(settings: Settings, tmp_path: Path) -> None:
    cases_file, pool_file = inputs(tmp_path)
    case = read_cases(cases_file)[0]
    own_manager = next(a for a in read_pool(pool_file) if a.role == TEAM_MANAGER and same_text(a.team, case.team))
    with pytest.raises(InputFileError, match="cannot audit case"):
        commission_audit(settings, case.case_id, "SLT", "Concern", own_manager.name, cases_file=cases_file,
                         pool_file=pool_file, today=TODAY)
    assert not _mails(settings)


def test_commission_on_the_command_line_uses_the_pool_the_last_allocation_used(config_file: Path,
                                                                              settings: Settings,
                                                                              tmp_path: Path) -> None:
    cases_file, pool_file = inputs(tmp_path)
    allocate_cycle(settings, cases_file, pool_file, "2026-C09", "Neglect", None, send=False, today=TODAY)
    case = read_cases(cases_file)[5]
    run = [sys.executable, "run.py", "commission", "--case", case.case_id, "--by", "SLT", "--reason", "Concern",
           "--cases", str(cases_file), "--config", str(config_file)]
    result = subprocess.run(run, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Commissioned audit" in result.stdout and "CCA" in result.stdout
    bad = subprocess.run(run[:4] + ["CF0000000"] + run[5:], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 3 and "CF0000000" in bad.stderr and bad.stderr.count("\n") == 1


def test_practice_week_allocates_reviewers_and_young_inspectors_and_keeps_them_off_thematic_audits(
        settings: Settings, tmp_path: Path) -> None:
    cases_file, pool_file = inputs(tmp_path)
    pool = read_pool(pool_file)
    service = read_cases(cases_file)[0].service
    outsiders = [a for a in pool if not same_text(a.service, service) and a.role == TEAM_MANAGER][:3]
    team_file = tmp_path / "team.csv"
    team_file.write_text("Name,Role,Email\n" + "".join(f"{a.name},,\n" for a in outsiders)
                         + "Jay Young Inspector,Young Inspector,jay.yi@example-trust.org.uk\n", encoding="utf-8")
    plan = plan_practice_week(settings, service, date(2026, 11, 18), team_file, cases_file, pool_file)
    reviews = [i for i in plan.items if i.form_type == PRACTICE_WEEK_REVIEW]
    young = [i for i in plan.items if i.form_type == YOUNG_INSPECTOR_FEEDBACK]
    assert len(reviews) == 6 and len(young) == 1 and young[0].auditor == "Jay Young Inspector"
    assert young[0].case.case_id in {r.case.case_id for r in reviews}  # alongside a reviewer's visit
    org = Organisation(tuple(pool))
    for item in reviews:
        reviewer = next(a for a in outsiders if a.name == item.auditor)
        assert same_text(item.case.service, service) and reviewer.auditor_id not in org.line_of(item.case)
    assert openpyxl.load_workbook(plan.plan_file).active.max_row == 1 + len(plan.items)
    to = {m["To"].addresses[0].addr_spec for m in _mails(settings)}
    assert "jay.yi@example-trust.org.uk" in to and {a.email for a in outsiders} <= to
    cycle = allocate_cycle(settings, cases_file, pool_file, plan.cycle_id, "Neglect", None, send=False, today=TODAY)
    thematic = {i.auditor for i in cycle.result.items if i.form_type == THEMATIC}
    assert thematic and not thematic & {a.name for a in outsiders}


def test_practice_week_says_which_member_is_not_in_the_pool(settings: Settings, tmp_path: Path) -> None:
    cases_file, pool_file = inputs(tmp_path)
    team_file = tmp_path / "team.csv"
    team_file.write_text("Name\nNobody Known\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="row 2.*Nobody Known"):
        plan_practice_week(settings, read_cases(cases_file)[0].service, TODAY, team_file, cases_file, pool_file)


def test_observations_plan_one_per_leader_spread_over_the_year_never_in_their_own_line(
        settings: Settings, tmp_path: Path) -> None:
    _, pool_file = inputs(tmp_path)
    pool = read_pool(pool_file)
    plan = write_observation_plan(settings, 2027, pool_file)
    leaders = [a for a in pool if a.role in LEADER_ROLES]
    assert sorted(o.leader.name for o in plan.observations) == sorted(a.name for a in leaders)
    assert len({o.week.month for o in plan.observations}) == min(12, len(leaders))
    assert all(o.week.year == 2027 for o in plan.observations)
    org = Organisation(tuple(pool))
    for o in plan.observations:
        assert not same_text(o.leader.team, o.team)
        team_managers = org.team_managers(o.team)
        line = {m.auditor_id for tm in team_managers for m in [tm]} | {
            up for tm in team_managers for up in org.managers_above(tm.auditor_id)}
        assert o.leader.auditor_id not in line, (o.leader.name, o.team)
    sheet = openpyxl.load_workbook(plan.plan_file).active
    assert sheet.max_row == 1 + len(plan.observations) and sheet["C1"].value == "Leader"


def test_observations_plan_generates_and_emails_each_leader_their_form(settings: Settings, tmp_path: Path) -> None:
    _, pool_file = inputs(tmp_path)
    leaders = [a for a in read_pool(pool_file) if a.role in LEADER_ROLES]
    plan = write_observation_plan(settings, 2027, pool_file, today=TODAY)
    assert len(plan.forms) == len(leaders) == plan.sent
    by_form = {o.form_id: o for o in plan.observations}
    for form in plan.forms:
        parsed = parse_file(form)
        assert parsed.identity is not None
        observation = by_form[parsed.identity.form_id]
        assert parsed.form_type == LEADER_OBSERVATION
        assert parsed.values["auditor"] == observation.leader.name and parsed.values["team"] == observation.team
    with Store(settings.path("database")) as store:
        for o in plan.observations:
            item = store.work_item(o.form_id)
            assert item is not None and item.auditor == o.leader.name  # matched and chased when it comes back
            assert item.due_date is not None and item.due_date > o.week
    mails = _mails(settings)
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == sorted(a.email for a in leaders)
    for mail in mails:
        leader = next(o for o in plan.observations if o.leader.email == mail["To"].addresses[0].addr_spec)
        assert [a.get_filename() for a in mail.iter_attachments()] == [
            next(f.name for f in plan.forms if f.name.startswith(leader.form_id))]
    sheet = openpyxl.load_workbook(plan.plan_file).active
    assert sheet["H1"].value == "Form ID" and {sheet.cell(r, 8).value for r in range(2, sheet.max_row + 1)} == set(
        by_form)


def test_observations_plan_on_the_command_line(config_file: Path, settings: Settings, tmp_path: Path) -> None:
    _, pool_file = inputs(tmp_path)
    out = tmp_path / "plan.xlsx"
    result = subprocess.run([sys.executable, "run.py", "observations", "plan", "--year", "2027", "--pool",
                             str(pool_file), "--out", str(out), "--no-email", "--config", str(config_file)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert out.is_file() and "Planned" in result.stdout and "not emailed" in result.stdout
    assert "Generated" in result.stdout
    assert not list(settings.path("outbox").glob("*.eml"))


def test_chase_reminds_the_auditor_of_an_overdue_commissioned_audit(settings: Settings, tmp_path: Path) -> None:
    from datetime import timedelta

    from processors.chase.run import run_chase

    cases_file, pool_file = inputs(tmp_path)
    summary = commission_audit(settings, read_cases(cases_file)[2].case_id, "SLT", "Concern", cases_file=cases_file,
                               pool_file=pool_file, send=False, today=TODAY)
    run_chase(settings, today=summary.item.due_date + timedelta(days=2))
    reminders = [m for m in _mails(settings) if summary.item.form_id in m.get_body(("plain",)).get_content()]
    assert any(m["To"].addresses[0].addr_spec == summary.item.auditor_email for m in reminders)
