"""The Overview sheet: this cycle at a glance, with native Excel charts (no macros, so Calc shows them too)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from processors.forms.definitions import GRADES
from processors.register import style
from processors.register.columns import OVERVIEW
from processors.register.progress import (
    NEEDS_CORRECTION,
    NOT_GENERATED,
    RECORDED,
    RETURNED,
    SENT,
    ActionRow,
    AllocationRow,
    Snapshot,
)
from processors.store.records import EscalationRecord, FormRecord

NO_SERVICE = "(no service)"
RETURN_LABELS = ("Out", "Back", "Late", "Needing correction", "Not yet due")


@dataclass(frozen=True)
class OverviewFigures:
    today: date
    cycle: str                                # this cycle ("" when nothing has been allocated or returned)
    previous_cycle: str                       # the one before ("" when there is none)
    returns: dict[str, int]                   # RETURN_LABELS -> forms, for this cycle
    open_escalations: int
    escalations_not_alerted: int
    overdue_by_service: list[tuple[str, int]]  # most overdue first
    grades: list[tuple[str, int, int]]         # (grade, previous cycle, this cycle) overall grades


class OverviewTally:
    """The Overview's figures, counted as the records go by (one at a time: nothing is kept but the counts)."""

    def __init__(self, today: date) -> None:
        self.today = today
        self._latest_allocated: dict[str, datetime] = {}  # cycle -> latest due date (or generation)
        self._latest_returned: dict[str, datetime] = {}   # cycle -> latest return, for a store without allocations
        self._status: dict[str, Counter[str]] = {}        # cycle -> allocations by status
        self._late: Counter[str] = Counter()              # cycle -> allocations late
        self._grades: dict[str, Counter[str]] = {}        # cycle -> forms by overall grade
        self._overdue: Counter[str] = Counter()           # service -> overdue actions
        self._open = self._not_alerted = 0

    def allocation(self, a: AllocationRow) -> None:
        due = a.item.due_date
        when = datetime.combine(due, datetime.min.time()) if due else (a.generated_at or datetime.min)
        cycle = a.item.cycle_id
        self._latest_allocated[cycle] = max(self._latest_allocated.get(cycle, datetime.min), when)
        self._status.setdefault(cycle, Counter())[a.status] += 1
        self._late[cycle] += a.late

    def form(self, f: FormRecord) -> None:
        if f.cycle_id:
            self._latest_returned[f.cycle_id] = max(self._latest_returned.get(f.cycle_id, datetime.min), f.received)
        self._grades.setdefault(f.cycle_id, Counter())[f.overall_grade] += 1

    def action(self, a: ActionRow) -> None:
        if a.days_overdue is not None:
            self._overdue[a.service or NO_SERVICE] += 1

    def escalation(self, e: EscalationRecord) -> None:
        if e.is_open:
            self._open += 1
            self._not_alerted += e.notified_at is None

    def _cycles_newest_first(self) -> list[str]:
        """Cycles ordered by their latest due date (allocations) or latest return (forms), newest first."""
        latest = self._latest_allocated or self._latest_returned
        return sorted(latest, key=lambda c: (latest[c], c), reverse=True)

    def figures(self) -> OverviewFigures:
        cycle, previous = (self._cycles_newest_first() + ["", ""])[:2]
        status = self._status.get(cycle, Counter())
        returns = dict(zip(RETURN_LABELS, (
            status.total() - status[NOT_GENERATED], status[RETURNED] + status[RECORDED], self._late[cycle],
            status[NEEDS_CORRECTION], status[SENT])))
        grades = {c: self._grades.get(c, Counter()) for c in (cycle, previous)}
        return OverviewFigures(
            self.today, cycle, previous, returns, self._open, self._not_alerted,
            sorted(self._overdue.items(), key=lambda kv: (-kv[1], kv[0])),
            [(g, grades[previous][g] if previous else 0, grades[cycle][g] if cycle else 0) for g in GRADES])


