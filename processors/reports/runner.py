"""`python run.py report`: the quarter's reports written, turned into PDFs and (with --send) emailed.

Without --theme or --service a run makes the Senior Leadership Team's report, one themed report per theme
of the quarter, one report per service (only that service's data) and the learning briefing note for
the latest month of the quarter. Everything lands in generated/reports/<quarter>/.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from processors.chase.people import load_pool, pool_path
from processors.config.reports import (
    BRIEFING_TEMPLATE,
    REPORT_TEMPLATE,
    THEMED_TEMPLATE,
    ReportSettings,
    report_settings,
)
from processors.config.settings import Settings
from processors.errors import OfficeError, PeriodError, QAError, RegisterLockedError, UnknownScope
from processors.mail.message import Message, SendResult
from processors.naming import safe_name
from processors.register.read_first import read_edits_first
from processors.register.workbook import write_register
from processors.reports.briefing import build_briefing
from processors.reports.charts import ChartBook, warm_up
from processors.reports.collector import held_out_of_collections
from processors.reports.commentary import write_commentary_form
from processors.reports.compiled import ReportTemplates
from processors.reports.compose import charts_as_ready, render_briefing, render_report, report_charts
from processors.reports.data import trend_span
from processors.reports.deliver import deliver
from processors.reports.pagenumbers import number_contents
from processors.reports.painter import painting
from processors.reports.privacy import Scrubber, make_scrubber
from processors.reports.quarter import Period, Quarter, parse_quarter, quarter_of
from processors.reports.report import ReportData, build_report
from processors.reports.source import Scope, Snapshot, due_day, load_quarter, services_in, themes_in
from processors.reports.themed import ThemedData, build_themed, render_themed, themed_charts
from processors.store.database import Store
from processors.store.lock import run_lock
from processors.templates.check import REPORT_TEMPLATES, require_compiled
from processors.word.office import convert, soffice

log = logging.getLogger("qa.reports")


@dataclass
class ReportDocument:
    kind: str                      # slt | theme | service | briefing
    title: str
    subject: str                   # of the email that carries it
    docx: Path
    recipients: tuple[str, ...]
    headlines: tuple[str, ...] = ()
    pdf: Path | None = None
    pdf_source: Callable[[], bytes] | None = field(default=None, repr=False)  # the PDF-ready copy, made on demand


@dataclass
class ReportRun:
    quarter: str
    folder: Path
    documents: list[ReportDocument] = field(default_factory=list)
    commentary_form: Path | None = None  # written by a draft run, for the QA Manager to fill in
    sent: list[SendResult] = field(default_factory=list)
    already_sent: list[str] = field(default_factory=list)  # subjects sent by an earlier try of the same run
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    charts_drawn: int = 0  # pictures drawn by the run (each once, however many documents show it)

    @property
    def docx(self) -> list[Path]:
        return [d.docx for d in self.documents]

    @property
    def pdf(self) -> list[Path]:
        return [d.pdf for d in self.documents if d.pdf is not None]

    def summary_lines(self) -> list[str]:
        lines = [f"{len(self.documents)} report(s) for {self.quarter} in {self.folder}"]
        lines += [f"  {d.docx.name}" + (" (+ PDF)" if d.pdf else "") for d in self.documents]
        if self.commentary_form:
            lines.append(f"The QA Manager's commentary form to fill in Word and put in the inbox: "
                         f"{self.commentary_form}")
        if self.sent:
            lines.append(f"{len(self.sent)} email(s) sent ({self.sent[0].backend})")
        if self.already_sent:
            lines.append(f"{len(self.already_sent)} email(s) sent before the last stop, not sent again")
        lines += [f"Note: {p}" for p in self.problems]
        return lines


# --- which reports ------------------------------------------------------------------------------

def kept_templates(settings: Settings) -> Path:
    """Where the compiled report templates are kept between runs (template_cache.py)."""
    return settings.path("generated") / ".cache" / "templates"


def _resolve(name: str, known: list[str], what: str) -> str:
    for candidate in known:
        if candidate.casefold() == name.strip().casefold():
            return candidate
    listed = ", ".join(known) if known else "none yet"
    raise UnknownScope(f"there is no {what} called '{name}' in the QA data: the {what}s are: {listed}")


def plan_scopes(snap: Snapshot, quarter: Quarter, theme: str | None, service: str | None) -> list[Scope]:
    if theme or service:
        return [Scope(service=_resolve(service, services_in(snap), "service") if service else "",
                      theme=_resolve(theme, themes_in(snap), "theme") if theme else "")]
    active = Snapshot(tuple(f for f in snap.forms if f.received in quarter), {}, (), (), (),
                      tuple(a for a in snap.allocations if due_day(a) in quarter))
    return [Scope(), *(Scope(theme=t) for t in themes_in(active)), *(Scope(service=s) for s in services_in(active))]


def recipients_for(scope: Scope, options: ReportSettings,
                   managers: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """Who receives a report: config's lists; a service's report, failing those, its managers in the pool."""
    wanted = options.recipients
    if scope.service:
        found = {k.casefold(): v for k, v in (managers or {}).items()}
        found.update({k.casefold(): v for k, v in wanted.services.items()})
        return tuple(found.get(scope.service.casefold(), ()))
    return wanted.smt if scope.theme else wanted.slt


def pool_managers(settings: Settings, store: Store, options: ReportSettings) -> dict[str, tuple[str, ...]]:
    """Each service's managers in the auditor pool (reports.schedule.managers_roles), by service."""
    try:
        pool = load_pool(pool_path(settings, store))
    except QAError as exc:  # the pool is the chase's to complain about; reports still go to config's lists
        log.warning("service managers not taken from the auditor pool: %s", exc)
        return {}
    roles = {r.casefold() for r in options.schedule.managers_roles}
    found: dict[str, list[str]] = {}
    for auditor in pool:
        if auditor.role.casefold() in roles and auditor.service and auditor.email:
            found.setdefault(auditor.service, []).append(auditor.email)
    return {service: tuple(emails) for service, emails in found.items()}


