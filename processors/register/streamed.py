"""The register's full write with memory that does not grow with the store (issue 16, item 4).

A one-shot command (ingest, chase, report, rebuild...) writes the whole register. Instead of one snapshot of every
record and every sheet's rows (over a gigabyte at 50,000 forms), the store is read a page of forms at a time, in
one read transaction, and each page's rows are made and put straight into their sheet's ``RowSpool`` on disk,
while the Overview's figures are counted (``OverviewTally``). The frame is then built from each sheet's row count
and first rows, and ``fill_frame`` writes the rows from the spools as they are read back. What the register shows
is exactly what ``take_snapshot`` + ``incremental.sheet_rows`` would make: the records come from the same queries,
in the same order (each page's forms, grades and actions in the order the whole table would give them).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from processors.register.columns import (
    ACTIONS,
    ACTIVITY_SHEET_TITLES,
    ALLOCATIONS,
    FORMS,
    GRADES_TITLE,
    SENT,
    SHEETS,
)
from processors.register.edits import KEYED
from processors.register.overview import OverviewFigures, OverviewTally
from processors.register.progress import ActionRow, Snapshot, allocation_rows, days_overdue
from processors.register.sheet_rows import SheetData
from processors.register.spool import RowSpool
from processors.store.assurance import assurance_rows
from processors.store.database import Store

PAGE = 1000  # forms read at a time


@dataclass
class Spooled:
    """Every sheet's rows, on disk, and the Overview's figures."""

    spools: dict[str, RowSpool]
    overview: OverviewFigures

    @property
    def counts(self) -> dict[str, int]:
        return {title: s.count for title, s in self.spools.items()}

    def first_rows(self) -> dict[str, list[tuple]]:
        """Each sheet's first rows (an optional sheet only once it has some): what the frame is built from."""
        return {title: s.first for title, s in self.spools.items() if s.count or not s.spec.optional}

    def shown(self) -> dict[str, int]:
        """Rows written, by sheet shown."""
        return {title: s.count for title, s in self.spools.items() if s.count or not s.spec.optional}

    def fill_data(self) -> list[SheetData]:
        """The sheets ``fill_frame`` fills (those with more rows than the frame's one)."""
        return [SheetData(s.spec, s, count=s.count) for s in self.spools.values() if s.count > 1]


def _pages(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), PAGE):
        yield list(ids[start:start + PAGE])


@contextmanager
def spooled_sheets(store: Store, today: date, folder: Path | None = None) -> Iterator[Spooled]:
    """Read the store (in one read transaction) into each sheet's spool, in a scratch folder in ``folder`` (the
    system's temporary folder by default: not beside the register, which may be a synced library); the spools
    are removed on leaving."""
    keyed = {s.title for s in KEYED}
    with tempfile.TemporaryDirectory(prefix="qa-register-rows-", dir=folder) as scratch:
        spools = {spec.title: RowSpool(spec, Path(scratch), spec.title in keyed) for spec in SHEETS}
        try:
            with store.reading_snapshot():
                overview = _spool(store, today, spools)
        finally:
            for spool in spools.values():
                spool.close()
        yield Spooled(spools, overview)


def _spool(store: Store, today: date, spools: dict[str, RowSpool]) -> OverviewFigures:
    tally = OverviewTally(today)
    activities = {form_type: spools[title] for form_type, title in ACTIVITY_SHEET_TITLES.items()}
    forms, grades = spools[FORMS], spools[GRADES_TITLE]
    with_warnings: set[str] = set()
    for page in _pages(store.current_form_ids()):
        for f in store.forms(form_ids=page):
            tally.form(f)
            row = forms.spec.row(f)
            forms.add(row)
            if f.warnings or not f.matched:
                with_warnings.add(f.form_id)
            activity = activities.get(f.form_type)
            if activity is not None:
                activity.add(activity.spec.row(f))
        grades.extend(grades.spec.row(g) for g in store.grades(form_ids=page))
    actions = spools[ACTIONS]
    for page in _pages(store.action_form_ids()):
        for a in store.actions(form_ids=page):
            action = ActionRow(a, days_overdue(a.due, today, not a.is_open))
            tally.action(action)
            actions.add(actions.spec.row(action))
    rejections = store.rejections()
    allocations = spools[ALLOCATIONS]
    for page in _pages(store.work_item_ids()):
        for a in allocation_rows(store.allocations(form_ids=page), rejections, with_warnings,
                                 store.forms_last_chased(form_ids=page), today):
            tally.allocation(a)
            allocations.add(allocations.spec.row(a))
    sent = spools[SENT]
    for rows in store.sent_log_pages():
        sent.extend(sent.spec.row(r) for r in rows)
    # the sheets whose records are few (one per concern, good practice, rejected file or imported row): read whole
    small = Snapshot(today, [], [], [], store.escalations(), store.good_practice(), rejections, [], [],
                     assurance_rows(store))
    for e in small.escalations:
        tally.escalation(e)
    done = {FORMS, GRADES_TITLE, ACTIONS, ALLOCATIONS, SENT, *ACTIVITY_SHEET_TITLES.values()}
    for title, spool in spools.items():
        if title not in done:
            spool.extend(spool.spec.row(r) for r in spool.spec.records(small))
    return tally.figures()
