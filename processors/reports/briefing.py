"""The monthly learning briefing note (QAF 8.2.1: 'a regular briefing note ... to share generic learning').

For the whole workforce: no case IDs at all, no children, practitioners named only where config allows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from processors.config.reports import ReportSettings
from processors.forms.definitions import FORM_TYPES
from processors.forms.vocabulary import OBSERVATION
from processors.reports.data import graded_in
from processors.reports.findings import AREAS, STRENGTHS, WORKFORCE_THEME, clip, distinct_texts, shareable
from processors.reports.measures import GOOD_OR_BETTER, GradeCounts, points_change
from processors.reports.privacy import Scrubber, practitioner
from processors.reports.quarter import Period, month_period
from processors.reports.source import Snapshot, form_title
from processors.reports.tables import Table

EXCERPT_LIMIT = 300
MIN_GRADES = 3  # a domain needs this many grades in the month before we call it strong or weak


@dataclass(frozen=True)
class BriefingData:
    title: str
    subtitle: str
    organisation: str
    generated: str
    privacy_note: str
    numbers: Table
    strongest: Table
    weakest: Table
    strengths: Table
    areas: Table
    workforce: Table
    good_practice: Table


def _numbers(snap: Snapshot, month: Period) -> Table:
    previous = month_period(date.fromordinal(month.start.toordinal() - 1))
    forms, before = graded_in(snap.forms, month), graded_in(snap.forms, previous)
    now, then = GradeCounts.of(f.overall_grade for f in forms), GradeCounts.of(f.overall_grade for f in before)
    lines = []
    if forms:
        change = points_change(now.good_share, then.good_share)
        forms_were = f"{len(forms)} audits and observations were" if len(forms) != 1 else "1 audit was"
        lines.append(f"{forms_were} returned; {now.good_pct} Good or better"
                     + (f" ({change} on the month before)." if change != "-" else "."))
    done = sum(1 for a in snap.actions if a.completed_on is not None and a.completed_on in month)
    if done:
        lines.append(f"{done} action{'s were' if done != 1 else ' was'} completed.")
    shared = len(shareable(snap, month))
    if shared:
        many = shared != 1
        lines.append(f"{shared} example{'s' if many else ''} of good practice {'were' if many else 'was'} shared.")
    return Table(tuple(lines), f"No audits or observations were returned in {month.title}.")


def _domains(snap: Snapshot, month: Period) -> list[tuple[str, GradeCounts]]:
    grades: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in graded_in(snap.forms, month):
        for g in snap.grades_by_form.get(f.form_id, ()):
            grades[(f.form_type, g.domain)].append(g.grade)
    out = []
    for (form_type, key), values in grades.items():
        counts = GradeCounts.of(values)
        if counts.total >= MIN_GRADES:
            out.append((f"{FORM_TYPES[form_type].field(key).label} ({form_title(form_type)})", counts))
    return sorted(out, key=lambda d: (-(d[1].good_share or 0), d[0]))


def _domain_lines(domains: list[tuple[str, GradeCounts]]) -> tuple[str, ...]:
    return tuple(f"{label}: {c.good_pct} Good or better ({c.total} grades)" for label, c in domains)


def _excerpts(snap: Snapshot, month: Period, scrub: Scrubber, good: bool, limit: int) -> tuple[str, ...]:
    texts = []
    for f in graded_in(snap.forms, month):
        if (f.overall_grade in GOOD_OR_BETTER) == good:
            key = STRENGTHS[f.form_type] if good else AREAS[f.form_type]
            texts.append(clip(scrub.text(f.values.get(key)), EXCERPT_LIMIT))
    return distinct_texts(texts)[:limit]


def _workforce(snap: Snapshot, month: Period, scrub: Scrubber) -> tuple[str, ...]:
    themes = Counter(" ".join(scrub.text(f.values.get(WORKFORCE_THEME)).split()) for f in snap.forms
                     if f.form_type == OBSERVATION and f.received in month)
    themes.pop("", None)
    return tuple(f"{t} ({n} observation{'s' if n != 1 else ''})" for t, n in themes.most_common())


def _good_practice(snap: Snapshot, month: Period, scrub: Scrubber, show: bool, limit: int) -> tuple[str, ...]:
    items = shareable(snap, month)
    return tuple(f"{practitioner(g.practitioner, g.team, show)}: {clip(scrub.text(g.summary), EXCERPT_LIMIT)}"
                 for g in items[:limit])


def build_briefing(snap: Snapshot, month: Period, options: ReportSettings, scrub: Scrubber, organisation: str,
                   today: date) -> BriefingData:
    domains, n = _domains(snap, month), options.briefing_excerpts
    strong = [d for d in domains if (d[1].good_share or 0) >= 0.5][:3]
    weak = [d for d in reversed(domains) if (d[1].good_share or 0) < 0.8 and d not in strong][:3]
    nothing = f"Nothing to report for {month.title}."
    return BriefingData(
        "Learning from quality assurance", f"Briefing note, {month.title}", organisation, today.strftime("%d %B %Y"),
        "Children and cases are not identified in this note." + (
            "" if options.show_practitioner_names else " Practitioners are not named."),
        _numbers(snap, month),
        Table(_domain_lines(strong), f"Too few grades in {month.title} to pick out strengths."),
        Table(_domain_lines(weak), f"Too few grades in {month.title} to pick out areas to focus on."),
        Table(_excerpts(snap, month, scrub, True, n), nothing),
        Table(_excerpts(snap, month, scrub, False, n), nothing),
        Table(_workforce(snap, month, scrub), f"No workforce development themes were recorded in {month.title}."),
        Table(_good_practice(snap, month, scrub, options.show_practitioner_names, n),
              f"No good practice was recorded in {month.title}."),
    )
