"""Quarterly QA reports for leaders, themed and per-service reports, and the monthly learning briefing note.

* ``processors.reports.runner.run_reports(settings, quarter, theme, service, send, today=None) -> ReportRun``:
  the ``report`` command.
* ``processors.config.reports.ReportSettings``: the ``reports:`` section of config.yaml (``report_settings``).

Stages, one module each: ``source`` (one snapshot of the store, the scope of a report) -> ``data``,
``findings``, ``report``, ``briefing`` (sections as dataclasses) -> ``charts`` -> ``compose``/``build``
(docxtpl) -> PDF through ``processors.word.office`` -> ``deliver`` (email, each send recorded in ``sent``).
``processors.templates.reports`` writes the default Word templates.
"""
