"""Every domain error exits with its own code and one line saying what to do; a bug names the configured log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from processors import errors
from processors.cli import cli
from processors.config.settings import load_settings
from processors.store.database import Store
from tests.conftest import write_config


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--config", str(config)])


def one_line(result: Result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_each_error_has_its_own_exit_code_and_the_docstring_lists_it() -> None:
    bases = (errors.QAError, errors.StoreError)
    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, errors.QAError) and c not in bases]
    codes = [c.exit_code for c in classes]
    assert len(codes) == len(set(codes)) and 1 not in codes
    for cls in classes:
        assert f"{cls.exit_code:<4}  {cls.__name__}" in (errors.__doc__ or ""), cls.__name__


@pytest.mark.parametrize("quarter", ["2026-Q5", "Q3 2026", "2026Q"])
def test_a_mistyped_quarter_is_one_line(tmp_path: Path, quarter: str) -> None:
    result = run(write_config(tmp_path), "report", "--quarter", quarter)
    assert result.exit_code == errors.PeriodError.exit_code
    assert "is not a quarter" in one_line(result) and "like 2026-Q3" in result.stderr


def test_a_quarter_not_started_and_an_unknown_theme(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    future = run(config, "report", "--quarter", "2999-Q1")
    assert future.exit_code == errors.PeriodError.exit_code and "has not started yet" in one_line(future)
    theme = run(config, "report", "--quarter", "2025-Q1", "--theme", "Nowhere")
    assert theme.exit_code == errors.UnknownScope.exit_code and "no theme called 'Nowhere'" in one_line(theme)


def test_a_damaged_store_says_restore_a_backup(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    load_settings(config).path("database").write_bytes(b"this is not an SQLite file at all" * 100)
    result = run(config, "ingest")
    assert result.exit_code == errors.StoreDamaged.exit_code
    assert "is damaged or is not a QA database" in one_line(result) and "backup" in result.stderr


def test_a_store_from_a_newer_version_says_update(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    database = load_settings(config).path("database")
    Store(database).close()
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01')")
    result = run(config, "ingest")
    assert result.exit_code == errors.StoreTooNew.exit_code and "newer version" in one_line(result)


def test_an_unopenable_store_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "a folder.sqlite3"
    folder.mkdir()
    config = write_config(tmp_path)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["paths"]["database"] = str(folder)  # a folder where the database file should be
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = run(config, "ingest")
    assert result.exit_code == errors.StoreUnavailable.exit_code and "cannot open the database" in one_line(result)


def test_an_unexpected_error_names_the_configured_log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import processors.intake.run

    def bug(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(processors.intake.run, "ingest_paths", bug)
    config = write_config(tmp_path)
    result = run(config, "ingest")
    log = load_settings(config).path("generated") / "logs" / "qa.log"
    assert result.exit_code == 1
    assert f"Details are in {log}" in one_line(result)
    assert "RuntimeError: a bug" in log.read_text(encoding="utf-8")
