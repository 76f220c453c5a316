"""Generated forms: they open in python-docx and in LibreOffice, carry their identity, keep every character."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from processors.config.settings import PROJECT_ROOT, Settings
from processors.demo.synthetic import make_cases, make_pool, write_cases
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator, assign_form_ids
from processors.generate.run import generate_items
from processors.store.database import Store
from processors.word.office import convert, soffice
from tests.docx_edit import all_xml, part_text

LONG = "The plan was reviewed with the family. " * 80
THEME = "Neglect & drift <12 months>\nSecond line: \"quoted\" and it's fine"


def tricky_items(case: Case) -> list[WorkItem]:
    return [WorkItem(key, case, "2026-C09", theme=THEME if key == "thematic_audit" else "",
                     auditor="Gwenllian ap Rhys", due_date=date(2026, 12, 11))
            for key in FORM_TYPES]


def generated_files(settings: Settings) -> list[Path]:
    return sorted(settings.path("generated").rglob("*.docx"))


def test_every_form_type_opens_in_python_docx_and_libreoffice(settings: Settings, tricky_case: Case,
                                                              tmp_path: Path) -> None:
    long_case = replace(tricky_case, case_id="CF7654322", practitioner=LONG)
    summary = generate_items(settings, tricky_items(tricky_case) + tricky_items(long_case)[2:3])
    files = generated_files(settings)
    assert summary.count == len(files) == len(FORM_TYPES) + 1
    for path in files:
        document = docx.Document(str(path))
        assert document.sections[0].footer.paragraphs, path.name
        xml = all_xml(path)
        assert "{{" not in xml and "{%" not in xml, f"unrendered template tag in {path.name}"
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    pdfs = convert(files, "pdf", tmp_path / "pdf")
    for path, pdf in zip(files, pdfs):
        text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
        form_id = path.name.split("_")[0]
        assert f"Form ref: {form_id}" in text
        about_a_case = any(f.key == "case_id" for f in FORM_TYPES[path.parent.name].fields)
        assert "CF765432" in text or not about_a_case  # a commentary is about a quarter, a leader's visit a team
        if "thematic_audit" in str(path) and "CF7654321" in path.name:
            for fragment in ("Children in Care & Leaving <Care>", 'Kettering "CLA" 2', "Siân Llewelyn-O'Connor",
                             "Neglect & drift <12 months>", "Second line", "Gwenllian ap Rhys", "11/12/2026"):
                assert fragment in text, fragment
            assert "الحسن" in text or "نسحلا" in text  # Arabic script survives (extractors may reverse it)
        if "CF7654322" in path.name:
            flat = " ".join(text.split())
            assert flat.count("The plan was reviewed with the family.") >= 60  # long text is not truncated


def test_each_form_carries_its_identity_in_properties_and_footer(settings: Settings, tricky_case: Case) -> None:
    generate_items(settings, tricky_items(tricky_case))
    for path in generated_files(settings):
        properties = part_text(path, "docProps/custom.xml")
        form_id, form_type = path.name.split("_")[0], path.parent.name
        assert f"<vt:lpwstr>{form_id}</vt:lpwstr>" in properties
        assert f"<vt:lpwstr>{form_type}</vt:lpwstr>" in properties
        assert f"<vt:lpwstr>{FORM_TYPES[form_type].version}</vt:lpwstr>" in properties
        footer = docx.Document(str(path)).sections[0].footer.paragraphs[0].text
        assert f"Form ref: {form_id}" in footer


def test_file_names_sort_in_form_order_and_say_what_they_are(settings: Settings, tricky_case: Case) -> None:
    cases = [replace(tricky_case, case_id=f"CF{n:07d}") for n in (9, 3, 12, 1)]
    items = [WorkItem("thematic_audit", c, "2026-C09") for c in cases] * 3
    items = [replace(i, case=replace(i.case, case_id=f"{i.case.case_id}{n}")) for n, i in enumerate(items)]
    generate_items(settings, items)
    names = [p.name for p in generated_files(settings)]
    assert len(names) == 12
    assert names[0].startswith("2026-C09-TPA-001_CF0000009")
    assert names[-1].startswith("2026-C09-TPA-012_")
    assert all(p.parent.parent.name == "2026-C09" for p in generated_files(settings))


def test_a_failure_half_way_leaves_nothing_half_written(settings: Settings, tricky_case: Case,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    items = [WorkItem("thematic_audit", replace(tricky_case, case_id=f"CF{n:07d}"), "2026-C09") for n in range(6)]
    original = FormGenerator.render
    calls = {"n": 0}

    def failing(self: FormGenerator, item: WorkItem) -> bytes:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError("disk full")
        return original(self, item)

    monkeypatch.setattr(FormGenerator, "render", failing)
    with pytest.raises(OSError):
        generate_items(settings, items)
    root = settings.path("generated")
    assert not list(root.rglob("*.docx"))
    assert not [p for p in root.iterdir() if p.name.startswith(".partial")]


def test_form_ids_are_kept_when_given_and_never_collide() -> None:
    case = Case("CF1", "A.B.", 3, "Child in Need", "S", "T", "P", "M")
    items = [WorkItem("practice_observation", case, "2026-C09", form_id="2026-C09-OBS-002"),
             WorkItem("practice_observation", case, "2026-C09"),
             WorkItem("practice_observation", case, "2026-C09")]
    ids = [i.form_id for i in assign_form_ids(items)]
    assert ids == ["2026-C09-OBS-002", "2026-C09-OBS-001", "2026-C09-OBS-003"]


def run_cli(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run.py", *args, "--config", str(config)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_generate_from_a_case_list_on_the_command_line(config_file: Path, settings: Settings, tmp_path: Path) -> None:
    pool = make_pool(3)
    cases_file = tmp_path / "BI export.xlsx"
    write_cases(cases_file, make_cases(12, 3, pool, today=date(2026, 11, 27)))
    result = run_cli("generate", "--cases", str(cases_file), "--cycle", "2026-C09", "--type", "thematic_audit",
                     config=config_file)
    assert result.returncode == 0, result.stderr
    assert "Generated 12 form(s)" in result.stdout
    files = generated_files(settings)
    assert len(files) == 12 and all(p.parent.name == "thematic_audit" for p in files)
    with Store(settings.path("database")) as store:  # so that returned forms match their allocation
        assert store.work_item(files[0].name.split("_")[0]) is not None


def test_a_bad_case_list_stops_with_one_line_and_writes_nothing(config_file: Path, settings: Settings,
                                                                 tmp_path: Path) -> None:
    pool = make_pool(3)
    cases_file = tmp_path / "cases.csv"
    write_cases(cases_file, make_cases(5, 3, pool, today=date(2026, 11, 27)))
    lines = cases_file.read_text(encoding="utf-8-sig").splitlines()
    lines.append(lines[2])  # the same case twice
    cases_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("generate", "--cases", str(cases_file), "--type", "thematic_audit", config=config_file)
    assert result.returncode == 3
    assert result.stderr.startswith("Error: cases.csv, row 7, column 'Case ID'")
    assert "(rows 3 and 7)" in result.stderr
    assert result.stderr.count("\n") == 1
    assert not generated_files(settings)
    no_type = run_cli("generate", "--cases", str(PROJECT_ROOT / "README.md"), config=config_file)
    assert no_type.returncode == 3 and "README.md" in no_type.stderr and "Traceback" not in no_type.stderr


def test_a_second_batch_for_the_same_cycle_never_reuses_a_form_id(settings: Settings, tricky_case: Case) -> None:
    first = generate_items(settings, [WorkItem("thematic_audit", tricky_case, "2026-C09")])
    second = generate_items(settings, [WorkItem("thematic_audit", replace(tricky_case, case_id="CF7000001"),
                                                "2026-C09")])
    ids = [f.identity.form_id for s in (first, second) for r in s.results for f in r.forms]
    assert ids == ["2026-C09-TPA-001", "2026-C09-TPA-002"]
    with Store(settings.path("database")) as store:
        assert store.work_item("2026-C09-TPA-001").case.case_id == tricky_case.case_id
        assert all(a.generated_at is not None for a in store.allocations())  # the register's Generated column
