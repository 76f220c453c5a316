"""The folder watcher: takes files only once they are stable, never twice, never dies on a bad one."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from processors.config.settings import PROJECT_ROOT, Settings, load_settings
from processors.demo.fill import fill_form
from processors.errors import AlreadyRunningError, ConfigError
from processors.generate.forms import FormGenerator
from processors.intake.pipeline import Pipeline
from processors.store.database import Store
from tests.conftest import write_config
from tests.returned_forms import TPA, thematic_answers
from watchers.folder import FolderWatcher

FAST = {"stable_seconds": 0.3, "register_debounce_seconds": 0.5, "rescan_seconds": 1.0}


@pytest.fixture
def fast(tmp_path: Path) -> Settings:
    settings = load_settings(write_config(tmp_path, watch=FAST))
    settings.path("inbox").mkdir(parents=True)
    return settings


def form_bytes(settings: Settings, n: int) -> bytes:
    item = replace(TPA, form_id=f"2026-C09-TPA-{n:03d}", case=replace(TPA.case, case_id=f"CF{2000000 + n}"))
    return fill_form(FormGenerator(settings.path("templates"), "Trust", 14).render(item), thematic_answers())


@contextmanager
def running(settings: Settings) -> Iterator[FolderWatcher]:
    store = Store(settings.path("database"))
    watcher = FolderWatcher(settings, Pipeline(settings, store))
    thread = threading.Thread(target=watcher.run, kwargs={"tick": 0.05}, daemon=True)
    thread.start()
    try:
        yield watcher
    finally:
        watcher.stop_event.set()
        thread.join(timeout=20)
        store.close()


def wait_for(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def recorded_ids(settings: Settings) -> list[str]:
    with Store(settings.path("database")) as store:
        return sorted(f.form_id for f in store.forms())


def test_files_already_there_are_processed_and_temporary_files_ignored(fast: Settings) -> None:
    inbox = fast.path("inbox")
    (inbox / "audit 1.docx").write_bytes(form_bytes(fast, 1))
    for name in ("~$audit 1.docx", ".~lock.audit 1.docx#", "~WRL0001.tmp", "Thumbs.db", "desktop.ini", ".hidden"):
        (inbox / name).write_bytes(b"office scratch")
    with Store(fast.path("database")) as store:
        stats = FolderWatcher(fast, Pipeline(fast, store)).run(once=True, tick=0.05)
    assert stats.processed == 1 and recorded_ids(fast) == ["2026-C09-TPA-001"]
    assert sorted(p.name for p in inbox.iterdir()) == sorted(
        ["~$audit 1.docx", ".~lock.audit 1.docx#", "~WRL0001.tmp", "Thumbs.db", "desktop.ini", ".hidden"])
    assert not fast.path("rejected").exists()
    assert fast.path("register").exists()


def test_a_file_still_being_copied_is_not_read_half_written(fast: Settings) -> None:
    data = form_bytes(fast, 2)
    target = fast.path("inbox") / "slow copy.docx"
    with running(fast) as watcher:
        with target.open("wb") as handle:
            for start in range(0, len(data), 4096):
                handle.write(data[start:start + 4096])
                handle.flush()
                time.sleep(0.05)  # a copy over a slow network share
        assert wait_for(lambda: watcher.stats.processed == 1)
    assert recorded_ids(fast) == ["2026-C09-TPA-002"]
    assert not fast.path("rejected").exists()


def test_a_burst_is_recorded_once_each_with_few_register_rewrites(fast: Settings) -> None:
    payloads = [form_bytes(fast, n) for n in range(1, 61)]
    with running(fast) as watcher:
        for n, data in enumerate(payloads, start=1):
            partial = fast.path("inbox") / f".copying-{n}"
            partial.write_bytes(data)
            partial.replace(fast.path("inbox") / f"form {n}.docx")  # Office and OneDrive save by rename
            (fast.path("inbox") / f"form {n}.docx").touch()  # and events repeat
        (fast.path("inbox") / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
        assert wait_for(lambda: watcher.stats.processed == 61, timeout=30)
        assert wait_for(lambda: watcher.stats.register_writes >= 1)
    assert len(recorded_ids(fast)) == 60
    assert watcher.stats.register_writes <= 6
    assert (fast.path("rejected") / "broken.docx.reason.txt").exists()


def test_a_second_watcher_on_the_same_inbox_refuses_to_start(fast: Settings) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import sys, time; from processors.config.settings import "
                              "load_settings; from watchers.lock import watcher_lock\n"
                              "with watcher_lock(load_settings(sys.argv[1])):\n print('held', flush=True); "
                              "time.sleep(30)", str(fast.path("inbox").parent / "config.yaml")],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        with Store(fast.path("database")) as store, \
                pytest.raises(AlreadyRunningError, match=r"another watcher is in progress: `watch` \(pid \d+ on"):
            FolderWatcher(fast, Pipeline(fast, store)).run(once=True)
    finally:
        other.kill()
        other.wait()
    assert not (fast.path("inbox") / ".qa-watch.lock").exists()  # nothing of ours in the synced inbox


def test_outputs_inside_the_inbox_are_refused(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path))
    inside = settings.model_copy(update={"paths": settings.paths.model_copy(
        update={"processed": settings.path("inbox") / "done"})})
    with Store(settings.path("database")) as store, pytest.raises(ConfigError, match="paths.processed .* is inside"):
        FolderWatcher(inside, Pipeline(inside, store))


def test_sigterm_finishes_cleanly(fast: Settings, config_file: Path) -> None:
    config = write_config(config_file.parent, watch=FAST)
    process = subprocess.Popen([sys.executable, "run.py", "watch", "--config", str(config)], cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        (fast.path("inbox") / "during.docx").write_bytes(form_bytes(fast, 9))
        assert wait_for(lambda: recorded_ids(fast) == ["2026-C09-TPA-009"])
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Stopped: 1 file(s) processed" in out
    assert fast.path("register").exists()


def test_an_immediate_concern_reaches_the_alert_outbox_within_seconds(fast: Settings) -> None:
    item = replace(TPA, form_id="2026-C09-TPA-050")
    answers = thematic_answers(immediate_concern="Yes", immediate_concern_details="Unsafe sleeping arrangements.",
                               escalation_route="IRO / CP Chair escalation (Care First)")
    data = fill_form(FormGenerator(fast.path("templates"), "Trust", 14).render(item), answers)
    with running(fast):
        dropped = time.monotonic()
        (fast.path("inbox") / "concern.docx").write_bytes(data)
        assert wait_for(lambda: list(fast.path("outbox").glob("*escalation*.eml")), timeout=10)
        took = time.monotonic() - dropped
    assert took < 3.0  # stable_seconds 0.3 here; about 1.1 s with the default 1.0