def figures(snapshot: Snapshot) -> OverviewFigures:
    tally = OverviewTally(snapshot.today)
    for a in snapshot.allocations:
        tally.allocation(a)
    for f in snapshot.forms:
        tally.form(f)
    for action in snapshot.actions:
        tally.action(action)
    for e in snapshot.escalations:
        tally.escalation(e)
    return tally.figures()


# --- writing the sheet --------------------------------------------------------------------------

_HEADING = Font(bold=True, size=12, color="1F4E78")
_HEADER_FILL = PatternFill(start_color="DDEBF7", end_color="DDEBF7", fill_type="solid")


def _table(ws: Worksheet, row: int, title: str, header: tuple[str, ...], rows: list[tuple]) -> tuple[int, int]:
    """A small titled table from ``row``; returns (header row, last row)."""
    ws.cell(row=row, column=1, value=title).font = _HEADING
    for c, text in enumerate(header, start=1):
        cell = ws.cell(row=row + 1, column=c, value=text)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    for r, values in enumerate(rows, start=row + 2):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    return row + 1, row + 1 + len(rows)


def _bar_chart(ws: Worksheet, title: str, y_title: str, header_row: int, last_row: int, series: int,
               anchor: str) -> None:
    chart = BarChart()
    chart.type, chart.title, chart.style = "col", title, 10
    chart.y_axis.title, chart.y_axis.majorGridlines = y_title, None
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 otherwise hides the axes in Excel
    chart.add_data(Reference(ws, min_col=2, max_col=1 + series, min_row=header_row, max_row=last_row),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    chart.width, chart.height = 15, 7
    if series == 1:
        chart.legend = None  # the title says what the bars are
    ws.add_chart(chart, anchor)


def write_overview(ws: Worksheet, snapshot: Snapshot | None = None,
                   counted: OverviewFigures | None = None) -> OverviewFigures:
    """The Overview, from ``snapshot``'s records or from figures already ``counted`` (``OverviewTally``)."""
    if counted is None:
        if snapshot is None:
            raise ValueError("the Overview needs a snapshot or its figures")
        counted = figures(snapshot)
    f = counted
    ws.title = OVERVIEW
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 30, 16
    ws.column_dimensions["C"].width = 16
    ws["A1"] = "QA register overview"
    ws["A1"].font = Font(bold=True, size=16)
    cycle = f"Cycle {f.cycle}" + (f" (previous: {f.previous_cycle})" if f.previous_cycle else "") if f.cycle \
        else "No cycle allocated yet"
    ws["A2"] = f"{cycle}. Figures as of {f.today:%d/%m/%Y}."

    top, bottom = _table(ws, 4, "This cycle's returns", ("", "Forms"), list(f.returns.items()))
    _bar_chart(ws, "This cycle's returns", "Forms", top, bottom, 1, "E4")

    row = bottom + 2
    ws.cell(row=row, column=1, value="Open escalations").font = _HEADING
    ws.cell(row=row + 1, column=1, value="Open (not resolved)")
    ws.cell(row=row + 1, column=2, value=f.open_escalations)
    ws.cell(row=row + 2, column=1, value="Alert not sent yet")
    ws.cell(row=row + 2, column=2, value=f.escalations_not_alerted)

    overdue_rows = f.overdue_by_service or [("None overdue", 0)]
    top, bottom = _table(ws, row + 4, "Overdue actions by service", ("Service", "Overdue actions"), overdue_rows)
    _bar_chart(ws, "Overdue actions by service", "Actions", top, bottom, 1, "E20")

    columns = ("Grade", f.previous_cycle or "Last cycle", f.cycle or "This cycle")
    top, bottom = _table(ws, bottom + 2, "Overall grades, this cycle against the last", columns, f.grades)
    _bar_chart(ws, "Overall grades: last cycle and this", "Forms", top, bottom, 2, "E36")

    ws.sheet_view.showGridLines = False
    style.protect(ws)
    style.set_print(ws, "M", max(bottom, 52), one_page=True)
    return f
