"""Immediate concerns read from files that were rejected (QAF 5.4, 5.5): kept even though the form was not.

A rejected file that says Yes to an immediate concern still raises its alert. Its concern is a row of
``rejected_concerns`` (one per file content), shown in the register's Escalations sheet beside the concerns of
recorded forms, with the reason the file was rejected. Once a corrected version of the same form is recorded
with its concern, that form's own escalation row takes over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from processors.forms.routing import route_problem
from processors.store.records import EscalationRecord, dt_text, parse_date, parse_dt


class Store(Protocol):
    """The store's two SQL entry points this module needs (processors.store.database.Store has them)."""

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]: ...

    def execute(self, sql: str, params: Sequence[object] = (), *, dirty: bool = True) -> int: ...

_COLUMNS = ("sha256, form_id, form_type, case_id, legal_status, service, team, practitioner, auditor, file, details, "
            "route, reason, raised, notified_at, resolved_on, outcome")


@dataclass(frozen=True)
class RejectedConcern:
    """What could be read of a concern on a rejected file, and why the file was rejected."""

    sha256: str
    form_id: str           # the form's reference, or REJECTED-xxxxxxxx when it carries none
    form_type: str
    case_id: str
    legal_status: str
    service: str
    team: str
    practitioner: str
    auditor: str
    file: str
    details: str
    route: str
    reason: str
    raised: datetime
    notified_at: datetime | None = None

    @property
    def route_check(self) -> str:
        return route_problem(self.legal_status, self.route)


def _concern(row: Sequence) -> RejectedConcern:
    *head, raised, notified, _resolved, _outcome = row
    return RejectedConcern(*head, parse_dt(raised) or datetime.min, parse_dt(notified))


def record_rejected_concern(store: Store, c: RejectedConcern) -> None:
    """Keep the concern (the same file again updates its row; an alert already sent stays sent)."""
    store.execute(
        f"INSERT INTO rejected_concerns ({_COLUMNS}) VALUES ({', '.join('?' * 17)}) ON CONFLICT (sha256) DO UPDATE "
        "SET reason = excluded.reason, details = excluded.details, route = excluded.route, file = excluded.file",
        (c.sha256, c.form_id, c.form_type, c.case_id, c.legal_status, c.service, c.team, c.practitioner, c.auditor,
         c.file, c.details, c.route, c.reason, dt_text(c.raised), None, None, ""))


def rejected_concern(store: Store, sha256: str) -> RejectedConcern | None:
    rows = store.query(f"SELECT {_COLUMNS} FROM rejected_concerns WHERE sha256 = ?", (sha256,))
    return _concern(rows[0]) if rows else None


def pending_rejected_concerns(store: Store) -> list[str]:
    """The files (by SHA-256) whose concern alert has not gone yet, oldest first."""
    return [r[0] for r in store.query("SELECT sha256 FROM rejected_concerns WHERE notified_at IS NULL "
                                      "ORDER BY raised, sha256")]


def mark_rejected_concern_notified(store: Store, sha256: str, when: datetime | None = None) -> None:
    store.execute("UPDATE rejected_concerns SET notified_at = ? WHERE sha256 = ?",
                  (dt_text(when or datetime.now()), sha256))


def rejected_escalations(store: Store) -> list[EscalationRecord]:
    """Concerns on rejected files as Escalations rows, except forms whose corrected version records the concern."""
    rows = store.query(f"SELECT {_COLUMNS} FROM rejected_concerns WHERE form_id NOT IN "
                       "(SELECT form_id FROM escalations) ORDER BY raised, sha256")
    out = []
    for row in rows:
        c, resolved_on, outcome = _concern(row), row[-2], row[-1]
        out.append(EscalationRecord(c.form_id, 0, c.form_type, c.case_id, c.practitioner, c.service, c.team,
                                    c.auditor, c.details, c.route, c.raised, True, c.notified_at,
                                    parse_date(resolved_on), outcome or "", c.route_check, c.reason))
    return out
