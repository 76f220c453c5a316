"""Nothing stops the loop, nothing leaks, nothing overwrites: each way an unlucky office or an attacker broke
intake, as a case (issue 11, items 6-10 and 12). Add a case to the table of its category.

Concurrency runs real processes (`python run.py ...`); a full disk is a real small tmpfs when this runs as
root, else a patched write; email goes to the outbox and is counted there.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from processors.allocation.caselist import write_allocation
from processors.chase.run import run_chase
from processors.cli import cli
from processors.config.settings import PROJECT_ROOT, Settings, load_settings
from processors.demo.fill import fill_form
from processors.errors import AlreadyRunningError, ConfigError, StoreDamaged, StoreLostError
from processors.forms.models import WorkItem
from processors.generate.forms import FormGenerator
from processors.intake.destination import FolderDestination
from processors.intake.inbox import move_unique
from processors.intake.pipeline import Pipeline
from processors.intake.run import ingest_paths
from processors.mail.directory import Person, StaffDirectory
from processors.store.database import Store
from processors.store.lock import run_lock
from tests.conftest import write_config
from tests.returned_forms import GPR, TPA, good_practice_answers, thematic_answers

DOMAIN = "example-trust.org.uk"
CONCERN = {"immediate_concern": "Yes", "immediate_concern_details": "No visit for nine weeks",
           "escalation_route": "Not applicable"}


# --- a small office ---------------------------------------------------------------------------------

def tpa(n: int) -> WorkItem:
    return replace(TPA, form_id=f"2026-C09-TPA-{n:03d}", case=replace(TPA.case, case_id=f"CF{2000000 + n}"))


@pytest.fixture
def office(tmp_path: Path) -> Settings:
    """Work items from a real allocation file, a staff list, an empty inbox."""
    settings = load_settings(write_config(tmp_path, watch={"stable_seconds": 0.2, "rescan_seconds": 0.5,
                                                            "register_debounce_seconds": 0.3}))
    items = [tpa(n) for n in range(1, 7)] + [GPR]
    allocation = settings.path("generated") / "2026-C09" / "allocation_2026-C09.xlsx"
    allocation.parent.mkdir(parents=True)
    write_allocation(allocation, items)
    with Store(settings.path("database")) as store:
        store.add_work_items(items)
    StaffDirectory([Person("Rhys ap Gwilym", f"rhys.apgwilym@{DOMAIN}"),
                    Person("Zofia Kamińska", f"zofia.kaminska@{DOMAIN}"),
                    Person("Abena Mensah", f"abena.mensah@{DOMAIN}")]).save(settings.path("staff"))
    settings.path("inbox").mkdir(parents=True)
    return settings


def drop(settings: Settings, item: WorkItem, answers: dict[str, object], name: str, folder: Path | None = None) -> Path:
    path = (folder or settings.path("inbox")) / name
    path.write_bytes(fill_form(FormGenerator(settings.path("templates"), "Trust", 14).render(item), answers))
    return path


def drop_batch(settings: Settings) -> int:
    """Six thematic audits (two with an immediate concern) and a good-practice record; returns emails owed."""
    for n in range(1, 7):
        drop(settings, tpa(n), thematic_answers(**(CONCERN if n in (2, 5) else {})), f"audit {n}.docx")
    drop(settings, GPR, good_practice_answers(), "good practice.docx")
    return 2 + 2  # an alert per concern; the good-practice notice and the thank-you letter


NOTICE_KINDS = ("escalation", "good_practice", "thank_you")  # the notices these tests count


def kind_of(path: Path) -> str:
    return path.read_text(errors="replace").split("X-QA-Kind: ")[1].split()[0]


def outbox(settings: Settings, kinds: tuple[str, ...] = NOTICE_KINDS) -> list[Path]:
    """The notice emails in the outbox (findings and SMART requests are counted by their own tests)."""
    found = sorted(settings.path("outbox").glob("*.eml")) if settings.path("outbox").exists() else []
    return [p for p in found if kind_of(p) in kinds]


def no_email_twice(settings: Settings) -> None:
    """Whatever its kind, no email went out twice."""
    subjects = Counter((kind_of(p), p.read_text(errors="replace").split("Subject: ")[1].splitlines()[0])
                       for p in settings.path("outbox").glob("*.eml"))
    assert [s for s, n in subjects.items() if n > 1] == []


def recorded(settings: Settings) -> list[tuple[str, int]]:
    with Store(settings.path("database")) as store:
        return [(f.form_id, f.version) for f in store.forms(include_superseded=True)]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_py(settings: Settings, *args: str, wait: bool = True, timeout: float = 240) -> subprocess.Popen | \
        subprocess.CompletedProcess:
    command = [sys.executable, str(PROJECT_ROOT / "run.py"), *args, "--config",
               str(settings.path("inbox").parent / "config.yaml")]
    if wait:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=PROJECT_ROOT)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)


Sheet = openpyxl.worksheet.worksheet.Worksheet


def edit_sheet(settings: Settings, title: str, change: Callable[[Sheet], None]) -> None:
    workbook = openpyxl.load_workbook(settings.path("register"))
    change(workbook[title])
    workbook.save(settings.path("register"))


def rows_of(settings: Settings, title: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(settings.path("register"))
    rows = list(wb[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:] if any(v is not None for v in r)]


def type_in(ws: openpyxl.worksheet.worksheet.Worksheet, column: str, value: object, row: int = 2) -> None:
    header = [c.value for c in ws[1]]
    ws.cell(row=row, column=header.index(column) + 1, value=value)


# --- 6. a lost store ----------------------------------------------------------------------------------

def lose_store(settings: Settings) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(settings.path("database")) + suffix).unlink(missing_ok=True)


def test_a_lost_store_stops_instead_of_rewriting_the_register(office: Settings) -> None:
    drop_batch(office)
    ingest_paths(office, [office.path("inbox")])
    edit_sheet(office, "Actions", lambda ws: type_in(ws, "Notes", "Rang the team manager"))
    before = sha(office.path("register"))
    lose_store(office)
    drop(office, tpa(1), thematic_answers(strengths="Corrected."), "late.docx")
    result = CliRunner().invoke(cli, ["ingest", "--config", str(office.path("inbox").parent / "config.yaml")])
    assert result.exit_code == StoreLostError.exit_code
    assert "the store" in result.output and "python run.py rebuild" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert sha(office.path("register")) == before            # people's notes are still there
    assert (office.path("inbox") / "late.docx").exists()       # nothing was taken


def test_rebuild_recreates_the_store_without_email_or_moving_files(office: Settings) -> None:
    owed = drop_batch(office)
    ingest_paths(office, [office.path("inbox")])
    edit_sheet(office, "Actions", lambda ws: (type_in(ws, "Status", "Completed"), type_in(ws, "Notes", "Done, rang")))
    edit_sheet(office, "Escalations", lambda ws: type_in(ws, "Outcome", "Visit booked"))
    processed = sorted(p.name for p in office.path("processed").iterdir())
    assert len(outbox(office)) == owed
    lose_store(office)

    result = run_py(office, "rebuild")
    assert result.returncode == 0, result.stderr
    assert "7 form(s) recorded" in result.stdout and "no email sent" in result.stdout
    assert len(outbox(office)) == owed                                          # nothing sent again
    assert sorted(p.name for p in office.path("processed").iterdir()) == processed  # nothing renamed or moved
    forms = rows_of(office, "Forms")
    assert len(forms) == 7 and all(f["Matched"] == "Yes" for f in forms)         # matched to the allocation
    first = rows_of(office, "Actions")[0]
    assert (first["Status"], first["Notes"]) == ("Completed", "Done, rang")
    assert rows_of(office, "Escalations")[0]["Outcome"] == "Visit booked"
    assert list(office.path("register").parent.glob("register.backup-*.xlsx"))
    again = run_py(office, "rebuild")                                           # idempotent
    assert "0 form(s) recorded and 7 already there" in again.stdout
    ingest = run_py(office, "ingest")                                           # and the next run goes on
    assert ingest.returncode == 0 and len(outbox(office)) == owed


# --- 9. people's work in the register -------------------------------------------------------------

def add_column(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    ws.cell(row=1, column=ws.max_column + 1, value="Rang on")
    ws.cell(row=2, column=ws.max_column, value="=cmd|' /C calc'!A0").data_type = "s"  # text that looks like a formula


def row_without_id(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    ws.append([None, None, "Chase the school", "Zofia Kamińska"])


def rename_header(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    type_in(ws, "Notes", "typed under a renamed header")
    type_in(ws, "Notes", "Comments", row=1)


def rename_sheet(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    type_in(ws, "Notes", "typed in a renamed sheet")
    ws.title = "Actions (Sam)"


PEOPLE_EDITS = [  # (what a person did to the Actions sheet, kept in the new register?, backup made?, reported as)
    pytest.param(add_column, True, False, "column 'Rang on'", id="added-column"),
    pytest.param(row_without_id, False, True, "has no Action ID", id="row-without-id"),
    pytest.param(rename_header, True, True, "column 'Comments' (renamed from 'Notes'?)", id="renamed-header"),
    pytest.param(rename_sheet, True, True, "sheet 'Actions (Sam)'", id="renamed-sheet"),
]


@pytest.mark.parametrize("edit, kept, backed_up, reported", PEOPLE_EDITS)
def test_a_rewrite_never_drops_peoples_work_silently(office: Settings, edit: Callable, kept: bool,
                                                      backed_up: bool, reported: str) -> None:
    drop(office, tpa(1), thematic_answers(), "audit.docx")
    ingest_paths(office, [office.path("inbox")])
    edit_sheet(office, "Actions", edit)
    before = office.path("register").read_bytes()
    drop(office, tpa(2), thematic_answers(), "audit 2.docx")
    report = ingest_paths(office, [office.path("inbox")])
    assert any(reported in w for w in report.register_warnings), report.register_warnings
    backups = list(office.path("register").parent.glob("register.backup-*.xlsx"))
    assert bool(backups) == backed_up, report.register_warnings
    if backups:
        assert backups[0].read_bytes() == before
    if kept:
        wb = openpyxl.load_workbook(office.path("register"))
        values = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row]
        typed = {"added-column": "=cmd|' /C calc'!A0", "renamed-header": "typed under a renamed header",
                 "renamed-sheet": "typed in a renamed sheet"}
        assert any(v == t for v in values for t in typed.values())
        assert "Actions" in wb.sheetnames and len(rows_of(office, "Actions")) == 2


def test_added_columns_stay_on_their_row_and_are_never_formulas(office: Settings) -> None:
    drop(office, tpa(1), thematic_answers(), "audit.docx")
    ingest_paths(office, [office.path("inbox")])
    edit_sheet(office, "Actions", add_column)
    drop(office, tpa(2), thematic_answers(), "audit 2.docx")
    ingest_paths(office, [office.path("inbox")])
    wb = openpyxl.load_workbook(office.path("register"))
    ws = wb["Actions"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
    assert rows["2026-C09-TPA-001-A1"]["Rang on"] == "=cmd|' /C calc'!A0"
    assert rows["2026-C09-TPA-002-A1"]["Rang on"] is None
    assert ws.cell(row=2, column=header.index("Rang on") + 1).data_type == "s"
    assert next(iter(ws.tables.values())).ref.startswith("A1:" + openpyxl.utils.get_column_letter(len(header)))


def test_chase_reads_the_register_before_it_reminds(office: Settings) -> None:
    drop(office, tpa(1), thematic_answers(action_1_due=date(2026, 1, 5)), "audit.docx")
    ingest_paths(office, [office.path("inbox")])
    edit_sheet(office, "Actions", lambda ws: type_in(ws, "Status", "Completed"))  # nothing rewrote it since
    before = len(outbox(office))
    with Store(office.path("database")) as store:
        run = run_chase(office, date(2026, 2, 2), store)
    assert not any(r.target_id == "2026-C09-TPA-001-A1" for r in run.sent)
    assert len(outbox(office)) == before or all("TPA-001-A1" not in p.read_text() for p in outbox(office))


# --- 7 and 10. one stuck file never blocks the batch, never leaves two copies or half a copy ----------

class Disk:
    """Patches os.rename (a move across disks) and os.unlink (an inbox that refuses deletes) for one test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, inbox: Path) -> None:
        self.inbox = inbox
        real_rename, real_unlink = os.rename, os.unlink

        def rename(src: object, dst: object, *a: object, **k: object) -> None:
            if Path(os.fsdecode(src)).parent == inbox:
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            real_rename(src, dst, *a, **k)

        def unlink(path: object, *a: object, **k: object) -> None:
            if self.read_only and Path(os.fsdecode(path)).parent == inbox:
                raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
            real_unlink(path, *a, **k)

        self.read_only = True
        monkeypatch.setattr(os, "rename", rename)
        monkeypatch.setattr(os, "unlink", unlink)


