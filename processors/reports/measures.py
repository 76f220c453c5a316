"""Counting grades and turning counts into the shares a leader reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from processors.forms.vocabulary import GOOD, GRADES

GOOD_OR_BETTER: tuple[str, ...] = GRADES[: GRADES.index(GOOD) + 1]
RANK: dict[str, int] = {g: n for n, g in enumerate(GRADES)}  # 0 is the best


def pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


SMALL = 5  # below this many, a share is shown as a count ("2 of 3"): a percentage of 2 forms misleads


def rate(part: int, whole: int) -> str:
    """A table cell's share: '83%' of 5 or more, '2 of 3' below that, '-' of none."""
    if not whole:
        return "-"
    return f"{part} of {whole}" if whole < SMALL else pct(part, whole)


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def points_change(now: float | None, before: float | None) -> str:
    """'up 6 points', 'down 3 points', 'no change' or '-' when either share is unknown."""
    if now is None or before is None:
        return "-"
    diff = round(100 * now) - round(100 * before)
    if diff == 0:
        return "no change"
    return f"{'up' if diff > 0 else 'down'} {abs(diff)} point{'s' if abs(diff) != 1 else ''}"


@dataclass(frozen=True)
class GradeCounts:
    counts: tuple[int, ...]  # in GRADES order

    @classmethod
    def of(cls, grades: Iterable[str]) -> GradeCounts:
        counts = [0] * len(GRADES)
        for grade in grades:
            if grade in RANK:
                counts[RANK[grade]] += 1
        return cls(tuple(counts))

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def good_or_better(self) -> int:
        return sum(self.counts[RANK[g]] for g in GOOD_OR_BETTER)

    @property
    def good_share(self) -> float | None:
        return share(self.good_or_better, self.total)

    @property
    def good_pct(self) -> str:
        return pct(self.good_or_better, self.total)

    @property
    def good_rate(self) -> str:
        """For tables: a count under ``SMALL`` forms."""
        return rate(self.good_or_better, self.total)

    def cells(self) -> list[str]:
        return [str(c) for c in self.counts]
