"""Folders intake must never read: its own outputs. `ingest` and `watch` both refuse a layout that would."""

from __future__ import annotations

from pathlib import Path

from processors.config.settings import Settings
from processors.errors import ConfigError

OUTPUTS = ("processed", "rejected", "held", "generated", "outbox", "letters")


def check_layout(settings: Settings, reading: list[Path] | None = None) -> None:
    """Refuse a config (or folders to read) that would make intake read its own output again and again."""
    inbox = settings.path("inbox")
    for name in OUTPUTS:
        other = settings.path(name)
        if other == inbox or other.is_relative_to(inbox):
            raise ConfigError(f"paths.{name} ({other}) is inside the watched inbox ({inbox}): the watcher would "
                              f"pick up its own files; move paths.{name} outside the inbox in config.yaml")
    for path in reading or []:
        folder = path.resolve()
        for name in ("processed", "rejected"):
            other = settings.path(name).resolve()
            if other == folder or other.is_relative_to(folder) or folder.is_relative_to(other):
                raise ConfigError(f"{path} holds paths.{name} ({other}): its files were filed away already and "
                                  "would be read again; ingest the inbox, or use `python run.py rebuild` to "
                                  "re-create the store from processed/")
