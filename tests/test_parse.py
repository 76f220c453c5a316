"""Reading returned forms: Word-filled, LibreOffice re-saved or filled, PDFs, damaged and hostile files."""

from __future__ import annotations

import copy
import hashlib
import io
import re
import subprocess
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject, TextStringObject

from processors.demo.fill import fill_control, fill_form
from processors.errors import UnreadableFile
from processors.forms.definitions import FORM_TYPES, FormDefinition, Kind
from processors.forms.models import Case, ParsedForm, WorkItem
from processors.generate.forms import FormGenerator
from processors.reading.parse import parse_file
from processors.word.controls import is_prompt, parse_xml
from processors.word.office import convert, soffice
from processors.word.ooxml import W_NS, el, w, w14

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CASE = Case("CF7000123", "J.K.", 12, "Child Protection", "Safeguarding & Support", "Corby 2", "Ade Okafor",
            "Bea Lund")
CODES = {key: d.code for key, d in FORM_TYPES.items()}
needs_office = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")


# --- building returned forms ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def generator() -> FormGenerator:
    return FormGenerator(TEMPLATES, "Trust", 14, today=date(2026, 3, 1))


def form_id(form_type: str, n: int = 1) -> str:
    return f"2026-C09-{CODES[form_type]}-{n:03d}"


def render(generator: FormGenerator, form_type: str, n: int = 1) -> bytes:
    return generator.render(WorkItem(form_type, CASE, "2026-C09", form_id=form_id(form_type, n), auditor="Ola Nowak",
                                     due_date=date(2026, 4, 30)))


def answers_for(definition: FormDefinition) -> dict[str, str | date | bool]:
    """A full set of answers, different per field: grades and choices vary, text has '&', '<' and two lines."""
    out: dict[str, str | date | bool] = {}
    for n, field in enumerate(definition.fillable):
        if field.kind in (Kind.GRADE, Kind.CHOICE):
            out[field.key] = field.allowed[n % len(field.allowed)]
        elif field.kind is Kind.DATE:
            out[field.key] = date(2026, 3, 1 + n % 28)
        elif field.kind is Kind.CHECKBOX:
            out[field.key] = n % 2 == 0
        elif field.kind is Kind.LONGTEXT:
            out[field.key] = f"{field.label} – seen & noted <today>\nSecond line for {field.key}"
        else:
            out[field.key] = f"{field.key} by Zoë O'Neil"
    return out


