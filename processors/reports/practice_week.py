"""`practice-week report` (QAF 7.3-7.5): a short Word report for one service's practice week.

The week's forms are those planned for it (a review or Young Inspectors' feedback of the service due back a week
after its Monday) and any review of the service whose visit fell in the week. The report counts visits reviewed
and feedback received, gives each review and each young person's answers in their own words, and ends with the
week's findings and recommendations. Cases and forms by ID; free text pseudonymised (privacy.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from processors.allocation.caselist import same_text
from processors.config.reports import report_settings
from processors.config.settings import Settings
from processors.dates import uk_date
from processors.errors import UnknownScope
from processors.forms.vocabulary import PRACTICE_WEEK_REVIEW, YES, YOUNG_INSPECTOR_FEEDBACK
from processors.naming import safe_name
from processors.planning.week import return_by, week_start
from processors.reports.measures import pct
from processors.reports.plain_doc import PlainDocument
from processors.reports.privacy import Scrubber, make_scrubber
from processors.reports.source import Snapshot, field_key, load_snapshot
from processors.store.database import FormRecord, Store

WEEK_TYPES = (PRACTICE_WEEK_REVIEW, YOUNG_INSPECTOR_FEEDBACK)
VISIT_DATE = field_key(PRACTICE_WEEK_REVIEW, "visit_date")
REVIEW_FIELDS = tuple(field_key(PRACTICE_WEEK_REVIEW, k) for k in
                      ("what_was_seen", "strengths", "areas_to_develop", "recommendation"))
REVIEW_LABELS = ("What they saw", "Strengths", "Areas to develop", "Recommendation")
YOUNG_FIELDS = tuple(field_key(YOUNG_INSPECTOR_FEEDBACK, k) for k in
                     ("would_want_help", "why", "did_well", "could_be_better", "listened", "anything_else"))
YOUNG_LABELS = ("Would you want this worker to help you?", "Why?", "What did they do well?",
                "What could be better?", "Did the worker listen to the young person?", "Anything else?")


@dataclass(frozen=True)
class Answered:
    """One returned form of the week: its ID, the case's ID and the answers shown (label, pseudonymised text)."""

    form_id: str
    case_id: str
    answers: tuple[tuple[str, str], ...]

    def said(self, label: str) -> str:
        return next((text for key, text in self.answers if key == label), "")


@dataclass(frozen=True)
class PracticeWeekReport:
    service: str
    monday: date
    visits_planned: int
    feedback_planned: int
    reviews: tuple[Answered, ...]
    feedback: tuple[Answered, ...]
    concerns: int

    @property
    def would_want_help(self) -> int:
        return sum(1 for f in self.feedback if f.said(YOUNG_LABELS[0]) == YES)

    def findings(self) -> list[str]:
        return ([f"Strength ({r.form_id}): {r.said('Strengths')}" for r in self.reviews if r.said("Strengths")]
                + [f"To develop ({r.form_id}): {r.said('Areas to develop')}" for r in self.reviews
                   if r.said("Areas to develop")]
                + [f"Young Inspectors ({f.form_id}): {f.said(YOUNG_LABELS[3])}" for f in self.feedback
                   if f.said(YOUNG_LABELS[3])])

    def recommendations(self) -> list[str]:
        return [f"{r.said('Recommendation')} ({r.form_id})" for r in self.reviews if r.said("Recommendation")]


def _answered(form: FormRecord, keys: tuple[str, ...], labels: tuple[str, ...], scrub: Scrubber) -> Answered:
    answers = tuple((label, scrub.text(form.values.get(key) or "").strip()) for key, label in zip(keys, labels,
                                                                                                  strict=True))
    return Answered(form.form_id, form.case_id, tuple(a for a in answers if a[1]))


