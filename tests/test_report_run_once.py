"""A run of the quarter's reports reads the store once, for the quarter and its trend only, draws each chart once
and converts every PDF in one LibreOffice call (issue 16, item 3)."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from processors.config.reports import ReportSettings
from processors.config.settings import Settings
from processors.demo.report_sample import SampleSpec
from processors.reports import charts, runner
from processors.reports.briefing import build_briefing
from processors.reports.painter import painting
from processors.reports.privacy import make_scrubber
from processors.reports.quarter import parse_quarter
from processors.reports.report import build_report
from processors.reports.runner import ReportRun, briefing_month, plan_scopes, run_reports
from processors.reports.source import load_quarter, load_snapshot, quarter_window
from processors.reports.themed import build_themed
from processors.store.database import Store
from tests.conftest import report_settings_with_history

TODAY = date(2026, 10, 5)
Q3 = parse_quarter("2026-Q3")
OPTIONS = ReportSettings(pdf=False)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Three years of history behind 2026-Q3 (the same cases, so cases are audited again)."""
    return report_settings_with_history(tmp_path_factory.mktemp("run-once"), SampleSpec(
        (*Q3.previous(12), Q3), forms_per_quarter=40, cases=60, today=TODAY), OPTIONS)


def test_the_quarters_snapshot_gives_every_document_what_the_whole_store_gives(settings: Settings) -> None:
    with Store(settings.path("database")) as store:
        whole, quarter = load_snapshot(store), load_quarter(store, Q3, OPTIONS.trend_quarters)
    start = quarter_window(Q3, OPTIONS.trend_quarters)
    older = [f for f in quarter.forms if f.received.date() < start]
    assert len(quarter.forms) - len(older) < len(whole.forms) / 2, "history before the trend was read"
    assert len(older) < len([f for f in whole.forms if f.received.date() < start]) / 2
    assert plan_scopes(whole, Q3, None, None) == plan_scopes(quarter, Q3, None, None)
    for scope in plan_scopes(whole, Q3, None, None):
        build = build_themed if scope.kind == "theme" else build_report
        assert (build(whole, scope, Q3, OPTIONS, make_scrubber(whole, False), "T", TODAY)
                == build(quarter, scope, Q3, OPTIONS, make_scrubber(quarter, False), "T", TODAY)), scope
    month = briefing_month(Q3, TODAY)
    assert (build_briefing(whole, month, OPTIONS, make_scrubber(whole, False), "T", TODAY)
            == build_briefing(quarter, month, OPTIONS, make_scrubber(quarter, False), "T", TODAY))


def test_names_from_any_year_are_still_hidden(settings: Settings) -> None:
    with Store(settings.path("database")) as store:
        whole, quarter = load_snapshot(store), load_quarter(store, Q3, OPTIONS.trend_quarters)
    full, scoped = make_scrubber(whole, False), make_scrubber(quarter, False)
    assert scoped.initials >= full.initials
    names = {f.practitioner for f in whole.forms}
    assert all(scoped.text(f"Seen by {n}.") == "Seen by the practitioner." for n in names)


def _images(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n) for n in z.namelist() if n.startswith("word/media/")]


@pytest.mark.parametrize("painter", [True, False], ids=["drawn by the painter", "drawn here"])
def test_a_run_reads_the_store_once_and_draws_each_chart_once(settings: Settings, painter: bool,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    loads, drawn, handed, taken = [], [], [], []
    real_load, real_png, real_handing = runner.load_quarter, charts._png, charts.Picture.drawn_by
    real_take = charts.Picture.take_back

    def counting_load(*args: object, **kwargs: object) -> object:
        loads.append(args)
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    def counting_png(fig: object) -> bytes:
        png = real_png(fig)  # type: ignore[arg-type]
        drawn.append(hashlib.sha256(png).hexdigest())
        return png

    def counting_handing(picture: charts.Picture, *args: object) -> None:  # a picture left to the painter
        handed.append(picture)
        real_handing(picture, *args)  # type: ignore[arg-type]

    def taking_back(picture: charts.Picture) -> None:  # drawn here, the painter not having started it
        real_take(picture)
        if picture._pending is None and picture.ready:
            taken.append(picture)

    monkeypatch.setattr(runner, "load_quarter", counting_load)
    monkeypatch.setattr(charts.Picture, "take_back", taking_back)
    monkeypatch.setattr(runner, "load_snapshot", lambda *_: pytest.fail("the whole store was read"), raising=False)
    monkeypatch.setattr(charts, "_png", counting_png)
    monkeypatch.setattr(charts.Picture, "drawn_by", counting_handing)
    monkeypatch.setattr(runner, "painting", lambda: painting(painter))
    run = run_reports(settings, Q3.label, None, None, send=False, today=TODAY)
    assert len(run.documents) >= 5 and len(loads) == 1
    assert (len(drawn) == len(taken)) if painter else (not handed), "drawn here and by the painter"
    drawn += [hashlib.sha256(p.png()).hexdigest() for p in handed if p not in taken]
    assert len(drawn) == len(set(drawn)), "a chart was drawn twice"
    pictures = {hashlib.sha256(p).hexdigest() for d in run.docx for p in _images(d)}
    assert pictures == set(drawn)  # every chart drawn is in a document, each drawn once
    slt = next(d for d in run.documents if d.kind == "slt")
    themed = [d for d in run.documents if d.kind == "theme"]
    shared = {hashlib.sha256(p).hexdigest() for p in _images(slt.docx)}
    assert any(shared & {hashlib.sha256(p).hexdigest() for p in _images(t.docx)} for t in themed), \
        "a theme's chart is drawn again for its own report"


needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@needs_office
def test_every_pdf_comes_from_one_libreoffice_call_and_opens(settings: Settings,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[Path]] = []
    real = runner.convert

    def counting(files: list[Path], *args: object, **kwargs: object) -> list[Path]:
        calls.append(list(files))
        return real(files, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "convert", counting)
    run: ReportRun = run_reports(settings.model_copy(update={"reports": ReportSettings(pdf=True)}), Q3.label, None,
                                 None, send=False, today=TODAY)
    assert not run.problems, run.problems
    assert len(calls) == 1 and len(calls[0]) == len(run.documents) == len(run.pdf)
    for doc in run.documents:
        assert doc.pdf is not None
        text = " ".join(page.extract_text() for page in PdfReader(doc.pdf).pages)
        assert doc.title.split(":")[0] in " ".join(text.split()), doc.pdf.name
