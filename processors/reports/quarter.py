"""Reporting periods: quarters ("2026-Q3") and months ("2026-08").

Quarters are calendar quarters unless the year starts in another month (``reports.year_start_month``:
4 gives the financial year, so 2026-Q1 is April to June 2026 and 2026-Q4 is January to March 2027).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from processors.errors import PeriodError

_QUARTER = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*Q([1-4])\s*$", re.IGNORECASE)
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """A half-open range of days [start, end) with the label people use for it."""

    start: date
    end: date
    label: str      # 2026-Q3 or 2026-08
    title: str      # July to September 2026 or August 2026

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.toordinal() - 1)


@dataclass(frozen=True)
class Quarter(Period):
    year: int = 0
    number: int = 0
    year_start_month: int = 1

    def previous(self, count: int) -> list[Quarter]:
        """The ``count`` quarters before this one, oldest first."""
        return [make_quarter(self.year, self.number - n, self.year_start_month) for n in range(count, 0, -1)]

    def months(self) -> list[Period]:
        return [month_period(_add_months(self.start, n)) for n in range(3)]


def make_quarter(year: int, number: int, year_start_month: int = 1) -> Quarter:
    """Quarter ``number`` of ``year``; numbers outside 1..4 roll into the neighbouring years."""
    year += (number - 1) // 4
    number = (number - 1) % 4 + 1
    start = _add_months(date(year, year_start_month, 1), 3 * (number - 1))
    end = _add_months(start, 3)
    last = _add_months(start, 2)
    span = f"{start:%B} to {last:%B %Y}" if start.year == last.year else f"{start:%B %Y} to {last:%B %Y}"
    return Quarter(start, end, f"{year}-Q{number}", span, year, number, year_start_month)


def parse_quarter(text: str, year_start_month: int = 1) -> Quarter:
    match = _QUARTER.match(text or "")
    if not match:
        raise PeriodError(f"'{text}' is not a quarter: write the year and quarter number, like 2026-Q3")
    return make_quarter(int(match.group(1)), int(match.group(2)), year_start_month)


def quarter_of(day: date, year_start_month: int = 1) -> Quarter:
    """The quarter a day falls in."""
    months = (day.year * 12 + day.month - 1) - (day.year * 12 + year_start_month - 1)
    year = day.year if months >= 0 else day.year - 1
    months %= 12
    return make_quarter(year, months // 3 + 1, year_start_month)


def month_period(day: date) -> Period:
    start = date(day.year, day.month, 1)
    return Period(start, _add_months(start, 1), f"{start:%Y-%m}", f"{start:%B %Y}")


def parse_month(text: str) -> Period:
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise PeriodError(f"'{text}' is not a month: write the year and month, like 2026-08")
    return month_period(date(int(match.group(1)), int(match.group(2)), 1))
