"""A practice week's dates: it runs from its Monday, and its forms are due back a week later (so a report for the
week finds the forms planned for it by their return-by date)."""

from __future__ import annotations

from datetime import date, timedelta

RETURN_AFTER = timedelta(days=7)


def week_start(day: date) -> date:
    """The Monday of the week ``day`` falls in."""
    return day - timedelta(days=day.weekday())


def return_by(monday: date) -> date:
    """When a practice week's review and feedback forms are due back."""
    return monday + RETURN_AFTER
