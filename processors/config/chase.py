"""The ``chase:`` section of config.yaml: when reminders go out, when they escalate, when cases are re-audited.

Plugged into ``processors.config.settings.Settings`` as ``chase: ChaseSettings = ChaseSettings()``; until then
``chase_settings(settings)`` gives these defaults. Paths are relative to the folder holding config.yaml.
"""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from processors.forms.vocabulary import INADEQUATE, REQUIRES_IMPROVEMENT, Grade

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PoorGrade = Grade  # any grade may be named; the default is the two below Good


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChaseSettings(_Strict):
    enabled: bool = True                     # run the chase once a day inside `watch`
    daily_at: time = time(8, 0)              # ... at or after this time of day
    remind_every_days: int = Field(1, ge=1, description="the same reminder at most once in this many days")
    escalate_to_manager_after_days: int = Field(7, ge=0, description="days overdue before the auditor's line "
                                                                      "manager is told too")
    digest_weekday: Weekday = "monday"       # the weekly digest to the QA administrator goes out on this day
    escalation_window_days: int = Field(42, ge=1, description="the digest lists escalations raised this recently")
    reaudit_grades: tuple[PoorGrade, ...] = (INADEQUATE, REQUIRES_IMPROVEMENT)
    reaudit_after_action_due_days: int = Field(0, ge=0, description="days after a case's last action falls due "
                                                                     "before it is offered for re-audit")
    pool_file: Path | None = None            # the auditor pool (CSV/XLSX): who each auditor's line manager is
    reaudit_file: Path | None = None         # default: <paths.generated>/reaudit_offers.xlsx

    @field_validator("daily_at", mode="before")
    @classmethod
    def _time_text(cls, value: object) -> object:
        if isinstance(value, (bool, int, float)):
            # YAML reads an unquoted 8:00 as the number 480
            raise ValueError("write the time in quotes as hours:minutes, like daily_at: \"08:00\"")
        return value

    @field_validator("reaudit_file", "pool_file")
    @classmethod
    def _table_file(cls, value: Path | None) -> Path | None:
        if value is not None and value.suffix.lower() not in (".csv", ".xlsx"):
            raise ValueError("must be a .csv or .xlsx file")
        return value


def chase_settings(settings: object) -> ChaseSettings:
    """The chase section of the settings (its defaults until config.py carries it)."""
    value = getattr(settings, "chase", None)
    return value if isinstance(value, ChaseSettings) else ChaseSettings()


def resolve(settings: object, path: Path) -> Path:
    """``path`` made absolute against the folder holding config.yaml."""
    if path.is_absolute():
        return path
    base = getattr(settings, "base_dir", None)
    return (Path(base) / path).resolve() if base else path.resolve()
