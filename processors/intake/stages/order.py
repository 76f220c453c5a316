"""The order of intake's stages: the one list `ingest` and every watcher run."""


from __future__ import annotations

from processors.intake.stages.answer_sender import AnswerSender
from processors.intake.stages.base import Services, Stage
from processors.intake.stages.concern import RaiseConcern
from processors.intake.stages.duplicate import DuplicateCheck
from processors.intake.stages.file_away import FileAway
from processors.intake.stages.follow_up import FollowUp
from processors.intake.stages.hash import HashFile
from processors.intake.stages.identify import Identify
from processors.intake.stages.notify import Notifier, Notify
from processors.intake.stages.read import ReadForm
from processors.intake.stages.record import RecordForm, RecordRejection
from processors.intake.stages.safety import SafetyCheck
from processors.intake.stages.sender import SenderCheck
from processors.intake.stages.validate import ValidateForm


def intake_stages(services: Services, notifier: Notifier) -> list[Stage]:
    """The ordered list every file goes through."""
    return [HashFile(services), DuplicateCheck(services), SafetyCheck(services), ReadForm(services),
            Identify(services), SenderCheck(services), ValidateForm(services), RecordForm(services),
            RecordRejection(services), RaiseConcern(services, notifier), FileAway(services),
            AnswerSender(services, notifier), Notify(services, notifier), FollowUp(services, notifier)]
