"""What people type becomes the canonical grade, answer or UK date."""

from __future__ import annotations

from datetime import date

import pytest

from processors.forms.definitions import YES_NO, YES_NO_PARTLY
from processors.forms.normalise import answer, grade, ticked, uk_date


@pytest.mark.parametrize(("typed", "canonical"), [
    ("good", "Good"), ("GOOD", "Good"), (" Good ", "Good"), ("RI", "Requires Improvement"),
    ("r.i.", "Requires Improvement"), ("Requires improvement", "Requires Improvement"),
    ("requires improvement to be good", "Requires Improvement"), ("INADEQUATE", "Inadequate"),
    ("outstanding", "Outstanding"),
])
def test_grades_in_any_case_or_short_form(typed: str, canonical: str) -> None:
    assert grade(typed) == canonical


@pytest.mark.parametrize("typed", ["", "Goodish", "fine", "3", "Adequate"])
def test_non_grades_are_not_guessed(typed: str) -> None:
    assert grade(typed) is None


@pytest.mark.parametrize(("typed", "expected"), [
    ("03/04/2026", date(2026, 4, 3)), ("3/4/26", date(2026, 4, 3)), ("03-04-2026", date(2026, 4, 3)),
    ("3.4.2026", date(2026, 4, 3)), ("3rd April 2026", date(2026, 4, 3)), ("3 Apr 2026", date(2026, 4, 3)),
    ("Friday 3 April 2026", date(2026, 4, 3)), ("April 3rd, 2026", date(2026, 4, 3)),
    ("2026-04-03", date(2026, 4, 3)), ("2026-04-03T00:00:00Z", date(2026, 4, 3)),
    ("21st of May 2026", date(2026, 5, 21)),
])
def test_dates_are_uk_dates(typed: str, expected: date) -> None:
    assert uk_date(typed) == expected


@pytest.mark.parametrize("typed", ["31/02/2026", "next week", "13/13/2026", "", "2026"])
def test_impossible_dates_are_refused(typed: str) -> None:
    assert uk_date(typed) is None


def test_yes_no_partly_answers() -> None:
    assert answer("yes", YES_NO) == "Yes"
    assert answer("Y", YES_NO) == "Yes"
    assert answer("partially", YES_NO_PARTLY) == "Partly"
    assert answer("partly", YES_NO) is None  # not a choice on that form
    assert answer("maybe", YES_NO_PARTLY) is None


def test_ticks() -> None:
    assert ticked("true") and ticked("\u2612") and ticked("X")
    assert not ticked("false") and not ticked("") and not ticked("\u2610")
