"""A chart drawn on a figure the run keeps (its bars moved, its labels rewritten) is the same picture, pixel for
pixel, as the chart drawn on a new figure, whatever the figure showed before (issue 16, item 3)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from PIL import Image, ImageChops

from processors.reports.charts import (
    DPI,
    Chart,
    ChartBook,
    Figures,
    actions_chart,
    grade_chart,
    service_chart,
    trend_chart,
)
from processors.reports.data import ACTION_OUTCOMES
from processors.reports.measures import GradeCounts

QUARTERS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
SERVICES = ("Children in Care", "Early Help", "Child Protection")

Draw = Callable[[int, Figures | None], Chart | None]


def _grades(seed: int) -> GradeCounts:
    return GradeCounts(tuple((seed * (n + 3)) % 17 + (n == 1) for n in range(4)))


KINDS: dict[str, Draw] = {
    "grade": lambda s, f: grade_chart(_grades(s), "Overall grades", f),
    "trend": lambda s, f: trend_chart(tuple((q, _grades(s + n)) for n, q in enumerate(QUARTERS)), "By quarter", f),
    "service": lambda s, f: service_chart(tuple((v, _grades(s * 2 + n)) for n, v in enumerate(SERVICES)),
                                          "By service", f),
    "actions": lambda s, f: actions_chart(tuple((o, (s + n) % 7) for n, o in enumerate(ACTION_OUTCOMES)),
                                          "Actions", f),
}


def _pixels(chart: Chart | None) -> Image.Image:
    assert chart is not None
    image = Image.open(io.BytesIO(chart.png))
    assert image.info.get("dpi", (DPI, DPI))[0] == pytest.approx(DPI, abs=1)
    return image.convert("RGBA")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_chart_on_a_kept_figure_is_the_chart_on_a_new_one(kind: str) -> None:
    draw, kept = KINDS[kind], Figures()
    draw(5, kept)  # the figure shows other data first
    fresh, reused = draw(2, None), draw(2, kept)
    assert fresh is not None and reused is not None
    assert fresh.alt == reused.alt
    assert ImageChops.difference(_pixels(fresh), _pixels(reused)).getbbox() is None
    assert _pixels(draw(5, None)).tobytes() != _pixels(fresh).tobytes()  # the data does show in the picture


def test_a_run_keeps_one_figure_per_kind_and_layout() -> None:
    book = ChartBook()
    for seed in range(1, 4):
        book.chart(grade_chart, _grades(seed), f"Grades {seed}")
        book.chart(trend_chart, tuple((q, _grades(seed + n)) for n, q in enumerate(QUARTERS)), "By quarter")
        book.chart(service_chart, tuple((v, _grades(seed)) for v in SERVICES), "By service")
        book.chart(service_chart, tuple((v, _grades(seed)) for v in SERVICES[:2]), "Two services")  # another layout
    assert book.drawn == 12
    assert len(book.figures._kept) == 4
