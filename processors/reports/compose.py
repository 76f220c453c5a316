"""A quarterly report from its data to a Word document: the charts, the template's context, the render."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from docxtpl import DocxTemplate

from processors.reports.briefing import BriefingData
from processors.reports.build import Rendered, chart_context, load_template, render, to_context
from processors.reports.charts import (
    Chart,
    ChartBook,
    actions_chart,
    grade_chart,
    indicator_chart,
    service_chart,
    theme_title,
    trend_chart,
)
from processors.reports.compiled import ReportTemplates
from processors.reports.data import BetterOff, HowWell
from processors.reports.quarter import Quarter
from processors.reports.report import ReportData
from processors.word.render import word_text


@dataclass(frozen=True)
class ReportCharts:
    grades: Chart | None
    trend: Chart | None
    services: Chart | None
    actions: Chart | None
    themes: tuple[Chart | None, ...]
    indicators: Chart | None = None

    def all(self) -> list[Chart]:
        return [c for c in (self.grades, self.trend, self.services, self.actions, *self.themes, self.indicators)
                if c is not None]


def _how_well_charts(draw: Callable[..., Chart | None], well: HowWell, label: str
                     ) -> tuple[Chart | None, Chart | None, Chart | None]:
    return (draw(grade_chart, well.overall, f"Overall grades, {label}"),
            draw(trend_chart, well.trend_series, "Overall grades by quarter"),
            draw(service_chart, well.service_series, f"Overall grades by service, {label}")
            if len(well.service_series) > 1 else None)


def _actions_chart(draw: Callable[..., Chart | None], off: BetterOff, label: str) -> Chart | None:
    return draw(actions_chart, off.action_counts, f"Actions due in {label} and what became of them")


def charts_as_ready(book: ChartBook, quarter: Quarter) -> Callable[[object], None]:
    """For ``build_report``'s ``ready``: a section's charts asked of ``book`` as soon as the section is worked out,
    so that the run's painter draws them while the rest of the report's data is (``report_charts`` then finds
    them in the book)."""
    def ready(section: object) -> None:
        if isinstance(section, HowWell):
            _how_well_charts(book.chart, section, quarter.label)
        elif isinstance(section, BetterOff):
            _actions_chart(book.chart, section, quarter.label)
    return ready


def report_charts(data: ReportData, book: ChartBook | None = None) -> ReportCharts:
    """The report's charts, from ``book`` when another document of the run already drew them."""
    draw = (book or ChartBook()).chart
    label = data.quarter.label
    grades, trend, services = _how_well_charts(draw, data.how_well, label)
    return ReportCharts(
        grades, trend, services, _actions_chart(draw, data.better_off, label),
        tuple(draw(grade_chart, t.counts, theme_title(t.name, label)) for t in data.themes),
        draw(indicator_chart, data.other.indicator_values, "Performance against statistical neighbours, region and "
             "England") if data.other else None,
    )


def report_context(tpl: DocxTemplate, data: ReportData, charts: ReportCharts) -> dict[str, object]:
    context = vars(to_context(data))
    context["quarter_label"] = word_text(data.quarter.label)  # these three are REPORT_EXTRA_NAMES
    context["no_themes"] = word_text(f"No thematic audits were due or returned in {data.quarter.label}.")
    context["charts"] = SimpleNamespace(**{name: chart_context(tpl, getattr(charts, name))
                                           for name in ("grades", "trend", "services", "actions", "indicators")})
    for theme, chart in zip(context["themes"], charts.themes):
        theme.chart = chart_context(tpl, chart)
    return context


def render_briefing(template: Path, data: BriefingData, templates: ReportTemplates | None = None) -> Rendered:
    tpl = load_template(template, templates)
    return render(tpl, vars(to_context(data)), template.name)


def render_report(template: Path, data: ReportData, charts: ReportCharts | None = None,
                  book: ChartBook | None = None, templates: ReportTemplates | None = None) -> Rendered:
    tpl = load_template(template, templates)
    return render(tpl, report_context(tpl, data, charts or report_charts(data, book)), template.name)
