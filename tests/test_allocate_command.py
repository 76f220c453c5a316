"""`allocate`: the cycle's allocation file, its register sheet, the forms, and one email per auditor."""

from __future__ import annotations

import email
import email.policy
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl

from processors.allocation.caselist import read_pool, read_work_items
from processors.allocation.cycle import allocate_cycle
from processors.config.settings import PROJECT_ROOT, Settings
from processors.demo.synthetic import make_cases, make_pool, write_cases, write_pool

TODAY = date(2026, 11, 27)


def inputs(folder: Path) -> tuple[Path, Path]:
    pool = make_pool(11)
    cases_file, pool_file = folder / "cases.xlsx", folder / "pool.csv"
    write_cases(cases_file, make_cases(150, 11, pool, today=TODAY))
    write_pool(pool_file, pool)
    return cases_file, pool_file


def test_allocate_writes_the_allocation_register_forms_and_emails(settings: Settings, tmp_path: Path) -> None:
    cases_file, pool_file = inputs(tmp_path)
    summary = allocate_cycle(settings, cases_file, pool_file, "2026-C09", "Neglect", None, today=TODAY)
    assert len(summary.result.items) == 77 and not summary.result.unallocated
    items = read_work_items(summary.allocation_file, "2026-C09", None)  # the file generate takes directly
    assert sorted(i.form_id for i in items) == sorted(i.form_id for i in summary.result.items)
    assert len(list((settings.path("generated") / "2026-C09").rglob("*.docx"))) == 77
    sheet = openpyxl.load_workbook(settings.path("register"))["Allocations"]
    assert sheet.max_row - 1 == 77
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in settings.path("outbox").glob("*allocation*.eml")]
    assert len(mails) == summary.sent == len({i.auditor_email for i in items})
    attached = sum(len(list(m.iter_attachments())) for m in mails)
    assert attached == 77
    sample = mails[0]
    body = sample.get_body(("plain",)).get_content()
    assert all(a.get_filename() and a.get_filename().split("_")[0] in body for a in sample.iter_attachments())


def test_the_command_line_stops_on_a_bad_pool_naming_file_row_and_column(config_file: Path, tmp_path: Path) -> None:
    cases_file, pool_file = inputs(tmp_path)
    lines = pool_file.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("Senior Leader", "Chief Wizard", 1)
    pool_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "run.py", "allocate", "--cases", str(cases_file), "--pool",
                             str(pool_file), "--cycle", "2026-C09", "--config", str(config_file)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3
    assert "pool.csv, row 4, column 'Role'" in result.stderr and "Chief Wizard" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_chase_escalates_to_line_managers_from_the_pool_allocate_used(settings: Settings, tmp_path: Path) -> None:
    from datetime import timedelta

    from processors.chase.run import run_chase

    cases_file, pool_file = inputs(tmp_path)
    summary = allocate_cycle(settings, cases_file, pool_file, "2026-C09", "Neglect", None, today=TODAY)
    late = max(i.due_date for i in summary.result.items) + timedelta(days=settings.chase.escalate_to_manager_after_days)
    run = run_chase(settings, today=late)
    kinds = {r.kind for r in run.sent}
    assert any("manager" in k for k in kinds), kinds
    top = {a.name for a in read_pool(pool_file) if not a.manager_id}  # the Director has no line manager in the pool
    unescalated = {r.item.auditor for r in run.sent if r.note and "no line manager" in r.note}
    assert unescalated <= top
