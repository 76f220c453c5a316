"""The synthetic pool and case list look like the trust's and are the same for the same seed."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from processors.allocation.caselist import read_cases, read_pool
from processors.demo.synthetic import (
    DOMAIN,
    POOL_SIZE,
    SERVICES,
    SHOWCASE_NAMES,
    SQAS,
    THEMES,
    email_for,
    make_cases,
    make_pool,
    write_cases,
    write_pool,
)
from processors.forms.models import LEGAL_STATUSES, ROLES, Auditor

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def pool() -> list[Auditor]:
    return make_pool(2026)


def by_id(pool: list[Auditor]) -> dict[str, Auditor]:
    return {a.auditor_id: a for a in pool}


def test_pool_has_66_auditors_of_every_role(pool: list[Auditor]) -> None:
    assert len(pool) == POOL_SIZE == 66
    roles = Counter(a.role for a in pool)
    assert set(roles) == set(ROLES)
    assert roles["Team Manager"] == sum(len(s.teams) for s in SERVICES)
    assert [a.auditor_id for a in pool] == [f"AUD{n:03d}" for n in range(1, 67)]


def test_emails_are_unique_on_the_trust_domain(pool: list[Auditor]) -> None:
    emails = [a.email for a in pool]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(rf"[a-z.]+[0-9]*@{re.escape(DOMAIN)}", e) for e in emails), emails


def test_line_management_runs_team_service_strategic_senior(pool: list[Auditor]) -> None:
    ids = by_id(pool)
    above = {"Team Manager": "Service Manager", "Service Manager": "Strategic Manager",
             "Strategic Manager": "Senior Leader", "IRO": "Service Manager", "CP Chair": "Service Manager"}
    for a in pool:
        if a.role in above:
            boss = ids[a.manager_id]
            assert boss.role == above[a.role], a
            if a.role in ("Team Manager", "IRO", "CP Chair"):
                assert boss.service == a.service, a
    tops = [a for a in pool if not a.manager_id]
    assert len(tops) == 1 and tops[0].role == "Senior Leader"
    assert all(ids[a.manager_id].role == "Senior Leader" for a in pool if a.role == "Senior Leader" and a.manager_id)


def test_iros_and_cp_chairs_sit_in_sqas_and_every_team_has_one_manager(pool: list[Auditor]) -> None:
    assert all(a.service == SQAS for a in pool if a.role in ("IRO", "CP Chair"))
    teams = Counter(a.team for a in pool if a.role == "Team Manager")
    assert set(teams) == {t for s in SERVICES for t in s.teams} and set(teams.values()) == {1}
    assert "Corby CIN 1" in teams and "Northampton South CP" in teams


def test_names_exercise_rendering(pool: list[Auditor]) -> None:
    names = [a.name for a in pool]
    assert set(SHOWCASE_NAMES) <= set(names)
    assert len(set(names)) == len(names)
    assert any("'" in n for n in names)
    assert any(re.search(r"[\u0600-\u06ff]", n) for n in names)
    assert sum(1 for n in names if not n.isascii()) >= 8


def test_same_seed_same_pool_other_seed_other_people() -> None:
    assert make_pool(7) == make_pool(7)
    other = make_pool(8)
    assert [a.name for a in other] != [a.name for a in make_pool(7)]
    assert [(a.role, a.team) for a in other] == [(a.role, a.team) for a in make_pool(7)]


def test_email_for_folds_accents_and_stays_unique() -> None:
    taken: set[str] = set()
    assert email_for("Łukasz Wójcik", taken) == f"lukasz.wojcik@{DOMAIN}"
    assert email_for("Niamh O'Connor", taken) == f"niamh.oconnor@{DOMAIN}"
    assert email_for("Łukasz Wójcik", taken) == f"lukasz.wojcik2@{DOMAIN}"
    assert email_for("محمد", taken) == f"mohammed@{DOMAIN}"


def test_cases_are_realistic_and_consistent(pool: list[Auditor]) -> None:
    cases = make_cases(300, 11, pool, today=TODAY)
    assert len(cases) == 300
    ids = [c.case_id for c in cases]
    assert len(set(ids)) == 300 and all(re.fullmatch(r"CF\d{7}", i) for i in ids)
    managers = {a.team: a for a in pool if a.role == "Team Manager"}
    pool_names = {a.name for a in pool}
    for case in cases:
        assert 0 <= case.child_age <= 17 and case.legal_status in LEGAL_STATUSES
        assert (case.legal_status == "Early Help") == (case.service == "Early Help"), case.case_id
        assert managers[case.team].name == case.team_manager and managers[case.team].service == case.service
        assert case.practitioner not in pool_names
        assert re.fullmatch(r"\w\.\w\.", case.child_initials), case.child_initials
        if case.service == "Children in Care":
            assert case.legal_status == "Child Looked After"
    audited = [c.last_audited for c in cases if c.last_audited]
    assert 0.1 < len(audited) / len(cases) < 0.35
    assert all(TODAY - timedelta(days=730) <= d < TODAY for d in audited)
    assert len({c.team for c in cases}) > 20 and len({c.practitioner for c in cases}) > 50


def test_same_seed_same_cases(pool: list[Auditor]) -> None:
    assert make_cases(40, 3, pool, today=TODAY) == make_cases(40, 3, pool, today=TODAY)
    assert make_cases(40, 3, pool, today=TODAY) != make_cases(40, 4, pool, today=TODAY)


def test_cases_need_team_managers() -> None:
    with pytest.raises(ValueError, match="no Team Managers"):
        make_cases(3, 1, [a for a in make_pool(1) if a.role != "Team Manager"])


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_written_files_read_back_unchanged(tmp_path: Path, pool: list[Auditor], suffix: str) -> None:
    cases = make_cases(50, 5, pool, today=TODAY)
    write_cases(tmp_path / f"cases{suffix}", cases)
    write_pool(tmp_path / f"pool{suffix}", pool)
    assert read_cases(tmp_path / f"cases{suffix}") == cases
    assert read_pool(tmp_path / f"pool{suffix}") == pool


def test_themes_are_the_frameworks_kind() -> None:
    assert len(THEMES) == len(set(THEMES)) >= 7
    assert {"Voice of the child", "Neglect", "Exploitation", "Domestic abuse"} <= set(THEMES)
