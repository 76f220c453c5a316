"""Reports that `watch` makes and emails on its own, checked once a day like the chase (processors.chase.daily):

* on the first working day (Monday to Friday) of each month, the learning briefing note for the month just ended;
* ``reports.schedule.quarterly_draft_after_days`` after a quarter ends, its draft reports and the QA Manager's
  commentary form, to the QA Manager (who returns the commentary through the inbox; `report --send` then
  sends the final reports).

What was made is kept in the store (one state key per month and per quarter), so a restart never repeats it;
a run that failed (mail server down) is tried again at the next check, ``RETRY`` later. A run cut short (the
watcher stopped or killed mid-way) is made again at the next start, and its emails are keyed by the same state
key, so one that went before the stop is not sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from processors.chase.daily import DailyChase
from processors.config.reports import report_settings
from processors.config.settings import Settings
from processors.reports.quarter import Period, Quarter, month_period, quarter_of
from processors.reports.runner import ReportRun, run_briefing, run_reports
from processors.store.database import Store

log = logging.getLogger("qa.reports")
RETRY = timedelta(minutes=30)
BRIEFING_STATE = "report_briefing_{label}"
DRAFT_STATE = "report_draft_{label}"


def first_working_day(day: date) -> date:
    """The first Monday-to-Friday of ``day``'s month."""
    first = day.replace(day=1)
    while first.weekday() >= 5:
        first += timedelta(days=1)
    return first


def previous_month(day: date) -> Period:
    return month_period(day.replace(day=1) - timedelta(days=1))


def previous_quarter(day: date, year_start_month: int) -> Quarter:
    return quarter_of(day, year_start_month).previous(1)[0]


class ScheduledReports:
    """A callable for the watcher's tick: makes what is due today, at most once a day when all went well."""

    def __init__(self, settings: Settings, store: Store, *, clock: Callable[[], datetime] = datetime.now,
                 say: Callable[[str], None] | None = None, register: bool = True) -> None:
        self.settings, self.store, self.clock, self.say = settings, store, clock, say
        self.register = register  # False inside `watch`: the watcher's loop writes the register
        self.options = report_settings(settings)
        self.checked_on: date | None = None
        self.next_try: datetime | None = None

    def due(self, now: datetime) -> bool:
        schedule = self.options.schedule
        if not schedule.enabled or now.time() < schedule.daily_at or self.checked_on == now.date():
            return False
        return self.next_try is None or now >= self.next_try

    def wanted(self, today: date) -> list[tuple[str, Callable[[], ReportRun]]]:
        """(state key, what makes it) for each report due today and not yet made."""
        schedule, jobs = self.options.schedule, []
        if schedule.monthly_briefing and today >= first_working_day(today):
            month = previous_month(today)
            briefing = BRIEFING_STATE.format(label=month.label)
            if self.store.get_state(briefing) is None:
                jobs.append((briefing, lambda: run_briefing(self.settings, month, send=True, today=today,
                                                            register=self.register, once_key=briefing)))
        quarter = previous_quarter(today, self.options.year_start_month)
        draft = DRAFT_STATE.format(label=quarter.label)
        if today >= quarter.end + timedelta(days=schedule.quarterly_draft_after_days) and \
                self.store.get_state(draft) is None:
            jobs.append((draft, lambda: run_reports(self.settings, quarter.label, None, None, send=True, today=today,
                                                    draft=True, register=self.register, once_key=draft)))
        return jobs

    def __call__(self) -> list[ReportRun]:
        """Make and send what is due now; never raises (the watcher must keep running)."""
        now = self.clock()
        if not self.due(now):
            return []
        runs, failed = [], False
        for key, make in self.wanted(now.date()):
            try:
                run = make()
            except Exception as exc:  # a broken template or a bug must not stop the watcher
                log.error("scheduled report (%s) failed, trying again at %s: %s", key,
                          (now + RETRY).strftime("%H:%M"), exc, exc_info=True)
                failed = True
                continue
            runs.append(run)
            if (run.sent or run.already_sent) and not any("was not sent" in p for p in run.problems):
                self.store.set_state(key, now.isoformat(timespec="minutes"))
            else:
                failed = True
            if self.say:
                for line in run.summary_lines():
                    self.say(line)
        if failed:
            self.next_try = now + RETRY
        else:
            self.checked_on = now.date()
        return runs


def with_scheduled_reports(chase: DailyChase) -> Callable[[], None]:
    """The watcher's tick: the daily chase, then the scheduled reports (same settings, store and output)."""
    reports = ScheduledReports(chase.settings, chase.store, clock=chase.clock, say=chase.say)

    def tick() -> None:
        chase()
        reports()
    return tick
