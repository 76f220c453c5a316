"""The register as the QA administrator's daily tool: what may be edited, overdue at a glance, the Overview,
printing; read back with openpyxl and opened in LibreOffice Calc."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image

from processors.forms.models import Case, Rejection
from processors.register.workbook import write_register
from processors.store.database import ActionEdit, Store
from processors.word.office import convert
from tests.test_store import make_form, make_item

TODAY = date(2025, 5, 1)
WEST = Case("CF2000002", "A.B.", 12, "Child in Care", "Children in Care", "West Team 1", "Sam Example",
            "Jo Sampleboss")
C1A, C1B = "TPA-2025C1-001", "TPA-2025C1-002"
C2A, C2B, C2C, C2D = "TPA-2025C2-001", "TPA-2025C2-002", "TPA-2025C2-003", "TPA-2025C2-004"


def item(form_id: str, cycle: str, due: date, case: Case | None = None):
    base = make_item(form_id, cycle) if case is None else make_item(form_id, cycle, case)
    return base.__class__(**{**base.__dict__, "due_date": due})


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "qa.sqlite3") as s:
        s.add_work_items([item(C1A, "2025-C1", date(2025, 3, 14)), item(C1B, "2025-C1", date(2025, 3, 14), WEST),
                          item(C2A, "2025-C2", date(2025, 4, 25)), item(C2B, "2025-C2", date(2025, 4, 25)),
                          item(C2C, "2025-C2", date(2025, 4, 25), WEST), item(C2D, "2025-C2", date(2025, 5, 20))],
                         generated_at=datetime(2025, 2, 28, 9, 0))
        s.record_form(make_form(C1A, "sha-1a", grade="Good"), "a.docx")
        s.record_form(make_form(C1B, "sha-1b", grade="Outstanding", concern=True, actions=1), "b.docx")
        s.record_form(make_form(C2A, "sha-2a", grade="Requires Improvement", actions=1,
                                received=datetime(2025, 4, 20, 9)), "c.docx")
        s.record_rejection(Rejection(Path(f"{C2B}_CF1000001.docx"), "the overall grade is missing",
                                     datetime(2025, 4, 22, 10)), "sha-2b")
        s.set_action_edits({f"{C1A}-A1": ActionEdit("Completed", date(2025, 4, 2), "")})
        yield s


def headers(ws: Worksheet) -> list[str]:
    return [c.value for c in next(ws.iter_rows(max_row=1))]


def by_key(ws: Worksheet, name: str) -> dict[str, object]:
    names = headers(ws)
    return {r[0]: r[names.index(name)] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


def test_edited_columns_are_marked_and_the_only_ones_unlocked(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    wb = load_workbook(path)
    assert wb.sheetnames[:2] == ["Overview", "How to use"]
    guide = " ".join(str(c.value) for c in wb["How to use"]["A"])
    assert "amber" in guide and "Actions: Status, Completed on, Notes" in guide
    for title, edited in (("Actions", {"Status", "Completed on", "Notes"}), ("Escalations", {"Resolved on", "Outcome"}),
                          ("Forms", set())):
        ws = wb[title]
        assert ws.protection.sheet and not ws.protection.password
        assert ws.protection.autoFilter is False and ws.protection.sort is False  # filtering and sorting allowed
        for index, name in enumerate(headers(ws), start=1):
            header, first = ws.cell(1, index), ws.cell(2, index)
            if name in edited:
                assert header.fill.fgColor.rgb.endswith("FFC000") and "You can type" in header.comment.text
                assert first.protection.locked is False
                assert ws.column_dimensions[header.column_letter].protection.locked is False  # rows added below
            else:
                assert header.comment is None and first.protection.locked is True, (title, name)
    assert "dd/mm/yyyy" in wb["Actions"]["G1"].comment.text


def test_a_change_to_a_computed_column_is_listed_not_used_and_shown_again(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    wb = load_workbook(path)
    forms, actions = wb["Forms"], wb["Actions"]
    row = [r[0].row for r in forms.iter_rows(min_row=2) if r[0].value == C2A][0]
    forms.cell(row, headers(forms).index("Overall grade") + 1, "Outstanding")
    actions.cell(2, headers(actions).index("Notes") + 1, "Agreed at supervision")  # a real edit: no warning
    wb.save(path)

    report = write_register(store, path, date(2025, 5, 9))  # a week on: Days overdue changes by itself
    (warning,) = [w for w in report.warnings if "was changed to" in w]
    assert any("kept as register.backup-" in w for w in report.warnings)  # the typed value survives in the copy
    assert f"Forms row {row} ({C2A})" in warning and "Overall grade was changed to 'Outstanding'" in warning
    assert "the store says 'Requires Improvement'" in warning
    assert store.form(C2A).overall_grade == "Requires Improvement" and report.edits_applied == 1
    assert by_key(load_workbook(path)["Forms"], "Overall grade")[C2A] == "Requires Improvement"
    assert write_register(store, path, date(2025, 5, 9)).warnings == []  # reported once, not every run


def test_overdue_service_status_and_generated(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    wb = load_workbook(path)
    allocations, actions = wb["Allocations"], wb["Actions"]
    assert by_key(allocations, "Status") == {C1A: "Recorded", C1B: "Recorded", C2A: "Recorded",
                                             C2B: "Needs correction", C2C: "Overdue", C2D: "Sent"}
    assert by_key(allocations, "Days overdue") == {C1A: None, C1B: None, C2A: None, C2B: 6, C2C: 6, C2D: None}
    assert set(by_key(allocations, "Generated").values()) == {datetime(2025, 2, 28, 9, 0)}
    assert by_key(actions, "Days overdue") == {f"{C1A}-A1": None, f"{C1A}-A2": 29, f"{C1B}-A1": 30, f"{C2A}-A1": 30}
    assert by_key(actions, "Service")[f"{C1B}-A1"] == "Children in Care"
    for title in ("Forms", "Grades", "Actions", "Escalations", "Good practice", "Allocations"):
        assert "Service" in headers(wb[title]), title
    formulas = [r.formula[0] for cf in actions.conditional_formatting for r in cf.rules if r.type == "expression"]
    assert any("<TODAY()" in f and '$F2<>"Completed"' in f for f in formulas)        # overdue
    assert any("TODAY()+7" in f for f in formulas)                                    # due this week
    assert any(str(cf.sqref).startswith("A2:") for cf in allocations.conditional_formatting)


def test_overview_figures_match_the_store(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    ws = load_workbook(path)["Overview"]
    shown = {r[0]: r[1:] for r in ws.iter_rows(min_row=3, max_col=3, values_only=True) if r[0]}

    this = store.allocations("2025-C2")
    back = {a.item.form_id for a in this if a.version}
    rejected = {a.item.form_id for a in this if any(a.item.form_id in r.file for r in store.rejections())} - back
    late = {a.item.form_id for a in this if a.item.form_id not in back and a.item.due_date < TODAY}
    assert shown["Out"][0] == len(this) and shown["Back"][0] == len(back)
    assert shown["Late"][0] == len(late) and shown["Needing correction"][0] == len(rejected)
    assert shown["Not yet due"][0] == len([a for a in this if a.item.due_date >= TODAY])
    assert shown["Open (not resolved)"][0] == sum(e.current and e.resolved_on is None for e in store.escalations())
    overdue = Counter(a.service for a in store.actions() if a.is_open and a.due and a.due < TODAY)
    for service, n in overdue.items():
        assert shown[service][0] == n
    grades = {c: Counter(f.overall_grade for f in store.forms() if f.cycle_id == c) for c in ("2025-C1", "2025-C2")}
    assert shown["Grade"] == ("2025-C1", "2025-C2")
    for grade in ("Outstanding", "Good", "Requires Improvement", "Inadequate"):
        assert shown[grade] == (grades["2025-C1"][grade], grades["2025-C2"][grade])
    assert len(ws._charts) == 3


def test_every_sheet_is_set_up_to_print(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_area
        assert ws.oddFooter.left.text == "&A" and "&P" in ws.oddFooter.right.text
    assert wb["Actions"].print_title_rows == "$1:$1"  # the header row on every page
    assert "$A$1:$M$5" in str(wb["Actions"].print_area)  # the data, not the 500 rows kept for the dropdown


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice or poppler-utils is not installed")
def test_calc_prints_one_page_per_sheet_and_draws_the_overview_charts(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    (pdf,) = convert([path], "pdf", tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages == len(load_workbook(path).sheetnames)  # every sheet fits one page here
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(pdf), str(tmp_path / "overview")],
                   check=True, capture_output=True)
    (png,) = tmp_path.glob("overview*.png")
    image = Image.open(png).convert("RGB")
    width, height = image.size
    charts = image.crop((width * 2 // 5, 0, width, height))  # the charts sit right of the figures
    coloured = sum(1 for r, g, b in charts.get_flattened_data() if max(r, g, b) - min(r, g, b) > 60)
    assert coloured > 200, "the Overview's charts did not render"
