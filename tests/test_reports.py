"""Quarterly reports: the numbers a leader would check, pseudonymisation, per-service data, empty sections,
charts with alt text, the contents list, and a real PDF from LibreOffice whose first page renders to PNG."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from processors.config.reports import ReportSettings
from processors.config.settings import Settings, load_settings
from processors.demo.synthetic import make_cases, make_pool
from processors.errors import QAError
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import ActionItem, Case, FormIdentity, ParsedForm, ValidatedForm, WorkItem
from processors.reports.privacy import make_scrubber
from processors.reports.quarter import parse_quarter, quarter_of
from processors.reports.report import build_report
from processors.reports.runner import ReportRun, run_reports
from processors.reports.source import Scope, load_snapshot
from processors.store.database import ActionEdit, Store
from processors.templates.reports import build_templates
from tests.conftest import write_config

TODAY = date(2026, 10, 5)
Q3 = "2026-Q3"
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
OUT, G, RI, IN = "Outstanding", "Good", "Requires Improvement", "Inadequate"
ESCAPED = "Plan agreed with Smith & Sons <nursery> staff"


# --- a store with five quarters of synthetic forms, numbers known by construction ---------------

@dataclass
class Dataset:
    services: tuple[str, str]
    cases: dict[str, list[Case]]
    initials: set[str] = field(default_factory=set)
    case_ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    practitioner: str = ""


def _form(item: WorkItem, grade: str, received: datetime, *, concern: bool = False, actions: int = 0,
          **extra: object) -> ValidatedForm:
    c = item.case
    definition = FORM_TYPES[item.form_type]
    values: dict[str, object] = {
        "case_id": c.case_id, "child_initials": c.child_initials, "service": c.service, "team": c.team,
        "practitioner": c.practitioner, "team_manager": c.team_manager, "theme": item.theme, "overall_grade": grade,
        "strengths": f"{c.child_initials} was seen alone and their wishes are recorded.",
        "immediate_concern": "Yes" if concern else "No", **extra}
    for key in ("areas_for_improvement", "areas_for_development"):
        if key in {f.key for f in definition.fields}:
            values[key] = f"The chronology for {c.child_initials} is out of date."
    if item.form_type == "thematic_audit":
        values.setdefault("theme_findings", f"{c.child_initials} has a plan that is not reviewed on time.")
    if concern:
        values["immediate_concern_details"] = f"No visit to {c.child_initials} for nine weeks."
    identity = FormIdentity(item.form_id, item.form_type, definition.version, item.cycle_id)
    parsed = ParsedForm(Path(f"{item.form_id}.docx"), identity, item.form_type, {}, f"sha-{item.form_id}")
    return ValidatedForm(parsed, item.form_id, item.form_type, c.case_id, values,
                         {d.key: grade for d in definition.domains},
                         [ActionItem(n, f"Review the plan with the family ({n})", "Team Manager", date(2026, 9, 1))
                          for n in range(1, actions + 1)], received=received)


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=10)


class Builder:
    def __init__(self, store: Store, data: Dataset) -> None:
        self.store, self.data = store, data
        self.used: dict[str, int] = defaultdict(int)

    def case(self, service: str) -> Case:
        case = self.data.cases[service][self.used[service]]
        self.used[service] += 1
        return case

    def add(self, form_id: str, form_type: str, case: Case, due: date, grade: str | None,
            received: date | None = None, theme: str = "", **kwargs: object) -> None:
        item = WorkItem(form_type, case, "2026-C01", form_id, "An Auditor", theme=theme, due_date=due)
        self.store.add_work_items([item], generated_at=_at(due - timedelta(days=14)))
        self.data.initials.add(case.child_initials)
        if grade is not None:
            self.store.record_form(_form(item, grade, _at(received or due), **kwargs), f"{form_id}.docx")
            self.data.case_ids[case.service].add(case.case_id)


def build_dataset(store: Store) -> Dataset:
    pool = make_pool(2026)
    cases = make_cases(400, 2026, pool, today=TODAY)
    by_service: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by_service[c.service].append(c)
    s1, s2 = sorted(by_service, key=lambda s: -len(by_service[s]))[:2]
    data = Dataset((s1, s2), by_service)
    b = Builder(store, data)
    reaudited = b.case(s1)
    # 2026-Q3: ten thematic audits on Neglect, eight back (six on time); four observations, all back on time
    due = date(2026, 8, 14)
    grades = [OUT, G, G, G, G, G, RI, IN, None, None]
    for n, grade in enumerate(grades, start=1):
        case = reaudited if n == 2 else b.case(s1 if n <= 5 else s2)
        extra = {"concern": True, "actions": 2} if n == 1 else {}
        if n == 3:
            extra["theme_findings"] = ESCAPED
        b.add(f"TPA-Q3-{n:02d}", "thematic_audit", case, due, grade, due - timedelta(days=4) if n <= 6
              else due + timedelta(days=6), theme="Neglect", **extra)
    for n in range(1, 5):
        theme = "Capturing the child's voice" if n <= 3 else ""
        case = b.case(s1)
        extra = {"good_practice": f"{case.practitioner} used the three houses tool."} if n == 1 else {}
        data.practitioner = data.practitioner or case.practitioner
        b.add(f"OBS-Q3-{n:02d}", "practice_observation", case, due, G, date(2026, 8, 1),
              workforce_development_theme=theme, family_consent="Yes", **extra)
    # 2026-Q2: ten audits, half Good (the first on the case re-audited, and improved, in Q3)
    for n, grade in enumerate([RI, G, G, G, G, G, RI, RI, RI, RI], start=1):
        case = reaudited if n == 1 else b.case(s1 if n % 2 else s2)
        b.add(f"TPA-Q2-{n:02d}", "thematic_audit", case, date(2026, 5, 15), grade, theme="Exploitation")
    # 2026-Q1: four observations, one Good; 2025-Q4: nothing; 2025-Q3: two supervision audits, both Good
    for n, grade in enumerate([G, RI, RI, IN], start=1):
        b.add(f"OBS-Q1-{n:02d}", "practice_observation", b.case(s1), date(2026, 2, 13), grade)
    for n in (1, 2):
        b.add(f"SFA-2025Q3-{n}", "supervision_audit", b.case(s2), date(2025, 8, 15), G)
    gp_case = b.case(s2)  # never allocated: the case list behind the reports does not know its initials
    _good_practice(store, gp_case)
    data.initials.add(gp_case.child_initials)
    # 2024-Q1: Neglect was audited before, twice, both Requires Improvement (the themed report compares)
    for n in (1, 2):
        b.add(f"TPA-2024Q1-{n}", "thematic_audit", b.case(s1), date(2024, 2, 14), RI, theme="Neglect")
    store.set_action_edits({"TPA-Q3-01-A1": ActionEdit("Completed", date(2026, 8, 30))})
    return data


def _good_practice(store: Store, case: Case) -> None:
    form_id = "GPR-Q3-01"
    parsed = ParsedForm(Path("gp.docx"), FormIdentity(form_id, "good_practice", "1.0"), "good_practice", {}, "sha-gp")
    values = {"practitioner": case.practitioner, "team": case.team, "service": case.service,
              "case_id": case.case_id, "what_was_done": f"Stayed with {case.child_initials} through a move.",
              "difference_for_child": "They feel safe.", "nominated_by": "A colleague",
              "senior_leader": "A leader", "share_across_workforce": "Yes", "value_child_focussed": True}
    store.record_form(ValidatedForm(parsed, form_id, "good_practice", case.case_id, values, {}, [],
                                    received=_at(date(2026, 9, 2))), "gp.docx")


World = tuple[Settings, Dataset]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("reports")
    settings = load_settings(write_config(folder))
    with Store(settings.path("database")) as store:
        data = build_dataset(store)
    return with_reports(settings, pdf=False), data


def with_reports(settings: Settings, **options: object) -> Settings:
    return settings.model_copy(update={"reports": ReportSettings(**options)})


def document_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml") or n.endswith(".rels")}


def text_of(path: Path) -> str:
    root = etree.fromstring(document_xml(path)["word/document.xml"].encode())
    return "\n".join("".join(p.itertext()) for p in root.iter(f"{{{NS['w']}}}p"))


# --- periods ----------------------------------------------------------------------------------

def test_quarters_and_the_four_before() -> None:
    q = parse_quarter("2026-q3")
    assert (q.start, q.last_day, q.title) == (date(2026, 7, 1), date(2026, 9, 30), "July to September 2026")
    assert [p.label for p in q.previous(4)] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    financial = parse_quarter("2026-Q4", year_start_month=4)
    assert (financial.start, financial.last_day) == (date(2027, 1, 1), date(2027, 3, 31))
    assert quarter_of(date(2027, 2, 3), 4).label == "2026-Q4"
    with pytest.raises(QAError, match="like 2026-Q3"):
        parse_quarter("Q3 2026")


# --- the numbers ------------------------------------------------------------------------------

def test_how_much_how_well_and_better_off_match_the_forms(world: World) -> None:
    settings, data = world
    with Store(settings.path("database")) as store:
        snap = load_snapshot(store)
    report = build_report(snap, Scope(), parse_quarter(Q3), ReportSettings(), make_scrubber(snap, False),
                          "Trust", TODAY)
    total = report.how_much.types.rows[-1]
    assert (total.allocated, total.completed, total.completed_pct, total.on_time) == (14, 12, "86%", 10)
    audits = next(r for r in report.how_much.types.rows if r.label == "Thematic Peer Audit")
    assert (audits.allocated, audits.completed, audits.on_time) == (10, 8, 6)
    assert report.how_well.overall.total == 12 and report.how_well.overall.good_pct == "83%"
    trend = [(r.label, r.good_pct) for r in report.how_well.trend.rows]
    assert trend == [("2025-Q3", "2 of 2"), ("2025-Q4", "-"), ("2026-Q1", "1 of 4"), ("2026-Q2", "50%"),
                     ("2026-Q3", "83%")]  # a count, not a percentage, under five forms
    assert report.how_well.trend.rows[-1].change == "up 33 points"
    assert "83% of 12 graded forms were Good or better (up 33 points on 2026-Q2)." in report.headlines
    (reaudit,) = report.better_off.reaudits.rows
    assert (reaudit.label, reaudit.cases, reaudit.improved) == ("Thematic Peer Audit", 1, 1)
    assert dict(report.better_off.action_counts) == {"Completed on time": 1, "Open and overdue": 1}
    assert report.escalations.count == 1
    assert {g.form_id for g in report.showcase.rows} == {"OBS-Q3-01", "GPR-Q3-01"}
    (theme,) = report.themes
    assert (theme.name, theme.audits, theme.allocated, theme.counts.good_pct) == ("Neglect", 8, 10, "75%")
    assert report.workforce.themes.rows[0].label == "Capturing the child's voice"
    assert report.workforce.themes.rows[0].count == 3


# --- the Word reports -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def all_reports(world: World) -> ReportRun:
    settings, _ = world
    return run_reports(settings, Q3, None, None, send=False, today=TODAY)


def test_a_run_writes_the_slt_theme_service_reports_and_the_briefing(all_reports: ReportRun, world: World) -> None:
    settings, data = world
    names = [p.name for p in all_reports.docx]
    assert names[0] == "2026-Q3_QA_report_SLT.docx" and "2026-Q3_thematic_report_Neglect.docx" in names
    assert {f"2026-Q3_QA_report_{s.replace(' ', '-')}.docx" for s in data.services} <= set(names)
    assert names[-1] == "2026-09_learning_briefing.docx"
    assert all(p.parent == settings.path("generated") / "reports" / Q3 for p in all_reports.docx)
    slt = text_of(all_reports.docx[0])
    assert "12 of 14 audits, observations and supervision audits due were completed (86%)" in slt
    assert "How much did we do?" in slt and "Is anyone better off?" in slt and "Theme: Neglect" in slt
    assert ESCAPED in slt  # autoescape: '&' and '<' kept, the paragraph not lost


def test_leaders_reports_never_show_a_childs_initials(all_reports: ReportRun, world: World) -> None:
    _, data = world
    assert data.initials
    for path in all_reports.docx:
        xml = "".join(document_xml(path).values())
        found = [i for i in data.initials if i in xml]
        assert not found, f"{path.name} shows initials {found}"
    slt = text_of(all_reports.docx[0])
    assert "The child has a plan that is not reviewed on time." in slt  # initials in findings replaced
    assert "No visit to the child for nine weeks." in slt


def test_practitioners_are_named_only_where_config_allows(world: World) -> None:
    settings, data = world
    hidden = text_of(run_reports(settings, Q3, None, data.services[0], send=False, today=TODAY).docx[0])
    assert "A practitioner" in hidden and data.practitioner not in hidden
    assert "The practitioner used the three houses tool." in hidden
    allowed = with_reports(settings, pdf=False, show_practitioner_names=True)
    shown = text_of(run_reports(allowed, Q3, None, data.services[0], send=False, today=TODAY).docx[0])
    assert f"{data.practitioner}, " in shown and f"{data.practitioner} used the three houses tool." in shown


def test_a_service_report_holds_only_that_services_cases(all_reports: ReportRun, world: World) -> None:
    _, data = world
    mine, other = data.services
    path = next(p for p in all_reports.docx if p.name == f"2026-Q3_QA_report_{mine.replace(' ', '-')}.docx")
    text = text_of(path)
    assert data.case_ids[mine] & set(re.findall(r"CF\d{7}", text))
    assert not data.case_ids[other] & set(re.findall(r"CF\d{7}", text))
    assert other not in text and "How much did we do?" in text
    assert "By service\n" not in text and "By team" in text  # no one-row breakdown by service


def test_sections_with_no_data_say_so_instead_of_empty_tables(world: World) -> None:
    settings, _ = world
    run = run_reports(settings, "2025-Q2", None, None, send=False, today=TODAY)
    assert [p.name for p in run.docx] == ["2025-Q2_QA_report_SLT.docx", "2025-06_learning_briefing.docx"]
    xml = document_xml(run.docx[0])["word/document.xml"]
    assert "<w:tbl>" not in xml and "<w:drawing>" not in xml
    text = text_of(run.docx[0])
    for sentence in ("No audits, observations or supervision audits were due or returned in 2025-Q2.",
                     "No graded forms were returned in 2025-Q2.", "No graded forms in these quarters.",
                     "No actions from audits were due in 2025-Q2.",
                     "No thematic audits were due or returned in 2025-Q2.",
                     "No immediate concerns were escalated from QA activity in 2025-Q2.",
                     "No practice observations were returned in 2025-Q2.",
                     "No good practice that may be shared was recorded in 2025-Q2."):
        assert sentence in text
    assert "No audits or observations were returned in June 2025." in text_of(run.docx[1])


def test_charts_are_embedded_with_alt_text_and_the_contents_link_to_headings(all_reports: ReportRun) -> None:
    root = etree.fromstring(document_xml(all_reports.docx[0])["word/document.xml"].encode())
    pictures = root.findall(".//wp:inline/wp:docPr", NS)
    assert len(pictures) == 5  # grades, trend, services, actions, the Neglect theme
    alts = [p.get("descr") for p in pictures]
    assert all(alts) and any("83% Good or better" in a for a in alts)
    assert any("2026-Q2 50% (10 forms); 2026-Q3 83% (12 forms)" in a for a in alts)
    anchors = {h.get(f"{{{NS['w']}}}anchor") for h in root.iter(f"{{{NS['w']}}}hyperlink")}
    bookmarks = {b.get(f"{{{NS['w']}}}name") for b in root.iter(f"{{{NS['w']}}}bookmarkStart")}
    assert len(anchors) >= 15 and anchors <= bookmarks
    instructions = "".join(root.itertext(f"{{{NS['w']}}}instrText"))
    assert "TOC \\o" in instructions and instructions.count("PAGEREF") == len(anchors)
    settings_xml = document_xml(all_reports.docx[0])["word/settings.xml"]
    assert "updateFields" not in settings_xml  # Word opens it without asking to update fields
    footer = "".join(v for k, v in document_xml(all_reports.docx[0]).items() if "footer" in k)
    assert 'w:instr="PAGE"' in footer and 'w:instr="NUMPAGES"' in footer


def test_a_theme_report_by_name_says_when_the_commentary_has_not_come_back(world: World) -> None:
    settings, _ = world
    run = run_reports(settings, Q3, "neglect", None, send=False, today=TODAY)
    (path,) = run.docx
    text = text_of(path)
    assert "Thematic Audit Report: Neglect" in text
    assert "The QA Manager's commentary on 2026-Q3 (form QMC-2026-Q3) has not come back yet" in text
    assert "Theme: Exploitation" not in text and "Workforce development themes" not in text


def test_the_themed_report_for_smt_holds_only_the_themes_audits(all_reports: ReportRun, world: World) -> None:
    path = next(p for p in all_reports.docx if p.name == "2026-Q3_thematic_report_Neglect.docx")
    text = text_of(path)
    assert "Supervision File Audit" not in text and "Observation of Practice" not in text  # no rows of zeros
    assert "good practice" not in text.lower() and "Exploitation" not in text
    assert "By question of the audit tool" in text and "Impact for the child" in text
    # recurring strengths and areas, counted, with anonymised excerpts (8 audits say the same)
    assert "The child's voice, wishes and lived experience\n8\n100%\nThe child was seen alone" in text
    assert "Assessment and chronology\n8\n100%\nThe chronology for the child is out of date." in text
    assert "Neglect was last audited in 2024-Q1 (January to March 2024): 2 audits." in text
    assert "Overall grade\n0 of 2\n75%\nup 75 points" in text
    assert re.findall(r"TPA-Q3-0\d", text) and not re.findall(r"TPA-Q2|OBS-|SFA-", text)
    assert "The QA Manager's analysis" in text


def test_unknown_names_say_which_exist(world: World) -> None:
    settings, data = world
    with pytest.raises(QAError, match=f"no service called 'Nowhere'.*{data.services[0]}"):
        run_reports(settings, Q3, None, "Nowhere", send=False, today=TODAY)
    with pytest.raises(QAError, match="has not started yet"):
        run_reports(settings, "2027-Q1", None, None, send=False, today=TODAY)


def test_the_briefing_note_shares_learning_without_identifying_anyone(all_reports: ReportRun, world: World) -> None:
    _, data = world
    text = text_of(all_reports.docx[-1])
    assert "Briefing note, September 2026" in text and "1 example of good practice was shared." in text
    assert not re.search(r"CF\d{7}", text) and data.practitioner not in text
    assert not [i for i in data.initials if i in text]


def test_shipped_templates_match_the_builder(tmp_path: Path) -> None:
    built = build_templates(tmp_path, force=True)
    tags = re.compile(r"\{[{%][^}]*[}%]\}")
    for path in built:
        shipped = Path(__file__).resolve().parent.parent / "templates" / path.name
        assert tags.findall(document_xml(shipped)["word/document.xml"]) == \
            tags.findall(document_xml(path)["word/document.xml"]), f"rebuild templates/{path.name}"


# --- LibreOffice: the PDFs, read back as a reader sees them -------------------------------------

needs_office = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                                  reason="LibreOffice and poppler are needed")


@pytest.fixture(scope="module")
def pdf_run(world: World) -> ReportRun:
    """Every report of the quarter as PDF too: one LibreOffice call converts them all."""
    settings, _ = world
    run = run_reports(with_reports(settings, pdf=True), Q3, None, None, send=False, today=TODAY)
    assert not run.problems, run.problems
    return run


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


@needs_office
def test_pdf_copies_open_in_libreoffice_and_the_first_page_renders(pdf_run: ReportRun, world: World,
                                                                    tmp_path: Path) -> None:
    settings, data = world
    pdf = next(p for p in pdf_run.pdf if data.services[0].replace(" ", "-") in p.name)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"How much did we do\?\s*\.+\s*\d+", text)  # the contents list has page numbers
    assert re.search(r"Page 1 of \d+", text) and "Quarterly Quality Assurance Report" in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True)
    (png,) = tmp_path.glob("page*.png")
    shutil.copy(png, settings.path("generated") / "first_page.png")  # kept with the test's files to look at
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000


@needs_office
def test_ids_dates_and_headers_read_whole_in_the_pdf(pdf_run: ReportRun) -> None:
    for docx, pdf in zip(pdf_run.docx, pdf_run.pdf):
        words = pdf_text(pdf).split()
        source = text_of(docx)
        values = set(re.findall(r"\b(?:CF\d{7}|[A-Z]{3}-Q\d-\d{2}(?:-A\d)?|\d{2}/\d{2}/\d{4})\b", source))
        assert values or "briefing" in docx.name
        broken = [v for v in values if not any(v in w for w in words)]
        assert not broken, f"{pdf.name}: split across lines: {broken}"
        for header in ("Outstanding", "Completed", "Escalations", "Observations"):
            if header in source:
                assert header in words or any(w.startswith(header) for w in words), f"{pdf.name}: {header} split"


def test_table_rows_never_split_and_headings_keep_with_what_follows(all_reports: ReportRun) -> None:
    root = etree.fromstring(document_xml(all_reports.docx[0])["word/document.xml"].encode())
    w = f"{{{NS['w']}}}"
    rows = list(root.iter(f"{w}tr"))
    assert rows and all(r.find(f"{w}trPr/{w}cantSplit") is not None for r in rows)
    for table in root.iter(f"{w}tbl"):
        assert table.find(f"{w}tblPr/{w}tblLayout").get(f"{w}type") == "fixed"
        widths = [int(c.get(f"{w}w")) for c in table.iter(f"{w}gridCol")]
        assert abs(sum(widths) - 17 * 567) < 30  # the text width, shared by content
    headings = [p for p in root.iter(f"{w}p")
                if (s := p.find(f"{w}pPr/{w}pStyle")) is not None and s.get(f"{w}val", "").startswith("Heading")]
    assert headings and all(p.find(f"{w}pPr/{w}keepNext") is not None for p in headings)
    styles = document_xml(all_reports.docx[0])["word/styles.xml"]
    assert "suppressAutoHyphens" in styles


@needs_office
def test_the_word_contents_list_carries_the_pdfs_page_numbers(pdf_run: ReportRun) -> None:
    root = etree.fromstring(document_xml(pdf_run.docx[0])["word/document.xml"].encode())
    w = f"{{{NS['w']}}}"
    entries = [link for link in root.iter(f"{w}hyperlink") if link.get(f"{w}anchor", "").startswith("_Toc")]
    shown = ["".join(link.itertext()) for link in entries]
    assert len(shown) >= 15 and all(re.search(r"\d+$", s) for s in shown), shown
    pages = [int(re.search(r"(\d+)$", s)[1]) for s in shown]
    assert pages == sorted(pages) and pages[0] >= 2  # after the cover and contents, in order
    assert "updateFields" not in document_xml(pdf_run.docx[0])["word/settings.xml"]
