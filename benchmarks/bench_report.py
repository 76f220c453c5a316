"""How long the quarterly report for the Senior Leadership Team takes over about 2,000 forms, charts and all.

A plain script, not a test:  python -m benchmarks.bench_report [--forms 2000] [--repeat 3] [--pdf]

It fills a temporary store with synthetic forms over five quarters, then times the report (one snapshot of
the store -> sections -> charts -> docxtpl render), stage by stage, beside the straightforward approach
measured in the same run: every section (and every quarter of the trend) querying the store itself, and
charts drawn through pyplot's global state (plt.figure, never closed) instead of a Figure per chart.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from benchmarks.common import scratch_config  # noqa: E402
from processors.config.reports import ReportSettings  # noqa: E402
from processors.config.settings import PROJECT_ROOT, load_settings  # noqa: E402
from processors.demo.report_sample import SampleSpec, fill_sample_store  # noqa: E402
from processors.reports import charts as chart_module  # noqa: E402
from processors.reports import data as sections  # noqa: E402
from processors.reports import findings  # noqa: E402
from processors.reports.commentary import commentary_section  # noqa: E402
from processors.reports.compose import render_report, report_charts  # noqa: E402
from processors.reports.privacy import make_scrubber  # noqa: E402
from processors.reports.quarter import Quarter, parse_quarter  # noqa: E402
from processors.reports.report import ReportData, build_report  # noqa: E402
from processors.reports.runner import run_reports  # noqa: E402
from processors.reports.source import Scope, load_snapshot, themes_in  # noqa: E402
from processors.store.database import Store  # noqa: E402
from processors.word.office import convert, soffice  # noqa: E402

TODAY = date(2026, 10, 5)
TEMPLATE = PROJECT_ROOT / "templates" / "quarterly_report.docx"


def timed(func: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def our_report(store: Store, quarter: Quarter) -> dict[str, float]:
    t_snap, snap = timed(lambda: load_snapshot(store))
    options = ReportSettings()
    t_data, data = timed(lambda: build_report(snap, Scope(), quarter, options, make_scrubber(snap, False),
                                              "Bench trust", TODAY))
    t_charts, charts = timed(lambda: report_charts(data))
    t_render, _ = timed(lambda: render_report(TEMPLATE, data, charts))
    return {"store read": t_snap, "sections": t_data, "charts": t_charts, "render": t_render}


def naive_sections(store: Store, quarter: Quarter) -> None:
    """Each section, and each quarter of the trend, reads the store for itself."""
    options = ReportSettings()
    sections.how_much(load_snapshot(store), quarter)
    for q in [*quarter.previous(options.trend_quarters), quarter]:
        sections.how_well(load_snapshot(store), q, 0)
    sections.better_off(load_snapshot(store), quarter, TODAY)
    snap = load_snapshot(store)
    scrub = make_scrubber(snap, False)
    commentary = commentary_section(load_snapshot(store), quarter, scrub, TODAY)
    for theme in themes_in(snap):
        findings.theme_section(load_snapshot(store), quarter, theme, commentary, scrub, TODAY)
    findings.escalations(load_snapshot(store), quarter, scrub)
    findings.workforce(load_snapshot(store), quarter, scrub)
    findings.showcase(load_snapshot(store), quarter, scrub, False)


def pyplot_charts(data: ReportData) -> None:
    """The same charts, each figure made with plt.figure (pyplot's global state) and left open."""
    original = chart_module._figure

    def pyplot_figure(height_cm: float) -> Figure:
        return plt.figure(figsize=(chart_module.WIDTH_CM / 2.54, height_cm / 2.54), layout="constrained")

    chart_module._figure = pyplot_figure
    try:
        report_charts(data)
    finally:
        chart_module._figure = original


def straightforward(store: Store, quarter: Quarter) -> dict[str, float]:
    snap = load_snapshot(store)
    data = build_report(snap, Scope(), quarter, ReportSettings(), make_scrubber(snap, False), "Bench", TODAY)
    t_sections, _ = timed(lambda: naive_sections(store, quarter))
    t_charts, _ = timed(lambda: pyplot_charts(data))
    return {"per-section store reads + sections": t_sections, "pyplot charts": t_charts}


def report(label: str, runs: list[dict[str, float]]) -> None:
    stages = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{label}: {sum(stages.values()):.2f} s  (" + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()) + ")")


def pdf_timing(store: Store, quarter: Quarter, folder: Path) -> None:
    if soffice() is None:
        print("LibreOffice is not installed: no PDF timing")
        return
    snap = load_snapshot(store)
    data = build_report(snap, Scope(), quarter, ReportSettings(), make_scrubber(snap, False), "Bench", TODAY)
    source = folder / "bench_report.docx"
    source.write_bytes(render_report(TEMPLATE, data).pdf_source)
    seconds, _ = timed(lambda: convert([source], "pdf", folder))
    print(f"PDF copy through headless LibreOffice (one report, cold start): {seconds:.2f} s")


def whole_run(folder: Path, pdf: bool) -> None:
    """Every document of a run: the SLT report, one per theme, one per service and the briefing note."""
    settings = load_settings(scratch_config(folder))  # its database is the store filled above
    settings = settings.model_copy(update={"reports": ReportSettings(pdf=pdf)})
    run = run_reports(settings, "2026-Q3", None, None, send=False, today=TODAY)
    made = f"{len(run.docx)} Word documents" + (f" and {len(run.pdf)} PDFs" if pdf else "")
    print(f"whole run_reports (SLT, themes, services, briefing): {made} in {run.seconds:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000, help="returned forms over the five quarters")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf", action="store_true", help="also time the LibreOffice PDF copy")
    args = parser.parse_args()
    quarter = parse_quarter("2026-Q3")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        store = Store(Path(folder) / "qa.sqlite3")
        per_quarter = math.ceil(args.forms / 5 / 0.9)  # about nine in ten allocated forms come back
        seconds, recorded = timed(lambda: fill_sample_store(
            store, SampleSpec((*quarter.previous(4), quarter), forms_per_quarter=per_quarter, cases=1200)))
        in_quarter = sum(1 for f in store.forms() if f.received in quarter)
        print(f"store: {recorded} forms over five quarters ({in_quarter} returned in {quarter.label}), "
              f"filled in {seconds:.1f} s")
        our_report(store, quarter)  # warm up: imports, fonts, template cache
        report("quarterly report (one store snapshot, Figure per chart)",
               [our_report(store, quarter) for _ in range(args.repeat)])
        report("straightforward (each section reads the store, pyplot charts)",
               [straightforward(store, quarter) for _ in range(args.repeat)])
        if args.pdf:
            pdf_timing(store, quarter, Path(folder))
        store.close()
        whole_run(Path(folder), pdf=False)
        if args.pdf:
            whole_run(Path(folder), pdf=True)


if __name__ == "__main__":
    main()
