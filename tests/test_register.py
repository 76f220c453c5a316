"""The Excel register: contract headers, people's edits surviving rewrites, safe writing, Excel-valid output."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from processors.errors import RegisterLockedError
from processors.forms.models import Rejection
from processors.register import style
from processors.register import workbook as register_module
from processors.register import write as write_module
from processors.register.columns import SHEETS
from processors.register.sheet_rows import clean_text
from processors.register.workbook import write_register
from processors.register.write import build_workbook
from processors.store.database import ActionEdit, Store
from tests.test_store import make_form, make_item

CONTRACT = {
    "Forms": ["Form ID", "Form type", "Case ID", "Practitioner", "Auditor", "Overall grade", "Immediate concern",
              "Received", "Version", "Source file"],
    "Grades": ["Form ID", "Domain", "Grade"],
    "Actions": ["Action ID", "Form ID", "Action", "Owner", "Due date", "Status", "Completed on", "Notes"],
    "Escalations": [], "Good practice": [],
    "Rejected": ["File", "Received", "Reason"],
    "Allocations": ["Form ID"],
}
FORM_A, FORM_B = "TPA-2025C1-001", "TPA-2025C1-002"


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "qa.sqlite3") as s:
        yield s


@pytest.fixture
def filled(store: Store) -> Store:
    store.add_work_items([make_item(FORM_A), make_item(FORM_B), make_item("TPA-2025C1-003")],
                         generated_at=datetime(2025, 2, 28, 9, 0))
    store.record_form(make_form(FORM_A, "sha-a", concern=True, actions=3), "/processed/a.docx")
    store.record_form(make_form(FORM_B, "sha-b", grade="Outstanding", form_type="practice_observation",
                                good_practice="Used the three houses tool with the child"), "/processed/b.docx")
    store.record_rejection(Rejection(Path("/inbox/holiday photo.jpg"), "not a Word document",
                                     datetime(2025, 3, 3, 8, 15)), "sha-photo")
    return store


def headers(ws: Worksheet) -> list[str]:
    return [c.value for c in next(ws.iter_rows(max_row=1))]


def column(ws: Worksheet, name: str) -> dict[str, object]:
    """{Action ID or Form ID: value of column ``name``} for a sheet's data rows."""
    names = headers(ws)
    key, index = names.index(names[0]), names.index(name)
    return {row[key]: row[index] for row in ws.iter_rows(min_row=2, values_only=True) if row[key]}


def edit_like_a_person(path: Path, changes: dict[str, dict[str, object]], extra_rows: list[list[object]]) -> None:
    """Change cells by Action ID, then sort the rows backwards and move the Notes column first, as people do."""
    wb = load_workbook(path)
    ws = wb["Actions"]
    names = headers(ws)
    rows = [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]
    for row in rows:
        for name, value in changes.get(row[0], {}).items():
            row[names.index(name)] = value
    rows = sorted(rows, key=lambda r: r[0], reverse=True) + extra_rows
    order = [names.index("Notes")] + [i for i in range(len(names)) if names[i] != "Notes"]
    del ws.tables["Actions"]
    ws.delete_rows(1, ws.max_row)
    ws.append([names[i] for i in order])
    for row in rows:
        ws.append([row[i] if i < len(row) else None for i in order])
    wb.save(path)


# --- contract and layout -----------------------------------------------------------------------

