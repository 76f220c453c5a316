"""Turn what people type into canonical values: grades, UK dates (processors.dates), Yes/No/Partly, ticks."""

from __future__ import annotations

import re

from processors.dates import uk_date
from processors.forms.vocabulary import (
    GOOD,
    GRADES,
    INADEQUATE,
    NO,
    OUTSTANDING,
    PARTLY,
    REQUIRES_IMPROVEMENT,
    YES,
)

_SPACES = re.compile(r"[\s_.]+")
_GRADE_ALIASES = {
    **{g.lower(): g for g in GRADES},
    "o": OUTSTANDING, "out": OUTSTANDING,
    "g": GOOD,
    "requires improvement to be good": REQUIRES_IMPROVEMENT, "require improvement": REQUIRES_IMPROVEMENT,
    "requiresimprovement": REQUIRES_IMPROVEMENT, "ri": REQUIRES_IMPROVEMENT, "r i": REQUIRES_IMPROVEMENT,
    "req improvement": REQUIRES_IMPROVEMENT, "requires imp": REQUIRES_IMPROVEMENT,
    "i": INADEQUATE, "inad": INADEQUATE,
}
_ANSWERS = {
    "yes": YES, "y": YES, "true": YES,
    "no": NO, "n": NO, "false": NO,
    "partly": PARTLY, "partially": PARTLY, "part": PARTLY, "in part": PARTLY, "some": PARTLY,
}
_TICKED = {"true", "1", "yes", "y", "x", "\u2612", "\u2611", "\u2713", "\u2714", "checked", "ticked"}


def squash(text: str) -> str:
    return _SPACES.sub(" ", text.strip().lower()).strip()


def grade(raw: str) -> str | None:
    """'good', 'GOOD', 'RI', 'Requires improvement' -> the canonical grade; None when not a grade."""
    key = squash(raw)
    if not key:
        return None
    return _GRADE_ALIASES.get(key) or _GRADE_ALIASES.get(key.replace(" ", ""))


def answer(raw: str, allowed: tuple[str, ...]) -> str | None:
    """A dropdown answer in any case; Yes/No/Partly in their common short forms."""
    key = squash(raw)
    for choice in allowed:
        if squash(choice) == key:
            return choice
    mapped = _ANSWERS.get(key)
    return mapped if mapped in allowed else None


def ticked(raw: str) -> bool:
    return squash(raw) in _TICKED


__all__ = ["GRADES", "answer", "grade", "squash", "ticked", "uk_date"]
