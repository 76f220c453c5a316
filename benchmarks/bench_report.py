"""The quarter's reports over 2,000 forms in one quarter, on a store that also holds years of earlier history.

A plain script, not a test:
    python -m benchmarks.bench_report [--forms 2000] [--history-forms 5000] [--history-quarters 20] [--repeat 3]
                                      [--no-pdf]

It fills a temporary store with ``--forms`` returned forms in 2026-Q3 and ``--history-forms`` more spread over
the ``--history-quarters`` before it (the same synthetic cases, so cases are re-audited), then times, each the
median of ``--repeat`` runs, ours beside the straightforward approach done properly at the same state:

- ours: ``run_reports`` (one read of the quarter for the whole run, each chart drawn once and shared, charts of
  a kind drawn again on the run's kept figure, each Word template compiled once and kept compiled for the next
  runs (generated/.cache/templates, as Python keeps compiled modules), the snapshot held out of the garbage
  collector's walks, every PDF from one LibreOffice call; a second process, forked at the start, takes the
  templates while the quarter is read and draws the charts while the documents are rendered, the run drawing
  the last half of a document's charts the second process has not started when the document is ready); the
  SLT report on its own likewise (its own second process; the warm-up run before the timed ones compiles the
  template, as any earlier run would; and separately, "compiled afresh", each time after removing it);
- the peer: each document reads its own data once (one ``load_quarter`` per document), draws its own charts,
  renders through a plain ``DocxTemplate`` (read, patched and compiled for that document, as docxtpl does) and
  is converted to PDF by its own LibreOffice call.

Each figure is given as wall-clock seconds and as this process's CPU seconds (``time.process_time``), which
other work on a shared machine disturbs less (ours: the run's process only, not its second process, whose work
is off the critical path on an idle second core; on a busy machine the wall clock says what it cost).

Then the time to collect the names the reports hide (the table the store keeps, ``people_named``) beside
reading every stored form's values for them, on this store and on one with ``--names-history`` forms of
history (20,000 by default; 0 skips it).

``measure(store_path, quarter)`` gives the figures for a store already filled (the 10-year benchmark calls it).
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from benchmarks.common import scratch_config
from processors.config.reports import (
    BRIEFING_TEMPLATE,
    REPORT_TEMPLATE,
    THEMED_TEMPLATE,
    ReportSettings,
    report_settings,
)
from processors.config.settings import Settings, load_settings
from processors.demo.report_sample import SampleSpec, fill_sample_store
from processors.reports import charts as chart_module
from processors.reports.briefing import build_briefing
from processors.reports.charts import ChartBook
from processors.reports.collector import held_out_of_collections
from processors.reports.compiled import ReportTemplates
from processors.reports.compose import charts_as_ready, render_briefing, render_report
from processors.reports.data import trend_span
from processors.reports.painter import painting
from processors.reports.privacy import make_scrubber
from processors.reports.quarter import Quarter, parse_quarter
from processors.reports.report import build_report
from processors.reports.runner import ReportRun, briefing_month, kept_templates, plan_scopes, run_reports
from processors.reports.source import Scope, load_quarter
from processors.reports.themed import build_themed, render_themed
from processors.store.database import Store
from processors.store.period import people_named
from processors.word.office import convert, soffice

COME_BACK = 0.85  # about this share of a quarter's allocated forms come back within it (the rest late or never)


@dataclass(frozen=True)
class ReportFigures:
    """Seconds, each the median of the repeats; the peer measured in the same run at the same state."""

    stored_forms: int
    quarter_forms: int
    documents: int
    slt: float
    slt_peer: float
    run: float             # every document, no PDF
    run_peer: float
    slt_cpu: float         # the same, CPU seconds of this process
    slt_peer_cpu: float
    run_cpu: float
    run_peer_cpu: float
    charts_drawn: int      # figures drawn by our run (the peer draws every chart of every document)
    charts_peer: int
    pdf_run: float | None = None   # every document with its PDF (None without LibreOffice)
    pdf_peer: float | None = None
    slt_second_cpu: float = 0.0  # CPU seconds of our second process (the painter's worker), besides slt_cpu
    slt_afresh: float = 0.0      # ours, the templates compiled afresh (none kept from an earlier run)
    run_second_cpu: float = 0.0


def timed(func: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def _children_cpu() -> float:
    """CPU seconds of this process's ended children (the painter's worker, once its run has stopped it)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def clocked(func: Callable[[], object]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of this process, CPU seconds of the children it started and stopped)."""
    cpu, children = time.process_time(), _children_cpu()
    wall, _ = timed(func)
    return wall, time.process_time() - cpu, _children_cpu() - children


def seed(store_path: Path, quarter: Quarter, forms: int, history_forms: int, history_quarters: int) -> None:
    """``forms`` returned in ``quarter``, ``history_forms`` more spread over the quarters before it."""
    with Store(store_path) as store:
        if history_forms and history_quarters:
            earlier = tuple(quarter.previous(history_quarters))
            fill_sample_store(store, SampleSpec(earlier, math.ceil(history_forms / history_quarters / 0.9),
                                                cases=1200, today=earlier[-1].last_day))
        fill_sample_store(store, SampleSpec((quarter,), math.ceil(forms / COME_BACK), cases=1200,
                                            today=quarter.last_day + timedelta(days=5)))


def _settings(store_path: Path, folder: Path, pdf: bool) -> Settings:
    config = scratch_config(folder)
    values = yaml.safe_load(config.read_text(encoding="utf-8"))
    values["paths"]["database"] = str(store_path)
    config.write_text(yaml.safe_dump(values), encoding="utf-8")
    return load_settings(config).model_copy(update={"reports": ReportSettings(pdf=pdf)})


def slt_report(settings: Settings, quarter: Quarter, today: date, peer: bool = False) -> None:
    """The Senior Leadership Team's report on its own: read the quarter, its sections, charts, render (the peer
    through a plain DocxTemplate)."""
    options = report_settings(settings)
    templates = None if peer else ReportTemplates(kept_templates(settings))  # as run_reports: kept between runs
    with painting(enabled=not peer) as painter:  # as run_reports: the template compiled, the charts drawn elsewhere
        if templates is not None:
            templates.compile_elsewhere(painter, [settings.path("templates") / REPORT_TEMPLATE])
            chart_module.warm_up(painter, trend_span(quarter, options.trend_quarters))
        with Store(settings.path("database"), checked_beside=not peer) as store:  # as run_reports opens it
            snap = load_quarter(store, quarter, options.trend_quarters)
            store.require_sound()
        book = ChartBook(painter)
        with nullcontext() if peer else held_out_of_collections():  # as run_reports holds its snapshot
            data = build_report(snap, Scope(), quarter, options, make_scrubber(snap, False), "Bench trust", today,
                                ready=None if peer else charts_as_ready(book, quarter))
            render_report(settings.path("templates") / REPORT_TEMPLATE, data, book=book, templates=templates)


def peer_run(settings: Settings, quarter: Quarter, today: date, folder: Path, pdf: bool) -> tuple[int, int]:
    """Every document made on its own: its own read of the quarter, its own charts, its own LibreOffice call.
    Returns (documents, charts drawn)."""
    options, templates = report_settings(settings), settings.path("templates")
    with Store(settings.path("database")) as store:
        scopes = plan_scopes(load_quarter(store, quarter, options.trend_quarters), quarter, None, None)
    drawn = 0
    for n, scope in enumerate([*scopes, None]):
        with Store(settings.path("database")) as store:
            snap = load_quarter(store, quarter, options.trend_quarters)
        scrub, book = make_scrubber(snap, False), ChartBook()
        if scope is None:
            data = build_briefing(snap, briefing_month(quarter, today), options, scrub, "Bench trust", today)
            rendered = render_briefing(templates / BRIEFING_TEMPLATE, data)
        elif scope.kind == "theme":
            rendered = render_themed(templates / THEMED_TEMPLATE,
                                     build_themed(snap, scope, quarter, options, scrub, "Bench trust", today), book)
        else:
            rendered = render_report(templates / REPORT_TEMPLATE,
                                     build_report(snap, scope, quarter, options, scrub, "Bench trust", today),
                                     book=book)
        drawn += book.drawn
        target = folder / f"peer_{n:02d}.docx"
        target.write_bytes(rendered.docx)
        if pdf:
            source = folder / f"peer_{n:02d}_pdf.docx"
            source.write_bytes(rendered.pdf_source)
            convert([source], "pdf", folder)
    return len(scopes) + 1, drawn


def _median(times: list[float]) -> float:
    return statistics.median(times)


def measure(store_path: Path, quarter: str, repeat: int = 3, pdf: bool = True, today: date | None = None
            ) -> ReportFigures:
    """Ours beside the peer on the store at ``store_path`` (already filled; it is only read)."""
    period = parse_quarter(quarter)
    today = today or period.last_day + timedelta(days=5)
    pdf = pdf and soffice() is not None
    with Store(store_path) as store:
        stored = len(store.query("SELECT 1 FROM forms WHERE superseded = 0"))
        in_quarter = len(store.query("SELECT 1 FROM forms WHERE superseded = 0 AND received >= ? AND received < ?",
                                     (period.start.isoformat(), period.end.isoformat())))
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        folder = Path(scratch)
        settings = _settings(store_path, folder, pdf=False)
        slt_report(settings, period, today)  # warm up: imports, fonts (no template is kept between runs)
        # ours and the peer alternate, so that a change in the machine's load falls on both alike
        slts, slt_peers, run_clocks, peer_clocks = [], [], [], []
        runs: list[ReportRun] = []
        peered: list[tuple[int, int]] = []
        afresh = []
        for _ in range(repeat):
            slts.append(clocked(lambda: slt_report(settings, period, today)))
            slt_peers.append(clocked(lambda: slt_report(settings, period, today, peer=True)))
            shutil.rmtree(kept_templates(settings))  # the first run after a template changed (or was installed)
            afresh.append(timed(lambda: slt_report(settings, period, today))[0])
        for _ in range(repeat):
            run_clocks.append(clocked(lambda: runs.append(run_reports(settings, quarter, None, None, send=False,
                                                                      today=today))))
            peer_clocks.append(clocked(lambda: peered.append(peer_run(settings, period, today, folder, pdf=False))))
        (documents, charts_peer) = peered[0]
        figures = dict(stored_forms=stored, quarter_forms=in_quarter, documents=len(runs[0].documents),
                       slt=_median([w for w, *_ in slts]), slt_peer=_median([w for w, *_ in slt_peers]),
                       run=_median([r.seconds for r in runs]), run_peer=_median([w for w, *_ in peer_clocks]),
                       slt_cpu=_median([c for _, c, _ in slts]), slt_peer_cpu=_median([c for _, c, _ in slt_peers]),
                       run_cpu=_median([c for _, c, _ in run_clocks]),
                       run_peer_cpu=_median([c for _, c, _ in peer_clocks]),
                       slt_second_cpu=_median([k for *_, k in slts]), slt_afresh=_median(afresh),
                       run_second_cpu=_median([k for *_, k in run_clocks]),
                       charts_drawn=runs[0].charts_drawn, charts_peer=charts_peer)
        assert documents == figures["documents"], (documents, figures["documents"])
        if pdf:
            with_pdf = _settings(store_path, folder, pdf=True)
            pdf_runs = [run_reports(with_pdf, quarter, None, None, send=False, today=today) for _ in range(repeat)]
            assert len(pdf_runs[0].pdf) == documents
            figures["pdf_run"] = _median([r.seconds for r in pdf_runs])
            figures["pdf_peer"] = _median([timed(lambda: peer_run(settings, period, today, folder, pdf=True))[0]
                                           for _ in range(repeat)])
    return ReportFigures(**figures)  # type: ignore[arg-type]


@dataclass(frozen=True)
class NamesFigures:
    """Seconds to collect the names the reports hide (median of the repeats), at a store's size of history."""

    history_forms: int
    stored_forms: int
    names: int
    ours: float   # the table the store keeps (people_named)
    peer: float   # every stored form's values read for them, as before


