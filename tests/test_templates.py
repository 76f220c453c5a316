"""`templates check` tells the QA administrator exactly what a reworded template lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from lxml import etree

from processors.config.settings import PROJECT_ROOT
from processors.forms.definitions import FORM_TYPES
from processors.templates.check import DOCUMENTS
from processors.word.ooxml import w
from tests.conftest import write_config
from tests.docx_edit import rewrite_part


def run_check(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run.py", "templates", "check", "--config", str(config)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)


def controls_tagged(root: etree._Element, tag: str) -> list[etree._Element]:
    return [sdt for sdt in root.iter(w("sdt")) if sdt.find(f"{w('sdtPr')}/{w('tag')}").get(w("val")) == tag]


def test_the_shipped_templates_pass(tmp_path: Path) -> None:
    result = run_check(write_config(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == len(FORM_TYPES) + len(DOCUMENTS)


def test_a_deleted_field_is_named_and_the_check_fails(tmp_path: Path, template_copy: Path) -> None:
    def delete_overall_grade(root: etree._Element) -> None:
        (sdt,) = controls_tagged(root, "overall_grade")
        sdt.getparent().remove(sdt)

    rewrite_part(template_copy / "thematic_audit.docx", "word/document.xml", delete_overall_grade)
    result = run_check(write_config(tmp_path, template_copy))
    assert result.returncode != 0
    assert "thematic_audit.docx: 1 problem(s)" in result.stdout
    assert "field 'overall_grade' (Overall grade) is missing" in result.stdout
    assert "supervision_audit.docx: OK" in result.stdout
    assert "Traceback" not in result.stderr and result.stderr.startswith("Error: 1 template(s) need fixing")


def test_a_renamed_tag_and_a_lost_choice_are_explained(tmp_path: Path, template_copy: Path) -> None:
    def rename_and_trim(root: etree._Element) -> None:
        (grade,) = controls_tagged(root, "overall_grade")
        grade.find(f"{w('sdtPr')}/{w('tag')}").set(w("val"), "overall")
        (setting,) = controls_tagged(root, "observation_setting")
        items = setting.find(f"{w('sdtPr')}/{w('dropDownList')}")
        items.remove(items[-1])  # 'Other'

    rewrite_part(template_copy / "practice_observation.docx", "word/document.xml", rename_and_trim)
    result = run_check(write_config(tmp_path, template_copy))
    assert result.returncode != 0
    assert "its control's tag was renamed to 'overall': set the tag back to 'overall_grade'" in result.stdout
    assert "field 'observation_setting' (Setting): its list has lost the choice(s) Other" in result.stdout


def test_rewording_labels_and_guidance_is_fine(tmp_path: Path, template_copy: Path) -> None:
    def reword(root: etree._Element) -> None:
        for t in root.iter(w("t")):
            if t.text == "Strengths":
                t.text = "What is working well"
            if t.text and t.text.startswith("A peer audit"):
                t.text = "Reworded guidance from the QA team."

    rewrite_part(template_copy / "thematic_audit.docx", "word/document.xml", reword)
    result = run_check(write_config(tmp_path, template_copy))
    assert result.returncode == 0, result.stdout


def test_a_lost_footer_reference_is_reported(tmp_path: Path, template_copy: Path) -> None:
    def clear_footer(root: etree._Element) -> None:
        for t in root.iter(w("t")):
            t.text = "Page"

    rewrite_part(template_copy / "good_practice.docx", "word/footer1.xml", clear_footer)
    result = run_check(write_config(tmp_path, template_copy))
    assert result.returncode != 0
    assert "footer no longer prints the form reference" in result.stdout
