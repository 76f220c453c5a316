"""The demo's part for the framework's other activities (issue 14): a commissioned case audit, a practice week
with a Young Inspector's feedback, the leaders' observation plan and one leader's observation, and a management
audit on a blank form. Each form is planned with the real commands' code, filled as in Word and returned
through the inbox."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from processors.allocation.caselist import same_text
from processors.config.settings import Settings
from processors.demo.answers import answers_for
from processors.demo.fill import fill_form
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.vocabulary import MANAGEMENT_AUDIT, SERVICE_MANAGER, TEAM_MANAGER
from processors.generate.run import generate_blank
from processors.intake.pipeline import BatchReport, Pipeline
from processors.planning.commission import commission_audit
from processors.planning.observations import write_observation_plan
from processors.planning.practice_week import YOUNG_INSPECTOR, plan_practice_week
from processors.store.database import Store


def _return(demo: Settings, item: WorkItem, form: Path, answers: dict, today: date, n: int) -> Path:
    target = demo.path("inbox") / f"{item.form_id or form.stem} returned.docx"
    saved = datetime(today.year, today.month, today.day, 15) + timedelta(minutes=n)
    target.write_bytes(fill_form(form.read_bytes(), answers, saved_at=saved))
    return target


def _generated(demo: Settings, form_id: str) -> Path:
    return next(demo.path("generated").rglob(f"{form_id}_*.docx"))


def demo_activities(demo: Settings, root: Path, pool: list[Auditor], cases: list[Case], today: date,
                    say: Callable[[str], None]) -> BatchReport:
    rng = random.Random(demo.cycle.seed)
    cases_file, pool_file = root / "case_list.csv", root / "auditor_pool.csv"
    returned: list[Path] = []

    def back(item: WorkItem, form: Path, extra: dict | None = None) -> None:
        answers = answers_for(item, FORM_TYPES[item.form_type], rng, today).answers | (extra or {})
        returned.append(_return(demo, item, form, answers, today, len(returned)))

    concern = cases[-1]
    commission = commission_audit(demo, concern.case_id, "Head of Service", "Three referrals in six months; "
                                  "NSCP asked for a review", cases_file=cases_file, pool_file=pool_file, today=today)
    back(commission.item, commission.form)
    say(f"   Commissioned audit {commission.item.form_id} of case {concern.case_id} sent to "
        f"{commission.item.auditor} (no conflict of interest)")

    service = "Children in Care"
    outsiders = [a for a in pool if a.role == TEAM_MANAGER and not same_text(a.service, service)][:3]
    team_file = root / "practice_week_team.csv"
    team_file.write_text("Name,Role,Email\n" + "".join(f"{a.name},,\n" for a in outsiders)
                         + f"Jordan (Young Inspector),{YOUNG_INSPECTOR},young.inspector@example-trust.org.uk\n",
                         encoding="utf-8")
    week = plan_practice_week(demo, service, today, team_file, cases_file, pool_file)
    for item in week.items:
        back(item, _generated(demo, item.form_id))
    say(f"   Practice week in {service}: {len(week.items)} forms (a Young Inspector's feedback among them) -> "
        f"{week.plan_file}")

    plan = write_observation_plan(demo, today.year + 1, pool_file)
    first = plan.observations[0]
    back(plan.items[0], _generated(demo, plan.items[0].form_id))
    say(f"   Leaders' observations for {plan.year}: {len(plan.observations)} planned -> {plan.plan_file}; "
        f"{first.leader.name}'s observation of {first.team} returned")

    sm = next(a for a in pool if a.role == SERVICE_MANAGER)
    own = next(c for c in cases if same_text(c.service, sm.service))
    blank = generate_blank(demo, MANAGEMENT_AUDIT, 1, None).results[0].forms[0]
    item = WorkItem(MANAGEMENT_AUDIT, own, blank.identity.cycle_id, blank.identity.form_id, auditor=sm.name)
    back(item, blank.path, {"case_id": own.case_id, "child_initials": own.child_initials, "service": own.service,
                            "team": own.team, "practitioner": own.practitioner, "team_manager": own.team_manager,
                            "auditor": sm.name})
    say(f"   Management audit by {sm.name} of a case in their own service, on a blank form")

    with Store(demo.path("database")) as store:
        batch = Pipeline(demo, store).process_batch(returned)
    say(f"   {len(returned)} activity forms returned and processed")
    return batch
