"""Who may do a piece of work: the auditor pool (named, or the one the last allocation used), a case from the
case list or the store, and each person's open work, so work goes to whoever has least."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from processors.allocation.caselist import read_cases, read_pool, same_text
from processors.allocation.rules import Organisation, Rules
from processors.config.settings import Settings
from processors.errors import InputFileError
from processors.forms.models import Auditor, Case
from processors.store.database import POOL_STATE, Store


def load_pool(settings: Settings, pool_file: Path | None) -> list[Auditor]:
    """The pool named, else the one the last `allocate` used; stops with what to do when there is neither."""
    if pool_file is None:
        with Store(settings.path("database")) as store:
            remembered = store.get_state(POOL_STATE)
        if not remembered:
            raise InputFileError("--pool", "no auditor pool given and no allocation has used one yet: give --pool "
                                           "FILE (the pool you give allocate)")
        pool_file = Path(remembered)
    return read_pool(pool_file)


def find_case(settings: Settings, case_id: str, cases_file: Path | None) -> Case:
    """The case from the case list, else from the forms already allocated for it."""
    wanted = case_id.strip().casefold()
    if cases_file is not None:
        found = [c for c in read_cases(cases_file) if c.case_id.casefold() == wanted]
        if found:
            return found[0]
    with Store(settings.path("database")) as store:
        known = [i.case for i in store.work_items() if i.case.case_id.casefold() == wanted]
    if known:
        return known[-1]
    where = cases_file.name if cases_file else "the store (no --cases given)"
    raise InputFileError("--case", f"case {case_id} is not in {where}: check the case ID or give --cases FILE")


def find_person(pool: list[Auditor], name: str, option: str) -> Auditor:
    """A pool member by name or auditor ID."""
    for a in pool:
        if a.auditor_id.casefold() == name.strip().casefold() or same_text(a.name, name):
            return a
    raise InputFileError(option, f"'{name}' is not in the auditor pool: check the spelling or use their Auditor ID")


def open_work(settings: Settings) -> Counter[str]:
    """Forms allocated to each person (by name, casefolded) that have not come back yet."""
    with Store(settings.path("database")) as store:
        return Counter(a.item.auditor.casefold() for a in store.allocations() if not a.version and a.item.auditor)


def rules_for(pool: list[Auditor], practice_week: frozenset[str] = frozenset()) -> Rules:
    return Rules(Organisation(tuple(pool)), practice_week)
