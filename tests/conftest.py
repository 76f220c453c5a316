"""Shared fixtures: settings pointing every output into a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from processors.config.reports import ReportSettings
from processors.config.settings import PROJECT_ROOT, Settings, load_settings
from processors.demo.report_sample import SampleSpec, fill_sample_store
from processors.forms.models import Case
from processors.store.database import Store
from processors.templates.reports import build_templates

SAMPLES = Path(__file__).parent / "samples"


def write_config(folder: Path, templates: Path | None = None, **overrides: object) -> Path:
    paths = {name: str(folder / rel) for name, rel in {
        "generated": "generated", "inbox": "inbox", "processed": "processed", "rejected": "rejected",
        "outbox": "outbox", "register": "register.xlsx", "database": "qa.sqlite3",
        "staff": "staff.csv", "letters": "letters"}.items()}
    paths["templates"] = str(templates or PROJECT_ROOT / "templates")
    data: dict[str, object] = {"paths": paths}
    data.update(overrides)
    config = folder / "config.yaml"
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    return config


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def settings(config_file: Path) -> Settings:
    return load_settings(config_file)


@pytest.fixture
def template_copy(tmp_path: Path) -> Path:
    """A private copy of the templates folder that a test may edit."""
    target = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", target)
    return target


TRICKY = Case(
    case_id="CF7654321",
    child_initials="Ł.Ó.",
    child_age=11,
    legal_status="Child Looked After",
    service="Children in Care & Leaving <Care>",
    team='Kettering "CLA" 2',
    practitioner="Siân Llewelyn-O'Connor",
    team_manager="محمد الحسن",
    last_audited=None,
)


@pytest.fixture
def tricky_case() -> Case:
    return TRICKY


def report_settings_with_history(folder: Path, spec: SampleSpec, options: ReportSettings) -> Settings:
    """Settings in ``folder`` with the report templates built and a store filled by ``spec`` (report tests)."""
    settings = load_settings(write_config(folder))
    build_templates(settings.path("templates"))
    with Store(settings.path("database")) as store:
        fill_sample_store(store, spec)
    return settings.model_copy(update={"reports": options})