def peer_people_named(store: Store) -> tuple[frozenset[str], frozenset[str]]:
    """The straightforward collection, done properly (by SQLite, no decoding in Python): the initials and
    practitioner of every allocation and of every current form's values."""
    initials = {r[0] for r in store.query("SELECT DISTINCT child_initials FROM work_items")}
    names = {r[0] for r in store.query("SELECT DISTINCT practitioner FROM work_items")}
    for child, worker in store.query("SELECT DISTINCT json_extract(values_json, '$.child_initials'), "
                                     "json_extract(values_json, '$.practitioner') FROM forms WHERE superseded = 0"):
        initials.add(child)
        names.add(worker)
    return frozenset(str(i) for i in initials if i), frozenset(str(n) for n in names if n)


def measure_names(store_path: Path, history_forms: int, repeat: int = 5) -> NamesFigures:
    with Store(store_path) as store:
        stored = len(store.query("SELECT 1 FROM forms WHERE superseded = 0"))
        ours_found, peer_found = people_named(store), peer_people_named(store)
        assert all(o >= p for o, p in zip(ours_found, peer_found)), "the table misses a name the forms hold"
        ours = _median([timed(lambda: people_named(store))[0] for _ in range(repeat)])
        peer = _median([timed(lambda: peer_people_named(store))[0] for _ in range(repeat)])
    return NamesFigures(history_forms, stored, sum(len(k) for k in ours_found), ours, peer)