def file_stem(scope: Scope, quarter: Quarter) -> str:
    if scope.kind == "theme":
        return "_".join([f"{quarter.label}_thematic_report_{safe_name(scope.theme)}",
                         *([safe_name(scope.service)] if scope.service else [])])
    return f"{quarter.label}_QA_report_{safe_name(scope.service) if scope.service else 'SLT'}"


def briefing_month(quarter: Quarter, today: date) -> Period:
    """The latest month of the quarter that has begun."""
    return [m for m in quarter.months() if m.start <= today][-1]


# --- making them ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    settings: Settings
    options: ReportSettings
    snap: Snapshot
    quarter: Quarter
    folder: Path
    today: date
    scrub: Scrubber
    draft: bool = False
    managers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # each service's managers in the pool
    month: Period | None = None  # the briefing's month (default: the latest begun in the quarter)
    charts: ChartBook = field(default_factory=ChartBook)  # each chart drawn once, shared by the run's documents
    templates: ReportTemplates = field(default_factory=ReportTemplates)  # each template compiled once a run


def _write(doc: ReportDocument, rendered_docx: bytes) -> None:
    doc.docx.parent.mkdir(parents=True, exist_ok=True)
    partial = doc.docx.with_name(doc.docx.name + ".partial")
    partial.write_bytes(rendered_docx)
    partial.replace(doc.docx)
    log.info("report written: %s", doc.docx.name)


def make_reports(job: Job, scopes: list[Scope]) -> list[ReportDocument]:
    """Every document's data first, its charts asked for as it is built (a painter draws them from then on), then
    each document rendered and written: the painter draws the run's charts one after another while this process
    renders, rather than each document's charts while it waits for them."""
    templates = job.settings.path("templates")
    planned: list[tuple[Scope, ReportData | ThemedData]] = []
    for scope in scopes:
        args = (job.snap, scope, job.quarter, job.options, job.scrub, job.settings.organisation, job.today)
        if scope.kind == "theme":
            themed = build_themed(*args)
            themed_charts(themed, job.charts)
            planned.append((scope, themed))
        else:
            data = build_report(*args, ready=charts_as_ready(job.charts, job.quarter))
            report_charts(data, job.charts)
            planned.append((scope, data))
    documents = []
    for scope, data in planned:
        if isinstance(data, ThemedData):
            rendered = render_themed(templates / THEMED_TEMPLATE, data, job.charts, job.templates)
        else:
            rendered = render_report(templates / REPORT_TEMPLATE, data, book=job.charts, templates=job.templates)
        prefix = ("Draft " if job.draft else "") + ("Thematic audit report" if scope.theme else "Quarterly QA report")
        recipients = (job.options.recipients.qa_manager if job.draft
                      else recipients_for(scope, job.options, job.managers))
        doc = ReportDocument(scope.kind, data.title, f"{prefix} {job.quarter.label}: {scope.name}",
                             job.folder / f"{file_stem(scope, job.quarter)}{'_draft' if job.draft else ''}.docx",
                             recipients,
                             data.headlines, pdf_source=rendered.arrange_for_pdf)
        _write(doc, rendered.docx)
        documents.append(doc)
    return documents


