"""The staff list: who a name on a form is, and where to email them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from processors.errors import InputFileError
from processors.forms.normalise import squash
from processors.mail.addresses import AddressProblem, parse_address


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    role: str = ""
    team: str = ""


def _email(path: Path, row: dict[str, str], column: str, line: int) -> str:
    """The row's one address (empty when none is known); anything else stops, naming the file, row and column."""
    text = (row.get(column) or "").strip()
    if not text:
        return ""
    try:
        return parse_address(text)
    except AddressProblem as exc:
        raise InputFileError(str(path), f"{exc}, then run again", row=line, column=column) from None


class StaffDirectory:
    def __init__(self, people: list[Person]) -> None:
        self.people = people
        self._by_name = {squash(p.name): p for p in people}
        self._by_email = {p.email.lower(): p for p in people}

    @classmethod
    def load(cls, path: Path) -> StaffDirectory:
        """Read a CSV with at least Name and Email columns; a missing file is an empty list."""
        if not path.exists():
            return cls([])
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = {squash(h): h for h in reader.fieldnames or []}
            if "name" not in header or "email" not in header:
                raise InputFileError(str(path), "the staff list needs 'Name' and 'Email' columns in its first row",
                                     row=1)
            people = [Person(row[header["name"]].strip(), _email(path, row, header["email"], reader.line_num),
                             row.get(header.get("role", ""), "") or "", row.get(header.get("team", ""), "") or "")
                      for row in reader if (row.get(header["name"]) or "").strip()]
        return cls(people)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Name", "Email", "Role", "Team"])
            writer.writerows([p.name, p.email, p.role, p.team] for p in self.people)

    def find(self, name_or_email: str) -> Person | None:
        key = name_or_email.strip()
        return self._by_email.get(key.lower()) or self._by_name.get(squash(key))

    def email(self, name_or_email: str) -> str | None:
        person = self.find(name_or_email)
        return person.email if person else None
