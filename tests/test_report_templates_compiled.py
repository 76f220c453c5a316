"""A run of the quarter's reports reads and compiles each Word template once, however many documents it renders
from it, and the documents are exactly those rendered from a freshly opened template (issue 16, item 3)."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from docxtpl import DocxTemplate
from jinja2 import Environment

from processors.config.reports import BRIEFING_TEMPLATE, REPORT_TEMPLATE, THEMED_TEMPLATE, ReportSettings
from processors.config.settings import Settings
from processors.demo.report_sample import SampleSpec
from processors.errors import TemplateProblem
from processors.reports import runner
from processors.reports.charts import ChartBook
from processors.reports.compiled import ReportTemplate, ReportTemplates
from processors.reports.compose import render_report
from processors.reports.painter import painting
from processors.reports.privacy import make_scrubber
from processors.reports.quarter import parse_quarter
from processors.reports.report import build_report
from processors.reports.runner import kept_templates, plan_scopes, run_reports
from processors.reports.source import load_quarter
from processors.reports.themed import build_themed, render_themed
from processors.store.database import Store
from tests.conftest import report_settings_with_history

TODAY = date(2026, 10, 5)
Q3 = parse_quarter("2026-Q3")
OPTIONS = ReportSettings(pdf=False)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return report_settings_with_history(tmp_path_factory.mktemp("compiled"), SampleSpec(
        (*Q3.previous(2), Q3), forms_per_quarter=60, cases=50, today=TODAY), OPTIONS)


def _document_xml(docx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/document.xml")


@pytest.mark.parametrize("painter", [True, False], ids=["by the painter", "here"])
def test_a_run_compiles_each_template_once(settings: Settings, monkeypatch: pytest.MonkeyPatch, painter: bool) -> None:
    compiled: Counter[int] = Counter()
    adopted: list[str] = []
    real, real_adopt = Environment.compile, ReportTemplates._adopt

    def counting(self: Environment, source: object, *args: object, **kwargs: object) -> object:
        if isinstance(source, str) and len(source) > 5000:  # a document body, not a title or a header
            compiled[hash(source)] += 1
        return real(self, source, *args, **kwargs)  # type: ignore[arg-type]

    def adopting(self: ReportTemplates, source: str, code: object) -> None:  # compiled here or by the painter
        if len(source) > 5000:
            adopted.append(source)
        real_adopt(self, source, code)  # type: ignore[arg-type]

    monkeypatch.setattr(Environment, "compile", counting)
    monkeypatch.setattr(ReportTemplates, "_adopt", adopting)
    monkeypatch.setattr(runner, "painting", lambda: painting(painter))
    shutil.rmtree(kept_templates(settings), ignore_errors=True)  # none kept by an earlier run
    run = run_reports(settings, Q3.label, None, None, send=False, today=TODAY)
    quarterly = [d for d in run.documents if d.kind in ("slt", "service")]
    assert len(quarterly) >= 3, "the sample should give several documents from the quarterly template"
    # once, by the check at the start of the run (templates.check.require_compiled); the documents reuse it
    assert adopted and max(Counter(adopted).values()) == 1 and len(adopted) <= 3  # quarterly, themed, briefing
    if painter:
        assert not compiled  # by the painter's worker: none here
    else:
        assert compiled and max(compiled.values()) == 1 and len(compiled) == len(adopted)


@pytest.mark.parametrize("painter", [True, False], ids=["by the painter", "here"])
def test_compiled_templates_are_kept_for_the_next_run(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                                      painter: bool) -> None:
    """The next run finds each template compiled by the first and compiles nothing; its documents are the same."""
    monkeypatch.setattr(runner, "painting", lambda: painting(painter))
    kept = kept_templates(settings)
    shutil.rmtree(kept, ignore_errors=True)
    first = {p.name: _document_xml(p.read_bytes()) for p in run_reports(settings, Q3.label, None, None, send=False,
                                                                         today=TODAY).docx}
    files = {p.name: p.stat().st_mtime_ns for p in kept.iterdir()}
    assert len(files) >= 3 and not any(name.endswith(".partial") for name in files)
    second = {p.name: _document_xml(p.read_bytes()) for p in run_reports(settings, Q3.label, None, None, send=False,
                                                                          today=TODAY).docx}
    assert {p.name: p.stat().st_mtime_ns for p in kept.iterdir()} == files  # found, not compiled and kept again
    assert second == first


def test_a_kept_template_that_cannot_be_read_or_kept_is_compiled_again(tmp_path: Path, settings: Settings) -> None:
    from processors.reports.template_cache import TemplateCache

    path = settings.path("templates") / REPORT_TEMPLATE
    ReportTemplates(tmp_path).compile(path)
    for n, kept in enumerate(sorted(tmp_path.iterdir())):  # half-written, or not ours at all
        kept.write_bytes(kept.read_bytes()[: len(kept.read_bytes()) // 2] if n % 2 else b"not marshal data")
    again = ReportTemplates(tmp_path)
    again.compile(path)
    assert again.env.compilations >= 1 and again.kept.hits == 0
    assert TemplateCache(tmp_path).get(again.open(path).part_xmls()[0]) is not None  # kept afresh
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x")
    unkept = ReportTemplates(blocked)
    unkept.compile(path)  # nowhere to keep it: compiled, used, and nothing raised
    assert unkept.env.compilations >= 1 and unkept.open(path) is not None


def _copy_templates(settings: Settings, tmp_path: Path) -> Settings:
    folder = tmp_path / "templates"
    folder.mkdir()
    for template in settings.path("templates").iterdir():
        (folder / template.name).write_bytes(template.read_bytes())
    paths = settings.paths.model_copy(update={"templates": folder, "generated": tmp_path / "generated"})
    return settings.model_copy(update={"paths": paths})


def _break_a_tag(root) -> None:  # type: ignore[no-untyped-def]
    for text in root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
        if text.text and "{{" in text.text:
            text.text = text.text.replace("}}", "", 1)
            return


@pytest.mark.parametrize("broken", ["tag", "package"])
@pytest.mark.parametrize("name", [REPORT_TEMPLATE, THEMED_TEMPLATE, BRIEFING_TEMPLATE])
def test_a_broken_report_template_stops_the_run_at_start_naming_it(settings: Settings, tmp_path: Path, name: str,
                                                                   broken: str) -> None:
    from tests.docx_edit import rewrite_part

    ours = _copy_templates(settings, tmp_path)
    if broken == "tag":
        rewrite_part(ours.path("templates") / name, "word/document.xml", _break_a_tag)
    else:
        (ours.path("templates") / name).write_bytes(b"not a Word document")
    with pytest.raises(TemplateProblem) as stopped:
        run_reports(ours, Q3.label, None, None, send=False, today=TODAY)
    message = str(stopped.value)
    assert message.startswith(name) and "\n" not in message
    assert ("tag is broken" if broken == "tag" else "not a readable Word document") in message
    written = [p for p in (tmp_path / "generated").rglob("*") if p.is_file()] if (tmp_path / "generated").exists() \
        else []
    assert all(kept_templates(ours) in p.parents for p in written)  # no report; only the good templates kept
    if broken == "tag":  # what does not compile is not kept
        from processors.reports.template_cache import TemplateCache

        body = ReportTemplates().open(ours.path("templates") / name).part_xmls()[0]
        assert TemplateCache(kept_templates(ours)).get(body) is None


def test_documents_from_the_runs_templates_are_those_from_a_fresh_template(settings: Settings) -> None:
    with Store(settings.path("database")) as store:
        snap = load_quarter(store, Q3, OPTIONS.trend_quarters)
    scrub, shared, templates = make_scrubber(snap, False), ReportTemplates(), settings.path("templates")
    scopes = plan_scopes(snap, Q3, None, None)
    assert {s.kind for s in scopes} == {"slt", "theme", "service"}
    for scope in scopes:
        if scope.kind == "theme":
            data = build_themed(snap, scope, Q3, OPTIONS, scrub, "T", TODAY)
            alone = render_themed(templates / THEMED_TEMPLATE, data, ChartBook())
            reused = render_themed(templates / THEMED_TEMPLATE, data, ChartBook(), shared)
        else:
            data = build_report(snap, scope, Q3, OPTIONS, scrub, "T", TODAY)  # type: ignore[assignment]
            alone = render_report(templates / REPORT_TEMPLATE, data, book=ChartBook())  # type: ignore[arg-type]
            reused = render_report(templates / REPORT_TEMPLATE, data, book=ChartBook(),  # type: ignore[arg-type]
                                   templates=shared)
        assert _document_xml(reused.docx) == _document_xml(alone.docx), scope
        assert reused.contents_entries == alone.contents_entries > 0
    compilations = shared.env.compilations
    for scope in scopes:  # again: nothing more to compile
        if scope.kind != "theme":
            render_report(templates / REPORT_TEMPLATE, build_report(snap, scope, Q3, OPTIONS, scrub, "T", TODAY),
                          book=ChartBook(), templates=shared)
    assert shared.env.compilations == compilations


def test_a_template_edited_between_documents_is_read_again(settings: Settings, tmp_path: Path) -> None:
    shared = ReportTemplates()
    path = tmp_path / "t.docx"
    source = settings.path("templates") / REPORT_TEMPLATE
    path.write_bytes(source.read_bytes())
    first = shared.open(path)
    path.write_bytes(source.read_bytes() + b"\0")  # another size: another file as far as the run knows
    assert shared.open(path) is not first
    assert len(shared._packages) == 2


@pytest.mark.parametrize("xml", [
    '<w:p><w:r><w:t xml:space="preserve">one\ntwo\tthree</w:t></w:r></w:p>',  # docxtpl turns these into markup
    '<w:p><w:r>\n  <w:t>no break in the text</w:t>\n</w:r></w:p>',          # a picture's pretty XML: left alone
    "<w:p><w:r><w:t>plain</w:t></w:r></w:p>",
])
def test_listing_is_resolved_as_docxtpl_does(xml: str) -> None:
    ours = ReportTemplate.__new__(ReportTemplate)  # resolve_listing does not need the package
    assert ours.resolve_listing(xml) == DocxTemplate.resolve_listing(ours, xml)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _table(grid: int, rows: list[list[int]]) -> str:
    """A table of ``grid`` columns; each row a list of its cells' spans (1: no gridSpan)."""
    cols = "".join(f'<w:gridCol w:w="{1000 * (n + 1)}"/>' for n in range(grid))
    body = "".join("<w:tr>" + "".join(
        f'<w:tc><w:tcPr><w:gridSpan w:val="{s}"/></w:tcPr><w:p/></w:tc>' if s > 1 else "<w:tc><w:p/></w:tc>"
        for s in row) + "</w:tr>" for row in rows)
    return f"<w:tbl><w:tblGrid>{cols}</w:tblGrid>{body}</w:tbl>"


