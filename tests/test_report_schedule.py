"""Reports on schedule inside `watch`: the monthly briefing on the first working day of each month, the quarter's
draft (with the commentary form) some days after it ends, each once only; per-service reports go to the service's
managers in the auditor pool by default."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime
from pathlib import Path

import pytest

from processors.config.reports import ReportSettings
from processors.config.settings import Settings, load_settings
from processors.demo.synthetic import make_pool, write_pool
from processors.reports.runner import run_reports
from processors.reports.schedule import ScheduledReports, first_working_day
from processors.store.database import Store
from tests.conftest import write_config
from tests.test_reports import Q3, TODAY, build_dataset


@pytest.fixture
def prepared(tmp_path: Path) -> Settings:
    pool = tmp_path / "pool.csv"
    write_pool(pool, make_pool(2026))
    settings = load_settings(write_config(tmp_path, chase={"pool_file": str(pool)}))
    with Store(settings.path("database")) as store:
        build_dataset(store)
    return settings.model_copy(update={"reports": ReportSettings(pdf=False)})


def subjects(settings: Settings) -> list[str]:
    return sorted(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"]
                  for p in settings.path("outbox").glob("*.eml"))


def test_the_first_working_day_of_a_month() -> None:
    assert first_working_day(date(2026, 10, 20)) == date(2026, 10, 1)   # a Thursday
    assert first_working_day(date(2026, 11, 9)) == date(2026, 11, 2)    # 1 November 2026 is a Sunday


def test_the_briefing_then_the_draft_each_once(prepared: Settings) -> None:
    settings = prepared
    now = [datetime(2026, 10, 1, 7, 0)]
    with Store(settings.path("database")) as store:
        scheduled = ScheduledReports(settings, store, clock=lambda: now[0])
        assert scheduled() == []  # before reports.schedule.daily_at
        now[0] = datetime(2026, 10, 1, 8, 0)
        (briefing,) = scheduled()
        assert briefing.docx[0].name == "2026-09_learning_briefing.docx" and briefing.sent
        assert scheduled() == []  # once a day
        assert subjects(settings) == ["Learning briefing note: September 2026"]

        now[0] = datetime(2026, 10, 12, 8, 0)  # ten days after 2026-Q3 ended
        restarted = ScheduledReports(settings, store, clock=lambda: now[0])
        (draft,) = restarted()  # the September briefing is not made again after a restart
        assert draft.commentary_form is not None and draft.commentary_form.exists()
        assert "QA Manager's commentary for 2026-Q3: please complete" in subjects(settings)
        assert "Draft Quarterly QA report 2026-Q3: Senior Leadership Team" in subjects(settings)
        now[0] = datetime(2026, 10, 13, 8, 0)
        assert ScheduledReports(settings, store, clock=lambda: now[0])() == []


def test_service_reports_go_to_the_services_managers_in_the_pool(prepared: Settings) -> None:
    run = run_reports(prepared, Q3, None, None, send=False, today=TODAY)
    pool = make_pool(2026)
    for doc in (d for d in run.documents if d.kind == "service"):
        service = doc.subject.split(": ", 1)[1]
        managers = {a.email for a in pool if a.service == service and a.role in ("Service Manager", "Head of Service")}
        assert managers and set(doc.recipients) == managers
