"""Charts as PNG bytes with alt text that says what the chart shows, drawn with matplotlib's object API.

No pyplot: a ``Figure`` per chart, drawn by the Agg canvas, so nothing is kept in global state between
charts or runs, and no display is needed. Margins are set from the labels' lengths rather than by the
constrained layout engine, which draws every figure twice to measure it (issue 16: half the cost of a chart).
A run draws each chart once: ``ChartBook`` keeps them by what they show, for every document that shows them.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from processors.forms.vocabulary import GRADES
from processors.reports.data import ACTION_OUTCOMES
from processors.reports.measures import GradeCounts, pct

DPI = 150
WIDTH_CM = 16.0
COLOURS = dict(zip(GRADES, ("#1b7837", "#7fbf7b", "#f4a736", "#c2331f")))  # best to worst
OUTCOME_COLOURS = dict(zip(ACTION_OUTCOMES, ("#1b7837", "#7fbf7b", "#a6a6a6", "#c2331f", "#f4a736", "#d9d9d9")))
TEXT = "#333333"


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt: str
    title: str
    width_cm: float = WIDTH_CM


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
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def grade_chart(counts: GradeCounts, title: str) -> Chart | None:
    if not counts.total:
        return None
    fig = _figure(6.5)
    ax = fig.add_subplot()
    bars = ax.bar(GRADES, counts.counts, color=[COLOURS[g] for g in GRADES], width=0.6)
    ax.bar_label(bars, labels=[f"{n} ({pct(n, counts.total)})" for n in counts.counts], fontsize=8, color=TEXT)
    ax.set_ylabel("Forms", fontsize=8)
    ax.set_ylim(0, max(counts.counts) * 1.2)
    _style(ax)
    parts = ", ".join(f"{g} {n} ({pct(n, counts.total)})" for g, n in zip(GRADES, counts.counts))
    alt = f"Bar chart: {title}, {counts.total} forms. {parts}. {counts.good_pct} Good or better."
    return Chart(_png(fig), alt, title)


def theme_title(theme: str, label: str) -> str:
    """A theme's grade chart: the same picture in the quarterly reports and in the theme's own report."""
    return f"Overall grades, theme '{theme}', {label}"


def _stacked_shares(ax: Axes, labels: list[str], series: list[GradeCounts], horizontal: bool) -> None:
    left = [0.0] * len(series)
    for n, grade in enumerate(GRADES):
        values = [100 * c.counts[n] / c.total if c.total else 0 for c in series]
        draw = ax.barh if horizontal else ax.bar
        offset = {"left": left} if horizontal else {"bottom": left}
        draw(labels, values, color=COLOURS[grade], label=grade, **offset)
        left = [a + b for a, b in zip(left, values)]
    # above the bars, centred on the whole picture (the category labels take the left of it); or below them
    where = dict(loc="upper center", bbox_to_anchor=(0.5, 1.0), bbox_transform=ax.figure.transFigure) \
        if horizontal else dict(loc="upper center", bbox_to_anchor=(0.5, -0.1))
    ax.legend(fontsize=7, ncols=len(GRADES), frameon=False, **where)


def trend_chart(series: tuple[tuple[str, GradeCounts], ...], title: str) -> Chart | None:
    if not any(c.total for _, c in series):
        return None
    fig = _figure(7.5, bottom_cm=1.6)
    ax = fig.add_subplot()
    labels, counts = [q for q, _ in series], [c for _, c in series]
    _stacked_shares(ax, labels, counts, horizontal=False)
    for x, c in enumerate(counts):
        label = f"{c.good_pct} Good+\n({c.total} forms)" if c.total else "no forms"
        ax.text(x, 102, label, ha="center", va="bottom", fontsize=7, color=TEXT)
    ax.set_ylim(0, 125)
    ax.set_yticks(range(0, 101, 20))
    ax.set_ylabel("Share of forms (%)", fontsize=8)
    _style(ax)
    parts = "; ".join(f"{q} {c.good_pct} ({c.total} forms)" for q, c in series)
    return Chart(_png(fig), f"Stacked bar chart: {title}. Share Good or better by quarter: {parts}.", title)


def service_chart(series: tuple[tuple[str, GradeCounts], ...], title: str) -> Chart | None:
    if not series:
        return None
    labels = [s for s, _ in series][::-1]
    fig = _figure(2.2 + 0.75 * len(series), left_cm=_label_room(labels), top_cm=1.0,
                  right_cm=2.2)  # the share Good or better beside each bar
    ax = fig.add_subplot()
    counts = [c for _, c in series][::-1]
    _stacked_shares(ax, labels, counts, horizontal=True)
    for y, c in enumerate(counts):
        ax.text(101, y, f"{c.good_pct} Good+ ({c.total})", va="center", fontsize=7, color=TEXT)
    ax.set_xlim(0, 118)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("Share of forms (%)", fontsize=8)
    _style(ax)
    parts = "; ".join(f"{s} {c.good_pct} Good or better ({c.total} forms)" for s, c in series)
    return Chart(_png(fig), f"Stacked bar chart: {title}. {parts}.", title)


def actions_chart(outcomes: tuple[tuple[str, int], ...], title: str) -> Chart | None:
    total = sum(n for _, n in outcomes)
    if not total:
        return None
    labels, values = [o for o, _ in outcomes][::-1], [n for _, n in outcomes][::-1]
    fig = _figure(2.0 + 0.6 * len(outcomes), left_cm=_label_room(labels))
    ax = fig.add_subplot()
    bars = ax.barh(labels, values, color=[OUTCOME_COLOURS.get(o, "#7f7f7f") for o in labels])
    ax.bar_label(bars, labels=[f"{n} ({pct(n, total)})" for n in values], fontsize=8, color=TEXT, padding=2)
    ax.set_xlim(0, max(values) * 1.25)
    ax.set_xlabel("Actions", fontsize=8)
    _style(ax)
    parts = ", ".join(f"{o} {n} ({pct(n, total)})" for o, n in outcomes)
    return Chart(_png(fig), f"Bar chart: {title}, {total} actions. {parts}.", title)


BENCHMARKS = (("Trust", "#1f3a5f"), ("Statistical neighbours", "#7f9fbf"), ("Region", "#b4c7dc"),
              ("England", "#d9d9d9"))


def indicator_chart(indicators: tuple, title: str) -> Chart | None:
    """One small bar chart per indicator (the trust against neighbours, region and England), in one picture."""
    if not indicators:
        return None
    height = 1.2 + 2.0 * len(indicators)
    fig = _figure(height, left_cm=_label_room([name for name, _ in BENCHMARKS]), bottom_cm=0.6)
    fig.subplots_adjust(hspace=0.6)
    axes = fig.subplots(len(indicators), 1, squeeze=False)[:, 0]
    parts = []
    for ax, i in zip(axes, indicators):
        values = (i.trust, i.neighbours, i.region, i.england)
        labels = [name for name, _ in BENCHMARKS][::-1]
        bars = ax.barh(labels, values[::-1], color=[c for _, c in BENCHMARKS][::-1])
        ax.bar_label(bars, labels=[f"{v:g}" for v in values[::-1]], fontsize=7, color=TEXT, padding=2)
        ax.set_title(f"{i.label} ({'higher' if i.higher_is_better else 'lower'} is better)", fontsize=8,
                     color=TEXT, loc="left")
        ax.set_xlim(0, max(values) * 1.2 or 1)
        _style(ax)
        parts.append(f"{i.label}: trust {i.trust:g}, neighbours {i.neighbours:g}, region {i.region:g}, "
                     f"England {i.england:g}")
    return Chart(_png(fig), f"Bar charts: {title}. " + "; ".join(parts) + ".", title)


class ChartBook:
    """The charts of one run, each picture drawn once: keyed by the drawing and the data it shows (the title is
    not drawn, only said in the alt text), so a chart in several documents (the SLT report and a service's, a
    theme in the SLT report and in its own report) is drawn once and each document gets its own title."""

    def __init__(self) -> None:
        self._charts: dict[tuple[str, tuple[Hashable, ...]], Chart | None] = {}
        self.drawn = 0  # how many figures were actually drawn

    def chart(self, draw: Callable[..., Chart | None], *data: Hashable) -> Chart | None:
        """``draw(*data)``, whose last argument is the chart's title."""
        *shown, title = data
        key = (draw.__name__, tuple(shown))
        if key not in self._charts:
            self._charts[key] = draw(*data)
            self.drawn += 1
        chart = self._charts[key]
        if chart is None or chart.title == title:
            return chart
        return replace(chart, title=str(title), alt=chart.alt.replace(chart.title, str(title), 1))
