"""`python run.py demo`: the whole cycle on synthetic data, inside generated/demo only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

from processors.config.settings import PROJECT_ROOT, load_settings


def test_the_demo_runs_the_whole_cycle_in_its_own_folder(config_file: Path) -> None:
    settings = load_settings(config_file)
    generated = settings.path("generated")
    generated.mkdir(parents=True)
    (generated / "real work.txt").write_text("not the demo's to delete")
    result = subprocess.run([sys.executable, "run.py", "demo", "--config", str(config_file)], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert (generated / "real work.txt").exists()
    assert sorted(p.name for p in generated.iterdir()) == ["demo", "logs", "real work.txt"]
    demo = generated / "demo"
    # 77 allocated forms, 6 good-practice records, and the other activities: a commissioned audit, a practice week's
    # 6 reviews and a Young Inspector's feedback, the 49 leaders' observation forms of the year's plan (one comes
    # back), a blank management audit
    assert len(list(demo.glob("20*-C*/*/*.docx"))) == 141
    rejected = list((demo / "rejected").glob("*.reason.txt"))
    assert len(rejected) == 4
    workbook = openpyxl.load_workbook(demo / "register.xlsx")
    assert workbook["Forms"].max_row > 70 and workbook["Rejected"].max_row == 5
    assert workbook["Allocations"].max_row == 143  # and the QA Manager's commentary
    for sheet in ("Leaders' observations", "Management audits", "Commissioned audits", "Young Inspectors"):
        assert workbook[sheet].max_row == 2, sheet  # each activity's form came back and was recorded
    assert workbook["Practice week"].max_row == 7
    assert list(demo.glob("leaders_observations_*.xlsx")) and list(demo.glob("20*-C*/practice_week_*.xlsx"))
    assert any(str(c.value).startswith("QMC-") for c in workbook["Forms"]["A"])  # the commentary came back
    forms = list(workbook["Forms"].iter_rows(values_only=True))
    source = forms[0].index("Source file")
    assert any(str(row[source]).endswith(" returned v2.docx") for row in forms[1:])  # the later save is current
    outbox = [p.name for p in (demo / "outbox").glob("*.eml")]
    assert sum("-allocation-" in n for n in outbox) > 50
    assert any("-escalation-" in n for n in outbox) and any("-thank_you-" in n for n in outbox)
    assert any("-report-" in n for n in outbox)
    assert list((demo / "reports").rglob("*_QA_report_SLT.docx"))
    assert list((demo / "reports").rglob("*_QA_commentary_QMC-*.docx"))
    assert len(list((demo / "exports").glob("*.csv"))) == 5 and workbook["Performance indicators"].max_row == 5
    (thanked,) = [line for line in result.stdout.splitlines() if "(a Children in Care worker)" in line]
    assert "(Assistant Director, Corporate Parenting), the practitioner's senior leader from the" in thanked
    assert "The nominator suggested" in thanked  # the Early Help leader they typed did not sign
    assert "Register -> " in result.stdout and "Demo finished" in result.stdout
    (emailed,) = [line for line in result.stdout.splitlines() if "replied to the allocation email" in line]
    form_id = emailed.split(" with ")[1].split()[0]
    assert any(c.value == form_id for c in workbook["Forms"]["A"])  # the return by email was recorded
    assert [n for n in outbox if "-mail_reply-" in n]                # and its sender answered
    assert not (settings.path("database")).exists()  # the real store is untouched
