"""Quarterly QA reports for leaders, themed and per-service reports, and the monthly learning briefing note.

* ``run_reports(settings, quarter, theme, service, send, today=None) -> ReportRun``: the ``report`` command.
* ``ReportSettings``: the ``reports:`` section of config.yaml (``report_settings(settings)`` reads it).

Stages, one module each: ``source`` (one snapshot of the store, the scope of a report) -> ``data``,
``findings``, ``report``, ``briefing`` (sections as dataclasses) -> ``charts`` -> ``compose``/``build``
(docxtpl) -> PDF through ``processors.word.office`` -> ``deliver`` (email, each send recorded in ``sent``).
``template`` writes the default Word templates.

Only ``settings`` is imported eagerly: ``processors.config.settings`` imports ``ReportSettings`` from here, and the
rest imports the config, so it is loaded on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from processors.config.reports import ReportRecipients, ReportSettings, report_settings

if TYPE_CHECKING:
    from processors.reports.runner import ReportDocument, ReportRun, run_reports

_LAZY = {"run_reports": "runner", "ReportRun": "runner", "ReportDocument": "runner"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)


__all__ = ["ReportDocument", "ReportRecipients", "ReportRun", "ReportSettings", "report_settings", "run_reports"]
