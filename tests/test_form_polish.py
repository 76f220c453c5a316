"""Forms without rough edges: grey answer boxes as the instructions say, what each grade means beside every
graded area (rewordable in Word), the return date on every form, and File > Properties naming the organisation."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from lxml import etree

from processors.config.settings import Settings
from processors.forms.definitions import FORM_TYPES, GRADE_DESCRIPTORS, Kind
from processors.forms.models import Case, WorkItem
from processors.generate.run import generate_items
from processors.word.controls import parse_xml
from processors.word.ooxml import w
from tests.conftest import write_config
from tests.docx_edit import rewrite_part
from tests.test_templates import run_check

CASE = Case("CF3000003", "Q.R.", 7, "Child in Need", "Early Help", "East Team 3", "Pat Example", "Lee Sample")
DUE = date(2025, 6, 13)


def generated(settings: Settings) -> dict[str, Path]:
    items = [WorkItem(key, CASE if key != "good_practice" else Case("", "", 0, "", "", "", "", ""), "2025-C3",
                      due_date=DUE) for key in FORM_TYPES]
    summary = generate_items(settings, items)
    return {f.identity.form_type: f.path for r in summary.results for f in r.forms}


def rows(path: Path) -> list[etree._Element]:
    with zipfile.ZipFile(path) as z:
        return list(parse_xml(z.read("word/document.xml")).iter(w("tr")))


def cell_text(tc: etree._Element) -> str:
    return "".join(t.text or "" for t in tc.iter(w("t")))


def fill_of(tc: etree._Element) -> str | None:
    shd = tc.find(f"{w('tcPr')}/{w('shd')}")
    return None if shd is None else shd.get(w("fill"))


def test_answer_boxes_are_grey_descriptors_sit_beside_grades_and_the_return_date_shows(settings: Settings) -> None:
    for form_type, path in generated(settings).items():
        definition = FORM_TYPES[form_type]
        with zipfile.ZipFile(path) as z:
            text = "".join(t.text or "" for t in parse_xml(z.read("word/document.xml")).iter(w("t")))
        assert "complete every grey box" in text and f"Return the form by {DUE:%d/%m/%Y}." in text, form_type
        seen = set()
        for tr in rows(path):
            for tc in tr.findall(w("tc")):
                tags = [t.get(w("val")) for t in tc.iter(w("tag"))]
                for tag in tags:
                    field = definition.field(tag)
                    seen.add(tag)
                    assert fill_of(tc) == (None if field.prefilled else "E7E6E6"), (form_type, tag)
                    if field.kind is Kind.GRADE:
                        label = cell_text(tr.findall(w("tc"))[0])
                        assert all(f"{g}: {m}." in label for g, m in GRADE_DESCRIPTORS.items()), tag
        assert seen == {f.key for f in definition.fields}


def test_properties_name_the_organisation_and_the_generation_time(settings: Settings) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    path = generated(settings)["thematic_audit"]
    with zipfile.ZipFile(path) as z:
        core = parse_xml(z.read("docProps/core.xml"))
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
          "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
    assert core.findtext("dc:creator", namespaces=ns) == settings.organisation
    assert core.findtext("cp:lastModifiedBy", namespaces=ns) == settings.organisation
    assert "python-docx" not in (core.findtext("dc:description", namespaces=ns) or "")
    for name in ("dcterms:created", "dcterms:modified"):
        stamp = datetime.strptime(core.findtext(name, namespaces=ns), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert before - timedelta(seconds=1) <= stamp <= datetime.now(UTC) + timedelta(seconds=1), name


def test_descriptors_reworded_in_word_still_pass_templates_check(tmp_path: Path, template_copy: Path) -> None:
    reworded = []

    def reword(root: etree._Element) -> None:
        for t in root.iter(w("t")):
            if t.text and t.text.startswith(GRADE_DESCRIPTORS["Good"][:20]):
                t.text = "the standard we expect of every piece of work."
                reworded.append(t)

    rewrite_part(template_copy / "thematic_audit.docx", "word/document.xml", reword)
    result = run_check(write_config(tmp_path, template_copy))
    assert len(reworded) == 8 and result.returncode == 0, result.stdout  # one per graded area
