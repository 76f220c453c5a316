"""The stages of intake, in order. `ingest`, the folder watcher and the SharePoint watcher all run this list.

hash -> duplicate check -> safety checks -> read -> identify -> validate -> record (form, or rejection)
-> raise concern (a rejected file's immediate concern still alerts)
-> file away -> answer sender (a rejected form goes back to who sent it)
-> notify -> follow up (findings to the team manager; a request for SMART actions).
The register is written once per batch (or debounced in `watch`) afterwards.
"""

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
from processors.intake.stages.validate import ValidateForm


def intake_stages(services: Services, notifier: Notifier) -> list[Stage]:
    """The ordered list every file goes through."""
    return [HashFile(services), DuplicateCheck(services), SafetyCheck(services), ReadForm(services),
            Identify(services), ValidateForm(services), RecordForm(services), RecordRejection(services),
            RaiseConcern(services, notifier), FileAway(services), AnswerSender(services, notifier),
            Notify(services, notifier), FollowUp(services, notifier)]


__all__ = ["Notifier", "Services", "Stage", "intake_stages"]
