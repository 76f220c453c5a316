"""Charts as PNG bytes with alt text that says what the chart shows, drawn with matplotlib's object API.

No pyplot: a ``Figure`` per chart, drawn by the Agg canvas, so nothing is kept in global state between
charts or runs, and no display is needed. Margins are set from the labels' lengths rather than by the
constrained layout engine, which draws every figure twice to measure it (issue 16: half the cost of a chart).
A run draws each chart once: ``ChartBook`` keeps them by what they show, for every document that shows them.
And a chart of a kind and layout already drawn in the run is drawn on the same figure (``Figures``), its bars
moved and labels rewritten: axes, ticks and legend are not built again. PNGs are written with zlib's fastest
level (the .docx package compresses them again). A run with a painter (painter.py) works out here what a
document needs now (whether there is a chart, its alt text, its size: a ``Picture`` to come) and has the picture
itself drawn by a second process while the documents are rendered.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import cache

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from processors.forms.vocabulary import GRADES
from processors.reports.data import ACTION_OUTCOMES
from processors.reports.measures import GradeCounts, pct
from processors.reports.painter import Painter
from processors.reports.quarter import Period

DPI = 150
WIDTH_CM = 16.0
COLOURS = dict(zip(GRADES, ("#1b7837", "#7fbf7b", "#f4a736", "#c2331f")))  # best to worst
OUTCOME_COLOURS = dict(zip(ACTION_OUTCOMES, ("#1b7837", "#7fbf7b", "#a6a6a6", "#c2331f", "#f4a736", "#d9d9d9")))
TEXT = "#333333"


class Picture:
    """A chart's PNG: drawn already, or being drawn by the run's painter (painter.py); its size in pixels and its
    resolution are known now (a document places it by them before its bytes are there)."""

    def __init__(self, size: tuple[int, int], dpi: float, png: bytes | None = None) -> None:
        self.size, self.dpi = size, dpi
        self._png = png
        self._pending: Future[bytes] | None = None
        self._redraw: Callable[[], bytes] | None = None

    @property
    def ready(self) -> bool:
        return self._png is not None

    def drawn_by(self, pending: Future[bytes], redraw: Callable[[], bytes]) -> None:
        """Its bytes to come from ``pending``, or from ``redraw()`` here should the worker fail."""
        self._pending, self._redraw = pending, redraw

    def take_back(self) -> None:
        """Drawn here, now, if the painter has not started it (the run would otherwise wait for it behind others)."""
        if self._pending is not None and self._redraw is not None and self._pending.cancel():
            self._png = self._redraw()
            self._pending = self._redraw = None

    def png(self) -> bytes:
        if self._png is None:
            if self._pending is None or self._redraw is None:
                raise RuntimeError("a chart left for a painter was not handed to one (draw it through a ChartBook)")
            try:
                self._png = self._pending.result()
            except (BrokenProcessPool, CancelledError, OSError, pickle.PickleError):  # the worker failed or stopped
                self._png = self._redraw()
            self._pending = self._redraw = None
        return self._png


@dataclass(frozen=True)
class Chart:
    picture: Picture
    alt: str
    title: str
    width_cm: float = WIDTH_CM

    @property
    def png(self) -> bytes:
        return self.picture.png()


CHAR_CM = 0.14   # about the width of a character of an 8-point label
EDGE_CM = 0.35


def _figure(height_cm: float, left_cm: float = 1.3, bottom_cm: float = 1.0, top_cm: float = 0.4,
            right_cm: float = EDGE_CM) -> Figure:
    """A figure whose plot area leaves these margins for the labels, ticks and legend around it."""
    fig = Figure(figsize=(WIDTH_CM / 2.54, height_cm / 2.54), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=left_cm / WIDTH_CM, right=1 - right_cm / WIDTH_CM, bottom=bottom_cm / height_cm,
                        top=1 - top_cm / height_cm)
    return fig


def _label_room(labels: list[str]) -> float:
    """The left margin (cm) that horizontal bars' category labels need."""
    return EDGE_CM + 0.25 + CHAR_CM * max((len(label) for label in labels), default=4)


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8, colors=TEXT)


