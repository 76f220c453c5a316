"""The ``reports:`` section of config.yaml: who receives which report, and what leaders' reports may show.

Plugged into ``processors.config.settings.Settings`` as ``reports: ReportSettings = ReportSettings()``; until then
``report_settings(settings)`` gives these defaults.
"""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field

REPORT_TEMPLATE = "quarterly_report.docx"   # in the templates folder; restyle in Word
BRIEFING_TEMPLATE = "briefing_note.docx"
THEMED_TEMPLATE = "thematic_report.docx"     # the themed report for SMT


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportRecipients(_Strict):
    slt: tuple[str, ...] = ("slt@example-trust.org.uk", "qa.manager@example-trust.org.uk")
    smt: tuple[str, ...] = ("smt@example-trust.org.uk", "qa.manager@example-trust.org.uk")  # themed (QAF 5.6.4)
    services: dict[str, tuple[str, ...]] = {}                              # service name -> its managers
    briefing: tuple[str, ...] = ("practice.learning@example-trust.org.uk",)  # the monthly learning briefing
    qa_manager: tuple[str, ...] = ("qa.manager@example-trust.org.uk",)      # draft reports and the commentary form


class ReportSchedule(_Strict):
    """Reports made by `watch` on its own, once a day at or after ``daily_at`` (like the chase)."""

    enabled: bool = True
    daily_at: time = time(7, 30)
    monthly_briefing: bool = True            # on the first working day of each month, for the month just ended
    quarterly_draft_after_days: int = Field(10, ge=0, le=60, description="days after a quarter ends before its "
                                                                        "draft reports and commentary form go to "
                                                                        "the QA Manager")
    managers_roles: tuple[str, ...] = ("Service Manager", "Head of Service")  # per-service reports, from the pool


class ReportSettings(_Strict):
    recipients: ReportRecipients = ReportRecipients()
    show_practitioner_names: bool = False   # leaders' reports name practitioners only when this is true
    year_start_month: int = Field(1, ge=1, le=12, description="1: calendar quarters; 4: financial year")
    trend_quarters: int = Field(4, ge=0, le=12, description="earlier quarters shown beside this one")
    pdf: bool = True                        # also a PDF copy of each report, when LibreOffice is installed
    briefing_excerpts: int = Field(5, ge=0, le=20, description="quotations per list in the briefing note")
    schedule: ReportSchedule = ReportSchedule()


def report_settings(settings: object) -> ReportSettings:
    """The reports section of the settings (its defaults until config.py carries it)."""
    value = getattr(settings, "reports", None)
    return value if isinstance(value, ReportSettings) else ReportSettings()
