"""The watcher's register writes after the first redo only the rows of forms that changed (issue 16): the file they
give must hold exactly what a full write from the same store holds, and the shortcut must not be taken when it
could be wrong (people edited the file, a new day, a rejected file)."""

from __future__ import annotations

import errno
import zipfile
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from pypdf import PdfReader

from processors.errors import RegisterLockedError
from processors.forms.models import Case, Rejection
from processors.register import workbook as register_module
from processors.register.columns import SHEETS
from processors.register.edits import read_sheets
from processors.register.incremental import RegisterMemory, can_patch
from processors.register.sheet_rows import SheetData, clean_text, fill_frame
from processors.register.workbook import write_register
from processors.register.write import build_workbook, save_atomically
from processors.store.database import ActionEdit, Changes, SentRecord, Store
from processors.word.office import convert
from tests.test_store import make_form, make_item

TODAY = date(2025, 3, 20)
ACTIONS_SHEET = next(s for s in SHEETS if s.title == "Actions")


def _case(n: int) -> Case:
    return Case(f"CF{2000000 + n}", "Q.R.", 8, "Child in Need", f"Service {n % 3}", f"Team {n % 4}",
                f"Practitioner {n % 5}", f"Manager {n % 4}")


def _record(store: Store, n: int, **kwargs: object) -> str:
    form_id = f"TPA-2025C1-{n:03d}"
    store.add_work_items([make_item(form_id, case=_case(n))], generated_at=datetime(2025, 3, 1, 9))
    form = make_form(form_id, f"sha-{n}-{kwargs.pop('version', 1)}", received=datetime(2025, 3, 2, 9) +
                     timedelta(minutes=n), **kwargs)
    store.record_form(replace(form, case_id=_case(n).case_id), f"{form_id}.docx")
    return form_id