def _png(fig: Figure) -> bytes:
    """The figure drawn by its Agg canvas and written as an RGB PNG (its background is opaque white, so nothing is
    lost without the alpha channel) with zlib's fastest level. A quarter in 40 ms, not 41: savefig's own handling,
    the copy for the encoder and a quarter more bytes to encode cost more than the drawing's text."""
    fig.canvas.draw()
    width, height = fig.canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1, dpi=(fig.dpi, fig.dpi))
    return buffer.getvalue()


@cache
def _size_px(height_cm: float) -> tuple[int, int]:
    """The size in pixels of a chart ``height_cm`` high (the width is the text's), as the canvas draws it."""
    return FigureCanvasAgg(Figure(figsize=(WIDTH_CM / 2.54, height_cm / 2.54), dpi=DPI)).get_width_height()


def _picture(height_cm: float, paint: Callable[[], Figure], later: bool) -> Picture:
    """The chart's picture: ``paint()`` drawn now, or (``later``) only sized, for the run's painter to draw (no
    figure is built here then)."""
    if later:
        return Picture(_size_px(height_cm), DPI)
    fig = paint()
    return Picture(fig.canvas.get_width_height(), fig.dpi, _png(fig))


class Drawn:
    """A chart's figure and the artists its data moves: kept (by ``Figures``) to draw the next chart of the same
    kind and layout by moving bars and rewriting labels, rather than building axes, ticks and legend again."""

    def __init__(self, fig: Figure, ax: Axes, bars: list[BarContainer], notes: list[Text] | None = None) -> None:
        self.fig, self.ax, self.bars, self.notes = fig, ax, bars, notes or []
        self._labels: list[Text] = []

    def relabel(self, bars: BarContainer, labels: list[str], **style: object) -> None:
        """The bars' value labels (``bar_label``, placed by the bars' new sizes), replacing the last chart's."""
        for label in self._labels:
            label.remove()
        self._labels = list(self.ax.bar_label(bars, labels=labels, **style))  # type: ignore[arg-type]


class Figures:
    """The figures a run keeps to draw again, by kind and layout (the categories shown, which fix the figure's
    size, margins and tick labels). A chart drawn on a kept figure is the same picture, pixel for pixel, as one
    drawn on a new figure (tests/test_report_charts_reused.py); about a third cheaper. One per run (``ChartBook``):
    nothing is kept between runs."""

    def __init__(self, later: bool = False) -> None:
        self._kept: dict[tuple[Hashable, ...], Drawn] = {}
        self.later = later  # the pictures left for a painter to draw (ChartBook hands them over)

    def picture(self, height_cm: float, paint: Callable[[], Figure]) -> Picture:
        return _picture(height_cm, paint, self.later)

    def get(self, key: tuple[Hashable, ...], make: Callable[[], Drawn]) -> Drawn:
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]


GRADE_CM, TREND_CM = 6.5, 7.5  # the charts' heights


def _grade_figure() -> Drawn:
    fig = _figure(GRADE_CM)
    ax = fig.add_subplot()
    bars = ax.bar(GRADES, [1] * len(GRADES), color=[COLOURS[g] for g in GRADES], width=0.6)
    ax.set_ylabel("Forms", fontsize=8)
    _style(ax)
    return Drawn(fig, ax, [bars])


