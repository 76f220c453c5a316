"""A synthetic store for report tests, the benchmark and trying templates: quarters of returned forms.

Synthetic people only (processors.demo.synthetic). Grades improve a little each quarter; some auditors mention
the child's initials in their narrative (which reports must never show); some forms raise a concern;
actions are completed on time, late or not at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from processors.demo.synthetic import THEMES, make_cases, make_pool
from processors.forms.definitions import FORM_TYPES, TRUST_VALUES
from processors.forms.models import ActionItem, Case, FormIdentity, ParsedForm, ValidatedForm, WorkItem
from processors.forms.vocabulary import (
    COMPLETED,
    GOOD_PRACTICE,
    GRADES,
    IN_PROGRESS,
    INADEQUATE,
    NO,
    NOT_REQUIRED,
    OBSERVATION,
    SUPERVISION,
    TEAM_MANAGER,
    THEMATIC,
    YES,
)
from processors.generate.forms import cycle_for
from processors.reports.quarter import Quarter
from processors.reports.source import GRADED_TYPES
from processors.store.database import ActionEdit, Store

MIX = {THEMATIC: 33, OBSERVATION: 22, SUPERVISION: 22}  # QAF 5.5, every six weeks
WORKFORCE_THEMES = ("Analysis of risk in assessments", "Capturing the child's voice", "Writing SMART plans",
                    "Using Signs of Safety mapping with families", "")
STRENGTHS = ("{i} was seen alone and their wishes are recorded in their own words.",
             "The plan is clear, and the family understand what needs to change.",
             "Purposeful visits with good use of direct work tools.")
AREAS = ("The chronology for {i} is out of date.", "Plan actions are not time-bound.",
         "Management oversight does not record the rationale for decisions.")


@dataclass(frozen=True)
class SampleSpec:
    quarters: tuple[Quarter, ...]
    forms_per_quarter: int = 150
    cases: int = 400
    seed: int = 7
    today: date | None = None


def _grade(rng: random.Random, lift: float) -> str:
    weights = (0.08 + lift / 2, 0.5 + lift / 2, 0.3 - lift / 2, 0.12 - lift / 2)
    return rng.choices(GRADES, [max(w, 0.01) for w in weights])[0]


def _near(rng: random.Random, grade: str) -> str:
    i = GRADES.index(grade) + rng.choice((-1, 0, 0, 0, 1))
    return GRADES[max(0, min(len(GRADES) - 1, i))]


def _values(rng: random.Random, item: WorkItem, overall: str) -> dict[str, object]:
    c, i = item.case, item.case.child_initials
    values: dict[str, object] = {
        "case_id": c.case_id, "child_initials": i, "service": c.service, "team": c.team,
        "practitioner": c.practitioner, "team_manager": c.team_manager, "auditor": item.auditor,
        "overall_grade": overall, "strengths": rng.choice(STRENGTHS).format(i=i),
        "immediate_concern": YES if overall == INADEQUATE and rng.random() < 0.3 else NO}
    definition = FORM_TYPES[item.form_type]
    for key in ("areas_for_improvement", "areas_for_development"):
        if key in {f.key for f in definition.fields}:
            values[key] = rng.choice(AREAS).format(i=i)
    if values["immediate_concern"] == YES:
        values["immediate_concern_details"] = f"No visit to {i} for nine weeks: escalated to the IRO."
    if item.form_type == THEMATIC:
        values.update(theme=item.theme, theme_findings=f"On {item.theme.lower()}: {rng.choice(STRENGTHS)}".format(i=i))
    if item.form_type == OBSERVATION:
        values["workforce_development_theme"] = rng.choice(WORKFORCE_THEMES)
        values["family_consent"] = "Yes" if rng.random() < 0.9 else "No"
        if rng.random() < 0.15:
            values["good_practice"] = f"{c.practitioner} used the three houses tool with {i} and their brother."
    return values


def _actions(rng: random.Random, overall: str, due: date) -> list[ActionItem]:
    count = GRADES.index(overall)
    return [ActionItem(n, f"Action {n}: update the plan and review it with the family", TEAM_MANAGER,
                       due + timedelta(days=rng.randint(10, 50))) for n in range(1, count + 1)]


def _form(rng: random.Random, item: WorkItem, received: datetime, lift: float) -> ValidatedForm:
    overall = _grade(rng, lift)
    definition = FORM_TYPES[item.form_type]
    identity = FormIdentity(item.form_id, item.form_type, definition.version, item.cycle_id)
    parsed = ParsedForm(Path(f"{item.form_id}.docx"), identity, item.form_type, {}, f"sha-{item.form_id}")
    grades = {d.key: _near(rng, overall) for d in definition.domains}
    return ValidatedForm(parsed, item.form_id, item.form_type, item.case.case_id, _values(rng, item, overall),
                         grades, _actions(rng, overall, item.due_date or received.date()), received=received)


def _items(rng: random.Random, quarter: Quarter, count: int, cases: list[Case], auditors: list[str]) -> list[WorkItem]:
    days = (quarter.end - quarter.start).days
    kinds = rng.choices(list(MIX), list(MIX.values()), k=count)
    items = []
    for n, kind in enumerate(kinds, start=1):
        due = quarter.start + timedelta(days=rng.randrange(days))
        cycle = cycle_for(due)
        theme = THEMES[int(cycle[-2:]) % len(THEMES)] if kind == THEMATIC else ""
        items.append(WorkItem(kind, rng.choice(cases), cycle, f"{quarter.label}-{FORM_TYPES[kind].code}-{n:04d}",
                              rng.choice(auditors), theme=theme, due_date=due))
    return items


def _good_practice(rng: random.Random, quarter: Quarter, cases: list[Case], n: int) -> ValidatedForm:
    case, form_id = rng.choice(cases), f"{quarter.label}-GPR-{n:03d}"
    parsed = ParsedForm(Path(f"{form_id}.docx"), FormIdentity(form_id, GOOD_PRACTICE, "1.0"), GOOD_PRACTICE, {},
                        f"sha-{form_id}")
    values: dict[str, object] = {
        "practitioner": case.practitioner, "team": case.team, "service": case.service, "case_id": case.case_id,
        "team_manager": case.team_manager, "nominated_by": "A colleague", "what_was_done":
        f"Stayed with {case.child_initials} through a difficult move & kept their school place.",
        "difference_for_child": "They settled quickly and say they feel safe.", "senior_leader": "A senior leader",
        "share_across_workforce": NO if n == 2 else YES, **{key: rng.random() < 0.5 for key, _ in TRUST_VALUES}}
    return ValidatedForm(parsed, form_id, GOOD_PRACTICE, case.case_id, values, {}, [],
                         received=datetime.combine(quarter.start + timedelta(days=20 + n), datetime.min.time()))


def _settle_actions(rng: random.Random, store: Store, today: date) -> None:
    edits = {}
    for a in store.actions():
        if a.due is None or a.due > today + timedelta(days=30):
            continue
        roll = rng.random()
        if roll < 0.55:
            done = a.due + timedelta(days=rng.randint(-20, 3 if roll < 0.45 else 25))
            edits[a.action_id] = ActionEdit(COMPLETED, min(done, today))
        elif roll < 0.6:
            edits[a.action_id] = ActionEdit(NOT_REQUIRED)
        elif roll < 0.75:
            edits[a.action_id] = ActionEdit(IN_PROGRESS)
    store.set_action_edits(edits)


def fill_sample_store(store: Store, spec: SampleSpec) -> int:
    """Allocate and return forms for every quarter of ``spec``; returns how many forms were recorded."""
    rng = random.Random(spec.seed)
    pool = make_pool(spec.seed)
    today = spec.today or spec.quarters[-1].last_day
    cases = make_cases(spec.cases, spec.seed, pool, today=today)
    auditors = [a.name for a in pool]
    recorded = 0
    with store.transaction():
        for step, quarter in enumerate(spec.quarters):
            items = _items(rng, quarter, spec.forms_per_quarter, cases, auditors)
            store.add_work_items(items, generated_at=datetime.combine(quarter.start, datetime.min.time()))
            for item in items:
                received = datetime.combine(item.due_date, datetime.min.time()) + timedelta(
                    days=rng.randint(-12, 6), hours=10)
                if rng.random() < 0.9 and received.date() <= today:
                    store.record_form(_form(rng, item, received, 0.05 * step), f"{item.form_id}.docx")
                    recorded += 1
            for n in range(1, 4):
                store.record_form(_good_practice(rng, quarter, cases, n), f"{quarter.label}-gp-{n}.docx")
        _settle_actions(rng, store, today)
    assert all(t in MIX for t in GRADED_TYPES)
    return recorded
