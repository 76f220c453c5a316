"""`python run.py chase` (and daily inside `watch`): close the loop on forms and actions (QAF 8.2.1).

* ``processors.chase.run.run_chase(settings, today, store) -> ChaseRun``: reminders for forms not returned by
  their due date (escalating to the auditor's line manager), for SMART actions past their due date, and for
  the QA administrator whatever cannot be sent; re-audit offers; on the configured weekday, the weekly digest.
  Every reminder is recorded in the store, so a second run the same day sends nothing new.
* ``processors.chase.daily.DailyChase``: the same, once a day inside `watch`.
* ``processors.chase.reaudit.case_progress(store.forms())``: whether re-audited cases improved, for reports.

Modules: ``people`` (addresses and line managers), ``rules`` (who is reminded of what, pure), ``messages``
and ``digest`` (the words), ``send`` (send and record), ``reaudit``, ``run`` (one run), ``daily`` (inside
watch). The config section is ``processors.config.chase``.
"""