@pytest.mark.parametrize("tables", [
    [_table(3, [[1, 1, 1], [1, 2]])],                   # fits: left as it is
    [_table(3, [[1, 1, 1, 1], [1, 1, 1]])],             # a row with more cells: docxtpl adds a column
    [_table(4, [[1, 1], [1, 2]])],                      # no row fills the grid: docxtpl removes columns
    [_table(2, [[1, 1]]), _table(3, [[1, 1]])],         # the second table needs it
    [_table(2, [])],                                    # no rows: docxtpl removes every column
])
def test_tables_are_fixed_as_docxtpl_fixes_them(tables: list[str]) -> None:
    from lxml import etree

    xml = f"<w:document {W}><w:body>{''.join(tables)}</w:body></w:document>"
    ours = ReportTemplate.__new__(ReportTemplate)  # fix_tables does not need the package
    assert etree.tostring(ours.fix_tables(xml)) == etree.tostring(DocxTemplate.fix_tables(ours, xml))


def test_a_nested_table_counts_in_its_parent_as_docxtpl_counts_it() -> None:
    from lxml import etree

    inner = _table(2, [[1, 1, 1]])
    xml = (f"<w:document {W}><w:body><w:tbl><w:tblGrid><w:gridCol w:w='900'/></w:tblGrid><w:tr><w:tc>{inner}"
           "</w:tc></w:tr></w:tbl></w:body></w:document>")
    ours = ReportTemplate.__new__(ReportTemplate)
    assert etree.tostring(ours.fix_tables(xml)) == etree.tostring(DocxTemplate.fix_tables(ours, xml))


