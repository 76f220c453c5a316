"""How long rewriting the Excel register takes once the store holds about a year and a half of forms.

A plain script, not a test:  python -m benchmarks.bench_register [--forms 1250] [--actions 7]

It fills a temporary store with synthetic forms (about 10,000 form and action rows by default), times
``write_register`` (read back people's edits, then rewrite every sheet), and beside it the
straightforward approach: open the same workbook with openpyxl, append one form's rows, save, for a
few forms, extrapolated to a whole cycle and to every form in the store.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook

from processors.forms.models import ActionItem, Case, FormIdentity, ParsedForm, ValidatedForm, WorkItem
from processors.register.edits import read_action_edits
from processors.register.people_edits import REGISTER_SHA256
from processors.register.workbook import write_register
from processors.store.database import Store

DOMAINS = ("voice_of_child", "assessment", "planning", "management_oversight", "timeliness", "multi_agency",
           "impact_for_child")
GRADES = ("Outstanding", "Good", "Requires Improvement", "Inadequate")
FORMS_PER_CYCLE = 77  # QAF 5.5: 33 thematic audits, 22 observations, 22 supervision audits


def synthetic_form(n: int, actions: int, grades: int) -> tuple[WorkItem, ValidatedForm]:
    form_id = f"TPA-BENCH-{n:05d}"
    case = Case(f"CF{n:07d}", "X.Y.", 8, "Child in Need", f"Service {n % 5}", f"Team {n % 23}",
                f"Practitioner {n % 211}", f"Manager {n % 23}")
    item = WorkItem("thematic_audit", case, f"2025-C{n % 9 + 1}", form_id, auditor=f"Auditor {n % 66}",
                    due_date=date(2025, 1, 1) + timedelta(days=n % 300))
    parsed = ParsedForm(Path(f"{form_id}.docx"), FormIdentity(form_id, "thematic_audit", "1.0"), "thematic_audit",
                        {}, f"sha-{n}")
    grade = GRADES[n % 4]
    form = ValidatedForm(
        parsed, form_id, "thematic_audit", case.case_id,
        {"overall_grade": grade, "immediate_concern": "Yes" if n % 40 == 0 else "No",
         "immediate_concern_details": "Escalated to the IRO", "strengths": "Clear, child-centred plan"},
        {d: GRADES[(n + i) % 4] for i, d in enumerate(DOMAINS[:grades])},
        [ActionItem(a, f"Review the plan with the family and record the outcome ({a})", f"Manager {n % 23}",
                    date(2025, 2, 1) + timedelta(days=(n + a) % 200)) for a in range(1, actions + 1)],
        received=datetime(2025, 1, 1, 9) + timedelta(hours=n * 5))
    return item, form


def fill(store: Store, forms: int, actions: int, grades: int) -> None:
    pairs = [synthetic_form(n, actions, grades) for n in range(forms)]
    with store.transaction():
        store.add_work_items([item for item, _ in pairs], generated_at=datetime(2025, 1, 1, 8))
        for _, form in pairs:
            store.record_form(form, form.parsed.source.name)


def append_one_form(path: Path, n: int, actions: int) -> float:
    """The straightforward way: open the register, append one form's rows, save. Returns seconds."""
    started = time.perf_counter()
    wb = load_workbook(path)
    wb["Forms"].append([f"TPA-EXTRA-{n}", "Thematic Peer Audit", "CF9999999", "Practitioner", "Auditor", "Good",
                        "No", datetime.now(), 1, "extra.docx"])
    for a in range(1, actions + 1):
        wb["Actions"].append([f"TPA-EXTRA-{n}-A{a}", f"TPA-EXTRA-{n}", "Action", "Owner", date.today(), "Open"])
    wb.save(path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1250)
    parser.add_argument("--actions", type=int, default=7, help="actions per form")
    parser.add_argument("--grades", type=int, default=2, help="graded domains per form (up to 7)")
    parser.add_argument("--appends", type=int, default=3, help="forms to time the straightforward approach on")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-register-") as folder:
        store, path = Store(Path(folder) / "qa.sqlite3"), Path(folder) / "register.xlsx"
        started = time.perf_counter()
        fill(store, args.forms, args.actions, min(args.grades, len(DOMAINS)))
        print(f"filled the store with {args.forms} forms in {time.perf_counter() - started:.1f} s")

        first = write_register(store, path)
        print(f"rows by sheet: {first.rows} (total {sum(first.rows.values()):,}; form + action rows "
              f"{first.rows['Forms'] + first.rows['Actions']:,})")
        print(f"write_register, first write (no register yet):        {first.seconds:.2f} s")
        again = write_register(store, path)
        print(f"write_register, rewrite of a register nobody saved:    {again.seconds:.2f} s")
        store.set_state(REGISTER_SHA256, None)  # as if someone had saved it in Excel since
        edited = write_register(store, path)
        print(f"write_register, rewrite after someone saved it:        {edited.seconds:.2f} s (reads back edits)")
        current = {a.action_id: a for a in store.actions()}
        started = time.perf_counter()
        read_action_edits(path, current)
        print(f"  of which reading back the Actions sheet (read_only):  {time.perf_counter() - started:.2f} s")

        per_form = sum(append_one_form(path, n, args.actions) for n in range(args.appends)) / args.appends
        print(f"straightforward load_workbook + append one form + save: {per_form:.2f} s per form "
              f"(measured on {args.appends} forms)")
        print(f"  extrapolated: {per_form * FORMS_PER_CYCLE:.0f} s for a cycle of {FORMS_PER_CYCLE} forms, "
              f"{per_form * args.forms / 60:.0f} min for all {args.forms} forms, one at a time")
        store.close()


if __name__ == "__main__":
    main()