def test_headers_follow_the_contract_and_every_sheet_is_a_filtered_table(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    report = write_register(filled, path)
    assert report.rows == {"Forms": 2, "Grades": 4, "Actions": 5, "Escalations": 1, "Good practice": 1,
                           "Rejected": 1, "Allocations": 3}
    wb = load_workbook(path)
    assert wb.sheetnames == ["Overview", "How to use", *CONTRACT]
    for title, required in CONTRACT.items():
        ws = wb[title]
        assert headers(ws)[:len(required)] == required, title
        (table,) = ws.tables.values()
        assert table.ref == f"A1:{ws.cell(1, len(headers(ws))).column_letter}{report.rows[title] + 1}"
        assert table.autoFilter is not None and ws.freeze_panes == "A2"
    assert "Last chased" in headers(wb["Actions"])
    assert column(wb["Forms"], "Overall grade") == {FORM_A: "Good", FORM_B: "Outstanding"}
    assert column(wb["Escalations"], "Case ID") == {FORM_A: "CF1000001"}
    assert list(column(wb["Good practice"], "Good practice").values()) == ["Used the three houses tool with the child"]
    assert column(wb["Allocations"], "Version") == {FORM_A: 1, FORM_B: 1, "TPA-2025C1-003": None}
    assert wb["Forms"].column_dimensions["A"].width >= len(FORM_A)


def test_empty_store_still_gives_headers_and_valid_tables(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path)
    wb = load_workbook(path)
    for spec in (s for s in SHEETS if not s.optional):
        ws = wb[spec.title]
        assert headers(ws) == [c.header for c in spec.columns]
        (table,) = ws.tables.values()
        assert table.ref.endswith("2")  # header plus one blank row, as Excel makes an empty table


def test_status_dropdown_and_grade_colours(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    wb = load_workbook(path)
    (dv,) = wb["Actions"].data_validations.dataValidation
    assert dv.type == "list" and dv.formula1 == '"Open,In progress,Completed,Not required"'
    assert str(dv.sqref).startswith("F2:F")
    for title, letter in (("Forms", "F"), ("Grades", "C")):
        rules = [r for cf in wb[title].conditional_formatting for r in cf.rules if r.type == "cellIs"]
        assert sorted(r.formula[0] for r in rules) == sorted(f'"{g}"' for g in style.GRADE_COLOURS)
        assert all(str(cf.sqref).startswith(f"{letter}2:") for cf in wb[title].conditional_formatting
                   if cf.rules[0].type == "cellIs")


# --- people's edits ----------------------------------------------------------------------------

def test_edits_made_in_excel_survive_a_rewrite_after_reordering_rows_and_columns(filled: Store,
                                                                                tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    edit_like_a_person(path, {
        f"{FORM_A}-A1": {"Status": "Completed", "Completed on": datetime(2025, 4, 3), "Notes": "Done at core group"},
        f"{FORM_A}-A2": {"Status": "in progress", "Notes": "Chased by phone"},
        f"{FORM_A}-A3": {"Status": "Done", "Completed on": "next week"},
        f"{FORM_B}-A1": {"Status": "Not required", "Completed on": "05/04/2025"},
    }, extra_rows=[[None] * 11, ["TPA-9999-A1", "TPA-9999", "made-up row", None, None, "Open"]])

    report = write_register(filled, path)
    assert report.edits_applied == 3
    assert any("TPA-9999-A1" in w for w in report.warnings)
    assert any("'Done'" in w for w in report.warnings) and any("next week" in w for w in report.warnings)
    stored = {a.action_id: a.edit for a in filled.actions()}
    assert stored[f"{FORM_A}-A1"] == ActionEdit("Completed", date(2025, 4, 3), "Done at core group")
    assert stored[f"{FORM_A}-A2"] == ActionEdit("In progress", None, "Chased by phone")
    assert stored[f"{FORM_A}-A3"] == ActionEdit("Open", None, "")
    assert stored[f"{FORM_B}-A1"] == ActionEdit("Not required", date(2025, 4, 5), "")

    ws = load_workbook(path)["Actions"]
    assert headers(ws)[0] == "Action ID"  # the register is laid out afresh
    assert column(ws, "Notes")[f"{FORM_A}-A1"] == "Done at core group"
    assert column(ws, "Completed on")[f"{FORM_A}-A1"] == datetime(2025, 4, 3)
    assert "TPA-9999-A1" not in column(ws, "Status")


def test_edits_survive_a_corrected_form_arriving_between_runs(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    edit_like_a_person(path, {f"{FORM_A}-A2": {"Status": "Completed", "Notes": "Signed off"}}, [])
    filled.record_form(make_form(FORM_A, "sha-a2", grade="Requires Improvement", actions=2), "/processed/a2.docx")
    write_register(filled, path)
    wb = load_workbook(path)
    assert column(wb["Actions"], "Status")[f"{FORM_A}-A2"] == "Completed"
    assert column(wb["Actions"], "Notes")[f"{FORM_A}-A2"] == "Signed off"
    assert f"{FORM_A}-A3" not in column(wb["Actions"], "Status")
    assert column(wb["Forms"], "Version")[FORM_A] == 2
    assert column(wb["Forms"], "Overall grade")[FORM_A] == "Requires Improvement"


def test_a_register_nobody_saved_is_not_read_again_but_an_edited_one_is(filled: Store, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    real_reader = register_module.read_back_sheets
    calls: list[Path] = []

    def counting_reader(p: Path) -> dict:
        calls.append(p)
        return real_reader(p)

    monkeypatch.setattr(register_module, "read_back_sheets", counting_reader)
    write_register(filled, path)
    assert calls == []
    edit_like_a_person(path, {f"{FORM_B}-A2": {"Notes": "Agreed at supervision"}}, [])
    assert write_register(filled, path).edits_applied == 1 and calls == [path]
    assert filled.actions(FORM_B)[1].notes == "Agreed at supervision"


# --- cell contents -----------------------------------------------------------------------------

def test_formula_like_text_stays_text(store: Store, tmp_path: Path) -> None:
    risky = ['=HYPERLINK("http://example.invalid","click")', "+44 1604 000000", "@SUM(A1:A9)", "-2 days", "=1+1"]
    store.record_form(make_form(FORM_A, "sha-a", actions=len(risky)), "a.docx")
    store.set_action_edits({f"{FORM_A}-A{n}": ActionEdit("Open", None, text) for n, text in enumerate(risky, 1)})
    path = tmp_path / "register.xlsx"
    write_register(store, path)
    ws = load_workbook(path)["Actions"]
    notes = [ws.cell(row=r, column=8) for r in range(2, 2 + len(risky))]
    assert [c.value for c in notes] == risky
    assert {c.data_type for c in notes} == {"s"}
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_characters_xml_forbids_are_stripped(store: Store, tmp_path: Path) -> None:
    store.record_form(make_form(FORM_A, "sha-a", actions=1), "bad\x0bname\x00.docx")
    store.set_action_edits({f"{FORM_A}-A1": ActionEdit("Open", None, "Tab\tand\x07 bell\x1b, é ok\nline two")})
    path = tmp_path / "register.xlsx"
    write_register(store, path)
    wb = load_workbook(path)
    assert column(wb["Actions"], "Notes")[f"{FORM_A}-A1"] == "Tab\tand bell, é ok\nline two"
    assert column(wb["Forms"], "Source file")[FORM_A] == "badname.docx"


def test_dates_are_real_excel_dates_shown_day_first(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    wb = load_workbook(path)
    due = wb["Actions"]["E2"]
    assert isinstance(due.value, datetime) and due.value.date() == date(2025, 4, 1)
    assert due.number_format == "dd/mm/yyyy" and due.is_date
    received = wb["Forms"]["H2"]
    assert received.value == datetime(2025, 3, 2, 10, 30) and received.number_format.startswith("dd/mm/yyyy")
    assert wb["Allocations"]["K2"].value == datetime(2025, 3, 14)


# --- locked, read-only, failures ---------------------------------------------------------------

def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_register_open_in_excel_is_left_intact_and_written_next_time(filled: Store, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    before, names = path.read_bytes(), files_in(tmp_path)
    filled.record_form(make_form("TPA-2025C1-003", "sha-c"), "/processed/c.docx")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "The process cannot access the file because it is being used", str(dst))

    monkeypatch.setattr(write_module.os, "replace", refuse)
    with pytest.raises(RegisterLockedError) as caught:
        write_register(filled, path)
    assert "is open or read-only: close it in Excel" in str(caught.value)
    assert "rewritten on the next run" in str(caught.value)
    assert path.read_bytes() == before and files_in(tmp_path) == names  # no temp file left behind
    assert filled.register_dirty

    monkeypatch.undo()
    write_register(filled, path)
    assert not filled.register_dirty
    assert "TPA-2025C1-003" in column(load_workbook(path)["Forms"], "Form ID")


def test_excel_owner_file_means_the_register_is_open(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    before = path.read_bytes()
    (tmp_path / "~$register.xlsx").write_bytes(b"\x0bQA Admin")
    with pytest.raises(RegisterLockedError, match=r"~\$register\.xlsx"):
        write_register(filled, path)
    assert path.read_bytes() == before and filled.register_dirty


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write read-only files")
def test_read_only_register_is_reported_plainly(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    path.chmod(0o444)
    try:
        with pytest.raises(RegisterLockedError, match="open or read-only"):
            write_register(filled, path)
    finally:
        path.chmod(0o644)


def test_read_only_attribute_is_reported_even_when_running_as_root(filled: Store, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    before = path.read_bytes()
    real_access = os.access
    monkeypatch.setattr(write_module.os, "access",
                        lambda p, mode: False if Path(p) == path else real_access(p, mode))
    with pytest.raises(RegisterLockedError, match="open or read-only"):
        write_register(filled, path)
    assert path.read_bytes() == before and filled.register_dirty


def test_any_failure_while_saving_leaves_the_old_register_and_no_temp_file(filled: Store, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "register.xlsx"
    write_register(filled, path)
    before, names = path.read_bytes(), files_in(tmp_path)

    def half_write(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write_module.Workbook, "save", half_write)
    with pytest.raises(OSError, match="No space"):
        write_register(filled, path)
    assert path.read_bytes() == before and files_in(tmp_path) == names and filled.register_dirty


def test_unreadable_register_is_kept_aside_and_rewritten(filled: Store, tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(b"not a zip at all")
    report = write_register(filled, path)
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("register.unreadable-")]
    assert len(kept) == 1 and kept[0].read_bytes() == b"not a zip at all"
    assert any("could not be read" in w for w in report.warnings)
    assert "Forms" in load_workbook(path).sheetnames


# --- LibreOffice -------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_register_opens_in_libreoffice_calc(filled: Store, tmp_path: Path) -> None:
    full, empty = tmp_path / "register.xlsx", tmp_path / "empty" / "register-empty.xlsx"
    filled.set_action_edits({f"{FORM_A}-A1": ActionEdit("Completed", date(2025, 4, 3), '=HYPERLINK("x","y")')})
    write_register(filled, full)
    with Store(tmp_path / "empty" / "qa.sqlite3") as nothing:
        write_register(nothing, empty)
    out = tmp_path / "csv"
    # All sheets (-1), cell contents as shown (9th token true) so dates show as formatted.
    profile = (tmp_path / "lo-profile").as_uri()  # a profile of its own: conversions may run in parallel
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile}",
                    "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1',
                    "--outdir", str(out), str(full), str(empty)], check=True, capture_output=True, timeout=120)
    with open(out / "register-Actions.csv", encoding="utf-8", newline="") as f:
        actions = {row["Action ID"]: row for row in csv.DictReader(f)}
    a1 = actions[f"{FORM_A}-A1"]
    assert (a1["Status"], a1["Completed on"], a1["Due date"]) == ("Completed", "03/04/2025", "01/04/2025")
    assert a1["Notes"] == '=HYPERLINK("x","y")'
    forms = (out / "register-Forms.csv").read_text(encoding="utf-8")
    assert FORM_B in forms and "Outstanding" in forms
    for spec in (s for s in SHEETS if not s.optional):
        text = (out / f"register-empty-{spec.title}.csv").read_text(encoding="utf-8")
        assert text.splitlines()[0] == ",".join(c.header for c in spec.columns)


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(blacklist_categories=()), max_size=40))
def test_any_text_is_written_as_text_and_read_back_as_cleaned(text: str) -> None:
    row = ("TPA-X-A1", "TPA-X", text, "", None, "Open", None, text, None, None, "", "", "")
    buffer = io.BytesIO()
    build_workbook({"Actions": [row]}).save(buffer)
    ws = load_workbook(io.BytesIO(buffer.getvalue()))["Actions"]
    expected = clean_text(text) or None
    assert ws["C2"].value == expected and ws["H2"].value == expected
    assert ws["H2"].data_type == "s" or expected is None
