"""Good practice consent (QAF 8.5.4): a record that says 'Share across the workforce: No' is never shown in the
workforce briefing or the SLT showcase, though it is still recorded, thanked and in the register."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from processors.config.settings import Settings
from processors.forms.models import FormIdentity, ParsedForm, ValidatedForm
from processors.reports.findings import showcase
from processors.reports.privacy import make_scrubber
from processors.reports.quarter import parse_quarter
from processors.reports.source import load_snapshot
from processors.store.database import Store


def _record(store: Store, form_id: str, share: str) -> None:
    parsed = ParsedForm(Path(f"{form_id}.docx"), FormIdentity(form_id, "good_practice", "1.0"), "good_practice", {},
                        f"sha-{form_id}")
    values = {"practitioner": "Ola Nowak", "team": "North Team 1", "service": "Safeguarding North",
              "what_was_done": f"Work {form_id}", "difference_for_child": "Safer.", "nominated_by": "A colleague",
              "senior_leader": "A leader", "share_across_workforce": share}
    store.record_form(ValidatedForm(parsed, form_id, "good_practice", "", values, {}, [],
                                    received=datetime(2026, 8, 3, 10)), f"{form_id}.docx")


def test_do_not_share_records_never_reach_the_showcase_or_the_briefing(settings: Settings) -> None:
    with Store(settings.path("database")) as store:
        _record(store, "GPR-SHARE", "Yes")
        _record(store, "GPR-PRIVATE", "No")
        assert {g.form_id for g in store.good_practice()} == {"GPR-SHARE", "GPR-PRIVATE"}  # still recorded
        snap = load_snapshot(store)
    assert sorted(g.form_id for g in snap.good_practice) == ["GPR-PRIVATE", "GPR-SHARE"]  # counted, not shown
    table = showcase(snap, parse_quarter("2026-Q3"), make_scrubber(snap, False), False)
    assert [row.form_id for row in table.rows] == ["GPR-SHARE"]
