"""Bounded memory (issue 16, item 4): generate and ingest hand things on one at a time and keep only counts and IDs."""

from __future__ import annotations

import gc
import subprocess
import sys
import tracemalloc
import weakref
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from processors.allocation.caselist import CASE_COLUMNS, open_work_items
from processors.config.settings import PROJECT_ROOT, Settings, load_settings
from processors.demo.fill import fill_form
from processors.errors import InputFileError
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator
from processors.generate.run import generate_from_file, generate_stream
from processors.intake import pipeline as pipeline_module
from processors.intake.inbox import collect, iter_files
from processors.intake.pipeline import Pipeline
from processors.intake.received import IntakeFile
from processors.intake.stages.base import Stage
from processors.store.database import Store
from tests.conftest import write_config
from tests.returned_forms import CASE, thematic_answers

ROW = "CF{n},J.S.,{age},Child in Need,Early Help,Early Help Corby,Siân Llewelyn,Niamh O'Connor"


def case_csv(path: Path, rows: int, bad_row: int | None = None) -> Path:
    """A case list; ``bad_row`` (Excel numbering: the header is row 1) gets an age that is not one."""
    lines = [",".join(CASE_COLUMNS)]
    for k in range(rows):
        lines.append(ROW.format(n=1000000 + k, age="eleven" if k + 2 == bad_row else k % 18))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def generated(settings: Settings) -> list[Path]:
    root = settings.path("generated")
    return sorted(root.rglob("*.docx")) if root.exists() else []


def leftovers(settings: Settings) -> list[Path]:
    root = settings.path("generated")
    return [p for p in root.iterdir() if p.name.startswith(".partial")] if root.exists() else []


# --- generate ----------------------------------------------------------------------------------

def test_forms_are_rendered_while_the_list_is_still_being_read(settings: Settings) -> None:
    pulled: list[int] = []
    pulled_when_rendered: list[int] = []

    def rows() -> Iterator[WorkItem]:
        for n in range(5):
            pulled.append(n)
            yield WorkItem("thematic_audit", replace(CASE, case_id=f"CF{n:07d}"), "2026-C09")

    generator = FormGenerator(settings.path("templates"), "Trust", 14)
    results = generator.generate(rows(), settings.path("generated"), on_form=lambda _f: pulled_when_rendered.append(
        len(pulled)), keep_forms=False)
    assert pulled_when_rendered == [1, 2, 3, 4, 5]  # each form written before the next row was read
    assert [r.count for r in results] == [5] and results[0].forms == []  # counts only, as asked
    assert len(generated(settings)) == 5 and not leftovers(settings)


def test_a_list_that_fails_part_way_leaves_no_form_and_no_work_item(settings: Settings) -> None:
    def rows() -> Iterator[WorkItem]:
        for n in range(3):
            yield WorkItem("thematic_audit", replace(CASE, case_id=f"CF{n:07d}"), "2026-C09")
        raise InputFileError("cases.csv", "'eleven' is not an age", row=5, column="Age")

    with pytest.raises(InputFileError):
        generate_stream(settings, rows())
    assert not generated(settings) and not leftovers(settings)
    with Store(settings.path("database")) as store:
        assert store.work_items() == []


