"""A missing or broken template stops the command that needs it at once, with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from processors.cli import cli
from processors.config.settings import load_settings
from processors.demo.fill import fill_form
from processors.errors import TemplateProblem
from processors.forms.definitions import FORM_TYPES
from processors.generate.forms import FormGenerator
from processors.store.database import Store
from processors.templates.check import REPORT_TEMPLATES
from tests.conftest import write_config
from tests.returned_forms import GPR, good_practice_answers

FORMS = tuple(d.filename for d in FORM_TYPES.values())
REPORTS = REPORT_TEMPLATES
LETTER = "thank_you_letter.docx"
ALL = (*FORMS, *REPORTS, LETTER)


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--config", str(config)])


def one_line_naming(result: Result, name: str) -> bool:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return len(lines) == 1 and name in lines[0] and lines[0].startswith("Error: ") and "Traceback" not in lines[0]


def returned_good_practice(config: Path, templates: Path) -> Path:
    settings = load_settings(config)
    with Store(settings.path("database")) as store:
        store.add_work_items([GPR])
    inbox = settings.path("inbox")
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / "good practice.docx"
    path.write_bytes(fill_form(FormGenerator(templates, "Trust", 14).render(GPR), good_practice_answers()))
    return path


@pytest.mark.parametrize("name", ALL)
def test_templates_check_names_each_missing_template(tmp_path: Path, template_copy: Path, name: str) -> None:
    (template_copy / name).unlink()
    result = run(write_config(tmp_path, template_copy), "templates", "check")
    assert result.exit_code == TemplateProblem.exit_code
    assert f"{name}: 1 problem(s)" in result.stdout and "templates build" in result.stdout
    assert result.stdout.count(": OK") == len(ALL) - 1


@pytest.mark.parametrize("name", FORMS)
def test_generate_stops_before_rendering_when_a_form_template_is_missing(tmp_path: Path, template_copy: Path,
                                                                         name: str) -> None:
    (template_copy / name).unlink()
    config = write_config(tmp_path, template_copy)
    result = run(config, "generate", "--blank", "good_practice", "--count", "2")
    assert result.exit_code == TemplateProblem.exit_code
    assert one_line_naming(result, name) and "python run.py templates build" in result.stderr
    with Store(load_settings(config).path("database")) as store:
        assert store.work_items() == []


def test_allocate_stops_before_writing_the_allocation(tmp_path: Path, template_copy: Path) -> None:
    (template_copy / "thematic_audit.docx").unlink()
    config = write_config(tmp_path, template_copy)
    result = run(config, "allocate", "--cases", str(tmp_path / "no-cases.csv"), "--pool", str(tmp_path / "no.csv"))
    assert result.exit_code == TemplateProblem.exit_code and one_line_naming(result, "thematic_audit.docx")
    assert not list((tmp_path / "generated").glob("*/allocation_*.xlsx"))


@pytest.mark.parametrize("name", REPORTS)
def test_report_stops_when_a_report_template_is_missing(tmp_path: Path, template_copy: Path, name: str) -> None:
    (template_copy / name).unlink()
    result = run(write_config(tmp_path, template_copy), "report", "--quarter", "2025-Q1")
    assert result.exit_code == TemplateProblem.exit_code and one_line_naming(result, name)
    assert not (tmp_path / "generated" / "reports").exists()


@pytest.mark.parametrize("command", [("ingest",), ("watch", "--once")])
def test_a_missing_thank_you_letter_stops_intake_before_any_form_is_recorded(tmp_path: Path, template_copy: Path,
                                                                            command: tuple[str, ...]) -> None:
    config = write_config(tmp_path, template_copy)
    form = returned_good_practice(config, template_copy)
    (template_copy / LETTER).unlink()
    result = run(config, *command)
    assert result.exit_code == TemplateProblem.exit_code and one_line_naming(result, LETTER)
    assert form.exists()  # the inbox is untouched
    with Store(load_settings(config).path("database")) as store:
        assert store.forms() == []


def test_a_broken_letter_is_found_by_the_check_and_at_start(tmp_path: Path, template_copy: Path) -> None:
    (template_copy / LETTER).write_bytes(b"not a Word document")
    config = write_config(tmp_path, template_copy)
    check = run(config, "templates", "check")
    assert check.exit_code == TemplateProblem.exit_code
    assert f"{LETTER}: 1 problem(s)" in check.stdout and "not a readable Word document" in check.stdout
    ingest = run(config, "ingest")
    assert ingest.exit_code == TemplateProblem.exit_code and one_line_naming(ingest, LETTER)


def test_a_broken_tag_in_the_briefing_note_is_found(tmp_path: Path, template_copy: Path) -> None:
    from tests.docx_edit import rewrite_part

    def break_a_tag(root) -> None:  # type: ignore[no-untyped-def]
        for text in root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
            if text.text and "{{" in text.text:
                text.text = text.text.replace("}}", "", 1)
                return

    rewrite_part(template_copy / "briefing_note.docx", "word/document.xml", break_a_tag)
    result = run(write_config(tmp_path, template_copy), "templates", "check")
    assert result.exit_code == TemplateProblem.exit_code
    assert "briefing_note.docx: 1 problem(s)" in result.stdout and "tag is broken" in result.stdout


def test_a_tag_naming_nothing_the_code_fills_in_is_named(tmp_path: Path, template_copy: Path) -> None:
    from tests.docx_edit import rewrite_part

    def misspell(root) -> None:  # type: ignore[no-untyped-def]
        for text in root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"):
            if text.text and "{{ practitioner }}" in text.text:
                text.text = text.text.replace("{{ practitioner }}", "{{ practitoner }}")
                return

    rewrite_part(template_copy / LETTER, "word/document.xml", misspell)
    result = run(write_config(tmp_path, template_copy), "templates", "check")
    assert result.exit_code == TemplateProblem.exit_code
    assert "'practitoner'" in result.stdout and "did you mean 'practitioner'" in result.stdout