def make_briefing(job: Job) -> ReportDocument:
    month = job.month or briefing_month(job.quarter, job.today)
    data = build_briefing(job.snap, month, job.options, job.scrub, job.settings.organisation, job.today)
    rendered = render_briefing(job.settings.path("templates") / BRIEFING_TEMPLATE, data, job.templates)
    target = job.folder / f"{month.label}_learning_briefing.docx"
    doc = ReportDocument("briefing", f"{data.title}: {data.subtitle}", f"Learning briefing note: {month.title}",
                         target, job.options.recipients.briefing, tuple(data.numbers.rows),
                         pdf_source=rendered.arrange_for_pdf)
    _write(doc, rendered.docx)
    return doc


def make_pdfs(documents: list[ReportDocument], folder: Path, problems: list[str]) -> None:
    """One LibreOffice run converts every document (each from its PDF-ready copy)."""
    if not documents:
        return
    if soffice() is None:
        problems.append("PDF copies were not made: LibreOffice is not installed (the Word reports are complete)")
        return
    with tempfile.TemporaryDirectory(prefix="qa-reports-") as tmp:
        sources = []
        for doc in documents:
            source = Path(tmp) / doc.docx.name
            source.write_bytes(doc.pdf_source() if doc.pdf_source else doc.docx.read_bytes())
            sources.append(source)
        try:
            outputs = convert(sources, "pdf", folder)
        except OfficeError as exc:
            problems.append(f"PDF copies were not made: {exc}")
            return
    for doc, pdf in zip(documents, outputs):
        doc.pdf = pdf
        number_contents(doc.docx, pdf)


# --- sending them --------------------------------------------------------------------------------

def report_message(doc: ReportDocument, quarter: Quarter) -> Message:
    period = f"{quarter.label} ({quarter.title})"
    body = [f"Please find attached the {doc.title}" + ("" if doc.kind == "briefing" else f" for {period}") + ",",
            "as a PDF and as a Word document." if doc.pdf else "as a Word document.", ""]
    body += ([f"- {line}" for line in doc.headlines] + [""]) if doc.headlines else []
    privacy = ("Children and cases are not identified in it." if doc.kind == "briefing"
               else "Children are identified by case ID only. OFFICIAL - SENSITIVE: please do not forward it outside "
               "the trust.")
    body += [privacy, "", "Quality Assurance team"]
    attachments = (doc.pdf, doc.docx) if doc.pdf else (doc.docx,)
    return Message(to=doc.recipients, subject=doc.subject, body="\n".join(body), attachments=attachments,
                   kind="briefing" if doc.kind == "briefing" else "report")


def commentary_message(form: Path, quarter: Quarter, to: tuple[str, ...]) -> Message:
    body = [f"The draft reports for {quarter.label} ({quarter.title}) are ready, with the commentary form attached.",
            "", "Please fill it in Word: your analysis, where we need to focus our improvement efforts, the "
            "recommendations (each with who leads it and by when) and, after the SMT meeting, the actions SMT "
            "agreed. Save it and put it in the QA inbox like any form: the final reports then include it, and the "
            "agreed actions join the register's Actions sheet and are chased.", "", "Quality Assurance team"]
    return Message(to=to, subject=f"QA Manager's commentary for {quarter.label}: please complete",
                   body="\n".join(body), attachments=(form,), kind="report")


def send_documents(settings: Settings, store: Store, run: ReportRun, quarter: Quarter, *, register: bool = True,
                   once_key: str | None = None) -> None:
    """Email the run's documents (each once under ``once_key``); then, with ``register``, write the register
    (its Sent sheet). The watcher passes ``register=False``: its own loop writes the register."""
    unaddressed = [d for d in run.documents if not d.recipients]
    if unaddressed:
        run.problems.append("not emailed, no recipients in config (reports.recipients): "
                            + ", ".join(d.docx.name for d in unaddressed))
    messages = [report_message(d, quarter) for d in run.documents if d.recipients]
    manager = report_settings(settings).recipients.qa_manager
    if run.commentary_form and manager:
        messages.append(commentary_message(run.commentary_form, quarter, manager))
    if not messages:
        return
    outcome = deliver(settings, store, messages, once_key=once_key)
    run.sent += outcome.sent
    run.already_sent += outcome.already_sent
    run.problems += outcome.problems
    if not register:
        return
    try:
        write_register(store, settings.path("register"))
    except RegisterLockedError as exc:
        run.problems.append(f"the register's Sent sheet will be updated on the next run: {exc}")


