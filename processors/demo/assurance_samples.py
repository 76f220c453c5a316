"""Synthetic exports of the other sources of assurance, one CSV per kind, as the systems that hold them
would give them (synthetic case IDs and people only): for the demo and the tests of ``import``."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from processors.assurance.kinds import FEEDBACK_TYPES, IMPACT_TESTS, KINDS, STAGES
from processors.reports.quarter import Quarter

ISSUES = ("Plan not progressing between reviews", "Visits not on time", "Drift in permanence planning",
          "Core group not held")
INDICATORS = (("Re-referrals within 12 months (%)", 22.0, "Lower"), ("Assessments within 45 days (%)", 84.0, "Higher"),
              ("Children seen within timescale (%)", 91.0, "Higher"), ("Care leavers in suitable accommodation (%)",
                                                                       88.0, "Higher"))
SURVEY = (("QA activity is done with families and partners", IMPACT_TESTS[0]),
          ("Audits ask what difference our help made", IMPACT_TESTS[1]),
          ("Learning from audits has changed my practice", IMPACT_TESTS[2]),
          ("I have heard about findings from audits in my team", IMPACT_TESTS[2]))


def _day(rng: random.Random, quarter: Quarter) -> date:
    return quarter.start + timedelta(days=rng.randrange((quarter.end - quarter.start).days))


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def sample_rows(kind: str, quarter: Quarter, seed: int = 7) -> list[list[str]]:
    rng = random.Random(f"{seed}-{kind}")
    if kind == "sqas":
        return [[_uk(_day(rng, quarter)), f"CF{rng.randrange(10**6, 10**7):07d}", rng.choice(("IRO", "CP Chair")),
                 stage := rng.choice(STAGES), rng.choice(ISSUES),
                 "Plan updated and reviewed" if stage == "Resolved" else "", ""] for _ in range(9)]
    if kind == "nscp":
        return [[_uk(_day(rng, quarter)), "Neglect", "Police, Health, Education, Children's Trust",
                 "Information shared late between agencies at the start of the plan.",
                 "Joint chronology started at the first strategy meeting", "NSCP Business Manager", ""],
                [_uk(_day(rng, quarter)), "Neglect", "Health, Education, Children's Trust",
                 "Good attendance at core groups; the child's voice is heard.", "", "", ""]]
    if kind == "survey":
        return [[_uk(quarter.start + timedelta(days=40)), question, test, "212", str(rng.randrange(55, 85))]
                for question, test in SURVEY]
    if kind == "feedback":
        return [[_uk(_day(rng, quarter)), rng.choice(FEEDBACK_TYPES), rng.choice(("Children in Care",
                 "Safeguarding and Family Support", "Assessment and Intervention")),
                 "Feedback about how often the social worker visits.", ""] for _ in range(14)]
    if kind == "indicators":
        end = quarter.last_day
        return [[_uk(end), name, f"{value:g}", f"{value + rng.uniform(-4, 4):.1f}", f"{value + rng.uniform(-4, 4):.1f}",
                 f"{value + rng.uniform(-3, 3):.1f}", better] for name, value, better in INDICATORS]
    raise KeyError(kind)


def write_samples(folder: Path, quarter: Quarter, seed: int = 7) -> dict[str, Path]:
    """One CSV per kind in ``folder``; returns them by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for key, kind in KINDS.items():
        path = folder / f"{key}_export_{quarter.label}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(kind.names)
            writer.writerows(sample_rows(key, quarter, seed))
        written[key] = path
    return written
