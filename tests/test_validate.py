"""Validation: reject what the auditor must fix (naming every field), warn about softer problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from processors.errors import FormInvalid
from processors.forms.definitions import THEMATIC_AUDIT
from processors.forms.models import Case, FormIdentity, ParsedForm, WorkItem
from processors.forms.validate import validate

CASE = Case("CF1234567", "A.B.", 9, "Child Protection", "Safeguarding", "Corby CP 1", "Dewi Pritchard", "Ola Nowak")
ITEM = WorkItem("thematic_audit", CASE, "2026-C09", form_id="2026-C09-TPA-001", auditor="Niamh O'Connor")


def complete_answers() -> dict[str, str]:
    values = {f.key: "Good" for f in THEMATIC_AUDIT.domains}
    values.update(case_id="CF1234567", audit_date="2026-11-20", audited_alongside_practitioner="Yes",
                  theme_findings="Neglect is recognised early.", overall_grade="good", strengths="Visits on time.",
                  areas_for_improvement="Chronology.", team_manager_informed="Y", immediate_concern="No",
                  action_1="Update the chronology", action_1_owner="Ola Nowak", action_1_due="18/12/2026")
    return values


def parsed(values: dict[str, str], form_id: str | None = "2026-C09-TPA-001") -> ParsedForm:
    identity = FormIdentity(form_id, "thematic_audit", "1.0", "2026-C09") if form_id else None
    return ParsedForm(Path("returned.docx"), identity, "thematic_audit", values, sha256="ab" * 32)


def lookup(form_id: str) -> WorkItem | None:
    return ITEM if form_id == ITEM.form_id else None


def test_a_complete_form_is_normalised() -> None:
    form = validate(parsed(complete_answers()), lookup)
    assert form.matched and form.form_id == "2026-C09-TPA-001" and form.case_id == "CF1234567"
    assert form.overall_grade == "Good"
    assert form.values["audit_date"] == date(2026, 11, 20)
    assert form.values["team_manager_informed"] == "Yes"
    assert form.grades["voice_of_child"] == "Good" and len(form.grades) == 7
    assert [(a.number, a.owner, a.due) for a in form.actions] == [(1, "Ola Nowak", date(2026, 12, 18))]
    assert not form.immediate_concern and form.warnings == []
    assert form.values["auditor"] == "Niamh O'Connor"  # case details the form did not carry come from allocation


def test_every_missing_or_unknown_value_is_named_with_what_to_do() -> None:
    values = complete_answers()
    del values["overall_grade"]
    values["assessment"] = "Goodish"
    values["audit_date"] = "last Tuesday"
    values["immediate_concern"] = "Yes"  # then its details are required
    with pytest.raises(FormInvalid) as caught:
        validate(parsed(values), lookup)
    message = str(caught.value)
    assert "'Overall grade' is empty: choose from its list" in message
    assert "'Assessment' says 'Goodish': choose one of Outstanding, Good, Requires Improvement, Inadequate" in message
    assert "'Date of audit' says 'last Tuesday', which is not a date: use dd/mm/yyyy" in message
    assert "'Details of the concern and action taken' is empty" in message
    assert len(caught.value.problems) == 5  # escalation route is required with a concern too
    assert message.endswith("put it back in the inbox.")


def test_soft_problems_are_warnings_on_a_recorded_form() -> None:
    values = complete_answers()
    values.update(action_1_due="", action_2="Review the plan", action_3_owner="Ola Nowak", action_4="Visit",
                  action_4_owner="Dewi Pritchard", action_4_due="soon")
    form = validate(parsed(values), lookup)
    assert [a.number for a in form.actions] == [1, 2, 4]
    assert "SMART: action 1 has no due date" in form.warnings
    assert "SMART: action 2 has no owner" in form.warnings
    assert "action 3 has an owner or due date but no action text: ignored" in form.warnings
    assert "action 4 due date 'soon' is not a date" in form.warnings


def test_an_unknown_reference_with_case_details_is_recorded_as_unmatched() -> None:
    form = validate(parsed(complete_answers(), form_id="2026-C01-TPA-999"), lookup)
    assert not form.matched and form.form_id == "2026-C01-TPA-999"
    assert any(w.startswith("unmatched") for w in form.warnings)


def test_no_reference_and_no_case_id_is_rejected() -> None:
    values = complete_answers()
    del values["case_id"]
    with pytest.raises(FormInvalid, match="no Case ID: add the Case ID"):
        validate(parsed(values, form_id=None), lookup)


def test_an_immediate_concern_is_flagged() -> None:
    values = complete_answers()
    values.update(immediate_concern="yes", immediate_concern_details="No visit for nine weeks.",
                  escalation_route="IRO / CP Chair escalation (Care First)")
    assert validate(parsed(values), lookup).immediate_concern
