"""Pseudonymising free text for leaders' reports: case IDs, never a child's initials; practitioners' names
only where config allows (``reports.show_practitioner_names``).

Structured columns never carry a child's details (reports show case IDs). Free text written by auditors
might: initials known from the case list are replaced by "the child", other initials in capitals by
"[initials]", and, unless allowed, practitioners' names by "the practitioner". Names the case list does
not know cannot be found this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from processors.reports.source import Snapshot

# Two or three single letters each followed by a full stop, e.g. "J.S." or "Ł. Ó." (the last stop optional).
_INITIALS = re.compile(r"(?<![\w.])[^\W\d_](?:\.\s?[^\W\d_]){1,2}\.?(?!\w)")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n)$")
CHILD, PRACTITIONER, UNKNOWN = "the child", "the practitioner", "[initials]"


def _key(initials: str) -> str:
    letters = re.sub(r"[\s.]", "", initials)
    return ".".join(letters) + "."


@dataclass(frozen=True)
class Scrubber:
    initials: frozenset[str]               # normalised "J.S."
    names: re.Pattern[str] | None = None   # practitioners' names, when they may not be shown
    _done: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # the same text in many reports

    def text(self, value: object) -> str:
        text = "" if value is None else str(value)
        if not text:
            return text
        if text not in self._done:
            self._done[text] = self._scrub(text)
        return self._done[text]

    def _scrub(self, text: str) -> str:
        text = _INITIALS.sub(self._initials, text)
        if self.names is not None:
            text = self.names.sub(lambda m: self._replace(m, PRACTITIONER), text)
        return text

    def _initials(self, match: re.Match[str]) -> str:
        """A child's known initials become "the child"; other initials in capitals (perhaps a child the case
        list does not know) are removed; lower-case abbreviations ("e.g.") stay."""
        if _key(match.group()) in self.initials:
            return self._replace(match, CHILD)
        letters = re.sub(r"[\s.]", "", match.group())
        return UNKNOWN if letters.isupper() else match.group()

    @staticmethod
    def _replace(match: re.Match[str], word: str) -> str:
        before = match.string[:match.start()]
        return word.capitalize() if _SENTENCE_START.search(before) else word


def make_scrubber(snap: Snapshot, show_practitioner_names: bool) -> Scrubber:
    initials = {a.item.case.child_initials for a in snap.allocations} | snap.known_initials
    initials |= {str(f.values.get("child_initials") or "") for f in snap.forms}
    keys = frozenset(_key(i) for i in initials if re.sub(r"[\s.]", "", i))
    if show_practitioner_names:
        return Scrubber(keys)
    names = {a.item.case.practitioner for a in snap.allocations} | {f.practitioner for f in snap.forms}
    names |= {g.practitioner for g in snap.good_practice} | snap.known_names
    names = {n.strip() for n in names if len(n.strip()) > 2}
    if not names:
        return Scrubber(keys)
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return Scrubber(keys, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))


def practitioner(name: str, team: str, show: bool) -> str:
    """How a leaders' report refers to a practitioner."""
    if show and name:
        return name
    return f"A practitioner in {team}" if team else "A practitioner"