def grade_chart(counts: GradeCounts, title: str, figures: Figures | None = None) -> Chart | None:
    if not counts.total:
        return None
    figures = figures or Figures()

    def paint() -> Figure:
        drawn = figures.get(("grade",), _grade_figure)
        bars = drawn.bars[0]
        for bar, n in zip(bars, counts.counts):
            bar.set_height(n)
        drawn.relabel(bars, [f"{n} ({pct(n, counts.total)})" for n in counts.counts], fontsize=8, color=TEXT)
        drawn.ax.set_ylim(0, max(counts.counts) * 1.2)
        return drawn.fig

    parts = ", ".join(f"{g} {n} ({pct(n, counts.total)})" for g, n in zip(GRADES, counts.counts))
    alt = f"Bar chart: {title}, {counts.total} forms. {parts}. {counts.good_pct} Good or better."
    return Chart(figures.picture(GRADE_CM, paint), alt, title)


def theme_title(theme: str, label: str) -> str:
    """A theme's grade chart: the same picture in the quarterly reports and in the theme's own report."""
    return f"Overall grades, theme '{theme}', {label}"


def _stacked_bars(ax: Axes, labels: list[str], horizontal: bool) -> list[BarContainer]:
    """One bar per category for each grade, stacked (sized by ``_stack``), with the grades' legend."""
    zero = [0.0] * len(labels)
    draw = ax.barh if horizontal else ax.bar
    bars = [draw(labels, zero, color=COLOURS[grade], label=grade, **{"left" if horizontal else "bottom": zero})
            for grade in GRADES]
    # above the bars, centred on the whole picture (the category labels take the left of it); or below them
    where = dict(loc="upper center", bbox_to_anchor=(0.5, 1.0), bbox_transform=ax.figure.transFigure) \
        if horizontal else dict(loc="upper center", bbox_to_anchor=(0.5, -0.1))
    ax.legend(fontsize=7, ncols=len(GRADES), frameon=False, **where)
    return bars


def _stack(bars: list[BarContainer], series: list[GradeCounts], horizontal: bool) -> None:
    """Each category's bar: the share of each grade, stacked from the best."""
    start = [0.0] * len(series)
    for n, grade_bars in enumerate(bars):
        values = [100 * c.counts[n] / c.total if c.total else 0 for c in series]
        for bar, offset, value in zip(grade_bars, start, values):
            if horizontal:
                bar.set_x(offset)
                bar.set_width(value)
            else:
                bar.set_y(offset)
                bar.set_height(value)
        start = [a + b for a, b in zip(start, values)]


def _trend_figure(labels: tuple[str, ...]) -> Drawn:
    fig = _figure(TREND_CM, bottom_cm=1.6)
    ax = fig.add_subplot()
    bars = _stacked_bars(ax, list(labels), horizontal=False)
    notes = [ax.text(x, 102, "", ha="center", va="bottom", fontsize=7, color=TEXT) for x in range(len(labels))]
    ax.set_ylim(0, 125)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("Share of forms (%)", fontsize=8)
    _style(ax)
    return Drawn(fig, ax, bars, notes)


def trend_chart(series: tuple[tuple[str, GradeCounts], ...], title: str, figures: Figures | None = None
                ) -> Chart | None:
    if not any(c.total for _, c in series):
        return None
    labels, counts = tuple(q for q, _ in series), [c for _, c in series]
    figures = figures or Figures()

    def paint() -> Figure:
        drawn = figures.get(("trend", labels), lambda: _trend_figure(labels))
        _stack(drawn.bars, counts, horizontal=False)
        for note, c in zip(drawn.notes, counts):
            note.set_text(f"{c.good_pct} Good+\n({c.total} forms)" if c.total else "no forms")
        return drawn.fig

    parts = "; ".join(f"{q} {c.good_pct} ({c.total} forms)" for q, c in series)
    return Chart(figures.picture(TREND_CM, paint),
                 f"Stacked bar chart: {title}. Share Good or better by quarter: {parts}.", title)


def _service_cm(labels: tuple[str, ...]) -> float:
    return 2.2 + 0.75 * len(labels)


