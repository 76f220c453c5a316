"""The `watch` command: run the watcher chosen by ``watch.source`` (folder or SharePoint) with the daily chase and
the scheduled reports, which run beside it (watchers/scheduled.py) so a returned form never waits for them."""

from __future__ import annotations

from collections.abc import Callable

from processors.config.settings import Settings
from processors.graph.client import GraphClient
from processors.intake.pipeline import Pipeline
from processors.register.read_first import read_edits_first
from processors.store.database import Store
from processors.store.lock import run_lock
from processors.templates.check import INTAKE_TEMPLATES, require_templates
from watchers.common import WATCH_LOCK_WAIT, WatchStats
from watchers.folder import FolderWatcher
from watchers.mailbox import MailboxWatcher
from watchers.scheduled import ScheduledWork
from watchers.sharepoint import SharePointWatcher


def watch(settings: Settings, *, once: bool = False, say: Callable[[str], None] = print) -> WatchStats:
    """Run the watcher chosen by watch.source (the long-running service, or one pass with once=True)."""
    require_templates(settings.path("templates"), INTAKE_TEMPLATES)  # not after the first good-practice form
    with Store(settings.path("database")) as store:
        with run_lock(settings, "watch"):
            for warning in read_edits_first(store, settings.path("register")):
                say(f"Register edit not used: {warning}")
        pipeline = Pipeline(settings, store, command="watch", lock_wait=WATCH_LOCK_WAIT)
        watcher: FolderWatcher | SharePointWatcher
        if settings.watch.source == "sharepoint":
            watcher = SharePointWatcher(settings, pipeline, GraphClient.from_settings(settings))
            where = f"the SharePoint folder '{settings.email.graph.inbox_folder}'"
        else:
            watcher = FolderWatcher(settings, pipeline)
            where = str(settings.path("inbox"))
        mailbox = None
        if settings.mailbox.source != "none":
            mailbox = MailboxWatcher(settings, pipeline)
            where += f" and the mailbox folder '{settings.mailbox.folder}'"
        if once:
            if mailbox is not None:
                mailbox.poll()
            return watcher.run(once=True)
        watcher.install_signal_handlers()
        say(f"Watching {where} (Ctrl+C to stop). Register: {settings.path('register')}")
        scheduled = ScheduledWork(settings, on_done=watcher.follow_up.store_changed, say=say)  # chase, reports
        watcher.follow_up.busy_elsewhere = lambda: scheduled.running  # the register waits for it
        ticks = [t for t in (scheduled, mailbox) if t is not None]

        def on_tick() -> None:
            for tick in ticks:
                tick()

        try:
            return watcher.run(once=False, on_tick=on_tick)
        finally:
            scheduled.close()
