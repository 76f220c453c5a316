"""How a register sheet looks and behaves: colours, the Status dropdown, overdue highlighting, which cells people
may change (sheet protection without a password), and printing."""

from __future__ import annotations

from copy import copy

from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from processors.forms.definitions import GRADES
from processors.forms.vocabulary import GOOD, INADEQUATE, OUTSTANDING, REQUIRES_IMPROVEMENT
from processors.register.columns import DATE, DATETIME, DUE_DATE, GRADE, STATUS, STATUS_HEADER, Sheet
from processors.register.progress import DUE_SOON_DAYS, NEEDS_CORRECTION
from processors.store.records import ACTION_STATUSES

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
EXTRA_ROWS = 500   # rows below the data that stay editable and keep the Status dropdown, for rows people add
GRADE_COLOURS = {  # fill, font: Excel's own good / neutral / bad palette
    OUTSTANDING: ("C6EFCE", "006100"),
    GOOD: ("E2EFDA", "375623"),
    REQUIRES_IMPROVEMENT: ("FFEB9C", "9C5700"),
    INADEQUATE: ("FFC7CE", "9C0006"),
}
EDITED_HEADER_FILL = "FFC000"  # amber: "you may type here"; computed headers keep the table's blue
OVERDUE_FILL, DUE_SOON_FILL, CORRECTION_FILL = "F8CBAD", "FFF2CC", "F4B084"
UNLOCKED = Protection(locked=False)
AUTHOR = "QA register"


def _fill(colour: str) -> PatternFill:
    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


def letter_of(spec: Sheet, header: str) -> str | None:
    for index, column in enumerate(spec.columns, start=1):
        if column.header == header:
            return get_column_letter(index)
    return None


def _ranges(spec: Sheet, kind: str, last_row: int) -> list[str]:
    return [f"{get_column_letter(i)}2:{get_column_letter(i)}{last_row}"
            for i, c in enumerate(spec.columns, start=1) if c.kind == kind]


def _style_cells(ws: Worksheet, index: int, last_row: int, number_format: str | None, unlocked: bool) -> None:
    """Give a column's data cells a number format and/or unlock them: styled once, then the style copied, since
    setting a style cell by cell costs a lookup each (a quarter of the register's write time on 10,000 rows)."""
    cells = [cell for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=index, max_col=index)]
    first = cells[0]
    if number_format:
        first.number_format = number_format
    if unlocked:
        first.protection = UNLOCKED
    for cell in cells[1:]:
        cell._style = copy(first._style)


def style_data_cells(ws: Worksheet, spec: Sheet, last_row: int) -> None:
    """Dates shown day first; the cells of edited columns unlocked."""
    for index, column in enumerate(spec.columns, start=1):
        fmt = {DATE: DATE_FORMAT, DATETIME: DATETIME_FORMAT}.get(column.kind)
        if fmt or column.edited:
            _style_cells(ws, index, last_row, fmt, column.edited)


def add_grade_colours(ws: Worksheet, spec: Sheet, last_row: int) -> None:
    for cells in _ranges(spec, GRADE, last_row):
        for grade in GRADES:
            fill, font = GRADE_COLOURS[grade]
            ws.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{grade}"'],
                                                            font=Font(color=font), fill=_fill(fill)))


def add_status_dropdown(ws: Worksheet, spec: Sheet, last_row: int) -> None:
    ranges = _ranges(spec, STATUS, last_row)
    if not ranges:
        return
    choices = ", ".join(ACTION_STATUSES[:-1]) + f" or {ACTION_STATUSES[-1]}"
    dv = DataValidation(type="list", formula1='"' + ",".join(ACTION_STATUSES) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="Status", error=f"Choose {choices}.")
    ws.add_data_validation(dv)
    for cells in ranges:
        dv.add(cells)


def add_overdue_highlights(ws: Worksheet, spec: Sheet, last_row: int) -> None:
    """Whole rows: overdue (due date passed, not done) and due within the week, worked out by Excel each day."""
    due, status = letter_of(spec, DUE_DATE), letter_of(spec, STATUS_HEADER)
    if due is None or not spec.done or last_row < 2:
        return
    not_done = "".join(f',${status}2<>"{s}"' for s in spec.done) if status else ""
    cells = f"A2:{get_column_letter(len(spec.columns))}{last_row}"
    overdue = f'AND(${due}2<>"",${due}2<TODAY(){not_done})'
    soon = f'AND(${due}2<>"",${due}2>=TODAY(),${due}2<TODAY()+{DUE_SOON_DAYS}{not_done})'
    ws.conditional_formatting.add(cells, FormulaRule(formula=[overdue], fill=_fill(OVERDUE_FILL), stopIfTrue=True))
    ws.conditional_formatting.add(cells, FormulaRule(formula=[soon], fill=_fill(DUE_SOON_FILL)))
    if status and spec.done and NEEDS_CORRECTION not in spec.done:
        ws.conditional_formatting.add(f"{status}2:{status}{last_row}", CellIsRule(
            operator="equal", formula=[f'"{NEEDS_CORRECTION}"'], fill=_fill(CORRECTION_FILL), font=Font(bold=True)))


def mark_edited_columns(ws: Worksheet, spec: Sheet) -> None:
    """Edited columns: an amber header with a comment saying what to type; rows people add below are unlocked
    through the column's own style (the data rows by ``style_data_cells``)."""
    for index, column in enumerate(spec.columns, start=1):
        if not column.edited:
            continue
        header = ws.cell(row=1, column=index)
        header.fill = _fill(EDITED_HEADER_FILL)
        header.font = Font(bold=True, color="000000")
        comment = Comment(f"You can type in this column.\n{column.edit}", AUTHOR)
        comment.width, comment.height = 260, 110
        header.comment = comment
        ws.column_dimensions[get_column_letter(index)].protection = UNLOCKED


def protect(ws: Worksheet) -> None:
    """Protect the sheet without a password: filtering, sorting and resizing columns still allowed."""
    ws.protection = SheetProtection(sheet=True, autoFilter=False, sort=False, formatColumns=False,
                                    formatRows=False, selectLockedCells=False, selectUnlockedCells=False)


def set_print(ws: Worksheet, last_col: str, last_row: int, *, one_page: bool = False) -> None:
    """Landscape A4, one page wide (and tall for one_page), header row on every page, sheet name and page below."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if not one_page:
        ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{last_col}{last_row}"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "Page &P of &N"
