"""The benchmarks' starting states are what their figures claim (issue 16 item 6: honest benchmarks)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from benchmarks.bench_ingest import ACTIONS, GRADED, peer_rows, read_controls, register_state, returned_forms, seed
from benchmarks.history import seed_history
from processors.chase.daily import DailyChase
from processors.config.settings import load_settings
from processors.reports.schedule import ScheduledReports
from processors.store.database import Store

REGISTER_SHEETS = {"Forms", "Grades", "Actions", "Escalations", "Good practice", "Rejected", "Allocations", "Sent"}


def test_ten_years_of_history_fill_the_register_as_claimed_and_leave_nothing_to_catch_up(tmp_path: Path) -> None:
    state = seed_history(tmp_path / "history", forms=140, rows=1400)
    assert state.forms == 140 and state.quarters == 40 and state.cycles == 87
    assert state.last_day == date.today() and (state.last_day - state.first_day).days >= 10 * 365
    on_file = register_state(state.register)  # read back from the workbook, not from what the seed meant to write
    assert {title for title, n in on_file.rows.items() if n} >= REGISTER_SHEETS
    assert on_file.rows["Forms"] == 140
    assert 1330 <= on_file.total <= 1470  # about the rows asked for, across the sheets
    settings = load_settings(state.config)
    with Store(state.store) as store:
        assert store.pending_notices() == {"escalation": [], "good_practice": []}
        assert len(store.escalations()) >= 3 and all(e.notified_at for e in store.escalations())
        later = datetime.combine(date.today(), datetime.max.time())
        assert not DailyChase(settings, store, clock=lambda: later).due(later)  # today's chase already done
        assert ScheduledReports(settings, store).wanted(date.today()) == []   # and today's reports


def test_ingest_starts_ours_and_the_peer_from_one_state_with_the_rows_it_claims(tmp_path: Path) -> None:
    seed(tmp_path / "seeded", existing=20, forms=3)
    state = register_state(tmp_path / "seeded" / "register.xlsx")
    assert (state.rows["Forms"], state.rows["Grades"], state.rows["Actions"]) == (20, 20 * GRADED, 20 * ACTIONS)
    inbox = sorted((tmp_path / "seeded" / "inbox").glob("*.docx"))
    assert len(inbox) == 3


def test_the_ingest_peer_reads_the_answers_not_the_placeholders(tmp_path: Path) -> None:
    _, paths = returned_forms(tmp_path, 1)
    values = read_controls(paths[0])
    assert values["overall_grade"] == "Good" and values["action_3"] == ""  # unfilled controls read as empty
    rows = peer_rows(paths[0], values)
    assert {sheet: len(r) for sheet, r in rows.items()} == {"Forms": 1, "Grades": 7, "Actions": 2}  # as ours adds
