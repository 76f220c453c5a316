"""A register people have worked on (a column and a sheet of their own, saved in Excel) is written on the fast path
(frame + rows) and carries what they typed exactly as the old careful path did (issue 16): by row key, under their
header, editable, inside the Excel table; and a watcher's next write stays incremental while the column is there."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pypdf import PdfReader

from benchmarks.careful_register import write_carefully
from processors.register import people_edits
from processors.register.incremental import RegisterMemory
from processors.register.workbook import write_register
from processors.store.database import Store
from processors.word.office import convert, soffice
from tests.test_register_incremental import TODAY, _record, no_full_read, sheets_of

PANEL = "Notes for panel"
WHEN = "Panel date"
STATES = ("register_sha256", "register_computed", "register_carried")


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "qa.sqlite3") as s:
        for n in range(1, 31):
            _record(s, n, concern=n % 10 == 0, actions=n % 3)
        yield s


def headers(ws: Worksheet) -> list[str]:
    return [c.value for c in ws[1]]


def column(path: Path, title: str, header: str) -> dict[str, object]:
    ws = load_workbook(path)[title]
    names = headers(ws)
    return {r[0]: r[names.index(header)] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


def people_work(path: Path, typed: dict[str, tuple[object, object]]) -> None:
    """What the QA administrator does in Excel: two columns typed at the end of Actions (row by Action ID), a sheet
    of their own, saved."""
    wb = load_workbook(path)
    ws = wb["Actions"]
    at = ws.max_column + 1
    ws.cell(1, at, PANEL)
    ws.cell(1, at + 1, WHEN)
    for (cell,) in ws.iter_rows(min_row=2, max_col=1):
        if cell.value in typed:
            for offset, value in enumerate(typed[cell.value]):
                target = ws.cell(cell.row, at + offset, value)
                if isinstance(value, str) and value.startswith("="):
                    target.data_type = "s"
    panel = wb.create_sheet("Panel")
    panel.append(["Meeting", "Chair", "Held on"])
    panel.append(["Spring panel", "Sam Example", date(2025, 3, 4)])
    wb.save(path)


TYPED: dict[str, tuple[object, object]] = {
    "TPA-2025C1-001-A1": ("Discuss at the March panel", date(2025, 3, 4)),
    "TPA-2025C1-002-A2": ("=SUM(A1:A9)", "TBC"),        # typed text that looks like a formula stays text
    "TPA-2025C1-004-A1": (42, date(2025, 4, 1)),         # a number stays a number
    "TPA-2025C1-029-A2": ("Last row's note", None),
}


def written_with_peer(store: Store, tmp_path: Path) -> tuple[Path, Path]:
    """The same people-edited register written by ours and by the old careful path (the store's state put back
    between them, so both see a register someone saved)."""
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    people_work(path, TYPED)
    peer = tmp_path / "peer.xlsx"
    shutil.copy2(path, peer)
    kept = {k: store.get_state(k) for k in STATES}
    write_carefully(store, peer, TODAY)
    for key, value in kept.items():
        store.set_state(key, value)
    return path, peer


def test_peoples_column_and_sheet_are_carried_as_the_careful_path_carried_them(store: Store, tmp_path: Path) -> None:
    path, peer = written_with_peer(store, tmp_path)
    report = write_register(store, path, TODAY)
    assert any(f"column '{PANEL}'" in w for w in report.warnings)           # said once, as before
    assert any("sheet 'Panel'" in w for w in report.warnings)
    assert not list(tmp_path.glob("register.backup-*"))                    # nothing lost, so no backup

    assert sheets_of(path) == sheets_of(peer)                              # every sheet, every value, every table
    notes, when = column(path, "Actions", PANEL), column(path, "Actions", WHEN)
    assert notes["TPA-2025C1-001-A1"] == "Discuss at the March panel" and notes["TPA-2025C1-004-A1"] == 42
    assert notes["TPA-2025C1-002-A2"] == "=SUM(A1:A9)" and notes["TPA-2025C1-005-A1"] is None
    assert when["TPA-2025C1-001-A1"] == datetime(2025, 3, 4) and when["TPA-2025C1-002-A2"] == "TBC"

    wb = load_workbook(path)
    ws = wb["Actions"]
    names = headers(ws)
    assert names[-2:] == [PANEL, WHEN]
    letter = get_column_letter(names.index(PANEL) + 1)
    (table,) = ws.tables.values()
    assert table.ref == f"A1:{get_column_letter(len(names))}{ws.max_row}"      # the table covers the new columns
    assert [c.name for c in table.tableColumns][-2:] == [PANEL, WHEN]
    assert ws.protection.sheet and ws[f"{letter}2"].protection.locked is False  # people can go on typing there
    assert ws.column_dimensions[letter].protection.locked is False              # and in rows they add
    assert all(ws[f"{letter}{r}"].data_type == "s" for r in range(2, ws.max_row + 1) if ws[f"{letter}{r}"].value
               and isinstance(ws[f"{letter}{r}"].value, str))
    assert ws[f"{get_column_letter(names.index(WHEN) + 1)}2"].number_format == "dd/mm/yyyy"
    assert [list(r) for r in wb["Panel"].iter_rows(values_only=True)] == [
        ["Meeting", "Chair", "Held on"], ["Spring panel", "Sam Example", datetime(2025, 3, 4)]]


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_a_register_with_peoples_column_opens_in_libreoffice(store: Store, tmp_path: Path) -> None:
    path, _peer = written_with_peer(store, tmp_path)
    write_register(store, path, TODAY)
    (pdf,) = convert([path], "pdf", tmp_path / "pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert PANEL in text and "Discuss at the March" in text and "=SUM(A1:A9)" in text and "Spring pan" in text


def test_the_next_write_is_incremental_and_still_carries_the_column(store: Store, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    people_work(path, TYPED)
    write_register(store, path, TODAY, memory)                             # someone saved it: read, carried
    assert memory.last is not None and memory.last.people.columns["Actions"].values

    new = _record(store, 31, actions=2)
    no_full_read(monkeypatch)
    monkeypatch.setattr(people_edits, "read_sheets", lambda *_a, **_k: pytest.fail("the register was read again"))
    report = write_register(store, path, TODAY, memory)
    monkeypatch.undo()
    assert report.warnings == []
    notes = column(path, "Actions", PANEL)
    assert notes["TPA-2025C1-001-A1"] == "Discuss at the March panel" and notes[f"{new}-A1"] is None
    assert set(notes) >= {f"{new}-A1", f"{new}-A2"}

    full = tmp_path / "full.xlsx"                                           # the same as a full careful write
    shutil.copy2(path, full)
    kept = {k: store.get_state(k) for k in STATES}
    write_carefully(store, full, TODAY)
    for key, value in kept.items():
        store.set_state(key, value)
    assert sheets_of(path) == sheets_of(full)


def test_a_one_shot_write_reads_only_the_sheets_holding_peoples_work(store: Store, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    people_work(path, TYPED)
    write_register(store, path, TODAY)
    asked: list[object] = []
    real = people_edits.read_sheets
    monkeypatch.setattr(people_edits, "read_sheets", lambda p, titles=None, known=None: asked.append(titles) or
                        real(p, titles, known))
    _record(store, 31, actions=1)
    assert write_register(store, path, TODAY).warnings == []
    assert asked == [["Actions", "Panel"]]
    assert column(path, "Actions", PANEL)["TPA-2025C1-001-A1"] == "Discuss at the March panel"


def test_a_value_on_a_row_that_went_away_is_backed_up_and_reported(store: Store, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    people_work(path, TYPED)
    write_register(store, path, TODAY, memory)
    before = path.read_bytes()
    _record(store, 2, actions=1, version=2)                 # corrected: its second action (with a note) is gone
    report = write_register(store, path, TODAY, memory)
    assert any("'TPA-2025C1-002-A2' is no longer in the store" in w for w in report.warnings), report.warnings
    (backup,) = tmp_path.glob("register.backup-*.xlsx")
    assert backup.read_bytes() == before
    assert column(path, "Actions", PANEL)["TPA-2025C1-001-A1"] == "Discuss at the March panel"


HOSTILE = {
    "TPA-2025C1-001-A1": ("=cmd|' /C calc'!A0", "+SUM(1,2)"),
    "TPA-2025C1-002-A1": ("rang_x0007_ the school_x000B_ twice", "@HYPERLINK(\"http://x\")"),  # Excel's escapes
    "TPA-2025C1-004-A1": ("x" * 40_000, "-1+1"),
}


def test_hostile_text_in_peoples_column_survives_as_text(store: Store, tmp_path: Path) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    people_work(path, HOSTILE)
    write_register(store, path, TODAY, memory)              # read from the file
    _record(store, 31, actions=1)
    write_register(store, path, TODAY, memory)              # and from memory
    for _ in range(2):
        notes, when = column(path, "Actions", PANEL), column(path, "Actions", WHEN)
        assert notes["TPA-2025C1-001-A1"] == "=cmd|' /C calc'!A0" and when["TPA-2025C1-001-A1"] == "+SUM(1,2)"
        assert notes["TPA-2025C1-002-A1"] == "rang the school twice"   # control characters dropped, text kept
        assert when["TPA-2025C1-002-A1"] == "@HYPERLINK(\"http://x\")"
        assert notes["TPA-2025C1-004-A1"] == "x" * 32767                # as much as an Excel cell holds
        ws = load_workbook(path)["Actions"]
        assert not any(c.data_type == "f" for row in ws.iter_rows(min_row=2) for c in row)
        write_register(store, path, TODAY)                  # a one-shot write after that: still text
