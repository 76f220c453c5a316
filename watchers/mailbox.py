"""Watch the QA mailbox: the forms attached to each message go through intake; the sender is answered.

Auditors reply to the allocation email with the form attached, or forward it. Each message's form
attachments are saved to a staging folder and handed to intake with the sender's address (intake holds a
form whose sender is not its allocated auditor); the sender gets one reply saying what happened to each
form (or, for a message with no form, a polite note); then the message is moved to the done folder.
A message that fails is left in place and tried again at the next poll.
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from processors.act.replies import AttachmentOutcome, mail_reply
from processors.config.settings import Settings
from processors.errors import ConfigError, DeliveryError, QAError
from processors.intake.inbox import unique_target
from processors.intake.pipeline import BatchReport, Pipeline
from processors.intake.received import Received
from processors.mail.incoming import IncomingMail

log = logging.getLogger("qa.watch.mailbox")


class Mailbox(Protocol):
    def new_messages(self) -> list[IncomingMail]: ...

    def mark_done(self, key: str) -> None: ...


def open_mailbox(settings: Settings) -> AbstractContextManager[Mailbox]:
    """The mailbox config.yaml names (mailbox.source)."""
    if settings.mailbox.source == "imap":
        from processors.mail.imap_box import ImapMailbox

        return ImapMailbox(settings.mailbox)
    if settings.mailbox.source == "graph":
        from processors.graph.client import GraphClient
        from processors.mail.graph_box import GraphMailbox

        return GraphMailbox(GraphClient.from_settings(settings), settings)
    raise ConfigError(f"mailbox.source is '{settings.mailbox.source}': reading returns by email needs "
                      "mailbox.source: imap or graph in config.yaml")


class MailboxWatcher:
    def __init__(self, settings: Settings, pipeline: Pipeline,
                 mailbox: Callable[[], AbstractContextManager[Mailbox]] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.pipeline, self.clock = settings, pipeline, clock
        self.mailbox = mailbox or (lambda: open_mailbox(settings))
        self.staging = settings.path("generated") / "mailbox-staging"
        self.next_poll = 0.0
        self.messages = 0

    def __call__(self) -> None:
        """For the watcher's on_tick: poll when mailbox.poll_seconds have passed."""
        if self.clock() < self.next_poll:
            return
        self.next_poll = self.clock() + self.settings.mailbox.poll_seconds
        try:
            self.poll()
        except QAError as exc:
            log.warning("mailbox not read (%s); trying again in %.0f s", exc, self.settings.mailbox.poll_seconds)

    def poll(self) -> int:
        """Read every new message once; returns how many were dealt with."""
        done = 0
        with self.mailbox() as box:
            for mail in box.new_messages():
                try:
                    self.handle(mail)
                    box.mark_done(mail.key)
                    done += 1
                except Exception:  # one message must never stop the watcher: it is tried again next poll
                    log.exception("message %s could not be dealt with; trying again at the next poll", mail.key)
        if done:
            report = BatchReport()
            self.pipeline.write_register(report)
            if report.register_problem:
                log.warning("%s", report.register_problem)
        self.messages += done
        return done

    def handle(self, mail: IncomingMail) -> list[AttachmentOutcome]:
        folder = self.staging / re.sub(r"[^A-Za-z0-9_-]", "_", mail.key)[:60]
        outcomes: list[AttachmentOutcome] = []
        try:
            for attachment in mail.attachments:
                path = unique_target(folder, attachment.name)
                path.write_bytes(attachment.data)
                received = Received(attachment.name, path, self.pipeline.folders, sender=mail.sender)
                outcomes.append(AttachmentOutcome(attachment.name, self.pipeline.process(received)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self._answer(mail, outcomes)
        log.info("message %s from the mailbox: %d form(s) read", mail.key, len(outcomes))
        return outcomes

    def _answer(self, mail: IncomingMail, outcomes: list[AttachmentOutcome]) -> None:
        reply = mail_reply(mail, outcomes, self.settings)
        if reply is None:
            return
        try:
            self.pipeline.mailer.send(reply)
        except DeliveryError as exc:
            log.warning("no reply sent for message %s: %s", mail.key, exc)
