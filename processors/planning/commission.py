"""`commission`: a case audit commissioned for a case causing concern (QAF 5.8.1), sent to an auditor with no
conflict of interest (the allocation's rules: not the case's team, practitioner, management line, IRO or CP
Chair), chosen automatically, least busy first, when the commissioner does not name one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from processors.config.settings import Settings
from processors.errors import InputFileError
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.vocabulary import COMMISSIONED_AUDIT
from processors.generate.forms import assign_form_ids, cycle_for
from processors.generate.run import generate_items
from processors.planning.deliver import deliver
from processors.planning.people import find_case, find_person, load_pool, open_work, rules_for
from processors.store.database import Store
from processors.store.lock import run_lock
from processors.templates.check import FORM_TEMPLATES, require_templates


@dataclass(frozen=True)
class CommissionSummary:
    item: WorkItem
    form: Path
    chosen: bool          # the auditor was chosen automatically
    sent: int
    problems: list[str]

    def summary_lines(self) -> list[str]:
        how = "chosen with no conflict of interest" if self.chosen else "named by the commissioner"
        lines = [f"Commissioned audit {self.item.form_id} of case {self.item.case.case_id}: "
                 f"{self.item.auditor} ({how}), due {self.item.due_date:%d/%m/%Y} -> {self.form}"]
        lines.append(f"Emailed {self.sent} auditor(s) the form" if self.sent else "Not emailed")
        return lines + [f"  not emailed: {p}" for p in self.problems]


def choose_auditor(pool: list[Auditor], case: Case, named: str | None, load: dict[str, int]) -> Auditor:
    """The named auditor if they have no conflict, else the least busy one who has none."""
    rules = rules_for(pool)
    if named:
        auditor = find_person(pool, named, "--auditor")
        why = rules.conflict(COMMISSIONED_AUDIT, auditor, case)
        if why:
            raise InputFileError("--auditor", f"{auditor.name} cannot audit case {case.case_id}: {why}; name "
                                              "someone else or leave --auditor out to choose automatically")
        return auditor
    free = [a for a in pool if rules.eligible(COMMISSIONED_AUDIT, a, case)]
    if not free:
        raise InputFileError("--pool", f"nobody in the pool can audit case {case.case_id} without a conflict of "
                                       "interest: add an auditor from outside the case's line to the pool")
    return min(free, key=lambda a: (load.get(a.name.casefold(), 0), a.name.casefold()))


def commission_audit(settings: Settings, case_id: str, by: str, reason: str, auditor: str | None = None, *,
                     cases_file: Path | None = None, pool_file: Path | None = None, send: bool = True,
                     today: date | None = None) -> CommissionSummary:
    if not by.strip() or not reason.strip():
        raise InputFileError("--by/--reason", "say who commissioned the audit and why")
    require_templates(settings.path("templates"), FORM_TEMPLATES)
    today = today or date.today()
    with run_lock(settings, "commission"):
        pool = load_pool(settings, pool_file)
        case = find_case(settings, case_id, cases_file)
        chosen = choose_auditor(pool, case, auditor, open_work(settings))
        with Store(settings.path("database")) as store:
            taken = [w.form_id for w in store.work_items()]
        item = assign_form_ids([WorkItem(COMMISSIONED_AUDIT, case, cycle_for(today, settings.cycle.length_days),
                                         auditor=chosen.name, auditor_email=chosen.email,
                                         auditor_role=chosen.role,
                                         due_date=today + timedelta(days=settings.cycle.due_days))], taken)[0]
        extra = {item.form_id: {"commissioned_by": by.strip(), "commission_reason": reason.strip()}}
        generated = generate_items(settings, [item], today=today, extra=extra)
        sent, problems = deliver(settings, [item], generated, send)
    return CommissionSummary(item, generated.results[0].forms[0].path, auditor is None, sent, problems)