def as_raw(value: str | date | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return value


def filled(generator: FormGenerator, form_type: str) -> tuple[bytes, dict[str, str | date | bool]]:
    answers = answers_for(FORM_TYPES[form_type])
    return fill_form(render(generator, form_type), answers), answers


def edit_document(data: bytes, change: Callable[[etree._Element], None], part: str = "word/document.xml",
                  drop: tuple[str, ...] = ()) -> bytes:
    """The package with one XML part changed (or some parts dropped), as Word or a person might leave it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name in drop:
                continue
            content = source.read(name)
            if name == part:
                root = parse_xml(content)
                change(root)
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(name, content)
    return out.getvalue()


def control(root: etree._Element, key: str) -> etree._Element:
    return next(t.getparent().getparent() for t in root.iter(w("tag")) if t.get(w("val")) == key)


def save(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- forms filled the way Word fills them --------------------------------------------------------------

@pytest.mark.parametrize("form_type", list(FORM_TYPES))
def test_a_filled_form_of_every_type_comes_back_exactly(generator: FormGenerator, tmp_path: Path,
                                                        form_type: str) -> None:
    data, answers = filled(generator, form_type)
    path = save(tmp_path, "returned.docx", data)
    parsed = parse_file(path)
    assert parsed.identity is not None
    assert (parsed.identity.form_id, parsed.identity.form_type) == (form_id(form_type), form_type)
    assert (parsed.identity.template_version, parsed.identity.cycle_id) == (FORM_TYPES[form_type].version, "2026-C09")
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()
    assert {k: parsed.values.get(k) for k in answers} == {k: as_raw(v) for k, v in answers.items()}
    keys = {f.key for f in FORM_TYPES[form_type].fields}
    if "case_id" in keys:  # the QA Manager's commentary is about a quarter, not a case
        assert parsed.values["case_id"] == "CF7000123"
        assert parsed.values["practitioner"] == "Ade Okafor"
    assert set(parsed.values) == keys
    assert parsed.notes == []


def test_an_unfilled_form_reads_every_answer_as_empty(generator: FormGenerator, tmp_path: Path) -> None:
    parsed = parse_file(save(tmp_path, "blank.docx", render(generator, "good_practice")))
    for field in FORM_TYPES["good_practice"].fillable:
        assert parsed.values[field.key] == ("false" if field.kind is Kind.CHECKBOX else ""), field.key
    assert parsed.values["service"] == "Safeguarding & Support"


def test_identity_falls_back_to_the_footer_then_to_the_title(generator: FormGenerator, tmp_path: Path) -> None:
    data, _ = filled(generator, "practice_observation")
    no_properties = edit_document(data, lambda root: None, drop=("docProps/custom.xml",))
    parsed = parse_file(save(tmp_path, "a.docx", no_properties))
    assert parsed.identity is not None and parsed.identity.form_id == "2026-C09-OBS-001"
    assert (parsed.identity.form_type, parsed.identity.template_version) == (
        "practice_observation", FORM_TYPES["practice_observation"].version)
    assert any("footer" in note for note in parsed.notes)

    def blank_footer(root: etree._Element) -> None:
        for t in root.iter(w("t")):
            t.text = "Page"

    anonymous = edit_document(no_properties, blank_footer, part="word/footer1.xml")
    parsed = parse_file(save(tmp_path, "b.docx", anonymous))
    assert parsed.identity is None and parsed.form_type == "practice_observation"
    assert parsed.values["overall_grade"] in ("Outstanding", "Good", "Requires Improvement", "Inadequate")
    assert any("Observation of Practice" in note for note in parsed.notes)


def test_the_main_part_is_found_through_the_package_relationships(generator: FormGenerator,
                                                                   tmp_path: Path) -> None:
    data, answers = filled(generator, "good_practice")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name in ("_rels/.rels", "[Content_Types].xml"):
                content = content.replace(b"word/document.xml", b"word/document2.xml")
            target.writestr(name.replace("word/document.xml", "word/document2.xml"), content)
    parsed = parse_file(save(tmp_path, "online.docx", out.getvalue()))  # as Word Online sometimes saves
    assert parsed.values["nominated_by"] == answers["nominated_by"]


def test_a_word_document_of_another_template_is_not_one_of_our_forms(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Minutes of the team meeting")
    path = tmp_path / "minutes.docx"
    document.save(str(path))
    with pytest.raises(UnreadableFile) as caught:
        parse_file(path)
    reason = caught.value.reason
    assert "not one of our QA forms" in reason
    assert all(d.title in reason for d in FORM_TYPES.values())


# --- what people do to forms ---------------------------------------------------------------------------

def test_text_typed_beside_a_box_is_read_with_a_note(generator: FormGenerator, tmp_path: Path) -> None:
    def type_beside(root: etree._Element) -> None:
        box = control(root, "strengths")
        box.addnext(el("r", {}, el("t", {})))
        box.getnext()[0].text = " Warm, persistent work with the family"

    parsed = parse_file(save(tmp_path, "a.docx", edit_document(render(generator, "thematic_audit"), type_beside)))
    assert parsed.values["strengths"] == "Warm, persistent work with the family"
    assert parsed.values["areas_for_improvement"] == ""
    assert any(note.startswith("strengths read from text typed beside") for note in parsed.notes)


def test_a_deleted_box_leaves_its_text_and_an_emptied_cell_leaves_the_field_absent(generator: FormGenerator,
                                                                                  tmp_path: Path) -> None:
    data, answers = filled(generator, "thematic_audit")

    def delete_boxes(root: etree._Element) -> None:
        kept = control(root, "strengths")  # deleted, its typed text left behind in the cell
        for run in kept.find(w("sdtContent")):
            kept.addprevious(run)
        kept.getparent().remove(kept)
        gone = control(root, "areas_for_improvement")  # deleted with its text
        gone.getparent().remove(gone)
        grade = control(root, "overall_grade")
        grade.addprevious(el("r", {}, el("t", {})))
        grade.getprevious()[0].text = "Good"
        grade.getparent().remove(grade)

    parsed = parse_file(save(tmp_path, "a.docx", edit_document(data, delete_boxes)))
    assert parsed.values["strengths"] == answers["strengths"]
    assert parsed.values["overall_grade"] == "Good"
    assert "areas_for_improvement" not in parsed.values
    assert any("overall_grade read from the text in its table cell" in note for note in parsed.notes)


def actions_table(root: etree._Element) -> etree._Element:
    return next(t for t in root.iter(w("tbl")) if control(root, "action_1") in t.iter(w("sdt")))


def test_rows_added_to_the_actions_table_are_read_as_further_actions(generator: FormGenerator,
                                                                     tmp_path: Path) -> None:
    data, answers = filled(generator, "supervision_audit")

    def add_rows(root: etree._Element) -> None:
        table = actions_table(root)
        last = table.findall(w("tr"))[-1]
        copied = copy.deepcopy(last)  # Word: copy row 5 and paste it below (its boxes keep row 5's names)
        for box, value in zip(copied.iter(w("sdt")), ("Review the plan at the next core group", "Kim Ede",
                                                      date(2026, 7, 1))):
            fill_control(box, value)
        table.append(copied)
        typed = copy.deepcopy(last)  # Word: insert row below, then type into plain cells
        for cell, text in zip(typed.findall(w("tc")), ("7", "Book a joint visit with the IRO", "Lee Park",
                                                       "15/07/2026")):
            for p in cell.findall(w("p")):
                cell.remove(p)
            cell.append(el("p", {}, el("r", {}, el("t", {}))))
            cell.find(f".//{{{W_NS}}}t").text = text
        table.append(typed)

    parsed = parse_file(save(tmp_path, "a.docx", edit_document(data, add_rows)))
    assert parsed.values["action_5"] == answers["action_5"]
    assert parsed.values["action_6"] == "Review the plan at the next core group"
    assert parsed.values["action_6_owner"] == "Kim Ede"
    assert parsed.values["action_6_due"] == "2026-07-01"
    assert (parsed.values["action_7"], parsed.values["action_7_owner"], parsed.values["action_7_due"]) == (
        "Book a joint visit with the IRO", "Lee Park", "15/07/2026")


# --- legacy form fields (Word's "Legacy Tools"; LibreOffice writes them too) ----------------------------

def legacy_field(name: str, props: etree._Element, code: str, result: str | None) -> list[etree._Element]:
    ff = el("ffData", {}, el("name", {"val": name}), el("enabled"), el("calcOnExit", {"val": "0"}), props)
    instr = el("instrText")
    instr.text = f" {code} "
    runs = [el("r", {}, el("fldChar", {"fldCharType": "begin"}, ff)), el("r", {}, instr)]
    if result is not None:
        result_run = el("r", {}, el("t", {}))
        result_run[0].text = result
        runs += [el("r", {}, el("fldChar", {"fldCharType": "separate"})), result_run]
    return runs + [el("r", {}, el("fldChar", {"fldCharType": "end"}))]


def replace_box(root: etree._Element, key: str, runs: list[etree._Element]) -> None:
    box = control(root, key)
    for run in runs:
        box.addprevious(run)
    box.getparent().remove(box)


def with_legacy_fields(root: etree._Element) -> None:
    grades = el("ddList", {}, el("result", {"val": "3"}), *(el("listEntry", {"val": g}) for g in
                                                             ("Choose", "Outstanding", "Good", "Requires Improvement",
                                                              "Inadequate")))
    replace_box(root, "overall_grade", legacy_field("Dropdown1", grades, "FORMDROPDOWN", None))
    dated = el("textInput", {}, el("type", {"val": "date"}), el("format", {"val": "dd/MM/yyyy"}))
    replace_box(root, "audit_date", legacy_field("Text1", dated, "FORMTEXT", "03/04/2026"))
    replace_box(root, "strengths", legacy_field("strengths", el("textInput"), "FORMTEXT", "Clear, child-led plan"))


def with_legacy_checkboxes(root: etree._Element) -> None:
    ticked = el("checkBox", {}, el("sizeAuto"), el("default", {"val": "0"}), el("checked"))
    replace_box(root, "value_trust_integrity", legacy_field("Check1", ticked, "FORMCHECKBOX", None))
    unticked = el("checkBox", {}, el("sizeAuto"), el("default", {"val": "1"}), el("checked", {"val": "0"}))
    replace_box(root, "value_child_focussed", legacy_field("Check2", unticked, "FORMCHECKBOX", None))


def assert_legacy_values(parsed: ParsedForm) -> None:
    assert parsed.values["overall_grade"] == "Requires Improvement"
    assert parsed.values["audit_date"] == "03/04/2026"
    assert parsed.values["strengths"] == "Clear, child-led plan"


def test_legacy_form_fields_are_read(generator: FormGenerator, tmp_path: Path) -> None:
    parsed = parse_file(save(tmp_path, "a.docx", edit_document(render(generator, "thematic_audit"),
                                                                with_legacy_fields)))
    assert_legacy_values(parsed)
    assert any("legacy form field" in note for note in parsed.notes)
    boxes = parse_file(save(tmp_path, "b.docx", edit_document(render(generator, "good_practice"),
                                                               with_legacy_checkboxes)))
    assert (boxes.values["value_trust_integrity"], boxes.values["value_child_focussed"]) == ("true", "false")


# --- LibreOffice: re-saved, exported to PDF, filled by a macro ------------------------------------------

def block_level(root: etree._Element) -> None:
    """Put some controls around their paragraph (block level), as other editors and templates do."""
    for key in ("overall_grade", "audit_date", "immediate_concern", "strengths"):
        box = control(root, key)
        paragraph, content = box.getparent(), box.find(w("sdtContent"))
        inner = el("p")
        inner.extend(list(content))
        content.append(inner)
        paragraph.getparent().replace(paragraph, box)


@pytest.fixture(scope="module")
def office_outputs(generator: FormGenerator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Every LibreOffice conversion the tests need, batched: one call for .docx, one for PDF."""
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("libreoffice")
    sources: dict[str, Path] = {}
    answers: dict[str, dict[str, str | date | bool]] = {}
    for form_type in FORM_TYPES:
        data, answers[form_type] = filled(generator, form_type)
        sources[form_type] = save(folder / "in", f"{form_type}.docx", data)
    thematic = sources["thematic_audit"].read_bytes()
    sources["block"] = save(folder / "in", "block level.docx", edit_document(thematic, block_level))
    sources["legacy"] = save(folder / "in", "legacy.docx", edit_document(render(generator, "thematic_audit"),
                                                                           with_legacy_fields))
    sources["legacy_boxes"] = save(folder / "in", "legacy boxes.docx",
                                   edit_document(render(generator, "good_practice"), with_legacy_checkboxes))
    sources["blank"] = save(folder / "in", "blank.docx", render(generator, "thematic_audit"))
    docx_out = convert(list(sources.values()), "docx:MS Word 2007 XML", folder / "resaved")
    for_pdf = [*FORM_TYPES, "blank"]
    pdf_out = convert([sources[t] for t in for_pdf], "pdf", folder / "pdf")
    return {"answers": answers, "resaved": dict(zip(sources, docx_out)), "pdf": dict(zip(for_pdf, pdf_out))}


@needs_office
@pytest.mark.parametrize("kind", ["resaved", "pdf"])
def test_an_unfilled_form_through_libreoffice_reads_as_empty(office_outputs: dict, kind: str) -> None:
    parsed = parse_file(office_outputs[kind]["blank"])
    assert parsed.identity is not None and parsed.identity.form_id == "2026-C09-TPA-001"
    assert {f.key: parsed.values.get(f.key) for f in FORM_TYPES["thematic_audit"].fillable} == {
        f.key: "" for f in FORM_TYPES["thematic_audit"].fillable}
    assert parsed.values["case_id"] == "CF7000123"


def assert_same_answers(parsed: ParsedForm, answers: dict[str, str | date | bool], dates_as_printed: bool) -> None:
    for key, value in answers.items():
        got = parsed.values.get(key)
        if isinstance(value, str) and "\n" in value:
            # LibreOffice moves a line break typed inside a box to before the box: the words join up
            assert got is not None and squash(got) == squash(value), key
        elif isinstance(value, date) and dates_as_printed:
            assert got == value.strftime("%d/%m/%Y"), key
        else:
            assert got == as_raw(value), key


@needs_office
@pytest.mark.parametrize("form_type", list(FORM_TYPES))
def test_a_form_resaved_by_libreoffice_comes_back(office_outputs: dict, form_type: str) -> None:
    path = office_outputs["resaved"][form_type]
    assert "w:tag" not in zipfile.ZipFile(path).read("word/document.xml").decode()  # LibreOffice dropped every tag
    parsed = parse_file(path)
    assert parsed.identity is not None and parsed.identity.form_id == form_id(form_type)
    assert_same_answers(parsed, office_outputs["answers"][form_type], dates_as_printed=False)
    assert parsed.values.get("case_id", "CF7000123") == "CF7000123"  # a commentary has no case
    assert any("lost their names" in note for note in parsed.notes)


@needs_office
def test_block_level_boxes_mangled_by_libreoffice_are_recovered_from_their_cells(office_outputs: dict) -> None:
    parsed = parse_file(office_outputs["resaved"]["block"])
    assert_same_answers(parsed, office_outputs["answers"]["thematic_audit"], dates_as_printed=False)


@needs_office
def test_legacy_form_fields_survive_libreoffice(office_outputs: dict) -> None:
    assert_legacy_values(parse_file(office_outputs["resaved"]["legacy"]))
    boxes = parse_file(office_outputs["resaved"]["legacy_boxes"])
    assert (boxes.values["value_trust_integrity"], boxes.values["value_child_focussed"]) == ("true", "false")


@needs_office
@pytest.mark.parametrize("form_type", list(FORM_TYPES))
def test_a_form_saved_as_pdf_is_read_by_its_labels(office_outputs: dict, form_type: str) -> None:
    parsed = parse_file(office_outputs["pdf"][form_type])
    assert parsed.identity is not None and parsed.identity.form_id == form_id(form_type)
    assert parsed.identity.template_version == FORM_TYPES[form_type].version
    assert_same_answers(parsed, office_outputs["answers"][form_type], dates_as_printed=True)
    assert parsed.values.get("team", "Corby 2") == "Corby 2"  # a commentary has no team


FILL_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub FillForm(inPath As String, outPath As String, spec As String)
  Dim loadArgs(0) As New com.sun.star.beans.PropertyValue
  loadArgs(0).Name = "Hidden"
  loadArgs(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(inPath), "_blank", 0, loadArgs())
  entries = Split(spec, ";")
  For i = 0 To UBound(entries)
    parts = Split(entries(i), "|")
    rd = doc.createSearchDescriptor()
    rd.SearchString = parts(0)
    found = doc.findFirst(rd)
    For n = 2 To CInt(parts(1))
      found = doc.findNext(found.End, rd)
    Next n
    found.setString(parts(2))
  Next i
  Dim saveArgs(0) As New com.sun.star.beans.PropertyValue
  saveArgs(0).Name = "FilterName"
  saveArgs(0).Value = "MS Word 2007 XML"
  doc.storeToURL(ConvertToURL(outPath), saveArgs())
  doc.close(True)
End Sub
</script:module>
"""


@needs_office
def test_a_form_filled_in_libreoffice_itself_is_read(generator: FormGenerator, tmp_path: Path) -> None:
    """A Basic macro replaces placeholder text inside the boxes, as typing into them in LibreOffice does."""
    source = save(tmp_path, "in.docx", render(generator, "thematic_audit"))
    target = tmp_path / "filled in LibreOffice.docx"
    profile = tmp_path / "profile"
    base = [str(soffice()), "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}"]
    subprocess.run([*base, "--terminate_after_init"], capture_output=True, timeout=60, check=False)
    (profile / "user/basic/Standard/Module1.xba").write_text(FILL_MACRO, encoding="utf-8")
    spec = ("Choose an item.|2|Good;Choose an item.|8|Inadequate;Click or tap here to enter text.|1|"
            "Typed in LibreOffice;Click or tap to enter a date.|1|05/03/2026")
    subprocess.run([*base, f'macro:///Standard.Module1.FillForm("{source}","{target}","{spec}")'],
                   capture_output=True, timeout=120, check=False)
    assert target.exists(), "LibreOffice did not run the fill macro"
    parsed = parse_file(target)
    assert parsed.identity is not None and parsed.identity.form_id == "2026-C09-TPA-001"
    assert parsed.values["voice_of_child"] == "Good"
    assert parsed.values["overall_grade"] == "Inadequate"
    assert parsed.values["not_alongside_reason"] == "Typed in LibreOffice"
    assert parsed.values["audit_date"] == "05/03/2026"
    assert parsed.values["assessment"] == "" and parsed.values["strengths"] == ""


# --- PDFs ----------------------------------------------------------------------------------------------

def pdf_with_text(lines: list[str]) -> tuple[PdfWriter, DictionaryObject]:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    ops = "".join(f"BT /F1 11 Tf 50 {800 - 16 * n} Td ({line}) Tj ET\n" for n, line in enumerate(lines))
    content = StreamObject()
    content.set_data(ops.encode("latin-1"))
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Contents")] = writer._add_object(content)
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    return writer, page


def add_field(writer: PdfWriter, page: DictionaryObject, name: str, value: str, tooltip: str = "",
              checkbox: bool = False) -> None:
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Btn" if checkbox else "/Tx"), NameObject("/T"): TextStringObject(name),
        NameObject("/V"): NameObject(value) if checkbox else TextStringObject(value),
        NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (50, 50, 200, 70)]),
    })
    if tooltip:
        field[NameObject("/TU")] = TextStringObject(tooltip)
    ref = writer._add_object(field)
    page.setdefault(NameObject("/Annots"), ArrayObject()).append(ref)
    root = writer._root_object
    if "/AcroForm" not in root:
        root[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject()})
    root["/AcroForm"]["/Fields"].append(ref)


def test_a_pdf_with_form_fields_is_read_from_them(tmp_path: Path) -> None:
    writer, page = pdf_with_text(["Good Practice Evidence Record", "Form ref: 2026-C09-GPR-007  template v1.0"])
    add_field(writer, page, "nominated_by", "Rui Costa")
    add_field(writer, page, "When the practice took place", "02/03/2026")
    add_field(writer, page, "Text3", "Yes", tooltip="Share across the workforce?")
    add_field(writer, page, "value_child_focussed", "/Yes", checkbox=True)
    add_field(writer, page, "Good communicators", "/Off", checkbox=True)
    path = tmp_path / "record.pdf"
    with path.open("wb") as f:
        writer.write(f)
    parsed = parse_file(path)
    assert parsed.identity is not None and parsed.identity.form_id == "2026-C09-GPR-007"
    assert parsed.form_type == "good_practice"
    assert parsed.values["nominated_by"] == "Rui Costa"
    assert parsed.values["date_of_practice"] == "02/03/2026"
    assert parsed.values["share_across_workforce"] == "Yes"
    assert (parsed.values["value_child_focussed"], parsed.values["value_good_communicators"]) == ("true", "false")
    assert any("form fields" in note for note in parsed.notes)


def test_pdfs_that_cannot_be_read_say_why(tmp_path: Path) -> None:
    scan, _ = pdf_with_text([])
    locked, _ = pdf_with_text(["Thematic Peer Audit", "Form ref: 2026-C09-TPA-001"])
    locked.encrypt("secret", algorithm="AES-128")
    for name, writer in (("scan.pdf", scan), ("locked.pdf", locked)):
        with (tmp_path / name).open("wb") as f:
            writer.write(f)
    cases = {"scan.pdf": "scan or picture", "locked.pdf": "password-protected"}
    save(tmp_path, "broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R")
    cases["broken.pdf"] = "damaged or incomplete"
    for name, phrase in cases.items():
        with pytest.raises(UnreadableFile, match=phrase):
            parse_file(tmp_path / name)


# --- hostile XML -------------------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://192.0.2.1/x">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>Thematic Peer Audit &xxe; &net;</w:t></w:r></w:p></w:body></w:document>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>Thematic Peer Audit &lol9;</w:t></w:r></w:p></w:body></w:document>"""


def replace_part(data: bytes, part: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, content if name == part else source.read(name))
    return out.getvalue()


@pytest.mark.parametrize("part, content", [
    ("word/document.xml", XXE),
    ("word/document.xml", LAUGHS),
    ("word/document.xml", XXE.replace(b"<!DOCTYPE", b"<!--" + b"x" * 8000 + b"-->\n<!DOCTYPE", 1)),
    ("docProps/custom.xml", LAUGHS),
])
def test_entity_tricks_are_refused_quickly_and_never_expanded(generator: FormGenerator, tmp_path: Path,
                                                              part: str, content: bytes) -> None:
    path = save(tmp_path, "evil.docx", replace_part(render(generator, "thematic_audit"), part, content))
    started = time.perf_counter()
    with pytest.raises(UnreadableFile) as caught:
        parse_file(path)
    assert time.perf_counter() - started < 0.5
    assert "entity declarations" in caught.value.reason and "save the form again" in caught.value.reason


def test_a_strict_open_xml_document_says_how_to_save_it(generator: FormGenerator, tmp_path: Path) -> None:
    strict = replace_part(render(generator, "thematic_audit"), "word/document.xml",
                          b'<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body/>'
                          b"</w:document>")
    with pytest.raises(UnreadableFile, match="Strict Open XML"):
        parse_file(save(tmp_path, "strict.docx", strict))


@pytest.mark.parametrize("name", ["Évaluation – Zoë’s form (copy).docx", "form with  spaces .docx",
                                  "..hidden..docx", "sub/../2026-C09-TPA-001.docx", "表格 ١٢.docx"])
def test_awkward_file_names_are_fine(generator: FormGenerator, tmp_path: Path, name: str) -> None:
    (tmp_path / "sub").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_bytes(render(generator, "thematic_audit"))
    assert parse_file(path).identity.form_id == "2026-C09-TPA-001"  # type: ignore[union-attr]


# --- fill_form ---------------------------------------------------------------------------------------------

def test_fill_form_writes_what_word_writes(generator: FormGenerator) -> None:
    data = fill_form(render(generator, "good_practice"), {
        "what_was_done": "Line one & <two>\nLine two", "share_across_workforce": "Yes",
        "date_of_practice": date(2026, 2, 9), "value_inspiration": True})
    root = parse_xml(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    text = control(root, "what_was_done")
    assert text.find(f"{{{W_NS}}}sdtPr/{{{W_NS}}}showingPlcHdr") is None
    assert text.find(f".//{{{W_NS}}}br") is not None
    assert "PlaceholderText" not in etree.tostring(text).decode()
    day = control(root, "date_of_practice")
    assert day.find(f".//{{{W_NS}}}date").get(w("fullDate")) == "2026-02-09T00:00:00Z"
    assert "".join(day.find(w("sdtContent")).itertext()) == "09/02/2026"
    box = control(root, "value_inspiration")
    assert box.find(f".//{w14('checked')}").get(w14("val")) == "1"
    assert "\u2612" in "".join(box.itertext())
    assert "".join(control(root, "share_across_workforce").find(w("sdtContent")).itertext()) == "Yes"
    docx.Document(io.BytesIO(data))  # still a valid package


def test_fill_form_refuses_keys_the_form_does_not_have(generator: FormGenerator) -> None:
    with pytest.raises(KeyError, match="overall_grade"):
        fill_form(render(generator, "good_practice"), {"overall_grade": "Good", "nominated_by": "A"})


def test_an_empty_answer_puts_the_placeholder_back(generator: FormGenerator, tmp_path: Path) -> None:
    once = fill_form(render(generator, "thematic_audit"), {"strengths": "Good", "overall_grade": "Good"})
    again = fill_form(once, {"strengths": "", "overall_grade": ""})
    parsed = parse_file(save(tmp_path, "a.docx", again))
    assert (parsed.values["strengths"], parsed.values["overall_grade"]) == ("", "")


def test_filling_is_fast_enough_for_the_demo(generator: FormGenerator) -> None:
    blank, answers = render(generator, "supervision_audit"), answers_for(FORM_TYPES["supervision_audit"])
    started = time.perf_counter()
    for _ in range(80):
        fill_form(blank, answers)
    assert time.perf_counter() - started < 4.0


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")) | st.sampled_from("\n\t&<>\"'"),
                max_size=60).filter(lambda s: not is_prompt(s))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(strengths=_TEXT, owner=_TEXT)
def test_any_text_typed_into_a_box_comes_back(generator: FormGenerator, tmp_path: Path, strengths: str,
                                              owner: str) -> None:
    data = fill_form(render(generator, "thematic_audit"), {"strengths": strengths, "action_1_owner": owner})
    parsed = parse_file(save(tmp_path, "a.docx", data))
    assert parsed.values["strengths"] == strengths.strip()
    assert parsed.values["action_1_owner"] == owner.strip()


# --- speed ---------------------------------------------------------------------------------------------------
