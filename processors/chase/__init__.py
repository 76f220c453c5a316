"""`python run.py chase` (and daily inside `watch`): close the loop on forms and actions (QAF 8.2.1).

* ``run_chase(settings, today, store) -> ChaseRun``: reminders for forms not returned by their due date
  (escalating to the auditor's line manager), for SMART actions past their due date, and for the QA
  administrator whatever cannot be sent; re-audit offers; on the configured weekday, the weekly digest.
  Every reminder is recorded in the store, so a second run the same day sends nothing new.
* ``DailyChase`` (``processors.chase.daily``): the same, once a day inside `watch`.
* ``case_progress(store.forms())``: whether re-audited cases improved, for reports.

Modules: ``settings`` (the config section), ``people`` (addresses and line managers), ``rules`` (who is
reminded of what, pure), ``messages`` and ``digest`` (the words), ``send`` (send and record), ``reaudit``,
``run`` (one run), ``daily`` (inside watch).

Only ``settings`` is imported eagerly: ``processors.config.settings`` imports ``ChaseSettings`` from here, and the
rest imports the config, so it is loaded on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from processors.config.chase import ChaseSettings, chase_settings

if TYPE_CHECKING:
    from processors.chase.daily import DailyChase
    from processors.chase.reaudit import CaseProgress, ReauditOffer, case_progress
    from processors.chase.rules import Reminder
    from processors.chase.run import ChaseRun, offer_list_path, run_chase

_LAZY = {"run_chase": "run", "ChaseRun": "run", "offer_list_path": "run", "DailyChase": "daily",
         "case_progress": "reaudit", "CaseProgress": "reaudit", "ReauditOffer": "reaudit", "Reminder": "rules"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_LAZY[name]}", __name__), name)


__all__ = ["CaseProgress", "ChaseRun", "ChaseSettings", "DailyChase", "ReauditOffer", "Reminder", "case_progress",
           "chase_settings", "offer_list_path", "run_chase"]
