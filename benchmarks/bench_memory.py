"""Benchmark: peak memory of `generate` over a 50,000-row case list and `ingest` of 50,000 returned forms.

    python -m benchmarks.bench_memory [--forms 50000] [--skip-peer] [--only generate|ingest|register]

Each figure is one child process (its peak resident memory, from the kernel's own count: os.wait4's
ru_maxrss for that child alone), beside the straightforward peer measured in the same run at the same state:

- generate, ours: `python run.py generate --cases cases.xlsx --type thematic_audit` (the list read row by
  row, each form written as it renders, work items spooled to disk until the end);
- generate, peer: the list loaded whole (openpyxl), every row a work item in a list, every stored work item
  loaded for the ID check, every generated form kept for the summary (what `generate` did before issue 16);
- ingest, ours: `ingest_paths(register=False)` (the inbox listed lazily, each file let go once done,
  outcomes and emails counted) and `python run.py ingest` (the register written at the end, as it is today);
- ingest, peer: every path listed first, every outcome and every email sent kept until the end (what
  `process_batch` did before issue 16), the register not written;
- ingest with the register written, peer: the same ingest, then the register written from one snapshot of the
  store with every sheet's rows held (what every command did before the register's full write streamed);
- `--only register`: the register write alone, ours (`write_register`, as a one-shot command) beside that peer,
  on a store of synthetic forms filled without documents (10 register rows a form), each on its own copy.

A handful of returned forms are rendered by our generator and filled with processors/demo/fill.py; the rest are
copies with their own form ID and case (benchmarks/form_copies.py), and every run must record all of them.
Target (issue 16, item 4): <= 300 MB peak for 50,000 forms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from benchmarks.common import ROOT, scratch_config

CYCLE = "2026-C09"
TARGET_MB = 300


@dataclass(frozen=True)
class Peak:
    mb: float
    seconds: float
    output: str


def measure(args: list[str], cwd: Path = ROOT) -> Peak:
    """Run a child; its own peak RSS (ru_maxrss of this child only, in KiB on Linux) and wall time."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"child failed ({child.returncode}): {' '.join(args)}\n{output[-3000:]}")
    return Peak(usage.ru_maxrss / 1024, time.perf_counter() - started, output)