def _service_figure(labels: tuple[str, ...]) -> Drawn:
    fig = _figure(_service_cm(labels), left_cm=_label_room(list(labels)), top_cm=1.0,
                  right_cm=2.2)  # the share Good or better beside each bar
    ax = fig.add_subplot()
    bars = _stacked_bars(ax, list(labels), horizontal=True)
    notes = [ax.text(101, y, "", va="center", fontsize=7, color=TEXT) for y in range(len(labels))]
    ax.set_xlim(0, 118)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("Share of forms (%)", fontsize=8)
    _style(ax)
    return Drawn(fig, ax, bars, notes)


def service_chart(series: tuple[tuple[str, GradeCounts], ...], title: str, figures: Figures | None = None
                  ) -> Chart | None:
    if not series:
        return None
    labels = tuple(s for s, _ in series)[::-1]
    figures = figures or Figures()

    def paint() -> Figure:
        drawn = figures.get(("service", labels), lambda: _service_figure(labels))
        counts = [c for _, c in series][::-1]
        _stack(drawn.bars, counts, horizontal=True)
        for note, c in zip(drawn.notes, counts):
            note.set_text(f"{c.good_pct} Good+ ({c.total})")
        return drawn.fig

    parts = "; ".join(f"{s} {c.good_pct} Good or better ({c.total} forms)" for s, c in series)
    return Chart(figures.picture(_service_cm(labels), paint), f"Stacked bar chart: {title}. {parts}.", title)


def _actions_cm(labels: tuple[str, ...]) -> float:
    return 2.0 + 0.6 * len(labels)


def _actions_figure(labels: tuple[str, ...]) -> Drawn:
    fig = _figure(_actions_cm(labels), left_cm=_label_room(list(labels)))
    ax = fig.add_subplot()
    bars = ax.barh(labels, [1] * len(labels), color=[OUTCOME_COLOURS.get(o, "#7f7f7f") for o in labels])
    ax.set_xlabel("Actions", fontsize=8)
    _style(ax)
    return Drawn(fig, ax, [bars])


def actions_chart(outcomes: tuple[tuple[str, int], ...], title: str, figures: Figures | None = None
                  ) -> Chart | None:
    total = sum(n for _, n in outcomes)
    if not total:
        return None
    labels, values = tuple(o for o, _ in outcomes)[::-1], [n for _, n in outcomes][::-1]
    figures = figures or Figures()

    def paint() -> Figure:
        drawn = figures.get(("actions", labels), lambda: _actions_figure(labels))
        bars = drawn.bars[0]
        for bar, n in zip(bars, values):
            bar.set_width(n)
        drawn.relabel(bars, [f"{n} ({pct(n, total)})" for n in values], fontsize=8, color=TEXT, padding=2)
        drawn.ax.set_xlim(0, max(values) * 1.25)
        return drawn.fig

    parts = ", ".join(f"{o} {n} ({pct(n, total)})" for o, n in outcomes)
    return Chart(figures.picture(_actions_cm(labels), paint), f"Bar chart: {title}, {total} actions. {parts}.",
                 title)


BENCHMARKS = (("Trust", "#1f3a5f"), ("Statistical neighbours", "#7f9fbf"), ("Region", "#b4c7dc"),
              ("England", "#d9d9d9"))


