"""The cycle's allocation (issue 6): which auditor does which form on which case.

Rules, with the framework's reasons:

* **Observation of Practice** goes to the practitioner's own Team Manager (QAF 3.1): a pool member
  with role Team Manager whose team is the case's team.
* **Supervision File Audit** goes to a Service or Strategic Manager within their own service
  (QAF 2.3). A manager's services are their own service plus the services of everyone who reports to
  them, directly or further down (a Strategic Manager over two services covers both). These are
  management audits (QAF 5.5.1), so the manager may be in the case's management line.
* **Thematic Peer Audit** goes to someone who has not been involved in the case nor had management
  oversight of it (QAF 5.6.1): not a member of the case's team, not the practitioner, and not in the
  case's **management line**. In a practice-week cycle, members of the practice-week team get none.
* **Management line** of a case: the Team Manager(s) of the case's team (pool members with role
  Team Manager in that team, and the pool member named in the case's Team manager column), then each
  one's line manager in turn (Service Manager, Strategic Manager, ...) up to and including the first
  Senior Leader on the way up: that Senior Leader (the Assistant Director for the area) is
  accountable for the case; leaders above them (the Director) are not in the line, since the framework
  expects SLT members to do thematic audits (QAF 5.6.1). If the pool has no Team Manager for the
  case's team, the Service Managers of the case's service (and their line) stand in for them.
  Peers are not in the line: the other Service Manager of the same service may audit the case.
* **No re-audit**: a case last audited less than ``reaudit_months`` before ``today`` gets no audit
  (Supervision File Audit or Thematic Peer Audit); an observation is of the practitioner, not an audit
  of the case, so it is allowed. Each case gets at most one form in a cycle. When it was last audited
  is the later of the case list's ``Last audited`` and the store's record of audits returned
  (``AllocationHistory.audited``, built by ``allocation.history``).
* **The case's IRO and CP Chair** (optional case-list columns, matched by name to the pool) never audit
  that case: they may review it (QAF 5.4).
* **Coverage** (QAF 3.1: each team member observed every two months where possible): a Team Manager's
  observations go to the practitioners of their team observed longest ago, those never observed first
  (``AllocationHistory.observed``), one observation per practitioner before anyone gets a second.
* **Fair load**, for each form type: the fair share is the count asked for divided by the number of
  auditors eligible for at least one case of the list; nobody gets more than one above it
  (``count // eligible + 1``). Within that, work goes to whoever has least (of this type, then in
  total), ties broken by the seed, so the same seed gives the same allocation.
* **Infeasible**: what can be allocated is; every form that could not be is listed with the reason.

Types are allocated most-constrained first (observations, supervision audits, thematic audits), and
each auditor takes the case fewest others could take. Messages name cases by case ID only.
"""

from __future__ import annotations

import calendar
import logging
import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

from processors.allocation.caselist import column_key, normalise_text, read_grid, same_text
from processors.dates import uk_text
from processors.errors import ConfigError, InputFileError
from processors.forms.definitions import form_type
from processors.forms.models import Auditor, Case, WorkItem
from processors.forms.vocabulary import (
    CP_CHAIR,
    IRO,
    OBSERVATION,
    SENIOR_LEADER,
    SERVICE_MANAGER,
    STRATEGIC_MANAGER,
    SUPERVISION,
    TEAM_MANAGER,
    THEMATIC,
)

log = logging.getLogger(__name__)

ORDER: tuple[str, ...] = (OBSERVATION, SUPERVISION, THEMATIC)
REAUDIT_CHECKED = frozenset({SUPERVISION, THEMATIC})
SUPERVISING_ROLES = (SERVICE_MANAGER, STRATEGIC_MANAGER)
REVIEWER_CONFLICT = "they are the case's {}"
REVIEWER_CONFLICTS = {REVIEWER_CONFLICT.format(role): role for role in (IRO, CP_CHAIR)}


@dataclass(frozen=True)
class Unallocated:
    """One form of the cycle that could not be given to anyone, and why."""

    form_type: str
    slot: int     # which of this type's forms: 1 .. count
    count: int
    reason: str

    def describe(self) -> str:
        return f"{form_type(self.form_type).title} {self.slot} of {self.count}: {self.reason}"


@dataclass(frozen=True)
class SkippedCase:
    """A case of the list that may not be audited this cycle."""

    case_id: str
    reason: str


