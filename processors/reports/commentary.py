"""The QA Manager's commentary on a quarter (QAF 2.5, 5.6.4-5.6.5), written in Word like any form.

``report --quarter Q --draft`` writes the commentary form, pre-filled with the quarter's key figures, and
registers it so that, returned through the inbox, it is matched, validated and recorded like any form. Its
SMT-agreed actions are SMART action rows: they join the register's Actions sheet and are chased like others.
The final quarterly report and the themed reports then show the analysis, where to focus, the
recommendations (each with who leads it and by when) and the agreed actions with their status.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from processors.config.settings import Settings
from processors.forms.definitions import DATE_FORMAT_PY, RECOMMENDATION_ROWS
from processors.forms.models import Case, WorkItem
from processors.forms.vocabulary import QA_COMMENTARY
from processors.generate.forms import FormGenerator
from processors.reports.commentary_data import Commentary, RecommendationRow
from processors.reports.findings import action_rows, uk_date
from processors.reports.privacy import Scrubber
from processors.reports.quarter import Quarter
from processors.reports.source import Snapshot, field_key
from processors.reports.tables import ActionRow, Table
from processors.store.database import Store
from processors.store.records import FormRecord

COMMENTARY = QA_COMMENTARY
QUARTER = field_key(COMMENTARY, "quarter")
ANALYSIS = field_key(COMMENTARY, "analysis")
FOCUS = field_key(COMMENTARY, "where_to_focus")
RETURN_DAYS = 7
NO_CASE = Case("", "", 0, "", "", "", "", "")


def commentary_form_id(quarter: Quarter) -> str:
    return f"QMC-{quarter.label}"


def find_commentary(snap: Snapshot, quarter: Quarter) -> FormRecord | None:
    """The latest commentary returned for ``quarter`` (by its form ID, else by the quarter it names)."""
    found = [f for f in snap.forms if f.form_type == COMMENTARY and (
        f.form_id == commentary_form_id(quarter)
        or re.sub(r"\s", "", str(f.values.get(QUARTER) or "")).upper() == quarter.label.upper())]
    return max(found, key=lambda f: f.received) if found else None


def _recommendations(form: FormRecord, scrub: Scrubber) -> tuple[RecommendationRow, ...]:
    rows = []
    for n in range(1, RECOMMENDATION_ROWS + 1):
        text = scrub.text(form.values.get(f"recommendation_{n}")).strip()
        if text:
            due = form.values.get(f"recommendation_{n}_due")
            rows.append(RecommendationRow(text, scrub.text(form.values.get(f"recommendation_{n}_owner")).strip(),
                                          uk_date(due) if isinstance(due, date) else str(due or "-")))
    return tuple(rows)


def commentary_section(snap: Snapshot, quarter: Quarter, scrub: Scrubber, today: date) -> Commentary:
    form_id = commentary_form_id(quarter)
    form = find_commentary(snap, quarter)
    missing = (f"The QA Manager's commentary on {quarter.label} (form {form_id}) has not come back yet: "
               f"`python run.py report --quarter {quarter.label} --draft` writes it, and it is read from the inbox "
               "like any form.")
    if form is None:
        return Commentary(False, form_id, missing, "", "", Table((), "No recommendations yet."),
                          Table((), "No actions agreed yet."))
    actions: tuple[ActionRow, ...] = action_rows(snap, [form.form_id], scrub, today)
    return Commentary(
        True, form.form_id, missing, scrub.text(form.values.get(ANALYSIS)), scrub.text(form.values.get(FOCUS)),
        Table(_recommendations(form, scrub), "The commentary makes no recommendations."),
        Table(actions, "SMT has not agreed any actions on this quarter."))


def key_figures(headlines: tuple[str, ...]) -> str:
    return "\n".join(headlines)


def write_commentary_form(settings: Settings, store: Store, quarter: Quarter, headlines: tuple[str, ...],
                          folder: Path, today: date) -> Path:
    """The commentary form for ``quarter``, pre-filled, registered so that it is matched when it comes back."""
    due = today + timedelta(days=RETURN_DAYS)
    item = WorkItem(COMMENTARY, NO_CASE, quarter.label, commentary_form_id(quarter), auditor="QA Manager",
                    due_date=due)
    if store.work_item(item.form_id) is None:
        store.add_work_items([item])
    else:
        item = store.work_item(item.form_id) or item
    generator = FormGenerator(settings.path("templates"), settings.organisation, RETURN_DAYS, today)
    data = generator.render(item, {"quarter": quarter.label, "key_figures": key_figures(headlines),
                                   "due_date": (item.due_date or due).strftime(DATE_FORMAT_PY)})
    target = folder / f"{quarter.label}_QA_commentary_{item.form_id}.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(data)
    partial.replace(target)
    return target
