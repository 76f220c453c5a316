"""The QA Manager's commentary as the reports show it: analysis, where to focus, recommendations, agreed actions."""

from __future__ import annotations

from dataclasses import dataclass

from processors.reports.tables import Table


@dataclass(frozen=True)
class RecommendationRow:
    text: str
    owner: str
    due: str

    @property
    def line(self) -> str:
        who = ", ".join(p for p in (f"led by {self.owner}" if self.owner else "",
                                    f"by {self.due}" if self.due != "-" else "") if p)
        return f"{self.text} ({who})" if who else self.text


@dataclass(frozen=True)
class Commentary:
    present: bool
    form_id: str
    missing: str                 # said instead when it has not come back
    analysis: str
    where_to_focus: str
    recommendations: Table       # of RecommendationRow
    actions: Table               # of ActionRow: the actions SMT agreed, with their status

    @property
    def recommendation_lines(self) -> tuple[str, ...]:
        return tuple(r.line for r in self.recommendations.rows)