@dataclass(frozen=True)
class AllocationHistory:
    """What the store remembers: the latest audit of each case and the latest observation of each practitioner."""

    audited: Mapping[str, date] = field(default_factory=dict)   # case ID (casefolded) -> audit date
    observed: Mapping[str, date] = field(default_factory=dict)  # practitioner (normalise_text) -> observed on

    def last_audited(self, case: Case) -> date | None:
        """The later of the case list's Last audited and the store's record."""
        dates = [d for d in (case.last_audited, self.audited.get(case.case_id.casefold())) if d is not None]
        return max(dates) if dates else None

    def last_observed(self, practitioner: str) -> date | None:
        return self.observed.get(normalise_text(practitioner))


NO_HISTORY = AllocationHistory()


@dataclass
class AllocationResult:
    items: list[WorkItem]
    unallocated: list[Unallocated]
    skipped: list[SkippedCase] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# --- the organisation and the rules ----------------------------------------------------------

@dataclass(frozen=True)
class Organisation:
    """The pool with its line management, for answering who is above or below whom."""

    pool: tuple[Auditor, ...]

    @cached_property
    def by_id(self) -> dict[str, Auditor]:
        return {a.auditor_id: a for a in self.pool}

    @cached_property
    def reports(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for a in self.pool:
            if a.manager_id:
                out.setdefault(a.manager_id, []).append(a.auditor_id)
        return out

    def managers_above(self, auditor_id: str) -> list[str]:
        """Line managers upward, ending at the first Senior Leader (or the top of the pool)."""
        chain: list[str] = []
        current = self.by_id.get(auditor_id)
        while current is not None and current.role != SENIOR_LEADER and current.manager_id:
            boss = self.by_id.get(current.manager_id)
            if boss is None or boss.auditor_id == auditor_id or boss.auditor_id in chain:
                break
            chain.append(boss.auditor_id)
            current = boss
        return chain

    def team_managers(self, team: str) -> list[Auditor]:
        return [a for a in self.pool if a.role == TEAM_MANAGER and same_text(a.team, team)]

    def line_of(self, case: Case) -> frozenset[str]:
        """The auditor IDs in the case's management line (see the module's docstring)."""
        heads = self.team_managers(case.team) + [a for a in self.pool if same_text(a.name, case.team_manager)]
        if not heads:
            heads = [a for a in self.pool if a.role == SERVICE_MANAGER and same_text(a.service, case.service)]
        line: set[str] = set()
        for head in heads:
            line.add(head.auditor_id)
            line.update(self.managers_above(head.auditor_id))
        return frozenset(line)

    def services_of(self, auditor_id: str) -> frozenset[str]:
        """The services an auditor's own and everyone below them (normalised names)."""
        services: set[str] = set()
        todo, seen = [auditor_id], set()
        while todo:
            current = todo.pop()
            if current in seen or current not in self.by_id:
                continue
            seen.add(current)
            services.add(normalise_text(self.by_id[current].service))
            todo.extend(self.reports.get(current, ()))
        return frozenset(services)


@dataclass
class Rules:
    """Who may do which form on which case."""

    org: Organisation
    practice_week: frozenset[str]  # auditor IDs
    _lines: dict[str, frozenset[str]] = field(default_factory=dict)

    def line_of(self, case: Case) -> frozenset[str]:
        if case.case_id not in self._lines:
            self._lines[case.case_id] = self.org.line_of(case)
        return self._lines[case.case_id]

    def conflict(self, form: str, auditor: Auditor, case: Case) -> str:
        """Why ``auditor`` may not do ``form`` on ``case``; empty if they may."""
        for role, name in ((IRO, case.iro), (CP_CHAIR, case.cp_chair)):
            if name and same_text(auditor.name, name):
                return REVIEWER_CONFLICT.format(role)
        if form == OBSERVATION:
            if auditor.role != TEAM_MANAGER or not same_text(auditor.team, case.team):
                return "only the practitioner's own Team Manager observes their practice"
            return ""
        if same_text(auditor.team, case.team):
            return "the case is in their own team"
        if same_text(auditor.name, case.practitioner):
            return "they are the case's practitioner"
        if form == SUPERVISION:
            if auditor.role not in SUPERVISING_ROLES:
                return "only Service and Strategic Managers audit supervision files"
            if normalise_text(case.service) not in self.org.services_of(auditor.auditor_id):
                return "the case is not in their service"
            return ""
        if auditor.auditor_id in self.practice_week:
            return "they are in the practice-week team"
        if auditor.auditor_id in self.line_of(case):
            return "they are in the case's management line"
        return ""

    def eligible(self, form: str, auditor: Auditor, case: Case) -> bool:
        return not self.conflict(form, auditor, case)


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` earlier (the month's last day if that month is shorter)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def recently_audited(case: Case, reaudit_months: int, today: date, history: AllocationHistory = NO_HISTORY) -> bool:
    last = history.last_audited(case)
    return last is not None and last > months_before(today, reaudit_months)


# --- allocating ------------------------------------------------------------------------------

@dataclass
class Ledger:
    """What has been given out so far."""

    used: set[str] = field(default_factory=set)  # case IDs
    total: Counter[str] = field(default_factory=Counter)
    by_type: dict[str, Counter[str]] = field(default_factory=dict)
    practitioners: Counter[str] = field(default_factory=Counter)
    pairs: dict[str, list[tuple[Auditor, Case]]] = field(default_factory=dict)

    def give(self, form: str, auditor: Auditor, case: Case) -> None:
        self.used.add(case.case_id)
        self.total[auditor.auditor_id] += 1
        self.by_type.setdefault(form, Counter())[auditor.auditor_id] += 1
        self.practitioners[normalise_text(case.practitioner)] += 1
        self.pairs.setdefault(form, []).append((auditor, case))


@dataclass
class TypeRound:
    """Allocating one form type: the cases and auditors open to it and the load limit."""

    form: str
    count: int
    usable: list[Case]                # cases of the list this type may use (re-audit rule applied)
    options: dict[str, list[Case]]    # auditor ID -> usable cases they may take
    auditor_rank: dict[str, int]      # seeded tie-breaks
    case_rank: dict[str, int]
    history: AllocationHistory = NO_HISTORY

    @property
    def eligible(self) -> list[str]:
        return [aid for aid, cases in self.options.items() if cases]

    @property
    def cap(self) -> int:
        return self.count // len(self.eligible) + 1 if self.eligible else 0

    def run(self, org: Organisation, ledger: Ledger) -> int:
        """Give out as many of the ``count`` forms as the rules allow; returns how many."""
        load = ledger.by_type.setdefault(self.form, Counter())
        cap, given = self.cap, 0
        takers = self._takers()
        while given < self.count:
            open_ids = [aid for aid in self.eligible if load[aid] < cap and self._open(aid, ledger)]
            if not open_ids:
                break
            aid = min(open_ids, key=lambda a: (load[a], ledger.total[a], self.auditor_rank[a]))
            case = min(self._open(aid, ledger), key=lambda c: (
                sum(1 for t in takers[c.case_id] if t != aid and load[t] < cap),
                ledger.practitioners[normalise_text(c.practitioner)], self._observed(c), self.case_rank[c.case_id]))
            ledger.give(self.form, org.by_id[aid], case)
            given += 1
        return given

    def _observed(self, case: Case) -> date:
        """For observations: when the practitioner was last observed (never: first of all); else no preference."""
        if self.form != OBSERVATION:
            return date.min
        return self.history.last_observed(case.practitioner) or date.min

    def _open(self, auditor_id: str, ledger: Ledger) -> list[Case]:
        return [c for c in self.options[auditor_id] if c.case_id not in ledger.used]

    def _takers(self) -> dict[str, list[str]]:
        takers: dict[str, list[str]] = {c.case_id: [] for c in self.usable}
        for aid, cases in self.options.items():
            for case in cases:
                takers[case.case_id].append(aid)
        return takers


def allocate(cases: Sequence[Case], pool: Sequence[Auditor], cycle_id: str, counts: Mapping[str, int], seed: int,
             due: date, theme: str, practice_week_team: Collection[str], reaudit_months: int,
             today: date, history: AllocationHistory = NO_HISTORY) -> AllocationResult:
    """The cycle's allocation: ``counts`` forms of each type, following the rules in the module docstring.

    ``practice_week_team`` holds auditor IDs or names; entries matching nobody become warnings. ``history`` is
    what the store remembers (audits of cases, observations of practitioners).
    """
    wanted = _normalise_counts(counts)
    rng = random.Random(seed)
    ordered_pool = sorted(pool, key=lambda a: a.auditor_id)
    ordered_cases = sorted(cases, key=lambda c: c.case_id)
    rng.shuffle(ordered_pool)
    rng.shuffle(ordered_cases)
    auditor_rank = {a.auditor_id: n for n, a in enumerate(ordered_pool)}
    case_rank = {c.case_id: n for n, c in enumerate(ordered_cases)}
    practice_week, warnings = resolve_practice_week(practice_week_team, pool)
    rules = Rules(Organisation(tuple(ordered_pool)), practice_week)
    recent = {c.case_id for c in ordered_cases if recently_audited(c, reaudit_months, today, history)}
    ledger = Ledger()
    unallocated: list[Unallocated] = []
    for form in ORDER:
        count = wanted.get(form, 0)
        if count == 0:
            continue
        usable = [c for c in ordered_cases if form not in REAUDIT_CHECKED or c.case_id not in recent]
        options = {a.auditor_id: [c for c in usable if rules.eligible(form, a, c)] for a in ordered_pool}
        round_ = TypeRound(form, count, usable, options, auditor_rank, case_rank, history)
        given = round_.run(rules.org, ledger)
        if given < count:
            reason = _why_short(round_, rules, ledger, len(ordered_cases), len(recent), reaudit_months)
            unallocated += [Unallocated(form, slot, count, reason) for slot in range(given + 1, count + 1)]
    result = AllocationResult(_work_items(ledger, cycle_id, due, theme), unallocated,
                              _skipped(cases, recent, reaudit_months, history), warnings)
    _log_summary(cycle_id, result)
    return result


def _skipped(cases: Sequence[Case], recent: set[str], months: int, history: AllocationHistory) -> list[SkippedCase]:
    return [SkippedCase(c.case_id, f"last audited {uk_text(history.last_audited(c))}{_source(c, history)}, within "
                                   f"the last {months} months: no audit this cycle")
            for c in sorted(cases, key=lambda c: c.case_id) if c.case_id in recent]


def _source(case: Case, history: AllocationHistory) -> str:
    stored = history.audited.get(case.case_id.casefold())
    return " (a form returned and recorded)" if stored and (case.last_audited is None or stored > case.last_audited) \
        else ""


def _log_summary(cycle_id: str, result: AllocationResult) -> None:
    log.info("allocation for cycle %s: %d forms allocated, %d could not be", cycle_id, len(result.items),
             len(result.unallocated))
    for form in ORDER:
        short = [u for u in result.unallocated if u.form_type == form]
        if short:
            log.warning("%d %s form(s) not allocated: %s", len(short), form, short[0].reason)


def _normalise_counts(counts: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, count in counts.items():
        try:
            key = form_type(name).key
        except KeyError:
            raise ConfigError(f"cycle.counts: unknown form type '{name}': use {', '.join(ORDER)}") from None
        if key not in ORDER:
            raise ConfigError(f"cycle.counts: '{name}' forms are not allocated: remove it (use {', '.join(ORDER)})")
        if count < 0:
            raise ConfigError(f"cycle.counts: '{name}' is {count}: give a number of forms, 0 or more")
        out[key] = out.get(key, 0) + count
    return out


def _work_items(ledger: Ledger, cycle_id: str, due: date, theme: str) -> list[WorkItem]:
    items: list[WorkItem] = []
    for form in ORDER:
        code = form_type(form).code
        for n, (auditor, case) in enumerate(ledger.pairs.get(form, []), start=1):
            items.append(WorkItem(form_type=form, case=case, cycle_id=cycle_id, form_id=f"{cycle_id}-{code}-{n:03d}",
                                  auditor=auditor.name, auditor_email=auditor.email, auditor_role=auditor.role,
                                  theme=theme if form == THEMATIC else "", due_date=due))
    return items


# --- explaining what could not be allocated --------------------------------------------------

def _why_short(round_: TypeRound, rules: Rules, ledger: Ledger, total: int, recent: int, months: int) -> str:
    """One reason for all the forms of this type left over; it names the cases and auditors concerned."""
    if not rules.org.pool:
        return "the auditor pool is empty: give the auditor pool file"
    remaining = [c for c in round_.usable if c.case_id not in ledger.used]
    if not remaining:
        return _no_cases_left(round_.form, total, recent, len(ledger.used), months)
    left = {c.case_id for c in remaining}
    able = sorted({aid for aid, cases in round_.options.items() for c in cases if c.case_id in left},
                  key=lambda aid: rules.org.by_id[aid].name)
    ids = _listing([c.case_id for c in remaining])
    if not able:
        return _nobody_eligible(round_.form, remaining, ids, _conflicts(rules, round_.form, remaining))
    names = _listing([rules.org.by_id[aid].name for aid in able])
    return (f"everyone who may take the cases left ({ids}) already has {round_.cap}, the most allowed "
            f"({round_.count} forms shared among {len(round_.eligible)} eligible auditors, plus one): "
            f"they are {names}; add auditors to the pool or lower the count")


def _no_cases_left(form: str, total: int, recent: int, used: int, months: int) -> str:
    parts = [f"the case list has {total} case{'s' if total != 1 else ''}"]
    if form in REAUDIT_CHECKED and recent:
        parts.append(f"{recent} audited within the last {months} months")
    parts.append(f"{used} already allocated")
    return f"no case is left for it ({', '.join(parts)}): add cases to the case list"


def _conflicts(rules: Rules, form: str, cases: list[Case]) -> list[str]:
    """Who is kept off which of these cases because they review it ('Ann Lee is case CF1's IRO')."""
    found = []
    for case in cases:
        for auditor in rules.org.pool:
            role = REVIEWER_CONFLICTS.get(rules.conflict(form, auditor, case))
            if role:
                found.append(f"{auditor.name} is case {case.case_id}'s {role}")
    return found


def _nobody_eligible(form: str, remaining: list[Case], ids: str, conflicts: list[str]) -> str:
    named = f" ({_listing(conflicts)}: whoever reviews a case never audits it)" if conflicts else ""
    if form == OBSERVATION:
        teams = _listing(sorted({c.team for c in remaining}))
        return (f"the cases left ({ids}) are in teams with no Team Manager in the auditor pool ({teams}): "
                "add the Team Manager to the pool or cases from other teams to the list")
    if form == SUPERVISION:
        services = _listing(sorted({c.service for c in remaining}))
        return (f"no Service or Strategic Manager in the pool covers the services of the cases left ({services}; "
                f"cases {ids}){named}: add one to the pool or cases from other services to the list")
    return (f"everyone in the pool is excluded from the cases left ({ids}): each auditor is in the case's team "
            f"or management line, in the practice-week team, or the case's IRO or CP Chair{named}; add auditors "
            "from other services to the pool")


def _listing(values: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(values[:limit])
    return f"{shown} and {len(values) - limit} more" if len(values) > limit else shown


# --- the practice-week team ------------------------------------------------------------------

def resolve_practice_week(entries: Collection[str], pool: Sequence[Auditor]) -> tuple[frozenset[str], list[str]]:
    """Auditor IDs of the practice-week team (entries are IDs or names), and a warning per unknown entry."""
    by_id = {a.auditor_id.casefold(): a.auditor_id for a in pool}
    ids: set[str] = set()
    warnings: list[str] = []
    for entry in sorted(entries):
        matched = {by_id[entry.strip().casefold()]} if entry.strip().casefold() in by_id else {
            a.auditor_id for a in pool if same_text(a.name, entry)}
        if not matched:
            warnings.append(f"practice-week team member '{entry}' is not in the auditor pool: check the spelling "
                            "or use their Auditor ID")
        ids |= matched
    return frozenset(ids), warnings


def read_practice_week_team(path: Path | str) -> set[str]:
    """Names or auditor IDs from a CSV/.xlsx with a 'Name' or 'Auditor ID' column, or a list one per line."""
    path = Path(path)
    if path.suffix.lower() in (".txt", ""):
        entries = _plain_lines(path)
    else:
        grid = [[_text(c) for c in row] for row in read_grid(path)]
        grid = [row for row in grid if any(row)]
        entries = _from_columns(grid) if grid else []
        if grid and entries is None:
            entries = _plain_lines(path) if path.suffix.lower() == ".csv" else [row[0] for row in grid if row[0]]
    if not entries:
        raise InputFileError(path.name, "the practice-week team file is empty: list the team's names or auditor "
                                        "IDs, one per line")
    return set(entries)


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _from_columns(grid: list[list[str]]) -> list[str] | None:
    """Entries from the 'Name' and 'Auditor ID' columns, or None if the first row names neither."""
    wanted = [i for i, cell in enumerate(grid[0]) if column_key(cell) in ("name", "auditorid")]
    if not wanted:
        return None
    return [row[i] for row in grid[1:] for i in wanted if i < len(row) and row[i]]


def _plain_lines(path: Path) -> list[str]:
    if not path.is_file():
        raise InputFileError(path.name, f"file not found at {path}: check the path and run again")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252", errors="replace")
    return [_text(line) for line in text.splitlines() if _text(line) and not line.lstrip().startswith("#")]