def test_only_the_roots_own_namespace_declarations_are_dropped_from_the_body() -> None:
    """The body, serialized alone, repeats the root's declarations, as do the pictures' XML: they go, as moving
    the body into the document drops them; a text that merely reads like one, a declaration of another
    namespace, and a body that binds a root prefix elsewhere are left as they are."""
    from processors.reports.compiled import _redeclarations_dropped

    root = {"w": "urn:w", "wp": "urn:wp"}
    body = ('<w:body xmlns:w="urn:w" xmlns:wp="urn:wp"><w:p><w:r><w:t>see xmlns:w="urn:w" here</w:t></w:r>'
            '<w:r><w:drawing><wp:inline xmlns:wp="urn:wp" xmlns:a="urn:a"><a:g/></wp:inline></w:drawing></w:r>'
            '</w:p></w:body>')
    assert _redeclarations_dropped(body, root) == (
        '<w:body><w:p><w:r><w:t>see xmlns:w="urn:w" here</w:t></w:r><w:r><w:drawing><wp:inline xmlns:a="urn:a">'
        '<a:g/></wp:inline></w:drawing></w:r></w:p></w:body>')
    rebound = '<w:body xmlns:w="urn:w"><x:y xmlns:x="urn:x" xmlns:w="urn:other"><w:p xmlns:w="urn:w"/></x:y></w:body>'
    assert _redeclarations_dropped(rebound, root) == rebound


