"""`python run.py import KIND FILE`: other sources of assurance, checked with file, row and column in every error,
stored (migration 6), shown in a register sheet each and in the quarterly report's section on them."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from processors.assurance.importer import import_export
from processors.assurance.kinds import KINDS
from processors.config.reports import ReportSettings
from processors.config.settings import PROJECT_ROOT, Settings, load_settings
from processors.demo.assurance_samples import write_samples
from processors.errors import InputFileError
from processors.reports.quarter import parse_quarter
from processors.reports.runner import run_reports
from processors.store.assurance import assurance_rows
from processors.store.database import Store
from tests.conftest import write_config
from tests.test_reports import Q3, TODAY, build_dataset, document_xml, text_of


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("assurance")
    settings = load_settings(write_config(folder)).model_copy(update={"reports": ReportSettings(pdf=False)})
    with Store(settings.path("database")) as store:
        build_dataset(store)
    samples = write_samples(folder / "exports", parse_quarter(Q3))
    for kind, path in samples.items():
        assert import_export(settings, kind, path).rows > 0
    return settings, samples


def test_every_kind_is_stored_once_even_imported_twice(imported: tuple[Settings, dict[str, Path]]) -> None:
    settings, samples = imported
    import_export(settings, "indicators", samples["indicators"])  # a corrected export replaces the old rows
    with Store(settings.path("database")) as store:
        rows = assurance_rows(store)
        assert (9, "other sources of assurance (imported exports)") in store.applied_migrations()
    assert {r.kind for r in rows} == set(KINDS)
    assert sum(r.kind == "indicators" for r in rows) == 4 and sum(r.kind == "sqas" for r in rows) == 9
    workbook = load_workbook(settings.path("register"), read_only=True)
    for kind in KINDS.values():
        header = next(workbook[kind.sheet].iter_rows(max_row=1, values_only=True))
        assert header[: len(kind.names)] == kind.names


def test_the_quarterly_report_shows_the_other_sources_with_indicator_charts(
        imported: tuple[Settings, dict[str, Path]]) -> None:
    settings, _ = imported
    run = run_reports(settings, Q3, None, None, send=False, today=TODAY)
    text = text_of(run.docx[0])
    assert "Other sources of assurance" in text
    assert "9 escalations by IROs and CP Chairs were logged in 2026-Q3" in text
    assert "Joint chronology started at the first strategy meeting" in text
    assert "Partnership" in text and "Improving outcomes" in text and "Driving improvement" in text
    assert "Assessments within 45 days (%)" in text and "neighbours" in text
    xml = document_xml(run.docx[0])["word/document.xml"]
    assert 'descr="Bar charts: Performance against statistical neighbours, region and England.' in xml  # alt text
    service = next(p for p in run.docx if "_QA_report_" in p.name and "SLT" not in p.name)
    assert "IRO and CP Chair escalations (SQAS" not in text_of(service)  # the trust-wide report only


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


@pytest.mark.parametrize(("rows", "message"), [
    ([["Date raised", "Case ID", "Raised by", "Stage", "Issue"], ["31/02/2026", "CF1", "IRO", "Stage 1", "x"]],
     "sqas.csv, row 2, column 'Date raised': '31/02/2026' is not a date"),
    ([["Date raised", "Case ID", "Raised by", "Stage", "Issue"], ["01/08/2026", "CF1", "IRO", "Stage 9", "x"]],
     "sqas.csv, row 2, column 'Stage': 'Stage 9' is not one of Informal, Stage 1"),
    ([["Date raised", "Case ID", "Raised by", "Issue"], ["01/08/2026", "CF1", "IRO", "x"]],
     "sqas.csv, row 1, column 'Stage': column 'Stage' is missing"),
])
def test_a_bad_export_names_the_file_row_and_column(tmp_path: Path, rows: list[list[str]], message: str) -> None:
    settings = load_settings(write_config(tmp_path))
    with pytest.raises(InputFileError) as caught:
        import_export(settings, "sqas", _write(tmp_path / "sqas.csv", rows))
    assert str(caught.value).startswith(message), str(caught.value)


def test_the_command_line_imports_and_says_what_it_did(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    path = write_samples(tmp_path / "exports", parse_quarter(Q3))["survey"]
    done = subprocess.run([sys.executable, "run.py", "import", "survey", str(path), "--config", str(config)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "4 row(s) of Staff survey imported" in done.stdout
    bad = subprocess.run([sys.executable, "run.py", "import", "gossip", str(path), "--config", str(config)],
                         cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "use one of sqas, nscp, survey, feedback, indicators" in bad.stderr
