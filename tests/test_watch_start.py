"""A form dropped right after `watch` starts is not held up by the day's chase and scheduled reports (issue 16).

The watcher runs the scheduled work beside intake (watchers/scheduled.py): a returned form with an immediate
concern is stored and its alert sent while the quarter's draft reports (with PDFs, through LibreOffice) are still
being made; the reports are made and sent once, also when the watcher is killed in the middle of them and
started again.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from processors.config.reports import report_settings
from processors.config.settings import PROJECT_ROOT, Settings, load_settings
from processors.demo.fill import fill_form
from processors.demo.report_sample import SampleSpec, fill_sample_store
from processors.generate.forms import FormGenerator
from processors.reports.schedule import DRAFT_STATE, ScheduledReports, previous_quarter
from processors.store.database import Store
from tests.conftest import write_config
from tests.returned_forms import TPA, thematic_answers
from tests.smtp_server import Inbox, smtp_server
from tests.test_watch import wait_for

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
WATCH = {"stable_seconds": 0.3, "register_debounce_seconds": 0.5, "rescan_seconds": 1.0}
SCHEDULE = {"enabled": True, "daily_at": "00:00", "monthly_briefing": False, "quarterly_draft_after_days": 0}


def office(folder: Path, port: int, pdf: bool) -> Settings:
    """A store with the last quarter's forms, email through the loopback SMTP server, the quarter's draft due."""
    config = write_config(folder, watch=WATCH, email={"backend": "smtp", "smtp": {
        "host": "127.0.0.1", "port": port, "starttls": False}}, reports={"pdf": pdf, "schedule": SCHEDULE},
        chase={"daily_at": "00:00"})
    settings = load_settings(config)
    settings.path("inbox").mkdir(parents=True)
    quarter = previous_quarter(date.today(), report_settings(settings).year_start_month)
    with Store(settings.path("database")) as store:
        fill_sample_store(store, SampleSpec((quarter,), forms_per_quarter=150, cases=200, today=date.today()))
        store.add_work_items([TPA])
    return settings


def draft_key(settings: Settings) -> str:
    quarter = previous_quarter(date.today(), report_settings(settings).year_start_month)
    return DRAFT_STATE.format(label=quarter.label)


def state(settings: Settings, key: str) -> str | None:
    with Store(settings.path("database")) as store:
        return store.get_state(key)


def concern_form(settings: Settings) -> bytes:
    answers = thematic_answers(immediate_concern="Yes", immediate_concern_details="Unsafe sleeping arrangements.",
                               escalation_route="IRO / CP Chair escalation (Care First)")
    return fill_form(FormGenerator(settings.path("templates"), "Trust", 14).render(TPA), answers)


def subjects(inbox: Inbox, kind: str) -> Counter[str]:
    return Counter(str(m["Subject"]) for m in list(inbox.messages) if str(m["X-QA-Kind"]).startswith(kind))


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


def started(settings: Settings) -> subprocess.Popen:
    config = settings.path("database").parent / "config.yaml"
    log = settings.path("database").parent / "watch.log"
    before = log.read_text(errors="replace").count("Watching") if log.exists() else 0
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "run.py", "watch", "--config", str(config)], cwd=PROJECT_ROOT,
                                   stdout=out, stderr=subprocess.STDOUT)
    assert wait_for(lambda: log.read_text(errors="replace").count("Watching") > before, 60), \
        log.read_text(errors="replace")
    return process


def in_store(settings: Settings, form_id: str) -> bool:
    with Store(settings.path("database")) as store:
        return any(f.form_id == form_id for f in store.forms(form_ids=[form_id]))


@needs_office
def test_a_concern_dropped_at_start_alerts_while_the_reports_are_made_and_they_are_made_once(
        tmp_path: Path, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    settings = office(tmp_path, port, pdf=True)
    key, data = draft_key(settings), concern_form(settings)
    process = started(settings)
    try:
        dropped = time.monotonic()
        (settings.path("inbox") / "concern.docx").write_bytes(data)
        assert wait_for(lambda: subjects(inbox, "escalation"), 30), "no alert"
        alerted = time.monotonic() - dropped
        assert in_store(settings, TPA.form_id)
        assert not subjects(inbox, "report") and state(settings, key) is None, "the reports were made first"
        assert alerted < 5.0  # stable_seconds 0.3 here; the reports take far longer with their PDFs
        # killed while the reports are under way (documents being made or converted), then started again
        assert wait_for(lambda: any((settings.path("generated") / "reports").rglob("*.docx")), 120)
        assert state(settings, key) is None and not subjects(inbox, "report")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process = started(settings)
        assert wait_for(lambda: state(settings, key) is not None, 300), "the draft reports were never made"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
    reports = subjects(inbox, "report")
    assert reports and set(reports.values()) == {1}, reports  # every report email once
    assert any(s.startswith("Draft Quarterly QA report") for s in reports)
    assert any(s.startswith("QA Manager's commentary") for s in reports)
    assert sum(subjects(inbox, "escalation").values()) == len(subjects(inbox, "escalation"))


class RefusingInbox(Inbox):
    """An SMTP server that refuses messages whose subject contains ``refused`` (while it is set)."""

    refused: str | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refused and self.refused.encode() in envelope.content:
            return "554 refused for the test"
        return await super().handle_DATA(server, session, envelope)


def test_a_report_run_stopped_mid_way_is_completed_without_sending_anything_twice(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    from tests.smtp_server import free_port

    inbox, port = RefusingInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = office(tmp_path, port, pdf=False)
        key = draft_key(settings)
        inbox.refused = "commentary"  # the last message of the run fails: the run is not complete
        with Store(settings.path("database")) as store:
            first = ScheduledReports(settings, store, clock=lambda: datetime.now(), register=False)()
            assert first and first[0].sent and state(settings, key) is None
            inbox.refused = None
            again = ScheduledReports(settings, store, clock=lambda: datetime.now(), register=False)()
            assert again and len(again[0].sent) == 1 and again[0].already_sent
    finally:
        controller.stop()
    assert state(settings, key) is not None
    reports = subjects(inbox, "report")
    assert set(reports.values()) == {1} and any(s.startswith("QA Manager's commentary") for s in reports), reports


# --- what makes it possible: the lock held for the process, the register written beside the loop ---------------

def _other_process_gets_lock(settings: Settings) -> bool:
    code = ("import sys; from processors.config.settings import load_settings; "
            "from processors.store.lock import run_lock; from processors.errors import AlreadyRunningError\n"
            f"settings = load_settings({str(settings.path('database').parent / 'config.yaml')!r})\n"
            "try:\n    with run_lock(settings, 'chase', wait=0.3): print('got it')\n"
            "except AlreadyRunningError: print('refused')")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    return out.stdout.strip() == "got it"


def test_work_holding_the_lock_for_its_process_keeps_other_processes_out_but_not_its_own_intake(
        tmp_path: Path) -> None:
    import threading

    from processors.store.lock import run_lock, run_lock_for_process

    settings = load_settings(write_config(tmp_path))
    holding, release, inside = threading.Event(), threading.Event(), []

    def long_work() -> None:
        with run_lock_for_process(settings, "watch"):
            with run_lock(settings, "report"):  # the work's own steps pass through
                inside.append("report")
            holding.set()
            release.wait(30)

    worker = threading.Thread(target=long_work)
    worker.start()
    try:
        assert holding.wait(10) and inside == ["report"]
        started = time.monotonic()
        with run_lock(settings, "watch", wait=0):  # this process's intake takes it at once, in turn
            assert time.monotonic() - started < 0.5
        assert not _other_process_gets_lock(settings)  # another run waits for the whole work
    finally:
        release.set()
        worker.join(10)
    assert _other_process_gets_lock(settings)


def test_a_slow_register_write_does_not_hold_up_the_next_file(tmp_path: Path) -> None:
    import threading
    from dataclasses import replace

    from processors.intake.pipeline import Pipeline
    from watchers.folder import FolderWatcher

    settings = load_settings(write_config(tmp_path, watch=WATCH))
    settings.path("inbox").mkdir(parents=True)
    generator = FormGenerator(settings.path("templates"), "Trust", 14)
    forms = [replace(TPA, form_id=f"2026-C09-TPA-{n:03d}", case=replace(TPA.case, case_id=f"CF{3000000 + n}"))
             for n in (1, 2)]
    with Store(settings.path("database")) as store:
        store.add_work_items(forms)
        pipeline = Pipeline(settings, store)
        real, writing = pipeline.write_register, threading.Event()

        def slow_write(*args: object) -> None:
            writing.set()
            time.sleep(4)  # as a full write of years of history under load
            real(*args)  # type: ignore[arg-type]

        pipeline.write_register = slow_write  # type: ignore[method-assign]
        watcher = FolderWatcher(settings, pipeline)
        thread = threading.Thread(target=watcher.run, kwargs={"tick": 0.05}, daemon=True)
        thread.start()
        try:
            for n, item in enumerate(forms):
                (settings.path("inbox") / f"{n}.docx").write_bytes(fill_form(generator.render(item),
                                                                             thematic_answers()))
                dropped = time.monotonic()
                assert wait_for(lambda i=item: in_store(settings, i.form_id), 15)
                took = time.monotonic() - dropped
                assert n == 0 or took < 2.5, f"the second file waited {took:.1f} s for the register"
                assert writing.wait(10)
        finally:
            watcher.stop_event.set()
            thread.join(30)
    assert watcher.stats.register_writes >= 1
    assert {"2026-C09-TPA-001", "2026-C09-TPA-002"} <= set(in_register(settings))


def test_the_register_waits_for_the_scheduled_work_and_is_written_once_it_is_done(tmp_path: Path) -> None:
    """While the day's chase and reports run (changing many rows: each register write would then be a full one,
    competing with intake for the interpreter), a stored form waits for the register; it is there once the work
    has finished."""
    import threading
    from dataclasses import replace

    from processors.intake.pipeline import Pipeline
    from watchers.folder import FolderWatcher

    settings = load_settings(write_config(tmp_path, watch=WATCH))
    settings.path("inbox").mkdir(parents=True)
    item = replace(TPA, form_id="2026-C09-TPA-001", case=replace(TPA.case, case_id="CF3000001"))
    with Store(settings.path("database")) as store:
        store.add_work_items([item])
        pipeline = Pipeline(settings, store)
        watcher = FolderWatcher(settings, pipeline)
        scheduled_running = threading.Event()
        scheduled_running.set()
        watcher.follow_up.busy_elsewhere = scheduled_running.is_set
        thread = threading.Thread(target=watcher.run, kwargs={"tick": 0.05}, daemon=True)
        thread.start()
        try:
            generator = FormGenerator(settings.path("templates"), "Trust", 14)
            (settings.path("inbox") / "1.docx").write_bytes(fill_form(generator.render(item), thematic_answers()))
            assert wait_for(lambda: in_store(settings, item.form_id), 15)
            time.sleep(2)  # four debounce periods: the register would have been written by now
            assert watcher.stats.register_writes == 0 and not settings.path("register").exists()
            scheduled_running.clear()
            watcher.follow_up.store_changed()  # what the scheduled work does when it is done
            assert wait_for(lambda: watcher.stats.register_writes >= 1, 30)
        finally:
            watcher.stop_event.set()
            thread.join(30)
    assert item.form_id in in_register(settings)


def in_register(settings: Settings) -> set[str]:
    import openpyxl

    wb = openpyxl.load_workbook(settings.path("register"), read_only=True)
    ids = {r[0] for r in wb["Forms"].iter_rows(min_row=2, max_col=1, values_only=True) if r and r[0]}
    wb.close()
    return ids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_the_scheduled_work_gives_way_to_intake_for_the_processor(tmp_path: Path) -> None:
    import os
    import threading

    from processors.chase.run import ChaseRun
    from watchers.scheduled import NICE, ScheduledWork

    settings = load_settings(write_config(tmp_path, chase={"daily_at": "00:00"},
                                          reports={"schedule": {"enabled": False}}))
    seen: list[tuple[int, str]] = []

    def chase(_settings: Settings, today: date, *_: object, **__: object) -> ChaseRun:
        nice = subprocess.run(["sh", "-c", "nice"], capture_output=True, text=True).stdout.strip()  # a child's
        seen.append((os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), nice))
        return ChaseRun(today)

    done = threading.Event()
    work = ScheduledWork(settings, on_done=done.set)
    work.chase.runner = chase
    work()
    assert done.wait(30) and work.wait(10)
    work.close()
    assert seen == [(NICE, str(NICE))]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == 0  # the watcher's own thread: as it was


def test_a_snapshot_read_sees_one_state_and_does_not_hold_up_anothers_commits(tmp_path: Path) -> None:
    from dataclasses import replace

    path = tmp_path / "qa.sqlite3"
    with Store(path) as reader, Store(path) as intake:
        intake.add_work_items([TPA])
        with reader.reading_snapshot():
            before = reader.work_items()
            started = time.monotonic()
            intake.add_work_items([replace(TPA, form_id="2026-C09-TPA-002")])  # commits at once
            assert time.monotonic() - started < 1.0
            assert reader.work_items() == before  # the same state throughout
        assert len(reader.work_items()) == len(before) + 1
