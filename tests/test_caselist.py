"""Reading case lists, allocation lists and the auditor pool, and writing allocations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processors.allocation.caselist import (
    ALLOCATION_HEADER,
    read_cases,
    read_pool,
    read_work_items,
    write_allocation,
    write_table,
)
from processors.errors import InputFileError
from processors.forms.models import Case, WorkItem

CASE_HEADER = "Case ID,Child initials,Age,Legal status,Service,Team,Practitioner,Team manager,Last audited"
POOL_HEADER = "Auditor ID,Name,Role,Service,Team,Email,Line manager ID"
CASE_ROW = "CF{n},J.S.,{age},Child in Need,Early Help,Early Help Corby,Siân Llewelyn,Niamh O'Connor,{audited}"


def csv_file(folder: Path, name: str, lines: list[str], encoding: str = "utf-8-sig") -> Path:
    path = folder / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


def case_lines(count: int = 3) -> list[str]:
    return [CASE_HEADER, *(CASE_ROW.format(n=1000000 + n, age=n, audited="") for n in range(count))]


def pool_lines() -> list[str]:
    return [POOL_HEADER,
            "AUD001,Łukasz Wójcik,Senior Leader,Senior Leadership Team,Director,lukasz.wojcik@example-trust.org.uk,",
            "AUD002,Siân Llewelyn,Service Manager,Early Help,Early Help North,sian@example-trust.org.uk,AUD001",
            "AUD003,Niamh O'Connor,Team Manager,Early Help,Early Help Corby,niamh@example-trust.org.uk,AUD002",
            "AUD004,محمد,IRO,Safeguarding and Quality Assurance Service,IRO Team North,mohammed@example-trust.org.uk,"]


def error_of(call, *args) -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        call(*args)
    message = str(caught.value)
    assert "\n" not in message, "an input problem must be one line"
    return caught.value


# --- case lists ------------------------------------------------------------------------------

def test_csv_case_list_with_bom_loose_headers_and_extra_columns(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "cases.csv", [
        "  case id ,CHILD INITIALS,age,Legal Status,service,team,practitioner,Team  Manager,Last_Audited,Notes",
        "CF1234567,Ł.W.,7,child protection,Safeguarding and Family Support,Corby CIN 1,محمد,Siân Llewelyn,"
        "03/02/2025,ignored",
        ",,,,,,,,,",
        "CF7654321,N.O.,0,CLA,Children in Care,Permanence,Niamh O'Connor,Łukasz Wójcik,,",
    ])
    cases = read_cases(path)
    assert [c.case_id for c in cases] == ["CF1234567", "CF7654321"]
    first, second = cases
    assert first.legal_status == "Child Protection" and first.last_audited == date(2025, 2, 3)
    assert first.practitioner == "محمد" and first.team_manager == "Siân Llewelyn"
    assert second.legal_status == "Child Looked After" and second.last_audited is None
    assert second.child_age == 0


def test_xlsx_case_list_with_real_date_cells_and_numeric_ages(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(CASE_HEADER.split(","))
    ws.append(["CF1000001", "A.B.", 12.0, "Early Help", "Early Help", "Early Help Corby", "Aoife Doyle",
               "Niamh O'Connor", datetime(2024, 11, 30)])
    wb.save(tmp_path / "cases.xlsx")
    (case,) = read_cases(tmp_path / "cases.xlsx")
    assert case.child_age == 12 and case.last_audited == date(2024, 11, 30)


def test_windows_excel_csv_in_cp1252_and_semicolon_csv(tmp_path: Path) -> None:
    lines = case_lines(1)
    lines[1] = lines[1].replace("Early Help Corby", "Café Team")
    (case,) = read_cases(csv_file(tmp_path, "cp.csv", lines, encoding="cp1252"))
    assert case.team == "Café Team" and case.practitioner == "Siân Llewelyn"
    (case,) = read_cases(csv_file(tmp_path, "semi.csv", [line.replace(",", ";") for line in lines]))
    assert case.team == "Café Team"


@pytest.mark.parametrize(("row", "column", "value", "expected"), [
    (3, "Last audited", "31/02/2025", "'31/02/2025' is not a date: write it as dd/mm/yyyy"),
    (2, "Last audited", "02/13/2025", "'02/13/2025' is not a date"),
    (4, "Last audited", "yesterday", "'yesterday' is not a date"),
    (2, "Age", "seven", "'seven' is not an age"),
    (3, "Age", "-1", "'-1' is not an age"),
    (3, "Age", "7.5", "'7.5' is not an age"),
    (4, "Age", "40", "'40' is not an age"),
    (3, "Age", "", "'Age' is empty"),
    (2, "Legal status", "Adopted", "unknown legal status 'Adopted': use one of Child in Need"),
    (4, "Case ID", "", "'Case ID' is empty"),
])
def test_bad_cell_names_file_row_column_and_value(tmp_path: Path, row: int, column: str, value: str,
                                                  expected: str) -> None:
    lines = case_lines(3)
    cells = lines[row - 1].split(",")
    cells[CASE_HEADER.split(",").index(column)] = value
    lines[row - 1] = ",".join(cells)
    err = error_of(read_cases, csv_file(tmp_path, "cases.csv", lines))
    assert (err.file, err.row, err.column) == ("cases.csv", row, column)
    assert str(err).startswith(f"cases.csv, row {row}, column '{column}': {expected}")


def test_iro_and_cp_chair_columns_are_optional_names(tmp_path: Path) -> None:
    header = CASE_HEADER + ",IRO,CP chair"
    rows = [CASE_ROW.format(n=1000001, age=3, audited="") + ",Dafydd Jenkins,", CASE_ROW.format(
        n=1000002, age=4, audited="") + ",,Orla Doyle"]
    first, second = read_cases(csv_file(tmp_path, "cases.csv", [header, *rows]))
    assert (first.iro, first.cp_chair, second.iro, second.cp_chair) == ("Dafydd Jenkins", "", "", "Orla Doyle")
    assert read_cases(csv_file(tmp_path, "plain.csv", case_lines(1)))[0].iro == ""  # the columns may be left out


@pytest.mark.parametrize(("column", "value", "expected"), [
    ("IRO", "dafydd.jenkins@example-trust.org.uk", "'dafydd.jenkins@example-trust.org.uk' is an email address: "
                                                   "give the IRO's name as the auditor pool spells it"),
    ("CP Chair", "12345", "'12345' is not a name: give the CP Chair's name"),
    ("IRO", "01/02/2026", "'01/02/2026' is not a name"),
])
def test_bad_iro_or_cp_chair_names_file_row_and_column(tmp_path: Path, column: str, value: str,
                                                       expected: str) -> None:
    cells = {"IRO": "", "CP Chair": ""} | {column: value}
    lines = [CASE_HEADER + ",IRO,CP Chair", *(line + ",," for line in case_lines(3)[1:])]
    lines[2] = CASE_ROW.format(n=1000001, age=1, audited="") + f",{cells['IRO']},{cells['CP Chair']}"
    err = error_of(read_cases, csv_file(tmp_path, "cases.csv", lines))
    assert (err.file, err.row, err.column) == ("cases.csv", 3, column)
    assert str(err).startswith(f"cases.csv, row 3, column '{column}': {expected}")


def test_uk_date_variants_are_accepted(tmp_path: Path) -> None:
    lines = [CASE_HEADER, *(CASE_ROW.format(n=n, age=1, audited=d) for n, d in enumerate(
        ["7/3/2025", "07-03-2025", "2025-03-07", "07/03/2025 00:00"]))]
    assert {c.last_audited for c in read_cases(csv_file(tmp_path, "c.csv", lines))} == {date(2025, 3, 7)}


def test_missing_column_is_named_with_the_expected_columns(tmp_path: Path) -> None:
    lines = [line.rsplit(",", 2)[0] + "," + line.rsplit(",", 1)[1] for line in case_lines(2)]  # drop Team manager
    err = error_of(read_cases, csv_file(tmp_path, "cases.csv", lines))
    assert err.column == "Team manager" and err.row == 1
    assert "column 'Team manager' is missing" in str(err)
    assert "Case ID, Child initials, Age, Legal status, Service, Team, Practitioner, Team manager" in str(err)


def test_duplicate_case_id_names_both_rows(tmp_path: Path) -> None:
    lines = case_lines(4)
    lines[4] = lines[4].replace("CF1000003", "cf1000001")
    err = error_of(read_cases, csv_file(tmp_path, "cases.csv", lines))
    assert err.row == 5 and err.column == "Case ID"
    assert "case ID cf1000001 is listed twice (rows 3 and 5)" in str(err)


def test_duplicate_column_is_reported(tmp_path: Path) -> None:
    lines = [line + ",x" for line in case_lines(1)]
    lines[0] = lines[0].rsplit(",", 1)[0] + ",TEAM"
    err = error_of(read_cases, csv_file(tmp_path, "cases.csv", lines))
    assert "column 'Team' appears twice (columns F and J)" in str(err)


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("cases.csv", b"", "the file is empty"),
    ("cases.csv", b"\r\n,,\r\n", "the file is empty"),
    ("cases.csv", (CASE_HEADER + "\r\n").encode(), "has a header row but no rows below it"),
    ("cases.docx", b"PK\x03\x04rest", "is a .docx file: give a list saved from Excel as .xlsx or as CSV"),
    ("cases.txt", b"CF1", "is a .txt file"),
    ("cases.xlsx", b"Case ID,Age\r\nCF1,3\r\n", "is not a real Excel workbook"),
    ("cases.csv", b"PK\x03\x04" + b"\0" * 30, "is an Excel workbook with a .csv name: rename it to .xlsx"),
    ("cases.csv", b"Case ID\x00\x01\x02", "is not a text CSV file"),
])
def test_unusable_files_say_what_to_do(tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    err = error_of(read_cases, path)
    assert str(err).startswith(f"{name}") and expected in str(err)


def test_missing_file_gives_the_path(tmp_path: Path) -> None:
    err = error_of(read_cases, tmp_path / "nowhere.csv")
    assert "file not found" in str(err) and "nowhere.csv" in str(err)


def test_excel_row_numbers_count_blank_rows(tmp_path: Path) -> None:
    lines = case_lines(3)
    lines.insert(2, ",,,,,,,,")
    lines[4] = lines[4].replace(",2,", ",two,")
    err = error_of(read_cases, csv_file(tmp_path, "cases.csv", lines))
    assert err.row == 5


# --- the auditor pool ------------------------------------------------------------------------

def test_pool_reads_names_roles_and_line_managers(tmp_path: Path) -> None:
    lines = pool_lines()
    lines[2] = lines[2].replace("AUD001", "aud001")  # IDs match in any case
    pool = read_pool(csv_file(tmp_path, "pool.csv", lines))
    assert [a.name for a in pool] == ["Łukasz Wójcik", "Siân Llewelyn", "Niamh O'Connor", "محمد"]
    assert pool[1].manager_id == "AUD001" and pool[2].manager_id == "AUD002" and pool[0].manager_id == ""
    assert pool[3].role == "IRO"


@pytest.mark.parametrize(("row", "old", "new", "column", "expected"), [
    (3, "Service Manager", "Social Worker", "Role", "unknown role 'Social Worker': use one of Team Manager"),
    (4, ",Early Help Corby,", ",,", "Team", "this auditor is in no team"),
    (4, "AUD003,", "AUD001,", "Auditor ID", "auditor ID AUD001 is used twice (rows 2 and 4)"),
    (5, "mohammed@", "sian@", "Email", "email sian@example-trust.org.uk is used twice (rows 3 and 5)"),
    (4, ",AUD002", ",AUD099", "Line manager ID", "line manager ID AUD099 is not an auditor ID in the pool"),
    (2, "uk,", "uk,AUD003", "Line manager ID", "line management goes round in a circle (AUD001 -> AUD003 -> "
                                               "AUD002 -> AUD001)"),
    (3, "sian@example-trust.org.uk", "sian at home", "Email", "'sian at home' is not an email address"),
    (2, "Łukasz Wójcik", "", "Name", "'Name' is empty"),
])
def test_bad_pool_stops_with_file_row_and_column(tmp_path: Path, row: int, old: str, new: str, column: str,
                                                 expected: str) -> None:
    lines = pool_lines()
    assert old in lines[row - 1]
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    err = error_of(read_pool, csv_file(tmp_path, "auditor_pool.csv", lines))
    assert (err.file, err.row, err.column) == ("auditor_pool.csv", row, column)
    assert str(err).startswith(f"auditor_pool.csv, row {row}, column '{column}': {expected}")


def test_bad_xlsx_pool_row_is_the_excel_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for line in pool_lines():
        ws.append(line.split(","))
    ws.insert_rows(3)  # a blank row, as people leave them
    ws.cell(row=5, column=3, value="Social Worker")
    wb.save(tmp_path / "auditor_pool.xlsx")
    err = error_of(read_pool, tmp_path / "auditor_pool.xlsx")
    assert str(err).startswith("auditor_pool.xlsx, row 5, column 'Role': unknown role 'Social Worker'")


def test_pool_missing_line_manager_column(tmp_path: Path) -> None:
    lines = [line.rsplit(",", 1)[0] for line in pool_lines()]
    err = error_of(read_pool, csv_file(tmp_path, "pool.csv", lines))
    assert "column 'Line manager ID' is missing" in str(err)


def test_pool_role_aliases(tmp_path: Path) -> None:
    lines = pool_lines()
    lines[4] = lines[4].replace(",IRO,", ",independent reviewing officer,")
    assert read_pool(csv_file(tmp_path, "pool.csv", lines))[3].role == "IRO"


# --- work items and allocations --------------------------------------------------------------

def test_plain_case_list_becomes_work_items_of_the_default_type(tmp_path: Path) -> None:
    items = read_work_items(csv_file(tmp_path, "cases.csv", case_lines(3)), "2026-C1", "TPA")
    assert [i.form_type for i in items] == ["thematic_audit"] * 3
    assert [i.source_row for i in items] == [2, 3, 4]
    assert {i.cycle_id for i in items} == {"2026-C1"} and {i.form_id for i in items} == {""}


def test_plain_case_list_without_a_type_asks_for_the_column_or_type(tmp_path: Path) -> None:
    err = error_of(read_work_items, csv_file(tmp_path, "cases.csv", case_lines(2)), "2026-C1", None)
    assert "there is no 'Form type' column: add one" in str(err) and "or pass --type" in str(err)


def test_unknown_default_type_is_reported(tmp_path: Path) -> None:
    err = error_of(read_work_items, csv_file(tmp_path, "cases.csv", case_lines(1)), "C1", "Spot check")
    assert "unknown form type 'Spot check'" in str(err) and "Thematic Peer Audit (thematic_audit)" in str(err)


def allocation_lines(rows: list[tuple[str, str, str]]) -> list[str]:
    """An allocation CSV: (form ID, form type, cycle) per row, with the other columns filled."""
    header = "Form ID,Form type,Cycle," + CASE_HEADER + ",Auditor,Auditor email,Auditor role,Theme,Due date"
    return [header, *(f"{fid},{ftype},{cycle}," + CASE_ROW.format(n=1000000 + n, age=5, audited="")
                      + ",Priya Patel,priya.patel@example-trust.org.uk,IRO,Neglect,20/03/2026"
                      for n, (fid, ftype, cycle) in enumerate(rows))]


def test_allocation_form_types_by_key_title_or_code(tmp_path: Path) -> None:
    lines = allocation_lines([("C1-TPA-001", "thematic_audit", "C1"), ("C1-OBS-001", "Observation of Practice", ""),
                              ("", "sfa", "C0")])
    items = read_work_items(csv_file(tmp_path, "alloc.csv", lines), "C1", None)
    assert [i.form_type for i in items] == ["thematic_audit", "practice_observation", "supervision_audit"]
    assert [i.cycle_id for i in items] == ["C1", "C1", "C0"]  # a row's own cycle wins
    assert items[0].due_date == date(2026, 3, 20) and items[0].auditor_role == "IRO"


def test_allocation_errors(tmp_path: Path) -> None:
    lines = allocation_lines([("C1-TPA-001", "TPA", "C1"), ("C1-TPA-001", "TPA", "C1")])
    err = error_of(read_work_items, csv_file(tmp_path, "alloc.csv", lines), "C1", None)
    assert (err.row, err.column) == (3, "Form ID") and "form ID C1-TPA-001 is listed twice (rows 2 and 3)" in str(err)
    lines = allocation_lines([("", "Home visit", "C1")])
    err = error_of(read_work_items, csv_file(tmp_path, "alloc.csv", lines), "C1", None)
    assert (err.row, err.column) == (2, "Form type") and "unknown form type 'Home visit'" in str(err)
    lines = allocation_lines([("", "", "C1")])
    err = error_of(read_work_items, csv_file(tmp_path, "alloc.csv", lines), "C1", None)
    assert "'Form type' is empty" in str(err)
    lines = allocation_lines([("A", "TPA", "C1")])
    lines[1] = lines[1].replace(",IRO,", ",Chief Executive,")
    err = error_of(read_work_items, csv_file(tmp_path, "alloc.csv", lines), "C1", None)
    assert err.column == "Auditor role" and "unknown role 'Chief Executive'" in str(err)


def test_same_case_twice_without_form_ids_is_refused(tmp_path: Path) -> None:
    lines = case_lines(2)
    lines.append(lines[1])
    err = error_of(read_work_items, csv_file(tmp_path, "cases.csv", lines), "C1", "TPA")
    assert "case ID CF1000000 is listed twice for the same form type (rows 2 and 4)" in str(err)


TRICKY = Case("CF0000123", "Ł.Ó.", 17, "Child Looked After", "Children in Care & Leaving <Care>",
              'Kettering "CLA" 2', "=HYPERLINK(\"http://x\")", "محمد الحسن", date(2025, 1, 31))


def sample_items() -> list[WorkItem]:
    plain = replace(TRICKY, case_id="0012", practitioner="Niamh O'Connor, Jr", last_audited=None,
                    iro="Dafydd Jenkins", cp_chair="Orla Mac Giolla Phádraig")
    return [
        WorkItem("thematic_audit", TRICKY, "2026-C3", "2026-C3-TPA-001", "Siân Llewelyn",
                 "sian.llewelyn@example-trust.org.uk", "Team Manager", "Voice of the child; neglect", date(2026, 4, 1)),
        WorkItem("practice_observation", plain, "2026-C3", "2026-C3-OBS-001", "", "", "", "", None),
    ]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_allocation_round_trip_is_lossless(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"allocation{suffix}"
    items = sample_items()
    write_allocation(path, items)
    back = read_work_items(path, "ignored", None)
    assert [replace(i, source_row=0) for i in back] == items
    assert [i.source_row for i in back] == [2, 3]


def test_xlsx_allocation_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    path = tmp_path / "allocation.xlsx"
    write_allocation(path, sample_items())
    ws = openpyxl.load_workbook(path).active
    assert [c.value for c in ws[1]] == list(ALLOCATION_HEADER)
    practitioner = ws.cell(row=2, column=ALLOCATION_HEADER.index("Practitioner") + 1)
    assert practitioner.data_type == "s" and practitioner.value.startswith("=HYPERLINK")
    assert ws.cell(row=2, column=ALLOCATION_HEADER.index("Due date") + 1).number_format == "DD/MM/YYYY"


def test_writing_refuses_other_file_types(tmp_path: Path) -> None:
    err = error_of(write_table, tmp_path / "allocation.docx", ["A"], [["1"]])
    assert "can only be written as .csv or .xlsx" in str(err)


_words = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Co", "Zl", "Zp")), min_size=1, max_size=12).map(
    lambda s: " ".join(s.split())).filter(bool)
_cases = st.builds(Case, case_id=st.just(""), child_initials=_words, child_age=st.integers(0, 25),
                   legal_status=st.sampled_from(["Child in Need", "Child Protection", "Early Help"]),
                   service=_words, team=_words, practitioner=_words, team_manager=_words,
                   last_audited=st.none() | st.dates(date(2000, 1, 1), date(2099, 12, 31)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(_cases, min_size=1, max_size=4), theme=_words, suffix=st.sampled_from([".csv", ".xlsx"]))
def test_any_text_survives_an_allocation_round_trip(tmp_path: Path, cases: list[Case], theme: str,
                                                    suffix: str) -> None:
    items = [WorkItem("thematic_audit", replace(c, case_id=f"CF{n:07d}"), "C9", f"C9-TPA-{n:03d}", c.practitioner,
                      "a@example-trust.org.uk", "IRO", theme, c.last_audited) for n, c in enumerate(cases, start=1)]
    path = tmp_path / f"round{suffix}"
    write_allocation(path, items)
    assert [replace(i, source_row=0) for i in read_work_items(path, "C9", None)] == items