def run_reports(settings: Settings, quarter: str, theme: str | None, service: str | None, send: bool,
                today: date | None = None, draft: bool = False, *, register: bool = True,
                once_key: str | None = None) -> ReportRun:
    """Write the quarter's reports (and PDFs), and email them when ``send``. A ``draft`` run also writes the
    QA Manager's commentary form, pre-filled with the quarter's key figures, and sends everything to the QA
    Manager only. ``register`` and ``once_key``: see send_documents."""
    started = time.perf_counter()
    options, today = report_settings(settings), today or date.today()
    period = parse_quarter(quarter, options.year_start_month)
    if period.start > today:
        raise PeriodError(f"{period.label} ({period.title}) has not started yet: choose a quarter that has")
    run = ReportRun(period.label, settings.path("generated") / "reports" / period.label)
    # checked by compiling them (or finding them compiled by an earlier run): the run's documents reuse them
    templates = ReportTemplates(kept_templates(settings))
    # a second process (forked first, before the lock and the store) compiles the templates while this one reads
    # the quarter, then draws the charts while this one renders
    with painting() as painter, run_lock(settings, "report"), \
            Store(settings.path("database"), checked_beside=True) as store:
        templates.compile_elsewhere(painter, [settings.path("templates") / name for name in REPORT_TEMPLATES])
        warm_up(painter, trend_span(period, options.trend_quarters))
        try:  # what people marked completed or resolved in the register counts in the reports
            run.problems += [f"register edit not used: {w}" for w in
                             read_edits_first(store, settings.path("register"))]
        except RegisterLockedError as exc:
            run.problems.append(str(exc))
        snap = load_quarter(store, period, options.trend_quarters)  # once: every document of the run shares it
        store.require_sound()  # checked while the quarter was read: stops on damage before anything is made
        require_compiled(settings.path("templates"), REPORT_TEMPLATES, templates.compile)  # before any is written
        if not store.has_forms():
            run.problems.append("the QA store holds no returned forms yet, so the reports have no data")
        job = Job(settings, options, snap, period, run.folder, today,
                  make_scrubber(snap, options.show_practitioner_names), draft, pool_managers(settings, store, options),
                  charts=ChartBook(painter), templates=templates)
        with held_out_of_collections():  # the snapshot is walked by no collection while the documents are made
            run.documents = make_reports(job, plan_scopes(snap, period, theme, service))
            if draft:
                run.commentary_form = write_commentary_form(settings, store, period, run.documents[0].headlines,
                                                            run.folder, today)
            if not (theme or service):
                run.documents.append(make_briefing(job))
        run.charts_drawn = job.charts.drawn
        if options.pdf:
            make_pdfs(run.documents, run.folder, run.problems)
        if send:
            send_documents(settings, store, run, period, register=register, once_key=once_key)
    run.seconds = time.perf_counter() - started
    return run


def run_briefing(settings: Settings, month: Period, send: bool, today: date | None = None, *, register: bool = True,
                 once_key: str | None = None) -> ReportRun:
    """The learning briefing note for one month on its own (made by `watch` each month), emailed when ``send``."""
    started = time.perf_counter()
    options, today = report_settings(settings), today or date.today()
    quarter = quarter_of(month.start, options.year_start_month)
    run = ReportRun(month.label, settings.path("generated") / "reports" / quarter.label)
    with Store(settings.path("database")) as store:
        snap = load_quarter(store, quarter, options.trend_quarters)
        job = Job(settings, options, snap, quarter, run.folder, today,
                  make_scrubber(snap, options.show_practitioner_names), month=month,
                  templates=ReportTemplates(kept_templates(settings)))
        run.documents = [make_briefing(job)]
        if options.pdf:
            make_pdfs(run.documents, run.folder, run.problems)
        if send:
            send_documents(settings, store, run, quarter, register=register, once_key=once_key)
    run.seconds = time.perf_counter() - started
    return run
