"""A themed audit report written for the Senior Management Team (QAF 5.6.4): only that theme's audits.

What SMT reads: how many audits on the theme came back, the grade for each question of the audit tool, the
strengths and areas for development that recur across the auditors' free text (counted, with a short
anonymised excerpt each), how the theme compares with the last time it was audited, the findings by case ID,
and the QA Manager's commentary with its recommendations and SMT's agreed actions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from processors.config.reports import ReportSettings
from processors.forms.definitions import FORM_TYPES
from processors.reports.build import Rendered, chart_context, load_template, render, to_context
from processors.reports.charts import Chart, ChartBook, grade_chart, service_chart, theme_title
from processors.reports.commentary import Commentary, commentary_section
from processors.reports.compiled import ReportTemplates
from processors.reports.data import graded_row
from processors.reports.findings import AREAS, STRENGTHS, THEMATIC, ThemeSection, clip, theme_section
from processors.reports.measures import GradeCounts, pct, points_change
from processors.reports.privacy import Scrubber
from processors.reports.quarter import Quarter, quarter_of
from processors.reports.report import PRIVACY_NOTE
from processors.reports.source import Scope, Snapshot
from processors.reports.tables import GradedRow, Table
from processors.store.records import FormRecord
from processors.word.render import word_text

EXCERPT = 140
RECURS = 2  # said in at least this many audits
# What auditors write about, by the words they use for it (lower case; a word's start is enough).
TOPICS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The child's voice, wishes and lived experience", ("voice", "wishes", "seen alone", "views", "lived exper")),
    ("Plans and planning", ("plan",)),
    ("Assessment and chronology", ("assessment", "chronolog", "history")),
    ("Management oversight and supervision", ("oversight", "supervis", "rationale", "decision")),
    ("Timeliness of visits and reviews", ("visit", "timel", "on time", "out of date", "overdue", "review")),
    ("Working with partners", ("partner", "multi-agency", "school", "health", "police", "nursery")),
    ("Direct work and relationships with the family", ("direct work", "relationship", "tool", "family")),
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class TopicRow:
    label: str
    audits: int
    share: str
    excerpt: str


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    then: str
    now: str
    change: str


@dataclass(frozen=True)
class ThemedData:
    kind: str
    title: str
    subtitle: str
    audience: str
    organisation: str
    quarter: Quarter
    generated: str
    privacy_note: str
    headlines: tuple[str, ...]
    theme: ThemeSection
    domains: Table
    strengths: Table
    areas: Table
    comparison_note: str
    comparison: Table
    commentary: Commentary
    domain_series: tuple[tuple[str, GradeCounts], ...]


def theme_forms(snap: Snapshot, theme: str, before: date | None = None, within: Quarter | None = None
                ) -> list[FormRecord]:
    return [f for f in snap.forms if f.form_type == THEMATIC and f.theme == theme
            and (within is None or f.received in within) and (before is None or f.received.date() < before)]


def domain_counts(snap: Snapshot, forms: Iterable[FormRecord]) -> dict[str, GradeCounts]:
    grades: dict[str, list[str]] = {d.key: [] for d in FORM_TYPES[THEMATIC].domains}
    for f in forms:
        for g in snap.grades_by_form.get(f.form_id, ()):
            grades.setdefault(g.domain, []).append(g.grade)
    return {k: GradeCounts.of(v) for k, v in grades.items()}


def _label(key: str) -> str:
    return FORM_TYPES[THEMATIC].field(key).label


def recurring(texts: list[str], scrub: Scrubber, total: int) -> tuple[TopicRow, ...]:
    """The topics at least ``RECURS`` audits wrote about, most often first, each with its first sentence."""
    rows = []
    for label, words in TOPICS:
        said = []
        for text in texts:
            text = scrub.text(text)  # before splitting: "J.S." must not end a sentence
            sentence = next((s for s in _SENTENCES.split(text) if any(w in s.lower() for w in words)), None)
            if sentence:
                said.append(sentence)
        if len(said) >= RECURS:
            rows.append(TopicRow(label, len(said), pct(len(said), total), clip(said[0].strip(), EXCERPT)))
    return tuple(sorted(rows, key=lambda r: -r.audits))


def _comparison(snap: Snapshot, theme: str, quarter: Quarter, forms: list[FormRecord], year_start: int
                ) -> tuple[str, tuple[ComparisonRow, ...], str]:
    """(what it says, the rows, the quarter compared with)."""
    earlier = theme_forms(snap, theme, before=quarter.start)
    if not earlier:
        return f"This is the first audit on {theme}: there is nothing earlier to compare with.", (), ""
    last = quarter_of(max(f.received for f in earlier).date(), year_start)
    then_forms = [f for f in earlier if f.received in last]
    then, now = GradeCounts.of(f.overall_grade for f in then_forms), GradeCounts.of(f.overall_grade for f in forms)
    change = points_change(now.good_share, then.good_share)
    rows = [ComparisonRow("Overall grade", then.good_rate, now.good_rate, change)]
    before, after = domain_counts(snap, then_forms), domain_counts(snap, forms)
    for key, counts in after.items():
        if counts.total or before.get(key, GradeCounts.of(())).total:
            old = before.get(key, GradeCounts.of(()))
            rows.append(ComparisonRow(_label(key), old.good_rate, counts.good_rate,
                                      points_change(counts.good_share, old.good_share)))
    note = (f"{theme} was last audited in {last.label} ({last.title}): {len(then_forms)} audit"
            f"{'s' if len(then_forms) != 1 else ''}. The share of grades Good or better, then and now:")
    return note, tuple(rows), last.label


def _headlines(theme: ThemeSection, comparison: tuple[ComparisonRow, ...], previous: str) -> tuple[str, ...]:
    lines = [theme.summary]
    if comparison and comparison[0].change not in ("-", ""):
        lines.append(f"Overall, {comparison[0].change} on {previous} (Good or better: {comparison[0].then} then, "
                     f"{comparison[0].now} now).")
    return tuple(lines)


def build_themed(snap: Snapshot, scope: Scope, quarter: Quarter, options: ReportSettings, scrub: Scrubber,
                 organisation: str, today: date) -> ThemedData:
    commentary = commentary_section(snap, quarter, scrub, today)
    data = scope.restrict(snap)
    theme = scope.theme
    forms = theme_forms(data, theme, within=quarter)
    section = theme_section(data, quarter, theme, commentary, scrub, today)
    domains = domain_counts(data, forms)
    rows: tuple[GradedRow, ...] = tuple(graded_row(_label(k), "", c) for k, c in domains.items() if c.total)
    none = f"No audits on {theme} were returned in {quarter.label}."
    strengths = recurring([str(f.values.get(STRENGTHS[THEMATIC]) or "") for f in forms], scrub, len(forms))
    areas = recurring([str(f.values.get(AREAS[THEMATIC]) or "") for f in forms], scrub, len(forms))
    note, comparison, previous = _comparison(data, theme, quarter, forms, options.year_start_month)
    where = f" in {scope.service}" if scope.service else ""
    return ThemedData(
        "theme", f"Thematic Audit Report: {theme}{where}", f"{quarter.label}: {quarter.title}",
        "for the Senior Management Team (QAF 5.6.4)", organisation, quarter, today.strftime("%d %B %Y"),
        PRIVACY_NOTE.format(names="Practitioners are not named." if not options.show_practitioner_names
                            else "Practitioners are named where the QA Manager has agreed it."),
        _headlines(section, comparison, previous), section, Table(rows, none),
        Table(strengths, f"No strength recurs across {RECURS} or more of the audits." if forms else none),
        Table(areas, f"No area for development recurs across {RECURS} or more of the audits." if forms else none),
        note, Table(comparison, note), commentary,
        tuple((r.label, domains[k]) for k, r in zip([k for k, c in domains.items() if c.total], rows)))


def themed_charts(data: ThemedData, book: ChartBook | None = None) -> dict[str, Chart | None]:
    """The theme's charts, from ``book`` when another document of the run already drew them."""
    draw = (book or ChartBook()).chart
    label = data.quarter.label
    return {"grades": draw(grade_chart, data.theme.counts, theme_title(data.theme.name, label)),
            "domains": draw(service_chart, data.domain_series, f"Grades by question of the audit tool, {label}")
            if data.domain_series else None}


def render_themed(template: Path, data: ThemedData, book: ChartBook | None = None,
                  templates: ReportTemplates | None = None) -> Rendered:
    tpl = load_template(template, templates)
    context = vars(to_context(data))
    context["quarter_label"] = word_text(data.quarter.label)
    context["charts"] = SimpleNamespace(**{k: chart_context(tpl, c) for k, c in themed_charts(data, book).items()})
    return render(tpl, context, template.name)