def print_names(figures: list[NamesFigures]) -> None:
    for f in figures:
        print(f"names the reports hide ({f.names:,}), collected with {f.history_forms:,} history forms "
              f"({f.stored_forms:,} stored): ours {f.ours * 1000:.1f} ms, peer {f.peer * 1000:.1f} ms, "
              f"ratio {_ratio(f.peer, f.ours)}")


def _ratio(peer: float, ours: float) -> str:
    return f"{peer / ours:.1f}x" if ours else "-"


def print_figures(f: ReportFigures) -> None:
    print(f"store: {f.stored_forms:,} current forms, {f.quarter_forms:,} returned in the quarter; "
          f"{f.documents} documents")
    rows = [("SLT report (target <= 1 s)", f.slt, f.slt_peer),
            ("SLT report, its template compiled afresh (the first run after it changed)", f.slt_afresh, f.slt_peer),
            ("SLT report, CPU seconds", f.slt_cpu, f.slt_peer_cpu),
            (f"whole run, {f.documents} documents, no PDF (target <= 4 s)", f.run, f.run_peer),
            ("whole run, CPU seconds", f.run_cpu, f.run_peer_cpu)]
    if f.pdf_run is not None and f.pdf_peer is not None:
        rows.append((f"whole run with PDFs (ours one LibreOffice call, peer {f.documents})", f.pdf_run, f.pdf_peer))
    for label, ours, peer in rows:
        print(f"{label}: ours {ours:.2f} s, peer {peer:.2f} s, ratio {_ratio(peer, ours)}")
    print(f"ours' second process (compiling the templates, drawing the charts, on the other core), CPU seconds: "
          f"SLT report {f.slt_second_cpu:.2f} s, whole run {f.run_second_cpu:.2f} s")
    print(f"charts drawn: ours {f.charts_drawn}, peer {f.charts_peer}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quarter", default="2026-Q3")
    parser.add_argument("--forms", type=int, default=2000, help="returned forms in the quarter")
    parser.add_argument("--history-forms", type=int, default=5000, help="returned forms before the quarter")
    parser.add_argument("--history-quarters", type=int, default=20, help="quarters the history is spread over")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice PDF timings")
    parser.add_argument("--names-history", type=int, default=20000,
                        help="a second store with this much history, for the names' collection only (0: none)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-store-") as folder:
        store_path = Path(folder) / "qa.sqlite3"
        seconds, _ = timed(lambda: seed(store_path, parse_quarter(args.quarter), args.forms, args.history_forms,
                                        args.history_quarters))
        print(f"store filled in {seconds:.1f} s")
        print_figures(measure(store_path, args.quarter, args.repeat, pdf=not args.no_pdf))
        names = [measure_names(store_path, args.history_forms)]
        if args.names_history:
            bigger = Path(folder) / "qa-history.sqlite3"
            seed(bigger, parse_quarter(args.quarter), args.forms, args.names_history, args.history_quarters * 4)
            names.append(measure_names(bigger, args.names_history))
        print_names(names)


if __name__ == "__main__":
    main()
