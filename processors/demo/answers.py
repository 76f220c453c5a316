"""Synthetic answers for the demo: a realistic spread of returned forms (synthetic people only).

Mostly Good, some Requires Improvement or Inadequate, a few Outstanding; some raise an immediate concern.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from processors.forms.definitions import TRUST_VALUES, FormDefinition, Kind
from processors.forms.models import WorkItem
from processors.forms.routing import IRO_ROUTE, expected_route
from processors.forms.vocabulary import (
    GOOD,
    GOOD_PRACTICE,
    GRADES,
    INADEQUATE,
    NO,
    OUTSTANDING,
    REQUIRES_IMPROVEMENT,
    YES,
    ActionPart,
    action_key,
)

PROFILES = ((GOOD, 0.62), (REQUIRES_IMPROVEMENT, 0.18), (OUTSTANDING, 0.1), (INADEQUATE, 0.1))

_TEXT = {
    "strengths": ["Visits are regular and purposeful; the child's views are recorded in their own words.",
                  "The practitioner knows the family well and the plan is understood by everyone.",
                  "Clear analysis of risk, with Signs of Safety mapping that the family contributed to."],
    "areas": ["Case summary is out of date; chronology needs updating.",
              "Plan actions are not time-bound; review dates are missing.",
              "Management oversight is recorded but does not show the rationale for decisions."],
    "evidence": ["Seen in the case notes of the last three months.", "Evidenced in the most recent assessment.",
                 "Discussed with the practitioner during the audit."],
    "concern": ["Plan has not been reviewed since the last incident: escalated to the Service Manager today.",
                "No visit for nine weeks despite a CP plan: raised through the IRO escalation process."],
    "actions": ["Update the chronology and case summary", "Hold a review of the child's plan with the family",
                "Record management oversight with the rationale for the decision",
                "Complete direct work to capture the child's views", "Refer to the Early Help hub"],
}


@dataclass(frozen=True)
class DemoReturn:
    item: WorkItem
    answers: dict[str, str | date | bool]
    profile: str


def _near(profile: str, rng: random.Random) -> str:
    i = GRADES.index(profile)
    return GRADES[max(0, min(3, i + rng.choice((-1, 0, 0, 0, 1))))]


def _value(field, profile: str, rng: random.Random, today: date) -> str | date | bool | None:
    if field.kind is Kind.GRADE:
        return profile if field.key == "overall_grade" else _near(profile, rng)
    if field.kind is Kind.DATE:
        return today - timedelta(days=rng.randint(1, 20))
    if field.kind is Kind.CHECKBOX:
        return rng.random() < 0.5
    if field.kind is Kind.CHOICE:
        return rng.choice(field.allowed) if YES not in field.allowed else YES
    if field.kind is Kind.LONGTEXT:
        bank = "areas" if "improvement" in field.key or "development" in field.key else (
            "evidence" if field.key.endswith("_evidence") else "strengths")
        return rng.choice(_TEXT[bank])
    return None


def answers_for(item: WorkItem, definition: FormDefinition, rng: random.Random, today: date) -> DemoReturn:
    profile = rng.choices([p for p, _ in PROFILES], [w for _, w in PROFILES])[0]
    answers: dict[str, str | date | bool] = {}
    for field in definition.fillable:
        if field.key.startswith("action_") or field.key.startswith("immediate_concern") or field.key in (
                "escalation_route", "not_alongside_reason"):
            continue
        value = _value(field, profile, rng, today)
        if value is not None:
            answers[field.key] = value
    if "immediate_concern" in {f.key for f in definition.fields}:
        concern = profile == INADEQUATE and rng.random() < 0.6
        answers["immediate_concern"] = YES if concern else NO
        if concern:
            answers["immediate_concern_details"] = rng.choice(_TEXT["concern"])
            if "escalation_route" in {f.key for f in definition.fields}:
                answers["escalation_route"] = expected_route(item.case.legal_status) or IRO_ROUTE
    if definition.action_rows:
        count = GRADES.index(profile)  # Outstanding no actions ... Inadequate three
        for n, text in enumerate(rng.sample(_TEXT["actions"], count), start=1):
            answers[action_key(n)] = text
            answers[action_key(n, ActionPart.OWNER)] = item.case.team_manager if n % 2 else item.case.practitioner
            answers[action_key(n, ActionPart.DUE)] = today + timedelta(days=rng.choice((-10, 14, 28, 42)))
    if definition.key == GOOD_PRACTICE:
        answers.update(nominated_by=item.auditor or "Alex Morgan", nominator_role="Independent Reviewing Officer",
                       what_was_done="Built trust with a young person who had refused every visit for months, "
                                     "meeting them at football practice & listening to what mattered to them.",
                       difference_for_child="The young person now attends their reviews and chose their own "
                                            "placement plan goals.",
                       share_across_workforce=YES, senior_leader=item.auditor or "Alex Morgan")
        answers.update({key: rng.random() < 0.6 for key, _ in TRUST_VALUES})
        answers["value_child_focussed"] = True
    return DemoReturn(item, answers, profile)
