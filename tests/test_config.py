"""config.yaml is validated at start: one line naming the key and what is expected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from processors.config.settings import PROJECT_ROOT, load_settings
from processors.errors import ConfigError


def test_the_embedded_defaults_load() -> None:
    settings = load_settings()
    assert settings.email.backend == "outbox"
    assert settings.cycle.counts == {"thematic_audit": 33, "practice_observation": 22, "supervision_audit": 22}
    assert settings.path("database").is_relative_to(PROJECT_ROOT / "generated")


@pytest.mark.parametrize(("text", "expected"), [
    ("pathz:\n  inbox: x\n", "unknown key 'pathz'"),
    ("paths:\n  inbx: x\n", "unknown key 'paths.inbx'"),
    ("cycle:\n  due_days: soon\n", "'cycle.due_days': Input should be a valid integer"),
    ("email:\n  backend: pigeon\n", "'email.backend'"),
    ("paths:\n  register: register.csv\n", "'paths.register': Value error, must be an .xlsx file"),
    ("- just\n- a list\n", "must hold a mapping of keys"),
    ("paths: [unclosed\n", "is not valid YAML"),
])
def test_bad_config_names_the_key(tmp_path: Path, text: str, expected: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_impossible_path_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    config = tmp_path / "config.yaml"
    config.write_text(f"paths:\n  templates: {PROJECT_ROOT / 'templates'}\n  inbox: afile/inbox\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'paths.inbox' .* is impossible: .*afile is a file, not a folder"):
        load_settings(config)


def test_the_command_line_prints_one_line_and_exits_non_zero(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("watch:\n  polling: sometimes\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "run.py", "templates", "check", "--config", str(config)],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "'watch.polling'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_config_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pass --config with the path to config.yaml"):
        load_settings(tmp_path / "nope.yaml")


def test_a_missing_templates_folder_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("paths:\n  templates: nowhere\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'paths.templates' .* is not a folder: point it at the Word templates"):
        load_settings(config)
