"""The shape of an intake stage (the paperless-ngx model): it says whether it applies, runs, and cleans up."""

from __future__ import annotations

from dataclasses import dataclass

from processors.config.settings import Settings
from processors.intake.received import IntakeFile
from processors.mail.directory import StaffDirectory
from processors.mail.message import Mailer
from processors.store.database import Store


@dataclass(frozen=True)
class Services:
    """What the stages share: settings, the store, the mailer and the staff list."""

    settings: Settings
    store: Store
    mailer: Mailer
    staff: StaffDirectory

    @property
    def max_bytes(self) -> int:
        return self.settings.ingest.max_file_mb * 1024 * 1024


class Stage:
    """One step of intake.

    `applies` says whether the stage has work for this file (by default: while nothing has decided how the
    file ends); `run` does it, and a QAError it raises rejects the file with that error's message;
    `cleanup` runs afterwards for every stage that ran, whatever happened.
    """

    name = "stage"

    def __init__(self, services: Services) -> None:
        self.services = services

    def applies(self, item: IntakeFile) -> bool:
        return item.open

    def run(self, item: IntakeFile) -> None:
        raise NotImplementedError

    def cleanup(self, item: IntakeFile) -> None:
        return None