def test_a_read_only_inbox_across_disks_holds_the_file_and_never_adds_copies(office: Settings,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    disk = Disk(monkeypatch, office.path("inbox"))
    drop(office, tpa(1), thematic_answers(), "audit.docx")
    for _retry in range(3):
        report = ingest_paths(office, [office.path("inbox")])
        (outcome,) = report.outcomes
        assert outcome.status == "waiting" and "Permission denied" in outcome.reason
        assert list(office.path("processed").iterdir()) == []              # no copy per retry
        assert (office.path("inbox") / "audit.docx").exists()
    assert any("waiting audit.docx" in line for line in report.summary_lines())
    disk.read_only = False
    report = ingest_paths(office, [office.path("inbox")])
    assert [p.name for p in office.path("processed").iterdir()] == ["audit.docx"]
    assert recorded(office) == [("2026-C09-TPA-001", 1)]


STUCK = [  # (how the move fails, for the first file of three)
    pytest.param("vanished", id="file-vanished"),
    pytest.param("processed-read-only", id="processed-read-only"),
    pytest.param("long-name", id="245-character-name"),
]


@pytest.mark.parametrize("how", STUCK)
def test_one_stuck_file_never_blocks_the_files_behind_it(office: Settings, how: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    first_name = ("a" * 245 + ".docx") if how == "long-name" else "a first.docx"
    drop(office, tpa(1), thematic_answers(), first_name)
    drop(office, tpa(2), thematic_answers(), "b second.docx")
    drop(office, tpa(3), thematic_answers(), "c third.docx")
    real = FolderDestination.file_accepted

    def file_accepted(self: FolderDestination, name: str, source: Path | None) -> Path:
        if name == first_name and how == "vanished":
            assert source is not None
            source.unlink()
        if name == first_name and how == "processed-read-only":
            raise PermissionError(errno.EROFS, "Read-only file system", str(self.processed))
        return real(self, name, source)

    monkeypatch.setattr(FolderDestination, "file_accepted", file_accepted)
    report = ingest_paths(office, [office.path("inbox")])
    statuses = {o.source.name: o.status for o in report.outcomes}
    assert statuses["b second.docx"] == statuses["c third.docx"] == "recorded"
    assert len(recorded(office)) == 3
    if how == "long-name":
        assert statuses[first_name] == "recorded"
        (filed,) = [p for p in office.path("processed").iterdir() if p.name.startswith("aaa")]
        assert filed.suffix == ".docx" and len(filed.name.encode()) <= 200
    else:
        assert statuses[first_name] == "waiting"
        assert next(o for o in report.outcomes if o.source.name == first_name).reason


def test_long_names_stay_unique_when_shortened(tmp_path: Path) -> None:
    inbox, folder = tmp_path / "inbox", tmp_path / "processed"
    inbox.mkdir()
    names = ["x" * 240 + f"{n}.docx" for n in range(3)]
    for name in names:
        (inbox / name).write_bytes(name.encode())
    filed = [move_unique(inbox / name, folder) for name in names]
    assert len({p.name for p in filed}) == 3 and all(p.suffix == ".docx" for p in filed)
    assert sorted(p.read_bytes() for p in filed) == sorted(n.encode() for n in names)


@contextmanager
def full_disk(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`folder` on a 64 KB tmpfs when we may mount one; else writes into it fail with ENOSPC half way."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True).returncode == 0
    if not mounted:
        import shutil as shutil_module

        real = shutil_module.copyfileobj

        def copyfileobj(src: object, dst: object, length: int = 0) -> None:
            if Path(getattr(dst, "name", "")).parent == folder:
                dst.write(src.read(4096))  # type: ignore[attr-defined]
                raise OSError(errno.ENOSPC, "No space left on device")
            real(src, dst, length)

        monkeypatch.setattr(shutil_module, "copyfileobj", copyfileobj)
    try:
        yield "tmpfs" if mounted else "patched"
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def test_a_full_target_disk_leaves_no_truncated_file_under_the_real_name(office: Settings,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with full_disk(office.path("processed"), monkeypatch):
        big = drop(office, tpa(1), thematic_answers(strengths="x" * 20000), "audit.docx")
        (office.path("processed") / "filler").write_bytes(os.urandom(40_000)) if os.path.ismount(
            office.path("processed")) else None
        data = big.read_bytes()
        report = ingest_paths(office, [office.path("inbox")])
        (outcome,) = report.outcomes
        assert outcome.status == "waiting" and "space" in outcome.reason.lower()
        assert not (office.path("processed") / "audit.docx").exists()
        assert not [p for p in office.path("processed").iterdir() if p.name != "filler"]
        assert big.read_bytes() == data                                      # the source is still whole
    report = ingest_paths(office, [office.path("inbox")])                   # the disk has room again
    assert [o.status for o in report.outcomes] == ["duplicate"]
    assert [p.name for p in office.path("processed").iterdir()] == ["audit.docx"]
    assert (office.path("processed") / "audit.docx").read_bytes() == data


# --- 8. two runs at once ----------------------------------------------------------------------------

def test_two_ingests_at_once_record_and_email_everything_once(office: Settings) -> None:
    owed = drop_batch(office)
    runs = [run_py(office, "ingest", wait=False) for _ in range(2)]
    results = [(p.wait(timeout=240), p.communicate()) for p in runs]
    assert [code for code, _out in results] == [0, 0], results
    assert sorted(recorded(office)) == sorted([(tpa(n).form_id, 1) for n in range(1, 7)] + [(GPR.form_id, 1)])
    assert len(outbox(office)) == owed                                    # 4 emails for 4 notices, not 8
    no_email_twice(office)
    assert len(list(office.path("processed").iterdir())) == 7
    assert list(office.path("inbox").iterdir()) == []
    assert not list(office.path("letters").glob("*.partial")) and not list(office.path("letters").glob(".*"))


def test_ingest_while_watch_runs_records_and_emails_everything_once(office: Settings) -> None:
    watcher = run_py(office, "watch", wait=False)
    try:
        time.sleep(3)
        owed = drop_batch(office)
        result = run_py(office, "ingest")
        assert result.returncode == 0, result.stderr
        deadline = time.monotonic() + 60
        while any(office.path("inbox").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=60)
    assert watcher.returncode == 0, watcher.communicate()
    assert len(recorded(office)) == 7 and len(set(recorded(office))) == 7
    assert len(outbox(office)) == owed
    no_email_twice(office)
    assert len(list(office.path("processed").iterdir())) == 7
    assert not (office.path("inbox") / ".qa-watch.lock").exists()


def test_the_second_run_says_who_holds_the_lock(office: Settings) -> None:
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time\nfrom processors.config.settings import load_settings\n"
                               "from processors.store.lock import run_lock\n"
                               "with run_lock(load_settings(sys.argv[1]), 'report'):\n"
                               "    print('held', flush=True); time.sleep(30)",
                               str(office.path("inbox").parent / "config.yaml")],
                              stdout=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(AlreadyRunningError) as caught, run_lock(office, "ingest", wait=0.5):
            pass
        assert f"`report` (pid {holder.pid} on " in str(caught.value) and "since" in str(caught.value)
        assert str(office.path("database").parent) in str(caught.value)  # the state folder, not the inbox
    finally:
        holder.kill()
        holder.wait()


def test_a_notice_whose_second_message_failed_does_not_send_the_first_again(office: Settings) -> None:
    drop(office, GPR, good_practice_answers(), "good practice.docx")
    failing = {"thank_you"}
    with Store(office.path("database")) as store:
        pipeline = Pipeline(office, store)
        inner = pipeline.services.mailer

        class Flaky:
            name = "flaky"

            def send(self, message: object) -> object:
                from processors.errors import DeliveryError

                if getattr(message, "kind", "") in failing:
                    raise DeliveryError("server busy")
                return inner.send(message)  # type: ignore[arg-type]

        pipeline.services = replace(pipeline.services, mailer=Flaky())
        pipeline.notifier.services = pipeline.services
        report = pipeline.process_batch([office.path("inbox") / "good practice.docx"])
        assert report.delivery_problems and len(outbox(office)) == 1
        failing.clear()
        pipeline.send_pending_notices()
        kinds = sorted(p.read_text().split("X-QA-Kind: ")[1].split()[0] for p in outbox(office))
        assert kinds == ["good_practice", "thank_you"]                       # the first one went once
        assert store.pending_notices()["good_practice"] == []


def test_thank_you_letters_written_at_once_never_share_a_partial_file(office: Settings) -> None:
    drop(office, GPR, good_practice_answers(), "good practice.docx")
    ingest_paths(office, [office.path("inbox")])
    from processors.act.notices import thank_you_letter
    from processors.act.signatory import FROM_NOMINATOR, Signatory

    signatory = Signatory("Abena Mensah", "Senior Leader", "", FROM_NOMINATOR, "")

    with Store(office.path("database")) as store:
        record = store.form(GPR.form_id)
    assert record is not None
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(4):
                thank_you_letter(record, office, signatory)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [p.name for p in office.path("letters").iterdir()] == [f"{GPR.form_id}_thank_you.docx"]


# --- 12. smaller ones -------------------------------------------------------------------------------

def test_ingest_refuses_output_folders_inside_the_inbox(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path))
    inside = settings.model_copy(update={"paths": settings.paths.model_copy(
        update={"processed": settings.path("inbox") / "processed"})})
    with pytest.raises(ConfigError, match="paths.processed .* is inside"):
        ingest_paths(inside, [inside.path("inbox")])
    settings.path("processed").mkdir(parents=True)
    with pytest.raises(ConfigError, match="holds paths.processed"):
        ingest_paths(settings, [settings.path("processed")])


def test_a_hidden_name_that_is_a_form_is_taken_under_a_clean_name(office: Settings) -> None:
    drop(office, tpa(1), thematic_answers(), "..\\..\\x.docx")
    report = ingest_paths(office, [office.path("inbox")])
    assert [o.status for o in report.outcomes] == ["recorded"]
    assert [p.name for p in office.path("processed").iterdir()] == ["x.docx"]


def test_a_newline_in_a_file_name_cannot_forge_a_log_line(office: Settings) -> None:
    forged = "2026-01-01 00:00:00,000 INFO qa.pipeline: recorded 2026-C09-TPA-999 (thematic_audit)"
    (office.path("inbox") / f"photo\n{forged}.jpg").write_bytes(bytes.fromhex("FFD8FFE0") + b"\0" * 64)
    result = CliRunner().invoke(cli, ["ingest", "--config", str(office.path("inbox").parent / "config.yaml")])
    assert result.exit_code == 0, result.output
    log = (office.path("generated") / "logs" / "qa.log").read_text(encoding="utf-8")
    assert not any(line.startswith("2026-01-01") for line in log.splitlines())
    (line,) = [line for line in log.splitlines() if "photo" in line]
    assert "qa.pipeline: rejected 'photo" in line and "recorded 2026-C09-TPA-999" in line
    assert f"\n{forged}" not in result.output


def test_a_link_in_the_inbox_is_rejected_unread_and_never_archived_as_a_link(office: Settings,
                                                                          tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret.docx"
    secret.parent.mkdir()
    secret.write_bytes(b"PK\x03\x04 not for the inbox")
    (office.path("inbox") / "linked.docx").symlink_to(secret)
    report = ingest_paths(office, [office.path("inbox")])
    (outcome,) = report.outcomes
    assert outcome.status == "rejected" and "link" in outcome.reason
    filed = [*office.path("processed").glob("*"), *office.path("rejected").glob("*")] \
        if office.path("processed").exists() else list(office.path("rejected").glob("*"))
    assert not any(p.is_symlink() for p in filed)
    assert [p.name for p in office.path("rejected").iterdir()] == ["linked.docx.reason.txt"]
    assert secret.read_bytes() == b"PK\x03\x04 not for the inbox" and not any(office.path("inbox").iterdir())


def corrupt_a_page(settings: Settings) -> None:
    with Store(settings.path("database")) as store:
        store.add_work_items([tpa(n) for n in range(10, 200)])
    with closing(sqlite3.connect(settings.path("database"))) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    data = bytearray(settings.path("database").read_bytes())
    page = 4096
    data[3 * page:3 * page + 200] = os.urandom(200)
    settings.path("database").write_bytes(bytes(data))


def register_is_a_folder(settings: Settings) -> None:
    settings.path("register").mkdir(parents=True)


ONE_LINE = [  # (what is wrong with the installation, exit code, what the one line says)
    pytest.param(corrupt_a_page, 13, "is damaged", id="store-with-a-corrupt-page"),
    pytest.param(register_is_a_folder, 2, "is a folder", id="register-path-is-a-folder"),
]


@pytest.mark.parametrize("breakage, code, says", ONE_LINE)
def test_a_broken_installation_gives_one_line_saying_what_to_do(office: Settings, breakage: Callable, code: int,
                                                                says: str) -> None:
    drop(office, tpa(1), thematic_answers(), "audit.docx")
    breakage(office)
    result = CliRunner().invoke(cli, ["ingest", "--config", str(office.path("inbox").parent / "config.yaml")])
    assert result.exit_code == code, result.output
    (line,) = result.output.strip().splitlines()[-1:]
    assert says in line and "unexpected" not in result.output


def test_the_store_check_sees_a_damaged_file_at_once(office: Settings) -> None:
    corrupt_a_page(office)
    with pytest.raises(StoreDamaged, match="Restore it from a backup"):
        Store(office.path("database"))


def test_a_store_checked_beside_a_report_is_not_written_once_found_damaged(office: Settings) -> None:
    """A report run opens the store unchecked and checks it on a thread of its own while it reads the quarter:
    the damage is still reported, and nothing is written to the damaged file."""
    corrupt_a_page(office)
    before = office.path("database").read_bytes()
    with Store(office.path("database"), checked_beside=True) as store:
        assert store.soundness is not None
        with pytest.raises(StoreDamaged, match="Restore it from a backup"):
            store.set_state("touched", "yes")
        with pytest.raises(StoreDamaged, match="is damaged"):
            store.soundness.require()
    after = office.path("database").read_bytes()
    assert after[100:] == before[100:]  # the pages as they were (opening it in WAL mode rewrites the header's mode)
    wal = office.path("database").with_name(office.path("database").name + "-wal")
    assert not wal.exists() or wal.stat().st_size <= 32  # and no write waits in the log either


def test_a_report_run_on_a_damaged_store_gives_one_line_and_writes_no_document(office: Settings) -> None:
    drop(office, tpa(1), thematic_answers(), "audit.docx")
    assert CliRunner().invoke(cli, ["ingest", "--config", str(office.path("inbox").parent / "config.yaml")]
                              ).exit_code == 0
    corrupt_a_page(office)
    result = CliRunner().invoke(cli, ["report", "--quarter", "2026-Q3", "--config",
                                      str(office.path("inbox").parent / "config.yaml")])
    assert result.exit_code == StoreDamaged.exit_code, result.output
    assert "is damaged" in result.output.strip().splitlines()[-1] and "unexpected" not in result.output
    assert not list(office.path("generated").rglob("*.docx")) if office.path("generated").exists() else True