def test_a_bad_row_near_the_end_of_a_case_list_stops_after_forms_were_rendered_yet_leaves_nothing(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = {"n": 0}
    original = FormGenerator.render

    def counting(self: FormGenerator, item: WorkItem) -> bytes:
        rendered["n"] += item.case.case_id.startswith("CF100")  # the list's rows, not the templates' check
        return original(self, item)

    monkeypatch.setattr(FormGenerator, "render", counting)
    cases = case_csv(tmp_path / "cases.csv", 6, bad_row=6)
    with pytest.raises(InputFileError) as caught:
        generate_from_file(settings, cases, "2026-C09", "thematic_audit")
    assert str(caught.value).startswith("cases.csv, row 6, column 'Age'")
    assert rendered["n"] == 4  # rows 2-5 rendered as they were read; row 6 stopped the run
    assert not generated(settings) and not leftovers(settings)
    with Store(settings.path("database")) as store:
        assert store.work_items() == []


def test_generate_from_a_list_gives_later_listed_form_ids_to_nobody_else(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "allocation.csv"
    header = "Form ID,Form type,Cycle," + ",".join(CASE_COLUMNS)
    path.write_text("\n".join([header, "," + "TPA,2026-C09," + ROW.format(n=1, age=3),
                               "2026-C09-TPA-001,TPA,2026-C09," + ROW.format(n=2, age=4)]) + "\n", encoding="utf-8")
    summary = generate_from_file(settings, path, "2026-C09", None)
    assert summary.count == 2 and summary.summary_lines()[1].strip().startswith("2 x Thematic Peer Audit")
    names = [p.name for p in generated(settings)]
    assert names == ["2026-C09-TPA-001_CF2.docx", "2026-C09-TPA-002_CF1.docx"]


def peak_generating(folder: Path, rows: int) -> int:
    """tracemalloc's peak while `generate` reads, checks and writes a case list of ``rows`` rows.

    The rendering is replaced by a fixed small document: it costs the same for every form, and what is
    measured is what the run keeps as the list goes by. Run in a fresh interpreter (see the test).
    """
    settings = load_settings(write_config(folder))
    FormGenerator.render = lambda self, item, extra=None: item.form_id.encode() * 200  # type: ignore[method-assign]
    generate_from_file(settings, case_csv(folder / "warm-up.csv", 50), "2026-C08", "thematic_audit")
    cases = case_csv(folder / f"cases-{rows}.csv", rows)
    gc.collect()
    tracemalloc.start()
    try:
        generate_from_file(settings, cases, "2026-C09", "thematic_audit")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _peak_in_fresh_interpreter(folder: Path, rows: int) -> int:
    folder.mkdir()
    code = ("import sys; from pathlib import Path; from tests.test_bounded_memory import peak_generating; "
            "print(peak_generating(Path(sys.argv[1]), int(sys.argv[2])))")
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(rows)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=True)
    return int(done.stdout.split()[-1])


def test_memory_for_a_long_case_list_does_not_grow_with_its_length(tmp_path: Path) -> None:
    """Reading, checking, assigning IDs, writing and spooling 3,000 rows against 300, each in a clean interpreter."""
    small = _peak_in_fresh_interpreter(tmp_path / "small", 300)
    large = _peak_in_fresh_interpreter(tmp_path / "large", 3000)
    per_row = (large - small) / 2700
    # Only IDs stay (the form ID, and the case ID for the duplicate check): about 100 bytes a row. Holding
    # the rows (work items) would cost over 800 bytes a row, rendered forms tens of kilobytes.
    assert large < 2 * small and per_row < 500, f"peak {large:,} bytes for 3,000 rows against {small:,} for 300"


def test_reading_a_list_lazily_holds_one_row_at_a_time(tmp_path: Path) -> None:
    cases = case_csv(tmp_path / "cases.csv", 4000)
    tracemalloc.start()
    try:
        items = open_work_items(cases, "2026-C09", "thematic_audit")
        count = sum(1 for _ in items)
        lazily = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        whole = list(open_work_items(cases, "2026-C09", "thematic_audit"))
        listed = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == len(whole) == 4000
    print(f"peak {lazily:,} bytes read lazily, {listed:,} listed")
    assert lazily * 2 < listed  # only the IDs kept for the duplicate check, not the rows


# --- ingest ------------------------------------------------------------------------------------

class Spy(Stage):
    """Remembers each file that went through, weakly: it must be gone once the file is done."""

    name = "spy"

    def __init__(self, pipeline: Pipeline) -> None:
        super().__init__(pipeline.services)
        self.refs: list[weakref.ref[object]] = []
        self.files = 0

    def applies(self, item: IntakeFile) -> bool:
        return True

    def run(self, item: IntakeFile) -> None:
        self.files += 1
        self.refs.append(weakref.ref(item))
        if item.parsed is not None:
            self.refs.append(weakref.ref(item.parsed))
        if item.form is not None:
            self.refs.append(weakref.ref(item.form))


@pytest.fixture
def inbox(settings: Settings) -> Path:
    with Store(settings.path("database")) as store:
        items = [work_item_for(n) for n in range(3)]
        store.add_work_items(items)
    folder = settings.path("inbox")
    folder.mkdir(parents=True)
    generator = FormGenerator(settings.path("templates"), "Trust", 14)
    for item in items:
        (folder / f"{item.form_id}.docx").write_bytes(fill_form(generator.render(item), thematic_answers()))
    for n in range(4):
        (folder / f"note {n}.txt").write_text("not a form", encoding="utf-8")
    return folder


def work_item_for(n: int) -> WorkItem:
    case: Case = replace(CASE, case_id=f"CF{2468200 + n}")
    return WorkItem("thematic_audit", case, "2026-C09", form_id=f"2026-C09-TPA-{n + 1:03d}", auditor="Niamh O'Connor")


def test_ingest_lets_go_of_each_file_and_its_parsed_form_once_done(settings: Settings, inbox: Path) -> None:
    done_when_pulled: list[int] = []

    def lazily() -> Iterator[Path]:
        for path in iter_files([inbox]):
            done_when_pulled.append(spy.files)
            yield path

    with Store(settings.path("database")) as store:
        pipeline = Pipeline(settings, store)
        spy = Spy(pipeline)
        pipeline.stages.append(spy)
        report = pipeline.process_batch(lazily(), register=False)
        gc.collect()
        assert report.count("recorded") == 3 and report.count("rejected") == 4 and report.files == 7
        assert len(spy.refs) >= 7 + 3 + 3  # every file, and the parsed and validated forms of the three
        alive = [r() for r in spy.refs if r() is not None]
        assert alive == [], f"{len(alive)} per-file object(s) still held after the batch"
    assert done_when_pulled == [0, 1, 2, 3, 4, 5, 6]  # each file done before the next was asked for


def test_a_long_batch_keeps_counts_and_a_bounded_list(settings: Settings, inbox: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline_module, "KEPT", 2)
    with Store(settings.path("database")) as store:
        report = Pipeline(settings, store).process_batch(iter_files([inbox]), register=False)
    assert (report.files, report.count("recorded"), report.count("rejected")) == (7, 3, 4)
    assert len(report.outcomes) == 2 and len(report.notable) == 2 and len(report.sent) <= 2
    assert report.emails_sent >= 3  # each recorded audit's findings went to its team manager; all counted
    lines = report.summary_lines()
    assert lines[0].startswith("Processed 7 file(s)") and "3 recorded" in lines[0] and "4 rejected" in lines[0]
    assert sum(line.startswith("  rejected ") for line in lines) == 2
    assert any("... and 2 more not recorded" in line for line in lines)
    assert any(f"{report.emails_sent} email(s) sent" in line for line in lines)


def test_the_inbox_is_listed_lazily_in_the_order_sorting_would_give(tmp_path: Path) -> None:
    for name in ("b.docx", "a/z.docx", "a/y.docx", "a.docx", ".hidden/x.docx", "c/~$owner.docx", "c/d.pdf"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    files = iter_files([tmp_path])
    assert next(files) == tmp_path / "a" / "y.docx"  # handed out before the rest of the tree is walked
    expected = sorted(p for p in tmp_path.rglob("*") if p.is_file() and ".hidden" not in p.parts
                      and not p.name.startswith("~$"))
    assert [tmp_path / "a" / "y.docx", *files] == expected == collect([tmp_path])
    assert collect([tmp_path / "b.docx", tmp_path]).count(tmp_path / "b.docx") == 1


# --- the register's full write -----------------------------------------------------------------

def peak_writing_register(folder: Path, forms: int, whole: bool = False) -> int:
    """tracemalloc's peak while a one-shot command writes the register of a store holding ``forms`` forms (each
    with 7 graded areas, an action and its allocation: 10 register rows a form, an escalation every 40th).
    ``whole``: the register written from one snapshot with every sheet's rows held (the watcher's path, and
    every command's before issue 16), for comparison. Run in a fresh interpreter (see the test)."""
    from datetime import date, datetime

    from benchmarks.bench_register import synthetic_form
    from processors.register import sheet_rows, spool, streamed
    from processors.register.incremental import RegisterMemory
    from processors.register.workbook import write_register

    # what is held at a time is capped (a page of forms, a chunk of rows, the rows the widths are fitted to):
    # smaller caps, so that both sizes measured are past them and only what grows with the rows shows
    streamed.PAGE = spool.CHUNK_ROWS = spool.SAMPLE_ROWS = sheet_rows._CHUNK_ROWS = 100

    with Store(folder / "qa.sqlite3") as store:
        pairs = [synthetic_form(n, 1, 7) for n in range(forms)]
        with store.transaction():
            store.add_work_items([item for item, _ in pairs], generated_at=datetime(2025, 1, 1, 8))
            for _, form in pairs:
                store.record_form(form, form.parsed.source.name)
        del pairs
        write_register(store, folder / "warm-up.xlsx", date(2026, 12, 1))  # every module imported, caches filled
        gc.collect()
        tracemalloc.start()
        try:
            report = write_register(store, folder / "register.xlsx", date(2026, 12, 1),
                                    memory=RegisterMemory() if whole else None)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert report.rows["Forms"] == forms and report.rows["Grades"] == 7 * forms
    return peak


def _register_peak_in_fresh_interpreter(folder: Path, forms: int, whole: bool = False) -> int:
    folder.mkdir()
    code = ("import sys; from pathlib import Path; from tests.test_bounded_memory import peak_writing_register; "
            "print(peak_writing_register(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == 'whole'))")
    done = subprocess.run([sys.executable, "-c", code, str(folder), str(forms), "whole" if whole else "streamed"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=True)
    return int(done.stdout.split()[-1])


def test_writing_the_register_takes_memory_that_does_not_grow_with_its_rows(tmp_path: Path) -> None:
    """The register of 4,500 forms (45,000 rows) against 1,500 (15,000 rows), each written in a clean interpreter.

    Both sizes are past the caps on what is held at once (nearly so for Python's own free lists, which keep up to
    2,000 tuples of each size: smaller stores would measure those filling up). Only the stored fingerprints of the
    computed cells grow with the store (compressed: a few hundred bytes a form). Holding a snapshot of the records
    and every sheet's rows, as the full write did before issue 16, costs about 9 kilobytes a form more here (the
    test fails on that code: 47 MB against 20 MB)."""
    small = _register_peak_in_fresh_interpreter(tmp_path / "small", 1500)
    large = _register_peak_in_fresh_interpreter(tmp_path / "large", 4500)
    per_form = (large - small) / 3000
    message = f"peak {large:,} bytes for 4,500 forms against {small:,} for 1,500 ({per_form:,.0f} bytes a form)"
    print(message)
    assert large < 1.5 * small and per_form < 1500, message
