"""The narrative sections: each theme's findings, escalations (QAF 6.2), workforce development themes from
practice observations (QAF 3.4) and the good-practice showcase (QAF 8.5). Free text is pseudonymised.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from processors.dates import uk_text
from processors.forms.vocabulary import GRADES, OBSERVATION, THEMATIC
from processors.reports.data import EVIDENCE_RECORD
from processors.reports.measures import GOOD_OR_BETTER, GradeCounts, rate
from processors.reports.privacy import Scrubber, practitioner
from processors.reports.quarter import Period, Quarter
from processors.reports.source import GRADED_TYPES, Snapshot, due_day, field_key
from processors.reports.tables import ActionRow, EscalationRow, FindingRow, ShareRow, ShowcaseItem, Table, ThemeCountRow
from processors.store.records import GoodPracticeRecord

if TYPE_CHECKING:
    from processors.reports.commentary_data import Commentary

FINDINGS = field_key(THEMATIC, "theme_findings")
STRENGTHS = {t: field_key(t, "strengths") for t in GRADED_TYPES}
WORKFORCE_THEME = field_key(OBSERVATION, "workforce_development_theme")
OBSERVATION_CONSENT = field_key(OBSERVATION, "family_consent")
field_key(EVIDENCE_RECORD, "share_across_workforce")
DETAILS_LIMIT = 300


def _has(form_type: str, key: str) -> bool:
    try:
        field_key(form_type, key)
    except KeyError:
        return False
    return True


AREAS = {t: next(k for k in ("areas_for_improvement", "areas_for_development") if _has(t, k)) for t in GRADED_TYPES}


def uk_date(day: date | None) -> str:
    return uk_text(day, "-")


def distinct_texts(texts: list[str]) -> tuple[str, ...]:
    """Each different text once, in order of first appearance, with how many forms said it."""
    counts = Counter(t for t in texts if t)
    return tuple(t if counts[t] == 1 else f"{t} ({counts[t]} forms)" for t in dict.fromkeys(t for t in texts if t))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- themes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeSection:
    name: str
    audits: int
    allocated: int
    counts: GradeCounts
    summary: str
    grades: Table
    findings: Table
    strengths: Table
    areas: Table
    recommendations: Table
    actions: Table


def action_rows(snap: Snapshot, form_ids: list[str], scrub: Scrubber, today: date) -> tuple[ActionRow, ...]:
    rows = []
    for form_id in form_ids:
        for a in snap.actions_by_form.get(form_id, ()):
            late = a.is_open and a.due is not None and a.due < today
            rows.append(ActionRow(a.action_id, a.case_id, scrub.text(a.text), scrub.text(a.owner), uk_date(a.due),
                                  a.status + (" (overdue)" if late else "")))
    return tuple(rows)


def theme_section(snap: Snapshot, quarter: Quarter, theme: str, commentary: Commentary, scrub: Scrubber,
                  today: date) -> ThemeSection:
    forms = [f for f in snap.forms if f.form_type == THEMATIC and f.theme == theme and f.received in quarter]
    allocated = sum(1 for a in snap.allocations if a.item.theme == theme and due_day(a) in quarter)
    counts = GradeCounts.of(f.overall_grade for f in forms)
    none = f"No audits on this theme were returned in {quarter.label}."
    summary = (f"{len(forms)} audit{'s' if len(forms) != 1 else ''} returned ({allocated} due this quarter); "
               f"{counts.good_rate} graded Good or better." if forms else none)
    return ThemeSection(
        theme, len(forms), allocated, counts, summary,
        Table(tuple(ShareRow(g, n, rate(n, counts.total)) for g, n in zip(GRADES, counts.counts)) if forms else (),
              none),
        Table(tuple(FindingRow(f.form_id, f.case_id, f.overall_grade or "-", scrub.text(f.values.get(FINDINGS)))
                    for f in forms), none),
        Table(distinct_texts([scrub.text(f.values.get(STRENGTHS[THEMATIC])) for f in forms]),
              "No strengths were recorded."),
        Table(distinct_texts([scrub.text(f.values.get(AREAS[THEMATIC])) for f in forms]),
              "No areas for improvement were recorded."),
        Table(commentary.recommendation_lines,
              commentary.recommendations.empty if commentary.present else commentary.missing),
        Table(action_rows(snap, [f.form_id for f in forms], scrub, today), "No actions were set in these audits."),
    )


# --- escalations, workforce development, good practice ----------------------------------------

@dataclass(frozen=True)
class Escalations:
    count: int
    current: int
    summary: str
    services: Table
    routes: Table
    rows: Table


def escalations(snap: Snapshot, quarter: Quarter, scrub: Scrubber) -> Escalations:
    raised = [e for e in snap.escalations if e.raised in quarter]
    none = f"No immediate concerns were escalated from QA activity in {quarter.label}."
    services = Counter(e.service or "Service not recorded" for e in raised)
    routes = Counter(e.route or "Route not stated" for e in raised)
    rows = tuple(EscalationRow(e.form_id, e.case_id, e.service, e.team, e.route or "Not stated",
                               uk_date(e.raised.date()),
                               "Concern recorded" if e.current else "Withdrawn in a later version",
                               clip(scrub.text(e.details), DETAILS_LIMIT)) for e in raised)
    current = sum(e.current for e in raised)
    summary = (f"{len(raised)} concern{'s were' if len(raised) != 1 else ' was'} escalated in {quarter.label}; "
               f"{current} still stand{'s' if current == 1 else ''} in the latest version of the form."
               if raised else none)
    return Escalations(
        len(raised), current, summary,
        Table(tuple(ShareRow(s, n, rate(n, len(raised))) for s, n in sorted(services.items())), none),
        Table(tuple(ShareRow(r, n, rate(n, len(raised))) for r, n in routes.most_common()), none),
        Table(rows, none))


@dataclass(frozen=True)
class Workforce:
    observations: int
    summary: str
    themes: Table


def workforce(snap: Snapshot, quarter: Quarter, scrub: Scrubber) -> Workforce:
    observations = [f for f in snap.forms if f.form_type == OBSERVATION and f.received in quarter]
    groups: dict[str, list[str]] = defaultdict(list)
    spelling: dict[str, str] = {}
    for f in observations:
        theme = " ".join(scrub.text(f.values.get(WORKFORCE_THEME)).split())
        if theme:
            spelling.setdefault(theme.casefold(), theme)
            groups[theme.casefold()].append(f.service or "Service not recorded")
    rows = sorted((ThemeCountRow(spelling[k], len(v), ", ".join(sorted(set(v)))) for k, v in groups.items()),
                  key=lambda r: (-r.count, r.label.casefold()))
    none = (f"No workforce development themes were recorded in the {len(observations)} practice observations "
            f"returned in {quarter.label}." if observations
            else f"No practice observations were returned in {quarter.label}.")
    summary = f"{len(observations)} practice observation{'s were' if len(observations) != 1 else ' was'} returned."
    return Workforce(len(observations), summary, Table(tuple(rows), none))


def shareable(snap: Snapshot, period: Period) -> list[GoodPracticeRecord]:
    """Good practice fit to hold up to the workforce: an Evidence Record whose nominator agreed it be shared,
    or the good practice seen in an observation graded Good or better, whose family agreed to the observation,
    and which raised no concern. Nothing from a form whose concern stands."""
    found = []
    for g in snap.good_practice:
        form = snap.forms_by_id.get(g.form_id)
        if not g.current or g.recorded not in period or form is None or g.form_id in snap.escalated:
            continue
        if form.immediate_concern:
            continue
        if g.form_type == EVIDENCE_RECORD:
            ok = g.share_across_workforce == "Yes"
        else:
            ok = form.overall_grade in GOOD_OR_BETTER and form.values.get(OBSERVATION_CONSENT) == "Yes"
        if ok:
            found.append(g)
    return found


def showcase(snap: Snapshot, quarter: Quarter, scrub: Scrubber, show_names: bool) -> Table:
    items = tuple(
        ShowcaseItem(g.form_id, practitioner(g.practitioner, "", show_names), g.team, g.service,
                     scrub.text(g.summary), scrub.text(g.difference), ", ".join(g.trust_values))
        for g in shareable(snap, quarter))
    return Table(items, f"No good practice that may be shared was recorded in {quarter.label}.")