def week_report(snap: Snapshot, service: str, day: date, scrub: Scrubber) -> PracticeWeekReport:
    monday = week_start(day)
    due = return_by(monday)
    planned = [a for a in snap.allocations if a.item.form_type in WEEK_TYPES and a.item.due_date == due
               and same_text(a.item.case.service, service)]
    planned_ids = {a.item.form_id for a in planned}
    forms = [f for f in snap.forms if f.form_type in WEEK_TYPES and same_text(f.service, service) and (
        f.form_id in planned_ids or monday <= (uk_date(f.values.get(VISIT_DATE)) or date.min) < monday
        + timedelta(days=7))]
    if not planned and not forms:
        raise UnknownScope(f"no practice week in '{service}' in the week of {monday:%d/%m/%Y} is planned or "
                           "recorded: check the service's name and the week (any day of it)")
    forms.sort(key=lambda f: f.form_id)
    named = planned[0].item.case.service if planned else forms[0].service  # as the QA data spells it
    return PracticeWeekReport(
        named, monday,
        sum(1 for a in planned if a.item.form_type == PRACTICE_WEEK_REVIEW),
        sum(1 for a in planned if a.item.form_type == YOUNG_INSPECTOR_FEEDBACK),
        tuple(_answered(f, REVIEW_FIELDS, REVIEW_LABELS, scrub) for f in forms
              if f.form_type == PRACTICE_WEEK_REVIEW),
        tuple(_answered(f, YOUNG_FIELDS, YOUNG_LABELS, scrub) for f in forms
              if f.form_type == YOUNG_INSPECTOR_FEEDBACK),
        sum(1 for f in forms if f.immediate_concern))


def _counts(report: PracticeWeekReport) -> list[str]:
    lines = [f"Visits reviewed: {len(report.reviews)}"
             + (f" of {report.visits_planned} planned" if report.visits_planned else ""),
             f"Young Inspectors' feedback received: {len(report.feedback)}"
             + (f" of {report.feedback_planned} planned" if report.feedback_planned else "")]
    if report.feedback:
        lines.append(f"Young Inspectors who would want the worker to help them: {report.would_want_help} of "
                     f"{len(report.feedback)} ({pct(report.would_want_help, len(report.feedback))})")
    lines.append(f"Immediate concerns raised (passed on at once): {report.concerns}")
    return lines


def _answers(doc: PlainDocument, answered: tuple[Answered, ...], empty: str) -> None:
    if not answered:
        doc.para(empty)
    for a in answered:
        doc.heading(f"{a.form_id} (case {a.case_id or '-'})", 3)
        doc.table(("Question", "Answer"), a.answers, "No answers recorded.", (5.5, 11.5))


def write_week_report(report: PracticeWeekReport, path: Path, organisation: str) -> Path:
    doc = PlainDocument(f"Practice week: {report.service}",
                        f"Week beginning {report.monday:%d %B %Y} (QAF 7.3-7.5). {organisation}",
                        "OFFICIAL - SENSITIVE")
    doc.heading("The week in numbers")
    doc.bullets(_counts(report), "")
    doc.heading("What the reviewers saw")
    _answers(doc, report.reviews, "No review has come back yet.")
    doc.heading("The Young Inspectors' feedback")
    doc.para("The young people's answers, in their own words.")
    _answers(doc, report.feedback, "No Young Inspectors' feedback has come back yet.")
    doc.heading("Findings")
    doc.bullets(report.findings(), "No findings recorded yet.")
    doc.heading("Recommendations")
    doc.bullets(report.recommendations(), "No recommendations recorded yet.")
    return doc.save(path)


def run_week_report(settings: Settings, service: str, day: date, out: Path | None = None) -> tuple[Path,
                                                                                                   PracticeWeekReport]:
    with Store(settings.path("database")) as store:
        snap = load_snapshot(store)
    report = week_report(snap, service, day, make_scrubber(snap, report_settings(settings).show_practitioner_names))
    target = out or (settings.path("generated") / "reports" / "practice_weeks"
                     / f"practice_week_{safe_name(report.service)}_{report.monday:%Y-%m-%d}.docx")
    return write_week_report(report, target, settings.organisation), report
