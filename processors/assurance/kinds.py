"""The kinds of export ``import`` accepts: the columns each must have (docs/imports.md lists them)."""

from __future__ import annotations

from dataclasses import dataclass

TEXT, DATE, NUMBER, PERCENT = "text", "date", "number", "percent"
STAGES = ("Informal", "Stage 1", "Stage 2", "Stage 3", "Resolved")
IMPACT_TESTS = ("Partnership", "Improving outcomes", "Driving improvement")  # QAF 8.3.1's three questions
FEEDBACK_TYPES = ("Complaint", "Compliment", "Participation group")
BETTER = ("Higher", "Lower")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportKind:
    key: str
    title: str
    sheet: str            # its register sheet
    framework: str
    columns: tuple[Column, ...]
    period_column: str    # the date (or quarter) a row belongs to

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


KINDS: dict[str, ImportKind] = {k.key: k for k in (
    ImportKind("sqas", "SQAS escalations log", "SQAS escalations", "QAF 6.2", (
        Column("Date raised", DATE), Column("Case ID"), Column("Raised by"), Column("Stage", choices=STAGES),
        Column("Issue"), Column("Outcome", required=False), Column("Resolved on", DATE, required=False)),
        "Date raised"),
    ImportKind("nscp", "NSCP multi-agency audits", "NSCP audits", "QAF 5.7", (
        Column("Audit date", DATE), Column("Theme"), Column("Agencies"), Column("Finding"),
        Column("Recommendation", required=False), Column("Owner", required=False),
        Column("Due date", DATE, required=False)), "Audit date"),
    ImportKind("survey", "Staff survey", "Staff survey", "QAF 8.3", (
        Column("Survey date", DATE), Column("Question"), Column("Impact test", choices=IMPACT_TESTS),
        Column("Responses", NUMBER), Column("Agree", PERCENT)), "Survey date"),
    ImportKind("feedback", "Children's and families' feedback", "Feedback", "QAF 1.7", (
        Column("Date", DATE), Column("Type", choices=FEEDBACK_TYPES), Column("Service"), Column("Summary"),
        Column("Outcome", required=False)), "Date"),
    ImportKind("indicators", "Performance indicators", "Performance indicators", "QAF 4.2.1, 4.2.5", (
        Column("Period end", DATE), Column("Indicator"), Column("Trust", NUMBER),
        Column("Statistical neighbours", NUMBER), Column("Region", NUMBER), Column("England", NUMBER),
        Column("Better when", choices=BETTER)), "Period end"),
)}


def kind_named(name: str) -> ImportKind:
    from processors.errors import QAError

    wanted = name.strip().casefold()
    for kind in KINDS.values():
        if wanted in (kind.key, kind.title.casefold(), kind.sheet.casefold()):
            return kind
    raise QAError(f"there is no import kind '{name}': use one of {', '.join(KINDS)}")
