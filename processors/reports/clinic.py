"""`report --quarter Q --clinic SERVICE` (QAF 5.5.3): the pack for a service's performance clinic.

The quarter's management audits of the service: grades by area, each audit's findings, the issues the managers
raised for the clinic, the wider issues for the QA Manager, and the audits' actions with where each stands.
Cases and forms by ID; free text pseudonymised (privacy.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from processors.allocation.caselist import same_text
from processors.config.reports import report_settings
from processors.config.settings import Settings
from processors.dates import uk_text
from processors.errors import UnknownScope
from processors.forms.vocabulary import GRADES, MANAGEMENT_AUDIT
from processors.naming import safe_name
from processors.reports.data import action_outcome
from processors.reports.measures import GOOD_OR_BETTER, pct
from processors.reports.plain_doc import PlainDocument
from processors.reports.privacy import Scrubber, make_scrubber
from processors.reports.quarter import Quarter, parse_quarter
from processors.reports.source import Snapshot, field_key, load_snapshot
from processors.store.database import Store

FINDINGS, CLINIC, WIDER = (field_key(MANAGEMENT_AUDIT, k) for k in ("findings", "clinic_issues", "wider_issues"))
OVERALL = "Overall"


@dataclass(frozen=True)
class AreaRow:
    area: str
    counts: tuple[int, ...]  # by GRADES, best first

    @property
    def good_or_better(self) -> str:
        good = sum(n for g, n in zip(GRADES, self.counts, strict=True) if g in GOOD_OR_BETTER)
        return pct(good, sum(self.counts))

    def cells(self) -> tuple[object, ...]:
        return (self.area, *self.counts, self.good_or_better)


@dataclass(frozen=True)
class AuditRow:
    form_id: str
    case_id: str
    team: str
    overall: str
    findings: str


@dataclass(frozen=True)
class Said:
    form_id: str
    text: str


@dataclass(frozen=True)
class ActionRow:
    form_id: str
    number: int
    text: str
    owner: str
    due: str
    status: str
    where: str   # completed on time, open and overdue, ...


@dataclass(frozen=True)
class ClinicPack:
    service: str
    quarter: Quarter
    audits: tuple[AuditRow, ...]
    areas: tuple[AreaRow, ...]
    clinic_issues: tuple[Said, ...]
    wider_issues: tuple[Said, ...]
    actions: tuple[ActionRow, ...]

    @property
    def open_actions(self) -> int:
        return sum(1 for a in self.actions if a.where.startswith("Open"))


def _areas(snap: Snapshot, form_ids: list[str], overall: list[str]) -> tuple[AreaRow, ...]:
    tally: dict[str, Counter[str]] = {}
    for form_id in form_ids:
        for grade in snap.grades_by_form.get(form_id, ()):
            tally.setdefault(grade.domain_label, Counter())[grade.grade] += 1
    if overall:
        tally[OVERALL] = Counter(overall)
    return tuple(AreaRow(area, tuple(c[g] for g in GRADES)) for area, c in tally.items())


def clinic_pack(snap: Snapshot, quarter: Quarter, service: str, scrub: Scrubber, today: date) -> ClinicPack:
    audits = sorted((f for f in snap.forms if f.form_type == MANAGEMENT_AUDIT and same_text(f.service, service)
                     and f.received in quarter), key=lambda f: f.form_id)
    if not audits:
        known = sorted({f.service for f in snap.forms if f.form_type == MANAGEMENT_AUDIT and f.service})
        raise UnknownScope(f"no management audit of '{service}' came back in {quarter.label}: services with "
                           f"management audits: {', '.join(known) or 'none yet'}")
    ids = [f.form_id for f in audits]

    def said(key: str) -> tuple[Said, ...]:
        return tuple(Said(f.form_id, scrub.text(f.values[key]).strip()) for f in audits if f.values.get(key))

    actions = tuple(ActionRow(a.form_id, a.number, scrub.text(a.text), a.owner, uk_text(a.due, "-"), a.status,
                              action_outcome(a, today))
                    for form_id in ids for a in sorted(snap.actions_by_form.get(form_id, ()), key=lambda a: a.number))
    return ClinicPack(
        audits[0].service, quarter,
        tuple(AuditRow(f.form_id, f.case_id or "-", f.team or "-", f.overall_grade or "-",
                       scrub.text(f.values.get(FINDINGS) or "").strip()) for f in audits),
        _areas(snap, ids, [f.overall_grade for f in audits if f.overall_grade]),
        said(CLINIC), said(WIDER), actions)


def write_clinic_pack(pack: ClinicPack, path: Path, organisation: str) -> Path:
    doc = PlainDocument(f"Performance clinic: {pack.service}",
                        f"Management audits, {pack.quarter.title} ({pack.quarter.label}; QAF 5.5.3). {organisation}",
                        "OFFICIAL - SENSITIVE")
    doc.heading("Summary")
    doc.bullets([f"Management audits returned: {len(pack.audits)}",
                 f"Actions agreed: {len(pack.actions)}, of which open: {pack.open_actions}"], "")
    doc.heading("Grades by area")
    doc.table(("Area", *GRADES, "Good or better"), [r.cells() for r in pack.areas], "No grades recorded.",
              (4.6, 2.4, 2.4, 2.8, 2.4, 2.4))
    doc.heading("Findings")
    doc.table(("Form", "Case", "Team", "Overall grade", "Findings"),
              [(a.form_id, a.case_id, a.team, a.overall, a.findings) for a in pack.audits], "No findings recorded.",
              (3.9, 2.3, 2.5, 2.8, 5.5))
    doc.heading("Issues for the clinic")
    doc.bullets([f"{s.text} ({s.form_id})" for s in pack.clinic_issues], "No issues raised for the clinic.")
    doc.heading("Wider issues for the QA Manager")
    doc.bullets([f"{s.text} ({s.form_id})" for s in pack.wider_issues], "No wider issues raised.")
    doc.heading("Actions and their status")
    doc.table(("Form", "No.", "Action", "Owner", "Due", "Status", "Where it stands"),
              [(a.form_id, a.number, a.text, a.owner, a.due, a.status, a.where) for a in pack.actions],
              "No actions agreed.", (3.9, 1.0, 4.2, 2.2, 2.2, 1.5, 2.0))
    return doc.save(path)


def run_clinic_pack(settings: Settings, quarter: str, service: str, today: date | None = None,
                    out: Path | None = None) -> tuple[Path, ClinicPack]:
    options = report_settings(settings)
    period = parse_quarter(quarter, options.year_start_month)
    with Store(settings.path("database")) as store:
        snap = load_snapshot(store)
    pack = clinic_pack(snap, period, service, make_scrubber(snap, options.show_practitioner_names),
                       today or date.today())
    target = out or (settings.path("generated") / "reports" / period.label
                     / f"{period.label}_performance_clinic_{safe_name(pack.service)}.docx")
    return write_clinic_pack(pack, target, settings.organisation), pack