def test_a_full_disk_where_templates_are_kept_costs_only_the_keeping(settings: Settings, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept templates' folder on a full disk (a 64 KB tmpfs when this runs as root; the quarterly template
    compiled is twice that): the template is compiled and renders, no half-written file is left under a kept
    name or as a scratch file, and once there is room the next run keeps it."""
    import errno
    import os

    from processors.reports import template_cache
    from tests.test_reliability import full_disk

    path = settings.path("templates") / REPORT_TEMPLATE
    kept = tmp_path / "kept"
    with full_disk(kept, monkeypatch) as how:
        if how == "patched":  # no tmpfs: the scratch file's writes fail as a full disk's do
            real = os.fdopen

            def full(fd: int, *args: object, **kwargs: object) -> object:
                handle = real(fd, *args, **kwargs)  # type: ignore[call-overload]
                handle.write = lambda _data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left"))
                return handle

            monkeypatch.setattr(template_cache.os, "fdopen", full)
        templates = ReportTemplates(kept)
        templates.compile(path)
        assert templates.env.compilations >= 1
        body = templates.open(path).part_xmls()[0]
        assert template_cache.TemplateCache(kept).get(body) is None  # not kept, and nothing half there
        assert not [p for p in kept.iterdir() if p.suffix == ".partial"]
        monkeypatch.undo()
    again = ReportTemplates(kept)  # room again (the tmpfs is gone: the folder is on the real disk)
    again.compile(path)
    assert ReportTemplates(kept).kept.get(body) is not None


def test_two_runs_keeping_the_same_templates_at_once_leave_each_whole(settings: Settings, tmp_path: Path) -> None:
    """Two runs compiling the same templates at the same moment both keep them: each kept file is whole
    (written to a scratch name, then renamed), and a third run finds every part."""
    from concurrent.futures import ThreadPoolExecutor

    paths = [settings.path("templates") / name for name in (REPORT_TEMPLATE, THEMED_TEMPLATE, BRIEFING_TEMPLATE)]

    def run(_: int) -> int:
        templates = ReportTemplates(tmp_path)
        for path in paths:
            templates.compile(path)
        return templates.env.compilations

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(run, range(4))) >= 3  # compiled at least once each (a run may find another's kept)
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".partial"]
    third = ReportTemplates(tmp_path)
    for path in paths:
        third.compile(path)
    assert third.env.compilations == 0 and third.kept.hits >= 3
