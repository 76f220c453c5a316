"""What the benchmarks share: a config whose every output is in a scratch folder, and a returned form's answers."""

from __future__ import annotations

from pathlib import Path

import yaml

from processors.forms.models import Case

ROOT = Path(__file__).resolve().parent.parent
CASE = Case("CF1000000", "A.B.", 9, "Child in Need", "Early Help", "Early Help North", "Dewi Pritchard", "Ola Nowak")
ANSWERS: dict[str, str] = {
    **{k: "Good" for k in ("voice_of_child", "assessment", "planning", "management_oversight", "timeliness",
                           "multi_agency", "impact_for_child", "overall_grade")},
    "audit_date": "20/11/2026", "audited_alongside_practitioner": "Yes", "strengths": "Clear plan.",
    "theme_findings": "Seen early.", "areas_for_improvement": "Chronology.", "team_manager_informed": "Yes",
    "immediate_concern": "No", "action_1": "Update the chronology", "action_1_owner": "Ola Nowak",
    "action_1_due": "18/12/2026", "action_2": "Review the plan", "action_2_owner": "Dewi Pritchard",
    "action_2_due": "08/01/2027"}


def scratch_config(folder: Path) -> Path:
    """Write a config.yaml putting every output in `folder` (templates from the project); return its path."""
    paths = {n: str(folder / n) for n in ("inbox", "processed", "rejected", "outbox", "letters")}
    paths.update(templates=str(ROOT / "templates"), generated=str(folder / "generated"),
                 register=str(folder / "register.xlsx"), database=str(folder / "qa.sqlite3"),
                 staff=str(folder / "staff.csv"))
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump({"paths": paths}), encoding="utf-8")
    return config
