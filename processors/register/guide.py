"""The "How to use" sheet: the workbook explained in plain words for the QA administrator."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from processors.register import style
from processors.register.columns import HOW_TO_USE, OVERVIEW, SHEETS
from processors.register.progress import DUE_SOON_DAYS

_ABOUT = {
    "Forms": "one row per returned form (its latest version), with its overall grade and any warnings.",
    "Grades": "one row per graded area of each form, for filtering by area, team or service.",
    "Actions": "the actions each form set, who owns them and when they are due. Keep Status, Completed on and "
               "Notes up to date here.",
    "Escalations": "forms that raised an immediate concern. Fill in Resolved on and Outcome when it is dealt with.",
    "Good practice": "good practice recorded on any form, and whether the thank-you was sent.",
    "Rejected": "files that could not be recorded, and why. The sender has been told.",
    "Allocations": "every form sent out this and earlier cycles, and where it stands: Sent, Overdue, Needs "
                   "correction (the returned file was rejected), Returned (recorded, with warnings to look at) or "
                   "Recorded.",
    "Sent": "every email the system sent or tried to send.",
}


def _lines() -> list[tuple[str, str]]:
    """(style, text) pairs, top to bottom."""
    edited = [f"{spec.title}: {', '.join(c.header for c in spec.columns if c.edited)}"
              for spec in SHEETS if any(c.edited for c in spec.columns)]
    return [
        ("title", "How to use the QA register"),
        ("text", "This workbook is rewritten from the QA database every time returned forms are read, reminders "
                 "are sent or reports are made. Anything typed in the amber columns is kept; everything else comes "
                 "from the forms themselves."),
        ("heading", "Start here"),
        ("text", f"The {OVERVIEW} sheet shows this cycle at a glance: forms out, back, late and needing correction; "
                 "open escalations; overdue actions by service; and grades this cycle against the last."),
        ("heading", "The sheets"),
        *[("text", f"{title}: {about}") for title, about in _ABOUT.items()],
        ("heading", "Where you can type"),
        ("text", "Columns with an amber header are yours to edit. Point at the header to see what to type. "
                 "They are:"),
        *[("text", f"    {line}") for line in edited],
        ("text", "The other columns are locked so they are not changed by accident (Review > Unprotect Sheet; "
                 "there is no password). If a grade or date is wrong, correct the form and return it again: a "
                 "change typed into a locked column is not used, and the next run lists it so it can be put right "
                 "on the form."),
        ("heading", "Colours"),
        ("text", f"Red rows are overdue (their due date has passed and they are not done). Yellow rows are due in "
                 f"the next {DUE_SOON_DAYS} days. Grades are coloured green, light green, amber and red from "
                 "Outstanding to Inadequate. Days overdue is counted on the day the register was last written."),
        ("heading", "Filtering, sorting and printing"),
        ("text", "Use the arrow in any header to filter. Sorting a protected sheet is only allowed by Excel when "
                 "every cell is unlocked: to sort, unprotect the sheet (no password), sort, and it is protected "
                 "again when the register is next rewritten. Every sheet prints landscape, one page wide, with "
                 "the header row repeated and the sheet name and page number at the foot."),
        ("heading", "If the register is open"),
        ("text", "The register cannot be rewritten while it is open in Excel. Nothing is lost: close it and it is "
                 "brought up to date on the next run."),
    ]


def write_guide(ws: Worksheet) -> None:
    ws.title = HOW_TO_USE
    ws.column_dimensions["A"].width = 110
    fonts = {"title": Font(bold=True, size=16), "heading": Font(bold=True, size=12, color="1F4E78"),
             "text": Font(size=11)}
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, (kind, text) in enumerate(_lines(), start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.font, cell.alignment = fonts[kind], wrap
        if kind == "heading":
            cell.fill = PatternFill(start_color="DDEBF7", end_color="DDEBF7", fill_type="solid")
        if kind == "text":
            ws.row_dimensions[row].height = 15 * max(1, -(-len(text) // 105))
    ws.sheet_view.showGridLines = False
    style.protect(ws)
    style.set_print(ws, "A", ws.max_row, one_page=True)
