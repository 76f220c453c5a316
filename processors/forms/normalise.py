"""Turn what people type into canonical values: grades, UK dates, Yes/No/Partly, ticks."""

from __future__ import annotations

import re
from datetime import date, datetime

from processors.forms.definitions import GRADES

_SPACES = re.compile(r"[\s_.]+")
_GRADE_ALIASES = {
    "outstanding": "Outstanding", "o": "Outstanding", "out": "Outstanding",
    "good": "Good", "g": "Good",
    "requires improvement": "Requires Improvement", "requires improvement to be good": "Requires Improvement",
    "require improvement": "Requires Improvement", "requiresimprovement": "Requires Improvement",
    "ri": "Requires Improvement", "r i": "Requires Improvement", "req improvement": "Requires Improvement",
    "requires imp": "Requires Improvement",
    "inadequate": "Inadequate", "i": "Inadequate", "inad": "Inadequate",
}
_ANSWERS = {
    "yes": "Yes", "y": "Yes", "true": "Yes",
    "no": "No", "n": "No", "false": "No",
    "partly": "Partly", "partially": "Partly", "part": "Partly", "in part": "Partly", "some": "Partly",
}
_TICKED = {"true", "1", "yes", "y", "x", "\u2612", "\u2611", "\u2713", "\u2714", "checked", "ticked"}
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$")
_WORDY_FORMATS = ("%d %B %Y", "%d %b %Y", "%A %d %B %Y", "%a %d %b %Y", "%B %d %Y", "%b %d %Y", "%d %B %y",
                  "%d %b %y")


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


def uk_date(raw: str) -> date | None:
    """A UK date: 03/04/2026 is 3 April; '3rd April 2026', '3 Apr 26' and ISO dates also work."""
    text = raw.strip()
    if not text:
        return None
    iso = _ISO_DATE.match(text)
    if iso:
        return _safe_date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        day, month, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    cleaned = " ".join(_ORDINAL.sub("", text).replace(",", " ").replace(" of ", " ").split())
    for fmt in _WORDY_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


__all__ = ["GRADES", "answer", "grade", "squash", "ticked", "uk_date"]
