"""Validate: the answers against the form's definition; every problem a person must fix, listed."""

from __future__ import annotations

from processors.forms.validate import FormInvalid, validate
from processors.intake.received import IntakeFile
from processors.intake.stages.base import Stage


class ValidateForm(Stage):
    name = "validate"

    def applies(self, item: IntakeFile) -> bool:
        return item.open and item.parsed is not None

    def run(self, item: IntakeFile) -> None:
        assert item.parsed is not None
        try:
            item.form = validate(item.parsed, lambda _form_id: item.work_item)
        except FormInvalid as exc:
            item.problems = list(exc.problems)  # for the sender, one line each
            raise
        item.warnings = list(item.form.warnings)