def sheets_of(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's rows (Overview and How to use in order; data rows sorted, since a changed form keeps its
    place in the incremental write but moves in a full one)."""
    wb = load_workbook(path)
    out = {}
    for ws in wb:
        rows = [tuple(c.value for c in row) for row in ws.iter_rows()]
        out[ws.title] = rows if ws.title in ("Overview", "How to use") else [rows[0], *sorted(rows[1:], key=repr)]
        out[ws.title + " tables"] = sorted((t.displayName, t.ref) for t in ws.tables.values())
    return out


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "qa.sqlite3") as s:
        for n in range(1, 41):
            _record(s, n, concern=n % 10 == 0, actions=n % 3)
        yield s


def full_write(store: Store, tmp_path: Path, name: str) -> Path:
    """A full write of the same store to another file (its own state saved and put back)."""
    path = tmp_path / name
    keep = {k: store.get_state(k) for k in ("register_sha256", "register_computed", "register_carried")}
    write_register(store, path, TODAY)
    for key, value in keep.items():
        store.set_state(key, value)
    return path


def no_full_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object) -> None:
        raise AssertionError("the whole store was read again")
    monkeypatch.setattr(register_module, "take_snapshot", refuse)


def test_rows_of_changed_forms_are_redone_and_the_file_matches_a_full_write(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    assert memory.last is not None

    new = _record(store, 41, concern=True, actions=3)                  # a new form with an escalation
    _record(store, 7, grade="Inadequate", actions=1, version=2)       # a corrected copy of an earlier form
    store.mark_escalation_notified("TPA-2025C1-010")                  # a notice sent
    store.set_action_edits({"TPA-2025C1-002-A1": ActionEdit("Completed", date(2025, 3, 18), "done")})
    store.mark_chased(["TPA-2025C1-004-A1"], TODAY)
    store.record_sent(SentRecord(datetime(2025, 3, 20, 9), "escalation", "Immediate concern TPA-2025C1-041",
                                 "sm@example-trust.org.uk", "", "outbox", "sent"))
    no_full_read(monkeypatch)
    write_register(store, path, TODAY, memory)

    monkeypatch.undo()
    expected = sheets_of(full_write(store, tmp_path, "full.xlsx"))
    got = sheets_of(path)
    assert got == expected
    forms = {r[0]: r for r in got["Forms"][1:]}
    assert new in forms and forms["TPA-2025C1-007"][5] == "Inadequate"
    assert any(r[0] == "TPA-2025C1-002-A1" and "Completed" in r for r in got["Actions"])


def test_an_unchanged_store_rewrites_nothing_but_the_frame(store: Store, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    before = sheets_of(path)
    no_full_read(monkeypatch)
    write_register(store, path, TODAY, memory)
    assert sheets_of(path) == before


@pytest.mark.parametrize("what", ["person saved the register", "a new day", "a rejected file"])
def test_the_whole_store_is_read_again_when_the_shortcut_could_be_wrong(store: Store, tmp_path: Path,
                                                                         what: str) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    today = TODAY
    if what == "person saved the register":
        wb = load_workbook(path)
        ws = wb["Actions"]
        status = [c.value for c in ws[1]].index("Status") + 1
        ws.cell(2, status).value = "Completed"
        wb.save(path)
    elif what == "a new day":
        today = TODAY + timedelta(days=1)
    else:
        store.record_rejection(Rejection(Path("TPA-2025C1-003.docx"), "not a Word document",
                                         datetime(2025, 3, 20, 9), "TPA-2025C1-003"), "sha-bad")
    reads: list[int] = []
    take = register_module.take_snapshot

    def counted(*args: object):
        reads.append(1)
        return take(*args)
    register_module.take_snapshot = counted
    try:
        write_register(store, path, today, memory)
    finally:
        register_module.take_snapshot = take
    assert reads == [1]
    if what == "person saved the register":
        assert [a.status for a in store.actions(form_ids={"TPA-2025C1-001"})][0] == "Completed"


def test_the_change_log_is_kept_by_the_store_and_emptied_once_written(store: Store, tmp_path: Path) -> None:
    write_register(store, tmp_path / "register.xlsx", TODAY)
    start = store.last_change()
    assert not store.changes_since(start).any
    _record(store, 50)
    store.mark_chased(["TPA-2025C1-002-A1"], TODAY)
    changes = store.changes_since(start)
    assert changes.form_ids == {"TPA-2025C1-050", "TPA-2025C1-002"}
    assert {"forms", "grades", "actions", "work_items"} <= changes.tables
    write_register(store, tmp_path / "register.xlsx", TODAY)
    assert store.query("SELECT COUNT(*) FROM changes") == [(0,)]
    _record(store, 51)
    assert store.changes_since(changes.seq).form_ids == {"TPA-2025C1-051"}  # numbers never reused


def test_an_incremental_write_opens_in_libreoffice(store: Store, tmp_path: Path) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    _record(store, 42, concern=True, actions=2)
    write_register(store, path, TODAY, memory)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    (pdf,) = convert([path], "pdf", tmp_path / "pdf")
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "TPA-2025C1-042" in text


def test_only_changes_naming_a_form_are_patched() -> None:
    form = Changes(3, frozenset({"TPA-1"}), frozenset({"forms", "grades", "sent"}), frozenset({"sent"}))
    assert can_patch(form)
    assert not can_patch(Changes(3, frozenset(), frozenset({"rejected_concerns"}), frozenset({"rejected_concerns"})))
    assert not can_patch(Changes(3, frozenset({"TPA-1"}), frozenset({"rejected"}), frozenset()))
    assert not can_patch(Changes(3, frozenset(), frozenset({"assurance"}), frozenset({"assurance"})))


# --- what an unlucky office types ---------------------------------------------------------------------------

HOSTILE = st.text(st.characters(blacklist_categories=()), max_size=60) | st.sampled_from([
    "Line one\nline two, with a comma", "=HYPERLINK(\"http://x\",\"y\")", "A" * 250 + ",\n" + "B" * 250,
    "Tom & Jerry <b>bold</b> \"quoted\"", "  padded  ", "\x01\x0b\x1f control", "\ud800 lone surrogate", "é漢字🙂"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=HOSTILE, second=HOSTILE)
def test_any_text_is_written_into_the_rows_as_text_and_read_back_cleaned(first: str, second: str,
                                                                         tmp_path: Path) -> None:
    """The rows written straight into the sheet (not by openpyxl) hold any text as text, cleaned as openpyxl's
    path cleans it; Excel's and calamine's readers both get it back."""
    rows = [("TPA-X-A1", "TPA-X", first, "", None, "Open", None, second, None, None, "", "", ""),
            ("TPA-X-A2", "TPA-X", second, "", None, "Open", None, first, None, None, "", "", "")]
    path = tmp_path / "register.xlsx"
    path.unlink(missing_ok=True)
    save_atomically(build_workbook({"Actions": rows}, frame=True), path,
                    lambda frame, target: fill_frame(frame, target, [SheetData(ACTIONS_SHEET, rows)]))
    ws = load_workbook(path)["Actions"]
    calamine = read_sheets(path, ["Actions"])["Actions"]
    for r, (a, b) in ((2, (first, second)), (3, (second, first))):
        assert (ws.cell(r, 3).value, ws.cell(r, 8).value) == (clean_text(a) or None, clean_text(b) or None)
        assert ws.cell(r, 8).data_type == "s" or not clean_text(b)
        assert calamine[r - 1][2] == (clean_text(a) or None)


def test_a_full_disk_leaves_the_register_as_it_was_and_the_next_write_complete(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    before = path.read_bytes()
    new = _record(store, 43, practitioner="P" * 250 + ",\nSecond line")

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(register_module, "fill_frame", full_disk)
    with pytest.raises(OSError):
        write_register(store, path, TODAY, memory)
    assert path.read_bytes() == before and memory.last is None and store.register_dirty
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]  # no scratch file left
    monkeypatch.undo()
    write_register(store, path, TODAY, memory)
    forms = {r[0]: r for r in sheets_of(path)["Forms"][1:]}
    assert new in forms


def test_a_full_disk_while_a_one_shot_write_spools_its_rows_leaves_the_register_as_it_was(
        store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-shot commands' write (ingest, chase, report: no memory) spools rows to the temporary folder first;
    that folder filling up loses nothing either."""
    from processors.register import spool

    path = tmp_path / "register.xlsx"
    write_register(store, path, TODAY)
    before = path.read_bytes()
    new = _record(store, 45, practitioner="Q" * 250 + ",\nSecond line")

    def full_disk(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(spool.pickle, "dump", full_disk)
    monkeypatch.setattr(spool, "CHUNK_ROWS", 1)  # every row goes to disk at once
    with pytest.raises(OSError):
        write_register(store, path, TODAY)
    assert path.read_bytes() == before and store.register_dirty
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~")]  # no scratch file left
    monkeypatch.undo()
    write_register(store, path, TODAY)
    forms = {r[0]: r for r in sheets_of(path)["Forms"][1:]}
    assert new in forms and forms[new][list(SHEETS[0].headers).index("Practitioner")].startswith("Q" * 250)


def test_a_register_open_in_excel_is_left_alone_and_written_once_closed(store: Store, tmp_path: Path) -> None:
    path, memory = tmp_path / "register.xlsx", RegisterMemory()
    write_register(store, path, TODAY, memory)
    before = path.read_bytes()
    new = _record(store, 44)
    lock = tmp_path / "~$register.xlsx"
    lock.write_text("someone")
    with pytest.raises(RegisterLockedError):
        write_register(store, path, TODAY, memory)
    assert path.read_bytes() == before and store.register_dirty
    lock.unlink()
    write_register(store, path, TODAY, memory)
    assert new in {r[0] for r in sheets_of(path)["Forms"][1:]}
