"""Raise concern: a rejected file that says Yes to an immediate concern still raises its alert, at once.

Whatever else is wrong with the file (a missing route, details or grade; no form reference we issued; a
damaged part), the concern is safeguarding first (QAF 5.4, 5.5). What could be read (the parsed answers, or
for a file that could not be parsed, its plain text) goes to the case's service manager(s) and the QA manager
with "this form was also rejected because ...", and the concern is kept for the register's Escalations sheet.
"""

from __future__ import annotations

import logging
from datetime import datetime

from processors.forms.definitions import FORM_TYPES
from processors.forms.models import ParsedForm
from processors.forms.normalise import answer
from processors.intake.received import IntakeFile, Status
from processors.intake.stages.base import Services, Stage
from processors.intake.stages.notify import Notifier
from processors.reading.readable import ConcernText, concern_in_text, plain_text
from processors.store.concerns import RejectedConcern, record_rejected_concern

log = logging.getLogger("qa.intake")


def _parsed_concern(parsed: ParsedForm) -> ConcernText | None:
    if answer(parsed.values.get("immediate_concern", ""), ("Yes", "No")) != "Yes":
        return None
    return ConcernText(parsed.values.get("immediate_concern_details", "").strip(),
                       parsed.values.get("escalation_route", "").strip())


def _read(item: IntakeFile) -> ConcernText | None:
    if item.parsed is not None:
        return _parsed_concern(item.parsed)
    return concern_in_text(plain_text(item.data)) if item.data else None


def _fact(parsed: ParsedForm | None, key: str, fallback: str) -> str:
    said = parsed.values.get(key, "").strip() if parsed else ""
    return said or fallback


class RaiseConcern(Stage):
    name = "raise concern"

    def __init__(self, services: Services, notifier: Notifier) -> None:
        super().__init__(services)
        self.notifier = notifier

    def applies(self, item: IntakeFile) -> bool:
        return item.status is Status.REJECTED and bool(item.sha256) and (item.parsed is not None or bool(item.data))

    def run(self, item: IntakeFile) -> None:
        found = _read(item)
        if found is None:
            return
        parsed = item.parsed
        work = item.work_item
        if work is None and parsed is not None and parsed.identity is not None:
            work = self.services.store.work_item(parsed.identity.form_id)
        case = work.case if work else None
        form_id = ((parsed.identity.form_id if parsed and parsed.identity else "")
                   or f"REJECTED-{item.sha256[:8].upper()}")
        form_type = parsed.form_type if parsed and parsed.form_type in FORM_TYPES else (work.form_type if work else "")
        concern = RejectedConcern(
            item.sha256, form_id, form_type,
            _fact(parsed, "case_id", case.case_id if case else ""),
            _fact(parsed, "legal_status", case.legal_status if case else ""),
            _fact(parsed, "service", case.service if case else ""),
            _fact(parsed, "team", case.team if case else ""),
            _fact(parsed, "practitioner", case.practitioner if case else ""),
            _fact(parsed, "auditor", work.auditor if work else ""),
            item.name, found.details, found.route, item.reason, datetime.now())
        record_rejected_concern(self.services.store, concern)
        log.warning("immediate concern on rejected file (form %s): alert raised", form_id)
        item.warnings.append("immediate concern on a rejected form: alert raised")
        self.notifier.send_rejected_concern(item.sha256)
