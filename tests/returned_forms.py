"""Synthetic work items and the answers an auditor would give: shared by the tests of ingest, watch and Graph."""

from __future__ import annotations

from datetime import date

from processors.forms.models import Case, WorkItem

CASE = Case("CF2468101", "R.T.", 12, "Child Protection", "Safeguarding and Family Support", "Corby CP 1",
            "Rhys ap Gwilym", "Zofia Kamińska")
TPA = WorkItem("thematic_audit", CASE, "2026-C09", form_id="2026-C09-TPA-001", auditor="Niamh O'Connor",
               theme="Neglect")
GPR = WorkItem("good_practice", CASE, "2026-C09", form_id="2026-C09-GPR-001")


def thematic_answers(**changes: object) -> dict[str, object]:
    answers: dict[str, object] = {key: "Good" for key in ("voice_of_child", "assessment", "planning",
                                                           "management_oversight", "timeliness", "multi_agency",
                                                           "impact_for_child", "overall_grade")}
    answers.update(audit_date=date(2026, 11, 20), audited_alongside_practitioner="Yes", strengths="Visits on time.",
                   theme_findings="Neglect identified early & acted on.", areas_for_improvement="Chronology.",
                   team_manager_informed="Yes", immediate_concern="No", action_1="=Update the chronology",
                   action_1_owner="Zofia Kamińska", action_1_due=date(2026, 12, 18))
    answers.update(changes)
    return answers


def good_practice_answers() -> dict[str, object]:
    return {"nominated_by": "Dafydd Jenkins", "nominator_role": "IRO", "date_of_practice": date(2026, 11, 2),
            "what_was_done": "Met the young person at football practice.", "value_child_focussed": True,
            "difference_for_child": "They now attend their reviews.", "senior_leader": "Abena Mensah",
            "share_across_workforce": "Yes"}
