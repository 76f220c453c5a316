"""Intake is one ordered list of stages, run the same way by `ingest` and by both watchers."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from processors.config.settings import Settings
from processors.intake.pipeline import Pipeline
from processors.intake.received import IntakeFile, Received, Status
from processors.intake.stages.base import Stage
from processors.store.database import Store
from tests.returned_forms import GPR, TPA, good_practice_answers, thematic_answers
from tests.test_ingest import returned
from watchers import folder, sharepoint


@pytest.fixture
def pipeline(settings: Settings):
    settings.path("inbox").mkdir(parents=True)
    with Store(settings.path("database")) as store:
        store.add_work_items([TPA, GPR])
        yield Pipeline(settings, store)


def test_the_stages_run_in_the_documented_order(pipeline: Pipeline) -> None:
    assert [s.name for s in pipeline.stages] == [
        "hash", "duplicate check", "safety checks", "read", "identify", "sender check", "validate", "record",
        "record rejection", "raise concern", "file away", "answer sender", "notify", "follow up"]


def test_watchers_hand_files_to_the_pipeline_and_never_rebuild_its_stages() -> None:
    for module in (folder, sharepoint):
        source = inspect.getsource(module)
        assert "pipeline.process" in source
        for private in ("parse_file", "validate(", "record_form", "record_rejection", "move_unique", "Rejection("):
            assert private not in source, f"{module.__name__} does intake's work itself: {private}"


def test_one_file_passes_every_stage_and_ends_filed_away(settings: Settings, pipeline: Pipeline) -> None:
    path = returned(settings, TPA, thematic_answers(immediate_concern="Yes", immediate_concern_details="Seen alone",
                                                    escalation_route="IRO / CP Chair escalation (Care First)"),
                    "form.docx")
    outcome = pipeline.process_file(path)
    assert outcome.status == "recorded" and outcome.form_id == TPA.form_id
    assert not path.exists() and outcome.final_path.parent == settings.path("processed")
    assert pipeline.store.pending_notices()["escalation"] == []  # the alert went inside intake, at once
    assert any(settings.path("outbox").glob("*.eml"))


def test_a_stage_failing_unexpectedly_rejects_that_file_and_the_next_file_is_still_read(
        settings: Settings, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    first = returned(settings, TPA, thematic_answers(), "a.docx")
    second = returned(settings, GPR, good_practice_answers(), "b.docx")
    read = next(s for s in pipeline.stages if s.name == "read")
    original = read.run

    def broken_once(item: IntakeFile) -> None:
        if item.name == "a.docx":
            raise RuntimeError("a bug")
        original(item)

    monkeypatch.setattr(read, "run", broken_once)
    report = pipeline.process_batch([first, second], register=False)
    assert [o.status for o in report.outcomes] == ["rejected", "recorded"]
    assert "please report it" in report.outcomes[0].reason
    assert (settings.path("rejected") / "a.docx.reason.txt").exists()


def test_a_failure_after_the_form_is_recorded_keeps_the_record_and_warns(
        settings: Settings, pipeline: Pipeline) -> None:
    """A missing thank-you letter template used to stop the batch after the form was recorded."""
    class Exploding(Stage):
        name = "exploding"

        def applies(self, item: IntakeFile) -> bool:
            return item.status is Status.RECORDED

        def run(self, item: IntakeFile) -> None:
            raise FileNotFoundError("thank_you_letter.docx")

    pipeline.stages.append(Exploding(pipeline.services))
    path = returned(settings, TPA, thematic_answers(), "c.docx")
    outcome = pipeline.process_file(path)
    assert outcome.status == "recorded" and pipeline.store.form(TPA.form_id) is not None
    assert any("exploding failed" in w for w in outcome.warnings)


def test_a_file_listed_as_too_big_is_rejected_unread_through_the_same_stages(pipeline: Pipeline) -> None:
    class Remote:
        def __init__(self) -> None:
            self.rejected: list[str] = []

        def file_accepted(self, name: str, source: Path | None) -> Path:
            raise AssertionError("not accepted")

        def file_rejected(self, name: str, source: Path | None, reason: str) -> Path:
            self.rejected.append(reason)
            return Path("Rejected") / name

    remote = Remote()
    outcome = pipeline.process(Received("huge.docx", None, remote, size=200 * 1024 * 1024))
    assert outcome.status == "rejected" and "MB" in outcome.reason
    assert remote.rejected == [outcome.reason]
    assert [r.file for r in pipeline.store.rejections()] == ["huge.docx"]
