"""The rows a report's tables show. Every table says something when it has no rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    rows: tuple
    empty: str  # said instead of the table when there are no rows

    def __bool__(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True)
class CountRow:
    """How much did we do: allocated against completed, by form type or service."""

    label: str
    allocated: int
    completed: int
    completed_pct: str
    on_time: int
    on_time_pct: str
    received: int  # forms of this kind that arrived in the period, whenever allocated


@dataclass(frozen=True)
class ShareRow:
    """One category and its share of the whole (a grade, an action outcome)."""

    label: str
    count: int
    share: str


@dataclass(frozen=True)
class GradedRow:
    """A group of grades (a quarter, domain, service or team): counts in GRADES order and the share Good or better."""

    label: str
    detail: str
    total: int
    counts: tuple[str, ...]
    good_pct: str
    change: str = ""


@dataclass(frozen=True)
class ReauditRow:
    label: str
    cases: int
    improved: int
    same: int
    declined: int
    improved_pct: str


@dataclass(frozen=True)
class FindingRow:
    form_id: str
    case_id: str
    grade: str
    text: str


@dataclass(frozen=True)
class ActionRow:
    action_id: str
    case_id: str
    text: str
    owner: str
    due: str
    status: str


@dataclass(frozen=True)
class EscalationRow:
    form_id: str
    case_id: str
    service: str
    team: str
    route: str
    raised: str
    status: str
    details: str


@dataclass(frozen=True)
class ThemeCountRow:
    label: str
    count: int
    where: str


@dataclass(frozen=True)
class ShowcaseItem:
    form_id: str
    who: str
    team: str
    service: str
    summary: str
    difference: str
    trust_values: str
