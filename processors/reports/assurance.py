"""The quarterly report's other sources of assurance, imported from other systems (processors.assurance):
IRO and CP Chair escalations from SQAS (QAF 6.2), NSCP multi-agency audits (5.7), the staff survey's three
impact tests (8.3), children's and families' feedback (1.7) and performance against statistical neighbours,
the region and England (4.2.1, 4.2.5). Each by the Outcomes Based Accountability questions; case IDs only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from processors.assurance.kinds import FEEDBACK_TYPES, IMPACT_TESTS, STAGES
from processors.reports.findings import clip, uk_date
from processors.reports.measures import rate
from processors.reports.privacy import Scrubber
from processors.reports.quarter import Quarter
from processors.reports.tables import ShareRow, Table
from processors.store.assurance import AssuranceRow

TEXT_LIMIT = 160


@dataclass(frozen=True)
class SqasRow:
    raised: str
    case_id: str
    raised_by: str
    stage: str
    issue: str
    outcome: str


@dataclass(frozen=True)
class NscpRow:
    audited: str
    theme: str
    agencies: str
    finding: str
    recommendation: str


@dataclass(frozen=True)
class SurveyRow:
    label: str
    questions: int
    responses: int
    agree: str


@dataclass(frozen=True)
class IndicatorRow:
    label: str
    trust: str
    neighbours: str
    region: str
    england: str
    compared: str   # better or worse than neighbours and region


@dataclass(frozen=True)
class Indicator:
    label: str
    trust: float
    neighbours: float
    region: float
    england: float
    higher_is_better: bool


@dataclass(frozen=True)
class OtherAssurance:
    imported: bool
    sqas_summary: str
    sqas_stages: Table
    sqas: Table
    nscp: Table
    survey_summary: str
    survey: Table
    feedback_summary: str
    feedback: Table
    indicators_summary: str
    indicators: Table
    indicator_values: tuple[Indicator, ...]


def _v(row: AssuranceRow, name: str) -> str:
    value = row.values.get(name)
    return "" if value is None else str(value)


def _day(row: AssuranceRow, name: str) -> str:
    value = row.values.get(name)
    return uk_date(date.fromisoformat(value)) if isinstance(value, str) and value else "-"


def _number(value: float) -> str:
    return f"{value:g}"


def _compare(i: Indicator) -> str:
    def side(other: float) -> str:
        if i.trust == other:
            return "level with"
        return "better than" if (i.trust > other) == i.higher_is_better else "worse than"
    first, second = side(i.neighbours), side(i.region)
    if first == second:
        return f"{first} neighbours and region".capitalize()
    return f"{first} neighbours, {second} region".capitalize()


def _latest(rows: list[AssuranceRow], quarter: Quarter) -> list[AssuranceRow]:
    """The rows of the latest period that ended by the quarter's end (an annual survey, a monthly return)."""
    upto = [r for r in rows if r.period < quarter.end]
    if not upto:
        return []
    last = max(r.period for r in upto)
    return [r for r in upto if r.period == last]


def other_assurance(rows: tuple[AssuranceRow, ...], quarter: Quarter, scrub: Scrubber) -> OtherAssurance:
    by_kind: dict[str, list[AssuranceRow]] = defaultdict(list)
    for r in rows:
        by_kind[r.kind].append(r)
    label = quarter.label

    sqas = [r for r in by_kind["sqas"] if r.period in quarter]
    stages = Counter(_v(r, "Stage") for r in sqas)
    resolved = sum(1 for r in sqas if _v(r, "Stage") == "Resolved" or r.values.get("Resolved on"))
    sqas_summary = (f"{len(sqas)} escalation{'s' if len(sqas) != 1 else ''} by IROs and CP Chairs were logged in "
                    f"{label}; {resolved} resolved." if sqas else
                    f"No IRO or CP Chair escalations were logged in {label}" + (
                        "." if by_kind["sqas"] else " (no SQAS log has been imported)."))

    nscp = [r for r in by_kind["nscp"] if r.period in quarter]
    survey = _latest(by_kind["survey"], quarter)
    feedback = [r for r in by_kind["feedback"] if r.period in quarter]
    indicators = _latest(by_kind["indicators"], quarter)
    values = tuple(Indicator(_v(r, "Indicator"), float(r.values["Trust"]), float(r.values["Statistical neighbours"]),  # type: ignore[arg-type]
                             float(r.values["Region"]), float(r.values["England"]),  # type: ignore[arg-type]
                             _v(r, "Better when") == "Higher") for r in indicators)

    tests = []
    for test in IMPACT_TESTS:
        mine = [r for r in survey if _v(r, "Impact test") == test]
        if mine:
            agree = sum(float(r.values["Agree"]) for r in mine) / len(mine)  # type: ignore[arg-type]
            tests.append(SurveyRow(test, len(mine), int(max(float(r.values["Responses"]) for r in mine)),  # type: ignore[arg-type]
                                   f"{agree:.0f}%"))
    types = Counter(_v(r, "Type") for r in feedback)
    return OtherAssurance(
        bool(rows), sqas_summary,
        Table(tuple(ShareRow(s, stages[s], rate(stages[s], len(sqas))) for s in STAGES if stages[s]), sqas_summary),
        Table(tuple(SqasRow(_day(r, "Date raised"), _v(r, "Case ID"), _v(r, "Raised by"), _v(r, "Stage"),
                            clip(scrub.text(_v(r, "Issue")), TEXT_LIMIT),
                            clip(scrub.text(_v(r, "Outcome")), TEXT_LIMIT)) for r in sqas), sqas_summary),
        Table(tuple(NscpRow(_day(r, "Audit date"), _v(r, "Theme"), _v(r, "Agencies"),
                            clip(scrub.text(_v(r, "Finding")), TEXT_LIMIT),
                            clip(scrub.text(_v(r, "Recommendation")), TEXT_LIMIT)) for r in nscp),
              f"No multi-agency (NSCP) audit findings for {label} have been imported."),
        (f"From the staff survey of {uk_date(survey[0].period)}: the share of staff who agree, for each of the "
         "framework's three impact tests." if survey else "No staff survey has been imported yet."),
        Table(tuple(tests), "No staff survey has been imported yet."),
        (f"{len(feedback)} complaint{'s' if len(feedback) != 1 else ''}, compliments and participation group "
         f"records in {label}." if feedback else f"No feedback from children and families was imported for {label}."),
        Table(tuple(ShareRow(t, types[t], rate(types[t], len(feedback))) for t in FEEDBACK_TYPES if types[t]),
              f"No feedback from children and families was imported for {label}."),
        (f"Indicators for the period ending {uk_date(indicators[0].period)}, against the statistical neighbours' "
         "average, the regional alliance and England." if indicators
         else "No performance indicators have been imported yet."),
        Table(tuple(IndicatorRow(i.label, _number(i.trust), _number(i.neighbours), _number(i.region),
                                 _number(i.england), _compare(i)) for i in values),
              "No performance indicators have been imported yet."),
        values)