def indicator_chart(indicators: tuple, title: str, figures: Figures | None = None) -> Chart | None:
    """One small bar chart per indicator (the trust against neighbours, region and England), in one picture
    (drawn once a run, the SLT report's only: not kept in ``figures``)."""
    if not indicators:
        return None
    height = 1.2 + 2.0 * len(indicators)
    labels = [name for name, _ in BENCHMARKS][::-1]

    def paint() -> Figure:
        fig = _figure(height, left_cm=_label_room([name for name, _ in BENCHMARKS]), bottom_cm=0.6)
        fig.subplots_adjust(hspace=0.6)
        axes = fig.subplots(len(indicators), 1, squeeze=False)[:, 0]
        for ax, i in zip(axes, indicators):
            values = (i.trust, i.neighbours, i.region, i.england)
            bars = ax.barh(labels, values[::-1], color=[c for _, c in BENCHMARKS][::-1])
            ax.bar_label(bars, labels=[f"{v:g}" for v in values[::-1]], fontsize=7, color=TEXT, padding=2)
            ax.set_title(f"{i.label} ({'higher' if i.higher_is_better else 'lower'} is better)", fontsize=8,
                         color=TEXT, loc="left")
            ax.set_xlim(0, max(values) * 1.2 or 1)
            _style(ax)
        return fig

    parts = [f"{i.label}: trust {i.trust:g}, neighbours {i.neighbours:g}, region {i.region:g}, England {i.england:g}"
             for i in indicators]
    return Chart(_picture(height, paint, figures is not None and figures.later),
                 f"Bar charts: {title}. " + "; ".join(parts) + ".", title)


class ChartBook:
    """The charts of one run, each picture drawn once: keyed by the drawing and the data it shows (the title is
    not drawn, only said in the alt text), so a chart in several documents (the SLT report and a service's, a
    theme in the SLT report and in its own report) is drawn once and each document gets its own title."""

    def __init__(self, painter: Painter | None = None) -> None:
        self._charts: dict[tuple[str, tuple[Hashable, ...]], Chart | None] = {}
        self.drawn = 0  # how many figures were actually drawn
        self.figures = Figures(later=painter is not None)  # drawn again for the next chart of the same kind and layout
        self.painter = painter  # draws the pictures in a second process while the documents are rendered

    def chart(self, draw: Callable[..., Chart | None], *data: Hashable) -> Chart | None:
        """``draw(*data, figures=...)``, whose last data argument is the chart's title."""
        *shown, title = data
        key = (draw.__name__, tuple(shown))
        if key not in self._charts:
            chart = self._charts[key] = draw(*data, figures=self.figures)
            if chart is not None and self.painter is not None:
                chart.picture.drawn_by(self.painter.submit(draw_in_worker, draw, data),
                                       lambda: draw_in_worker(draw, data))  # here, on this process's kept figures
            self.drawn += 1
        chart = self._charts[key]
        if chart is None or chart.title == title:
            return chart
        return replace(chart, title=str(title), alt=chart.alt.replace(chart.title, str(title), 1))


_WORKER_FIGURES: list[Figures] = []  # the figures a process keeps to draw pictures again: the painter's own, made in
# its worker, and the run's, for a picture taken back from the painter or that it failed to draw


def warm_up(painter: Painter | None, trend: Sequence[Period] = ()) -> None:
    """Have the painter's worker, idle while the run reads the quarter, draw the grade chart and the trend (its
    quarters, ``trend``, are known before the data) once: matplotlib's fonts and text layouts are then ready,
    and both figures kept for the run's own charts of those kinds. (Charts of other kinds drawn here too, with
    made-up categories, cost more than they saved: their figures are never the run's.)"""
    if painter is not None:
        painter.submit(_warm_up, tuple(quarter.label for quarter in trend))


def _warm_up(trend_labels: tuple[str, ...]) -> bytes:
    some = GradeCounts((1, 2, 1, 1))
    draw_in_worker(grade_chart, (some, ""))
    draw_in_worker(trend_chart, (tuple((q, some) for q in trend_labels or ("A", "B")), ""))
    return b""


def draw_in_worker(draw: Callable[..., Chart | None], data: tuple[Hashable, ...], figures: Figures | None = None
                   ) -> bytes:
    """The PNG of ``draw(*data)``, drawn now (in the painter's worker, on the figures it keeps)."""
    if figures is None:
        if not _WORKER_FIGURES:
            _WORKER_FIGURES.append(Figures())
        figures = _WORKER_FIGURES[0]
    chart = draw(*data, figures=figures)
    assert chart is not None  # the run's process drew a chart from the same data
    return chart.png
