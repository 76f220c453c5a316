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
from processors.register.progress import NEEDS_CORRECTION, NOT_GENERATED, RECORDED, RETURNED, SENT, Snapshot

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


def _cycles_newest_first(snapshot: Snapshot) -> list[str]:
    """Cycles ordered by their latest due date (allocations) or latest return (forms), newest first."""
    latest: dict[str, datetime] = {}
    for a in snapshot.allocations:
        due = a.item.due_date
        when = datetime.combine(due, datetime.min.time()) if due else (a.generated_at or datetime.min)
        latest[a.item.cycle_id] = max(latest.get(a.item.cycle_id, datetime.min), when)
    if not latest:
        for f in snapshot.forms:
            if f.cycle_id:
                latest[f.cycle_id] = max(latest.get(f.cycle_id, datetime.min), f.received)
    return sorted(latest, key=lambda c: (latest[c], c), reverse=True)


def figures(snapshot: Snapshot) -> OverviewFigures:
    cycles = _cycles_newest_first(snapshot)
    cycle, previous = (cycles + ["", ""])[:2]
    this = [a for a in snapshot.allocations if a.item.cycle_id == cycle]
    status = Counter(a.status for a in this)
    returns = dict(zip(RETURN_LABELS, (
        len(this) - status[NOT_GENERATED], status[RETURNED] + status[RECORDED], sum(a.late for a in this),
        status[NEEDS_CORRECTION], status[SENT])))
    overdue = Counter(a.service or NO_SERVICE for a in snapshot.actions if a.days_overdue is not None)
    grades = {c: Counter(f.overall_grade for f in snapshot.forms if f.cycle_id == c) for c in (cycle, previous)}
    opened = [e for e in snapshot.escalations if e.is_open]
    return OverviewFigures(
        snapshot.today, cycle, previous, returns, len(opened), sum(e.notified_at is None for e in opened),
        sorted(overdue.items(), key=lambda kv: (-kv[1], kv[0])),
        [(g, grades[previous][g] if previous else 0, grades[cycle][g] if cycle else 0) for g in GRADES])


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


def write_overview(ws: Worksheet, snapshot: Snapshot) -> OverviewFigures:
    f = figures(snapshot)
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
