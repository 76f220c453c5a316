"""A printed form is read by where its text sits: wrapped guidance in a label cell never mixes with an answer.

Every form type, filled as the demo's auditors fill them (three sets of answers each, so label cells wrap
at different places and across page breaks), is printed to PDF by LibreOffice headless and read back.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from processors.demo.answers import answers_for
from processors.demo.fill import fill_form
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator
from processors.reading.parse import parse_file
from processors.word.office import convert, soffice

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CASE = Case("CF7000123", "A.B.", 9, "Child in Need", "Safeguarding", "Corby 2", "Pat Doe", "Sam Roe")
SEEDS = (0, 1, 2)


def printed(value: object) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split())


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, object]]]:
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("printed")
    generator = FormGenerator(TEMPLATES, "Trust", 14)
    sources, answers = [], {}
    for seed in SEEDS:
        for form_type, definition in FORM_TYPES.items():
            item = WorkItem(form_type, CASE, "2026-C09", form_id=f"2026-C09-{definition.code}-00{seed + 1}",
                            auditor="Niamh O'Connor", theme="Neglect")
            given = answers_for(item, definition, random.Random(seed), date(2026, 5, 1)).answers
            path = folder / f"{form_type}-{seed}.docx"
            path.write_bytes(fill_form(generator.render(item), given))
            sources.append(path)
            answers[path.stem] = given
    return {pdf.stem: (pdf, answers[pdf.stem]) for pdf in convert(sources, "pdf", folder / "pdf")}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("form_type", list(FORM_TYPES))
def test_every_form_printed_to_pdf_reads_back_with_the_same_answers(pdfs: dict, form_type: str, seed: int) -> None:
    path, given = pdfs[f"{form_type}-{seed}"]
    parsed = parse_file(path)
    assert {key: " ".join(parsed.values.get(key, "").split()) for key in given} == \
        {key: printed(value) for key, value in given.items()}
    if "case_id" in {f.key for f in FORM_TYPES[form_type].fields}:  # the pre-filled case details too
        assert parsed.values["case_id"] == "CF7000123" and parsed.values["team"] == "Corby 2"


def test_the_supervision_audits_views_of_the_child_keep_their_own_answer(pdfs: dict) -> None:
    for seed in SEEDS:
        path, given = pdfs[f"supervision_audit-{seed}"]
        parsed = parse_file(path)
        assert parsed.values["voice_of_child"] == given["voice_of_child"]
        assert parsed.values["voice_of_child_evidence"] == printed(given["voice_of_child_evidence"])
        assert "The child's experiences" not in " ".join(parsed.values.values())
