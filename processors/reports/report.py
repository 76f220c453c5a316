"""One report's data: the scope's numbers and narrative for the quarter, ready for the template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from processors.config.reports import ReportSettings
from processors.reports.activities import ActivitySection, activities
from processors.reports.assurance import OtherAssurance, other_assurance
from processors.reports.commentary import Commentary, commentary_section
from processors.reports.data import BetterOff, HowMuch, HowWell, better_off, how_much, how_well
from processors.reports.findings import (
    Escalations,
    ThemeSection,
    Workforce,
    escalations,
    showcase,
    theme_section,
    workforce,
)
from processors.reports.measures import pct, points_change
from processors.reports.privacy import Scrubber
from processors.reports.quarter import Quarter
from processors.reports.source import Scope, Snapshot, due_day, themes_in
from processors.reports.tables import Table

PRIVACY_NOTE = ("OFFICIAL - SENSITIVE. Children are referred to by case ID only. {names} "
                "Do not forward outside the trust.")


REPORT_EXTRA_NAMES = ("quarter_label", "no_themes", "charts")  # what the report's template gets besides ReportData


@dataclass(frozen=True)
class ReportData:
    kind: str
    title: str
    subtitle: str
    audience: str
    organisation: str
    quarter: Quarter
    scope: Scope
    generated: str
    privacy_note: str
    headlines: tuple[str, ...]
    how_much: HowMuch
    how_well: HowWell
    better_off: BetterOff
    themes: tuple[ThemeSection, ...]
    escalations: Escalations
    workforce: Workforce
    showcase: Table
    show_workforce: bool
    show_showcase: bool
    commentary: Commentary
    other: OtherAssurance | None = None   # other sources of assurance: the trust-wide report only
    activities: tuple[ActivitySection, ...] = ()  # the framework's other activities (issue 14)
    show_services: bool = True   # a service's own report has no "by service" breakdown of one row


def _titles(scope: Scope, quarter: Quarter) -> tuple[str, str]:
    if scope.kind == "theme":
        where = f" in {scope.service}" if scope.service else ""
        return f"Thematic Audit Report: {scope.theme}{where}", "for the Senior Management Team (QAF 5.6.4)"
    if scope.kind == "service":
        return f"Quarterly Quality Assurance Report: {scope.service}", f"for the managers of {scope.service}"
    return "Quarterly Quality Assurance Report", "for the Senior Leadership Team"


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def headlines(much: HowMuch, well: HowWell, off: BetterOff, esc: Escalations, quarter: Quarter) -> tuple[str, ...]:
    """The summary's sentences (also the report email's): each counts only what it says it counts."""
    lines = []
    if much.allocated:
        lines.append(f"{much.completed} of {much.allocated} audits, observations and supervision audits due were "
                     f"completed ({pct(much.completed, much.allocated)}); {pct(much.on_time, much.completed)} of "
                     "those were on time.")
    if well.overall.total:
        change = points_change(well.overall.good_share, well.previous_share)
        versus = f" ({change} on {quarter.previous(1)[0].label})" if change != "-" else ""
        lines.append(f"{well.overall.good_pct} of {well.overall.total} graded forms were Good or better{versus}.")
    if off.actions_due or off.actions_later:
        later = (f"; {_plural(off.actions_later, 'more falls', 'more fall')} due later in the quarter"
                 if off.actions_later else "")
        done = (f"{off.actions_on_time} of {_plural(off.actions_due, 'action', 'actions')} due by "
                f"{off.due_by:%d/%m/%Y} {'was' if off.actions_due == 1 else 'were'} completed on time "
                f"({pct(off.actions_on_time, off.actions_due)})" if off.actions_due
                else f"No actions fell due by {off.due_by:%d/%m/%Y}")
        lines.append(done + later + ".")
    lines.append(f"{_plural(esc.count, 'immediate concern was', 'immediate concerns were')} escalated.")
    records = _plural(much.evidence_records, "Good Practice Evidence Record was", "Good Practice Evidence Records were")
    noted = _plural(much.observation_notes, "observation noted", "observations noted")
    lines.append(f"{records} received, and {noted} good practice seen.")
    return tuple(lines)


def build_report(snap: Snapshot, scope: Scope, quarter: Quarter, options: ReportSettings, scrub: Scrubber,
                 organisation: str, today: date, ready: Callable[[object], None] | None = None) -> ReportData:
    """``snap`` is the whole store's snapshot; the scope is applied here (the QA Manager's commentary is on the
    whole quarter, so every report of it shows the commentary). ``ready`` is handed each section with charts as
    soon as it is worked out (compose.charts_as_ready: the painter draws them while the rest is)."""
    ready = ready or (lambda section: None)
    commentary = commentary_section(snap, quarter, scrub, today)
    data = scope.restrict(snap)
    much, well = how_much(data, quarter), how_well(data, quarter, options.trend_quarters)
    ready(well)
    off = better_off(data, quarter, today)
    ready(off)
    esc = escalations(data, quarter, scrub)
    in_quarter = [t for t in themes_in(data) if _theme_active(data, t, quarter)]
    themes = tuple(theme_section(data, quarter, t, commentary, scrub, today) for t in in_quarter)
    title, audience = _titles(scope, quarter)
    names = ("Practitioners are named where the QA Manager has agreed it." if options.show_practitioner_names
             else "Practitioners are not named.")
    return ReportData(
        scope.kind, title, f"{quarter.label}: {quarter.title}", audience, organisation, quarter, scope,
        today.strftime("%d %B %Y"), PRIVACY_NOTE.format(names=names), headlines(much, well, off, esc, quarter),
        much, well, off, themes, esc, workforce(data, quarter, scrub),
        showcase(data, quarter, scrub, options.show_practitioner_names),
        show_workforce=scope.kind != "theme", show_showcase=scope.kind != "theme", commentary=commentary,
        show_services=not scope.service,
        other=other_assurance(snap.assurance, quarter, scrub) if scope.kind == "slt" else None,
        activities=activities(data, quarter, scrub) if scope.kind != "theme" else ())


def _theme_active(snap: Snapshot, theme: str, quarter: Quarter) -> bool:
    return (any(f.theme == theme and f.received in quarter for f in snap.forms)
            or any(a.item.theme == theme and due_day(a) in quarter for a in snap.allocations))
