"""The chase inside `watch`: a callable for the watcher's ``on_tick`` that runs it once a day.

It runs at the first tick at or after ``chase.daily_at`` each day. A run that could not send everything
(mail server down, register open) is tried again ``RETRY`` later the same day; reminders that did go are
recorded, so the retry sends only what is missing. The day of the last complete run is kept in the store,
so restarting `watch` does not run it again. Inside `watch` (``register=False``) the chase leaves the register
to the watcher's loop, which writes it once the chase is done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from processors.chase.run import ChaseRun, run_chase
from processors.config.chase import chase_settings
from processors.config.settings import Settings
from processors.errors import QAError
from processors.mail.message import Mailer
from processors.store.database import Store

log = logging.getLogger("qa.chase")
LAST_RUN_STATE = "chase_last_run"
RETRY = timedelta(minutes=30)

Runner = Callable[..., ChaseRun]


class DailyChase:
    def __init__(self, settings: Settings, store: Store, *, clock: Callable[[], datetime] = datetime.now,
                 mailer: Mailer | None = None, runner: Runner = run_chase,
                 say: Callable[[str], None] | None = None, register: bool = True) -> None:
        self.settings, self.store, self.clock, self.mailer, self.runner, self.say = (
            settings, store, clock, mailer, runner, say)
        self.register = register
        self.config = chase_settings(settings)
        last = store.get_state(LAST_RUN_STATE)
        self.done_on: date | None = date.fromisoformat(last) if last else None
        self.next_try: datetime | None = None

    def due(self, now: datetime) -> bool:
        if not self.config.enabled or now.time() < self.config.daily_at or self.done_on == now.date():
            return False
        return self.next_try is None or now >= self.next_try

    def __call__(self) -> ChaseRun | None:
        """Run the chase if it is due now; never raises (the watcher must keep running)."""
        now = self.clock()
        if not self.due(now):
            return None
        try:
            run = self.runner(self.settings, now.date(), self.store, mailer=self.mailer, register=self.register)
        except Exception as exc:  # a bad pool file or a bug must not stop the watcher
            log.error("daily chase failed, trying again at %s: %s", (now + RETRY).strftime("%H:%M"), exc,
                      exc_info=not isinstance(exc, QAError))
            self.next_try = now + RETRY
            return None
        if run.problems:
            self.next_try = now + RETRY
        else:
            self.done_on = now.date()
            self.store.set_state(LAST_RUN_STATE, self.done_on.isoformat())
        if self.say:
            for line in run.summary_lines():
                self.say(line)
        return run