def child(mode: str, *rest: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.bench_memory", "--child", mode, *rest]


# --- the children ------------------------------------------------------------------------------

def peer_generate(config: Path, cases: Path) -> None:
    """Before issue 16: the list loaded whole, every work item and every generated form held."""
    import openpyxl

    from processors.allocation.caselist import read_work_items
    from processors.config.settings import load_settings
    from processors.generate.forms import FormGenerator, assign_form_ids
    from processors.store.database import Store

    settings = load_settings(config)
    workbook = openpyxl.load_workbook(cases, data_only=True)  # the whole sheet, as read_grid did
    grid = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    items = read_work_items(cases, CYCLE, "thematic_audit")  # every row a work item, in one list
    del grid
    with Store(settings.path("database")) as store:
        items = assign_form_ids(items, taken=(w.form_id for w in store.work_items()))
    generator = FormGenerator(settings.path("templates"), settings.organisation, 14)
    results = generator.generate(items, settings.path("generated"), keep_forms=True)
    with Store(settings.path("database")) as store:
        store.add_work_items([i if i.due_date else replace(i, due_date=generator.default_due) for i in items],
                             generated_at=datetime.now())
    print(f"Generated {sum(len(r.forms) for r in results)} form(s)")


def ours_ingest(config: Path) -> None:
    from processors.config.settings import load_settings
    from processors.intake.run import ingest_paths

    settings = load_settings(config)
    report = ingest_paths(settings, [settings.path("inbox")], register=False)
    print("\n".join(report.summary_lines()[:3]))


def peer_ingest(config: Path) -> None:
    """Before issue 16: every path listed, every outcome and every email sent held to the end."""
    from processors.config.settings import load_settings
    from processors.intake.inbox import collect
    from processors.intake.pipeline import Pipeline
    from processors.store.database import Store
    from processors.store.lock import run_lock

    settings = load_settings(config)
    files = collect([settings.path("inbox")])
    with run_lock(settings, "ingest"), Store(settings.path("database")) as store:
        pipeline = Pipeline(settings, store)
        outcomes = [pipeline.process_file(path) for path in files]
        sent, problems = pipeline.send_pending_notices()  # everything the stages sent, kept until now
    recorded = sum(o.status == "recorded" for o in outcomes)
    print(f"Processed {len(outcomes)} file(s): {recorded} recorded, {len(sent)} email(s), {len(problems)} problems")


def whole_register(store: object, path: Path) -> int:
    """The register written from one snapshot of the store with every sheet's rows held: what a one-shot
    command's full write did before it streamed (take_snapshot, every sheet's rows in lists, the frame, the rows
    written into it, the fingerprints of the computed cells stored). Returns the rows written."""
    from processors.register.columns import BY_TITLE, SHEETS
    from processors.register.edits import KEYED, encode_fingerprints
    from processors.register.incremental import sheet_rows
    from processors.register.progress import take_snapshot
    from processors.register.sheet_rows import SheetData, fill_frame
    from processors.register.write import build_workbook, save_atomically
    from processors.store.database import Store

    assert isinstance(store, Store)
    with store.transaction():
        snapshot = take_snapshot(store, date.today())
    sheets = sheet_rows(snapshot, None)
    rows = {title: s.rows for title, s in sheets.items() if s.rows or not BY_TITLE[title].optional}
    data = [SheetData(spec, rows[spec.title]) for spec in SHEETS if len(rows.get(spec.title) or ()) > 1]
    save_atomically(build_workbook(rows, snapshot, frame=True), path, lambda frame, target: fill_frame(
        frame, target, data))
    store.set_state("register_computed", encode_fingerprints({s.title: sheets[s.title].fingerprints for s in KEYED}))
    return sum(len(r) for r in rows.values())


def peer_ingest_register(config: Path) -> None:
    """The same ingest, then the register written whole from one snapshot (``whole_register``)."""
    from processors.config.settings import load_settings
    from processors.intake.run import ingest_paths
    from processors.store.database import Store

    settings = load_settings(config)
    report = ingest_paths(settings, [settings.path("inbox")], register=False)
    print("\n".join(report.summary_lines()[:1]))
    with Store(settings.path("database")) as store:
        written = whole_register(store, settings.path("register"))
    print(f"register: {written:,} rows")


def ours_register(store_path: Path, register: Path) -> None:
    """A one-shot command's register write (streamed), on a store already filled."""
    from processors.register.workbook import write_register
    from processors.store.database import Store

    with Store(store_path) as store:
        print(f"register: {sum(write_register(store, register).rows.values()):,} rows")


def peer_register(store_path: Path, register: Path) -> None:
    from processors.store.database import Store

    with Store(store_path) as store:
        print(f"register: {whole_register(store, register):,} rows")


def register_store(path: Path, n: int) -> None:
    """A store of n synthetic forms (bench_register's: 7 graded areas and an action each, an escalation every
    40th, each allocated): 10 register rows a form, made without documents (in the parent, not measured)."""
    from benchmarks.bench_register import synthetic_form
    from processors.store.database import Store

    with Store(path) as store:
        for start in range(0, n, 5000):
            pairs = [synthetic_form(k, 1, 7) for k in range(start, min(n, start + 5000))]
            with store.transaction():
                store.add_work_items([item for item, _ in pairs], generated_at=datetime(2025, 1, 1, 8))
                for _, form in pairs:
                    store.record_form(form, form.parsed.source.name)


CHILDREN = {"peer-generate": peer_generate, "ours-ingest": ours_ingest, "peer-ingest": peer_ingest,
            "peer-ingest-register": peer_ingest_register, "ours-register": ours_register,
            "peer-register": peer_register}


# --- the set-up --------------------------------------------------------------------------------

def case_list(path: Path, n: int) -> None:
    """A case list of n rows, written with openpyxl's write-only mode (in the parent, not measured)."""
    import openpyxl

    from processors.allocation.caselist import CASE_COLUMNS, OPTIONAL_CASE_COLUMNS, case_cells
    from processors.demo.synthetic import make_cases, make_pool

    pool = make_pool(7)
    base = make_cases(500, 7, pool, today=date(2026, 11, 27))
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Cases")
    sheet.append([*CASE_COLUMNS, *OPTIONAL_CASE_COLUMNS])
    for k in range(n):
        case = replace(base[k % len(base)], case_id=f"CF{2000000 + k}")
        sheet.append([None if v == "" else v for v in case_cells(case)])
    workbook.save(path)


def returned_forms(folder: Path, n: int) -> Path:
    """n filled thematic audits in folder/inbox, with their work items in folder's store (shared by every run).

    A handful are rendered and filled for real; the rest are copies with their own identity (form ID, case),
    written by worker processes (benchmarks/form_copies.py): 50,000 in a few minutes instead of over an hour."""
    from benchmarks.form_copies import work_item, write_forms
    from processors.config.settings import load_settings
    from processors.store.database import Store

    settings = load_settings(scratch_config(folder))
    with Store(settings.path("database")) as store:
        for start in range(0, n, 5000):
            store.add_work_items(work_item(CYCLE, k) for k in range(start, min(n, start + 5000)))
    write_forms(settings.path("inbox"), CYCLE, n)
    return folder


def recorded(peak: Peak, n: int) -> Peak:
    """Stop unless the child recorded all ``n`` forms (each copy a distinct form ingest accepts)."""
    first = peak.output.strip().splitlines()[0] if peak.output.strip() else ""
    if f"{n} recorded" not in first:
        raise SystemExit(f"expected {n} forms recorded, the run said: {first}")
    return peak


def fresh_copy(source: Path, target: Path) -> Path:
    """The store and inbox of `source` in a new scratch folder (files hard-linked: the inbox is moved away)."""
    config = scratch_config(target)
    (target / "qa.sqlite3").write_bytes((source / "qa.sqlite3").read_bytes())
    inbox = target / "inbox"
    inbox.mkdir()
    for entry in os.scandir(source / "inbox"):
        os.link(entry.path, inbox / entry.name)
    return config


def row(figure: str, ours: Peak, peer: Peak | None) -> str:
    ratio = f"{peer.mb / ours.mb:.1f}x" if peer else "--"
    met = "met" if ours.mb <= TARGET_MB else "NOT met"
    peer_text = f"{peer.mb:7.0f} MB ({peer.seconds:6.0f} s)" if peer else "        --        "
    ours_text = f"{ours.mb:7.0f} MB ({ours.seconds:6.0f} s)"
    return f"{figure:44s} {ours_text}   {peer_text}   {ratio:>6s}   <= {TARGET_MB} MB {met}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=50_000)
    parser.add_argument("--only", choices=("generate", "ingest", "register"))
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--child", choices=tuple(CHILDREN))
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args()
    if args.child:
        CHILDREN[args.child](*args.paths)
        return
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.only in (None, "generate"):
            cases = root / "cases.xlsx"
            started = time.perf_counter()
            case_list(cases, args.forms)
            print(f"case list of {args.forms:,} rows written in {time.perf_counter() - started:.0f} s", flush=True)
            ours_config = scratch_config(_folder(root, "generate-ours"))
            ours = measure([sys.executable, "run.py", "generate", "--cases", str(cases), "--cycle", CYCLE,
                            "--type", "thematic_audit", "--config", str(ours_config)])
            print(ours.output.strip().splitlines()[0], flush=True)
            peer = None
            if not args.skip_peer:
                peer = measure(child("peer-generate", str(scratch_config(_folder(root, "generate-peer"))),
                                     str(cases)))
            lines.append(row(f"generate, {args.forms:,}-row case list", ours, peer))
            print(lines[-1], flush=True)
        if args.only in (None, "ingest"):
            started = time.perf_counter()
            source = returned_forms(_folder(root, "returned"), args.forms)
            print(f"{args.forms:,} returned forms made in {time.perf_counter() - started:.0f} s", flush=True)
            ours = recorded(measure(child("ours-ingest", str(fresh_copy(source, _folder(root, "ingest-ours"))))),
                            args.forms)
            print(ours.output.strip().splitlines()[0], flush=True)
            peer = None
            if not args.skip_peer:
                peer = recorded(measure(child("peer-ingest", str(fresh_copy(source, _folder(root, "ingest-peer"))))),
                                args.forms)
            lines.append(row(f"ingest, {args.forms:,} files, register deferred", ours, peer))
            print(lines[-1], flush=True)
            whole = recorded(measure([sys.executable, "run.py", "ingest", "--config",
                                      str(fresh_copy(source, _folder(root, "ingest-cli")))]), args.forms)
            print(whole.output.strip().splitlines()[0], flush=True)
            peer = None
            if not args.skip_peer:
                peer = recorded(measure(child("peer-ingest-register",
                                              str(fresh_copy(source, _folder(root, "ingest-cli-peer"))))), args.forms)
                print(peer.output.strip().splitlines()[-1], flush=True)
            lines.append(row(f"ingest, {args.forms:,} files, register written", whole, peer))
            print(lines[-1], flush=True)
        if args.only == "register":  # the register write alone, on a store filled without documents
            started = time.perf_counter()
            store = root / "qa.sqlite3"
            register_store(store, args.forms)
            print(f"store of {args.forms:,} forms filled in {time.perf_counter() - started:.0f} s", flush=True)
            copies = {}
            for name in ("ours", "peer"):
                copies[name] = root / f"{name}.sqlite3"
                shutil.copyfile(store, copies[name])
            ours = measure(child("ours-register", str(copies["ours"]), str(root / "ours.xlsx")))
            print(ours.output.strip(), flush=True)
            peer = None
            if not args.skip_peer:
                peer = measure(child("peer-register", str(copies["peer"]), str(root / "peer.xlsx")))
            lines.append(row(f"register written, {args.forms:,} forms", ours, peer))
            print(lines[-1], flush=True)
    print(f"\npeak resident memory of each child process, {args.forms:,} forms, {datetime.now():%Y-%m-%d}")
    print(f"{'figure':44s} {'ours':>21s}   {'peer':>21s}   {'ratio':>6s}   target")
    print("\n".join(lines))


def _folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    return folder


if __name__ == "__main__":
    main()
