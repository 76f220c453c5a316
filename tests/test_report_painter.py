"""A run's charts drawn by a second process while the documents are rendered (processors/reports/painter.py): the
documents are the same, picture for picture and byte for byte of their text and layout, as when every chart is
drawn in the run's own process; a worker that fails leaves its charts to be drawn here (issue 16, item 3)."""

from __future__ import annotations

import zipfile
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path

import pytest

from processors.config.reports import ReportSettings
from processors.config.settings import Settings
from processors.demo.report_sample import SampleSpec
from processors.reports import runner
from processors.reports.painter import Painter, painting, placeholder_png
from processors.reports.quarter import parse_quarter
from processors.reports.runner import run_reports
from tests.conftest import report_settings_with_history

TODAY = date(2026, 10, 5)
Q3 = parse_quarter("2026-Q3")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return report_settings_with_history(tmp_path_factory.mktemp("painter"), SampleSpec(
        (*Q3.previous(4), Q3), forms_per_quarter=40, cases=60, today=TODAY), ReportSettings(pdf=False))


def _documents(settings: Settings, monkeypatch: pytest.MonkeyPatch, painter: bool) -> dict[str, dict[str, bytes]]:
    """Each document's parts that hold what people see (the text, the layout, the pictures), by document."""
    monkeypatch.setattr(runner, "painting", lambda: painting(painter))
    run = run_reports(settings, Q3.label, None, None, send=False, today=TODAY)
    out = {}
    for path in run.docx:
        with zipfile.ZipFile(path) as z:
            out[path.name] = {n: z.read(n) for n in z.namelist()
                              if n.startswith("word/media/") or n in ("word/document.xml",
                                                                     "word/_rels/document.xml.rels")}
    return out


def test_the_painters_documents_are_the_ones_drawn_here(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    submitted: list[object] = []
    real = Painter.submit

    def counting(self: Painter, *args: object) -> Future[bytes]:
        submitted.append(args)
        return real(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Painter, "submit", counting)
    painted = _documents(settings, monkeypatch, painter=True)
    assert submitted, "no chart was handed to the painter"
    here = _documents(settings, monkeypatch, painter=False)
    assert painted.keys() == here.keys() and len(here) >= 5
    for name, parts in here.items():
        assert "briefing" in name or any(n.startswith("word/media/") for n in parts), name
        assert painted[name] == parts, name
        assert not any(b"placeholder" in data for data in painted[name].values()), name


def test_charts_the_worker_fails_to_draw_are_drawn_here(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(self: Painter, *args: object) -> Future[bytes]:
        future: Future[bytes] = Future()
        future.set_exception(BrokenProcessPool("the worker died"))
        return future

    here = _documents(settings, monkeypatch, painter=False)
    monkeypatch.setattr(Painter, "submit", broken)
    assert _documents(settings, monkeypatch, painter=True) == here


def test_a_stand_in_has_the_size_and_resolution_python_docx_reads(tmp_path: Path) -> None:
    from docx.image.image import Image

    first, second = placeholder_png(944, 383, 150), placeholder_png(944, 383, 150)
    image = Image.from_blob(first)
    assert (image.px_width, image.px_height, image.horz_dpi, image.vert_dpi) == (944, 383, 150, 150)
    assert first != second  # two pictures to come are never taken for one


class _Pending(Future):  # type: ignore[type-arg]
    """A painter's picture not started yet: it can be taken back (cancelled); asked for, it is drawn then."""

    def __init__(self, work: object, args: tuple) -> None:
        super().__init__()
        self.work, self.args = work, args

    def result(self, timeout: float | None = None) -> bytes:
        if not self.done():
            self.set_result(self.work(*self.args))  # type: ignore[operator]
        return super().result(timeout)


def test_pictures_the_painter_has_not_started_are_partly_taken_back_and_drawn_the_same(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """When a document is ready to save and its pictures still wait for the painter, the last half of them is drawn
    here meanwhile: the documents are the same as when every chart is drawn here."""
    handed: list[_Pending] = []

    def slow(self: Painter, work: object, *args: object) -> Future[bytes]:
        handed.append(_Pending(work, args))
        return handed[-1]

    here = _documents(settings, monkeypatch, painter=False)
    monkeypatch.setattr(Painter, "submit", slow)
    assert _documents(settings, monkeypatch, painter=True) == here
    taken_back = [f for f in handed if f.cancelled()]
    assert taken_back and len(taken_back) <= len(handed) / 2  # some, never all: the painter keeps the first half


def test_every_documents_charts_are_handed_over_before_the_first_is_rendered(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The painter draws the run's charts one after another while the documents are rendered, rather than each
    document's while the run waits for them."""
    submitted: list[object] = []
    at_first_render: list[int] = []
    real_submit, real_render = Painter.submit, runner.render_report

    def counting(self: Painter, *args: object) -> Future[bytes]:
        submitted.append(args)
        return real_submit(self, *args)  # type: ignore[arg-type]

    def rendering(*args: object, **kwargs: object) -> object:
        at_first_render.append(len(submitted))
        return real_render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Painter, "submit", counting)
    monkeypatch.setattr(runner, "render_report", rendering)
    _documents(settings, monkeypatch, painter=True)
    assert len(at_first_render) >= 3 and at_first_render[0] == len(submitted)
