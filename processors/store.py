"""The SQLite store: the source of truth. The Excel register is only a view of it.

One file, standard library sqlite3, WAL mode, foreign keys on. The schema grows through the numbered
``MIGRATIONS`` below, applied in order at open and recorded in ``schema_migrations``; never edit a
migration that has shipped, append a new one.

Every write runs inside ``Store.transaction()``; calls nest (inner ones become savepoints), so a batch
of forms commits together or not at all. Queries return dataclasses, never rows or dicts.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from types import TracebackType

from .errors import QAError
from .forms import FORM_TYPES, TRUST_VALUES, Kind
from .models import Case, Rejection, ValidatedForm, WorkItem

ACTION_STATUSES: tuple[str, ...] = ("Open", "In progress", "Completed", "Not required")
CLOSED_STATUSES: frozenset[str] = frozenset({"Completed", "Not required"})
REGISTER_DIRTY = "register_dirty"

# --- schema -------------------------------------------------------------------------------------

MigrationStep = str | Callable[[sqlite3.Connection], None]
Migration = tuple[int, str, MigrationStep]

_INITIAL = """
CREATE TABLE work_items (
    form_id        TEXT PRIMARY KEY,
    form_type      TEXT NOT NULL,
    cycle_id       TEXT NOT NULL DEFAULT '',
    case_id        TEXT NOT NULL,
    child_initials TEXT NOT NULL DEFAULT '',
    child_age      INTEGER,
    legal_status   TEXT NOT NULL DEFAULT '',
    service        TEXT NOT NULL DEFAULT '',
    team           TEXT NOT NULL DEFAULT '',
    practitioner   TEXT NOT NULL DEFAULT '',
    team_manager   TEXT NOT NULL DEFAULT '',
    last_audited   TEXT,
    auditor        TEXT NOT NULL DEFAULT '',
    auditor_email  TEXT NOT NULL DEFAULT '',
    auditor_role   TEXT NOT NULL DEFAULT '',
    theme          TEXT NOT NULL DEFAULT '',
    due_date       TEXT,
    source_row     INTEGER NOT NULL DEFAULT 0,
    generated_at   TEXT
);
CREATE INDEX work_items_cycle ON work_items (cycle_id);

CREATE TABLE forms (
    id                INTEGER PRIMARY KEY,
    form_id           TEXT NOT NULL,
    version           INTEGER NOT NULL CHECK (version >= 1),
    form_type         TEXT NOT NULL,
    case_id           TEXT NOT NULL DEFAULT '',
    template_version  TEXT NOT NULL DEFAULT '',
    values_json       TEXT NOT NULL,
    overall_grade     TEXT NOT NULL DEFAULT '',
    immediate_concern INTEGER NOT NULL DEFAULT 0,
    matched           INTEGER NOT NULL DEFAULT 1,
    warnings_json     TEXT NOT NULL DEFAULT '[]',
    received          TEXT NOT NULL,
    source_file       TEXT NOT NULL,
    sha256            TEXT NOT NULL UNIQUE,
    superseded        INTEGER NOT NULL DEFAULT 0,
    recorded_at       TEXT NOT NULL,
    UNIQUE (form_id, version)
);
CREATE INDEX forms_current ON forms (superseded, form_id);

CREATE TABLE grades (
    form_pk INTEGER NOT NULL REFERENCES forms (id) ON DELETE CASCADE,
    domain  TEXT NOT NULL,
    grade   TEXT NOT NULL,
    PRIMARY KEY (form_pk, domain)
);

CREATE TABLE actions (
    action_id    TEXT PRIMARY KEY,
    form_id      TEXT NOT NULL,
    form_pk      INTEGER NOT NULL REFERENCES forms (id),
    number       INTEGER NOT NULL,
    text         TEXT NOT NULL,
    owner        TEXT NOT NULL DEFAULT '',
    due          TEXT,
    status       TEXT NOT NULL DEFAULT 'Open',
    completed_on TEXT,
    notes        TEXT NOT NULL DEFAULT '',
    last_chased  TEXT
);
CREATE INDEX actions_form ON actions (form_id);

CREATE TABLE escalations (
    form_id     TEXT PRIMARY KEY,
    form_pk     INTEGER NOT NULL REFERENCES forms (id),
    version     INTEGER NOT NULL,
    details     TEXT NOT NULL DEFAULT '',
    route       TEXT NOT NULL DEFAULT '',
    raised      TEXT NOT NULL,
    current     INTEGER NOT NULL DEFAULT 1,
    notified_at TEXT
);

CREATE TABLE good_practice (
    form_id       TEXT PRIMARY KEY,
    form_pk       INTEGER NOT NULL REFERENCES forms (id),
    version       INTEGER NOT NULL,
    summary       TEXT NOT NULL,
    difference    TEXT NOT NULL DEFAULT '',
    nominated_by  TEXT NOT NULL DEFAULT '',
    trust_values  TEXT NOT NULL DEFAULT '[]',
    senior_leader TEXT NOT NULL DEFAULT '',
    share         TEXT NOT NULL DEFAULT '',
    recorded      TEXT NOT NULL,
    current       INTEGER NOT NULL DEFAULT 1,
    notified_at   TEXT
);

CREATE TABLE rejected (
    id       INTEGER PRIMARY KEY,
    file     TEXT NOT NULL,
    received TEXT NOT NULL,
    reason   TEXT NOT NULL,
    sha256   TEXT
);
CREATE UNIQUE INDEX rejected_sha256 ON rejected (sha256) WHERE sha256 IS NOT NULL;

CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_SENT = """
CREATE TABLE sent (
    id         INTEGER PRIMARY KEY,
    sent_at    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    recipients TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '',
    backend    TEXT NOT NULL,
    result     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sent_kind ON sent (kind, sent_at);
"""

_REMINDERS = """
CREATE TABLE reminders (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    target_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    sent_on   TEXT NOT NULL,
    UNIQUE (kind, target_id, recipient, sent_on)
);
CREATE INDEX reminders_target ON reminders (target_id);
"""

_FORMS_CHASED = """
ALTER TABLE work_items ADD COLUMN last_chased TEXT;
"""

MIGRATIONS: list[Migration] = [
    (1, "initial schema", _INITIAL),
    (2, "sent emails", _SENT),
    (3, "reminders", _REMINDERS),
    (4, "allocated forms: last chased", _FORMS_CHASED),
]


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply the migrations not yet recorded, in number order, each in its own transaction.

    Returns the numbers applied (empty when the database is up to date). ``conn`` must be in
    autocommit mode (``isolation_level=None``).
    """
    conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                 "(number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT number FROM schema_migrations")}
    known = [m[0] for m in migrations]
    if len(set(known)) != len(known) or known != sorted(known):
        raise ValueError("migration numbers must be unique and in ascending order")
    if done and max(done) > max(known, default=0):
        raise QAError("The database was written by a newer version of this software: update the software "
                      "(git pull) before running it again")
    applied = []
    for number, name, step in migrations:
        if number not in done:
            _apply(conn, number, name, step)
            applied.append(number)
    return applied


def _apply(conn: sqlite3.Connection, number: int, name: str, step: MigrationStep) -> None:
    try:
        if isinstance(step, str):
            conn.executescript("BEGIN IMMEDIATE;\n" + step)  # executescript leaves the transaction open
        else:
            conn.execute("BEGIN IMMEDIATE")
            step(conn)
        conn.execute("INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
                     (number, name, _dt_text(datetime.now())))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# --- value conversions --------------------------------------------------------------------------

def _dt_text(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.isoformat(timespec="seconds")


def _date_text(value: date | None) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__} in a form's values")


def _encode_values(values: dict[str, object]) -> str:
    return json.dumps(values, default=_json_default, ensure_ascii=False, sort_keys=True)


def _decode_values(form_type: str, text: str) -> dict[str, object]:
    values: dict[str, object] = json.loads(text)
    definition = FORM_TYPES.get(form_type)
    if definition is None:
        return values
    for f in definition.fields:
        raw = values.get(f.key)
        if f.kind is Kind.DATE and isinstance(raw, str) and raw:
            try:
                values[f.key] = date.fromisoformat(raw[:10])
            except ValueError:
                pass
    return values


def _text(values: dict[str, object], key: str, fallback: str = "") -> str:
    value = values.get(key)
    if value is None or value == "":
        return fallback
    return str(value).strip() or fallback


def domain_label(form_type: str, key: str) -> str:
    """The label people see for a graded domain (the key when the form type is unknown)."""
    definition = FORM_TYPES.get(form_type)
    try:
        return definition.field(key).label if definition else key
    except KeyError:
        return key


# --- records returned by queries ----------------------------------------------------------------

class RecordOutcome(str, Enum):
    """What ``Store.record_form`` did with a form."""

    NEW = "new"                # first version of this form ID
    SUPERSEDED = "superseded"  # a corrected form: a new version, earlier ones kept as history
    DUPLICATE = "duplicate"    # the very same file was recorded before: nothing written


@dataclass(frozen=True)
class ActionEdit:
    """The columns of an action people edit in the register."""

    status: str
    completed_on: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class FormRecord:
    """One recorded version of a form; who it is about comes from the form, else its allocation."""

    form_id: str
    version: int
    form_type: str
    case_id: str
    template_version: str
    values: dict[str, object]
    overall_grade: str
    immediate_concern: bool
    matched: bool
    warnings: tuple[str, ...]
    received: datetime
    source_file: str
    sha256: str
    superseded: bool
    practitioner: str
    auditor: str
    service: str
    team: str
    team_manager: str
    cycle_id: str
    theme: str


@dataclass(frozen=True)
class GradeRecord:
    form_id: str
    form_type: str
    case_id: str
    service: str
    team: str
    domain: str          # the field key
    domain_label: str    # what people see
    grade: str
    received: datetime


@dataclass(frozen=True)
class ActionRecord:
    action_id: str
    form_id: str
    number: int
    text: str
    owner: str
    due: date | None
    status: str
    completed_on: date | None
    notes: str
    last_chased: date | None
    case_id: str
    form_type: str
    service: str
    team: str
    auditor: str

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def edit(self) -> ActionEdit:
        return ActionEdit(self.status, self.completed_on, self.notes)


@dataclass(frozen=True)
class EscalationRecord:
    form_id: str
    version: int
    form_type: str
    case_id: str
    practitioner: str
    service: str
    team: str
    auditor: str
    details: str
    route: str
    raised: datetime             # when the first version with the concern arrived
    current: bool                # the latest version still records the concern
    notified_at: datetime | None


@dataclass(frozen=True)
class GoodPracticeRecord:
    form_id: str
    version: int
    form_type: str
    case_id: str
    practitioner: str
    team: str
    service: str
    line_manager: str
    nominated_by: str
    summary: str
    difference: str
    trust_values: tuple[str, ...]
    senior_leader: str
    share_across_workforce: str
    recorded: datetime
    current: bool
    notified_at: datetime | None


@dataclass(frozen=True)
class RejectionRecord:
    file: str
    received: datetime
    reason: str
    sha256: str | None


@dataclass(frozen=True)
class AllocationRecord:
    item: WorkItem
    generated_at: datetime | None
    received: datetime | None   # when the current version of the form arrived
    version: int                # 0 while nothing has come back


# --- the store ----------------------------------------------------------------------------------

_FORM_COLUMNS = ("id, form_id, version, form_type, case_id, template_version, values_json, overall_grade, "
                 "immediate_concern, matched, warnings_json, received, source_file, sha256, superseded")
_WORK_ITEM_COLUMNS = ("form_id, form_type, cycle_id, case_id, child_initials, child_age, legal_status, service, "
                      "team, practitioner, team_manager, last_audited, auditor, auditor_email, auditor_role, "
                      "theme, due_date, source_row")


class Store:
    """The QA database. Use as a context manager, or call ``close()``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        except (sqlite3.Error, OSError) as exc:
            raise QAError(f"cannot open the database {self.path} ({exc}): check that its folder exists and "
                          "that you may write to it") from None
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
                raise QAError(f"{self.path} is not a QA database or is damaged ({exc}): restore it from a backup, "
                              "or move it aside to start an empty one") from None
            if isinstance(exc, sqlite3.OperationalError):
                raise QAError(f"cannot use the database {self.path} ({exc}): check that you may write to it "
                              "and that no other program holds it") from None
            raise
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # -- transactions and state --

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all. Nested calls become savepoints."""
        with self._lock:
            savepoint = f"sp{self._depth}"
            self._conn.execute("BEGIN IMMEDIATE" if self._depth == 0 else f"SAVEPOINT {savepoint}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                self._conn.execute("ROLLBACK" if self._depth == 0 else f"ROLLBACK TO {savepoint}")
                if self._depth:
                    self._conn.execute(f"RELEASE {savepoint}")
                raise
            self._depth -= 1
            self._conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {savepoint}")

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """Rows of a read-only query, for the small modules that own a table of their own (sent, reminders)."""
        return self._rows(sql, params)

    def execute(self, sql: str, params: Sequence[object] = (), *, dirty: bool = True) -> int:
        """One write in its own transaction; marks the register dirty unless told not to. Returns rowcount."""
        with self.transaction():
            count = self._conn.execute(sql, params).rowcount
            if dirty:
                self._mark_dirty()
        return count

    def applied_migrations(self) -> list[tuple[int, str]]:
        return [(n, name) for n, name in self._rows("SELECT number, name FROM schema_migrations ORDER BY number")]

    def get_state(self, key: str, default: str | None = None) -> str | None:
        rows = self._rows("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_state(self, key: str, value: str | None) -> None:
        """Set a state value; None removes the key."""
        with self.transaction():
            if value is None:
                self._conn.execute("DELETE FROM state WHERE key = ?", (key,))
            else:
                self._conn.execute("INSERT INTO state (key, value) VALUES (?, ?) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, str(value)))

    @property
    def register_dirty(self) -> bool:
        """True when the store holds changes the Excel register does not show yet."""
        return self.get_state(REGISTER_DIRTY) is not None

    def _mark_dirty(self) -> None:
        self.set_state(REGISTER_DIRTY, "1")

    # -- work items (allocations and generated forms) --

    def add_work_items(self, items: Iterable[WorkItem], generated_at: datetime | None = None) -> None:
        """Insert or update work items by form ID; ``generated_at`` None keeps any earlier value."""
        rows = [_work_item_row(item, generated_at) for item in items]
        with self.transaction():
            self._conn.executemany(
                f"INSERT INTO work_items ({_WORK_ITEM_COLUMNS}, generated_at) VALUES ({', '.join('?' * 19)}) "
                "ON CONFLICT (form_id) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in _WORK_ITEM_COLUMNS.split(", ")[1:])
                + ", generated_at = COALESCE(excluded.generated_at, work_items.generated_at)", rows)
            self._mark_dirty()

    def mark_generated(self, form_ids: Iterable[str], when: datetime | None = None) -> None:
        stamp = _dt_text(when or datetime.now())
        with self.transaction():
            self._conn.executemany("UPDATE work_items SET generated_at = ? WHERE form_id = ?",
                                   [(stamp, f) for f in form_ids])
            self._mark_dirty()

    def work_item(self, form_id: str) -> WorkItem | None:
        rows = self._rows(f"SELECT {_WORK_ITEM_COLUMNS} FROM work_items WHERE form_id = ?", (form_id,))
        return _work_item(rows[0]) if rows else None

    def work_items(self, cycle_id: str | None = None) -> list[WorkItem]:
        where, params = ("WHERE cycle_id = ?", (cycle_id,)) if cycle_id is not None else ("", ())
        rows = self._rows(f"SELECT {_WORK_ITEM_COLUMNS} FROM work_items {where} ORDER BY cycle_id, form_id", params)
        return [_work_item(r) for r in rows]

    # -- recording returned forms --

    def has_file(self, sha256: str) -> bool:
        """True when a form with exactly this content has been recorded."""
        return bool(self._rows("SELECT 1 FROM forms WHERE sha256 = ?", (sha256,)))

    def record_form(self, form: ValidatedForm, source_file: str) -> RecordOutcome:
        """Record a validated form with its grades, actions, escalation and good practice."""
        if not form.form_id:
            raise ValueError("a form needs a form ID to be recorded")
        with self.transaction():
            if self.has_file(form.parsed.sha256):
                return RecordOutcome.DUPLICATE
            version = self._next_version(form.form_id)
            pk = self._insert_form(form, version, source_file)
            self._conn.executemany("INSERT INTO grades (form_pk, domain, grade) VALUES (?, ?, ?)",
                                   [(pk, domain, grade) for domain, grade in form.grades.items()])
            self._replace_actions(form, pk)
            self._record_escalation(form, pk, version)
            self._record_good_practice(form, pk, version, self._who(form))
            self._conn.execute("DELETE FROM rejected WHERE sha256 = ?", (form.parsed.sha256,))
            self._mark_dirty()
        return RecordOutcome.NEW if version == 1 else RecordOutcome.SUPERSEDED

    def _next_version(self, form_id: str) -> int:
        (latest,) = self._conn.execute("SELECT COALESCE(MAX(version), 0) FROM forms WHERE form_id = ?",
                                       (form_id,)).fetchone()
        if latest:
            self._conn.execute("UPDATE forms SET superseded = 1 WHERE form_id = ?", (form_id,))
        return latest + 1

    def _insert_form(self, form: ValidatedForm, version: int, source_file: str) -> int:
        identity = form.parsed.identity
        cursor = self._conn.execute(
            f"INSERT INTO forms ({_FORM_COLUMNS.split(', ', 1)[1]}, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (form.form_id, version, form.form_type, form.case_id, identity.template_version if identity else "",
             _encode_values(form.values), form.overall_grade, int(form.immediate_concern), int(form.matched),
             json.dumps(form.warnings, ensure_ascii=False), _dt_text(form.received), source_file,
             form.parsed.sha256, _dt_text(datetime.now())))
        return int(cursor.lastrowid or 0)

    def _replace_actions(self, form: ValidatedForm, pk: int) -> None:
        kept = {row[0]: row[1:] for row in self._conn.execute(
            "SELECT action_id, status, completed_on, notes, last_chased FROM actions WHERE form_id = ?",
            (form.form_id,))}
        self._conn.execute("DELETE FROM actions WHERE form_id = ?", (form.form_id,))
        rows = []
        for a in form.actions:
            action_id = f"{form.form_id}-A{a.number}"
            status, completed_on, notes, chased = kept.get(action_id, ("Open", None, "", None))
            rows.append((action_id, form.form_id, pk, a.number, a.text, a.owner, _date_text(a.due),
                         status, completed_on, notes, chased))
        self._conn.executemany("INSERT INTO actions (action_id, form_id, form_pk, number, text, owner, due, status, "
                               "completed_on, notes, last_chased) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _who(self, form: ValidatedForm) -> dict[str, str]:
        return _people(form.values, self.work_item(form.form_id))

    def _record_escalation(self, form: ValidatedForm, pk: int, version: int) -> None:
        if not form.immediate_concern:
            self._conn.execute("UPDATE escalations SET current = 0 WHERE form_id = ?", (form.form_id,))
            return
        self._conn.execute(
            "INSERT INTO escalations (form_id, form_pk, version, details, route, raised, current) "
            "VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (form_id) DO UPDATE SET form_pk = excluded.form_pk, "
            "version = excluded.version, details = excluded.details, route = excluded.route, current = 1",
            (form.form_id, pk, version, _text(form.values, "immediate_concern_details"),
             _text(form.values, "escalation_route"), _dt_text(form.received)))

    def _record_good_practice(self, form: ValidatedForm, pk: int, version: int, who: dict[str, str]) -> None:
        row = _good_practice_fields(form, who)
        if row is None:
            self._conn.execute("UPDATE good_practice SET current = 0 WHERE form_id = ?", (form.form_id,))
            return
        self._conn.execute(
            "INSERT INTO good_practice (form_id, form_pk, version, summary, difference, nominated_by, trust_values, "
            "senior_leader, share, recorded, current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (form_id) DO UPDATE SET form_pk = excluded.form_pk, version = excluded.version, "
            "summary = excluded.summary, difference = excluded.difference, nominated_by = excluded.nominated_by, "
            "trust_values = excluded.trust_values, senior_leader = excluded.senior_leader, share = excluded.share, "
            "current = 1", (form.form_id, pk, version, *row, _dt_text(form.received)))

    def record_rejection(self, r: Rejection, sha256: str | None = None) -> bool:
        """Record a rejected file; the same content rejected again updates its row. True when new."""
        with self.transaction():
            known = sha256 is not None and bool(self._rows("SELECT 1 FROM rejected WHERE sha256 = ?", (sha256,)))
            self._conn.execute(
                "INSERT INTO rejected (file, received, reason, sha256) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sha256) WHERE sha256 IS NOT NULL DO UPDATE SET file = excluded.file, "
                "received = excluded.received, reason = excluded.reason",
                (str(r.file), _dt_text(r.received), r.reason, sha256))
            self._mark_dirty()
        return not known

    # -- edits and follow-up --

    def set_action_edits(self, edits: dict[str, ActionEdit]) -> int:
        """Store people's Status / Completed on / Notes by action ID; returns how many actions changed.

        Unknown action IDs are ignored; a status is matched to ACTION_STATUSES ignoring case.
        """
        rows = [(normalise_status(e.status) or "Open", _date_text(e.completed_on), e.notes or "", action_id)
                for action_id, e in edits.items()]
        with self.transaction():
            before = self._conn.total_changes
            self._conn.executemany(
                "UPDATE actions SET status = ?1, completed_on = ?2, notes = ?3 WHERE action_id = ?4 AND NOT "
                "(status = ?1 AND COALESCE(completed_on, '') = COALESCE(?2, '') AND notes = ?3)", rows)
            changed = self._conn.total_changes - before
            if changed:
                self._mark_dirty()
        return changed

    def mark_chased(self, action_ids: Iterable[str], when: date | None = None) -> None:
        stamp = _date_text(when or date.today())
        with self.transaction():
            self._conn.executemany("UPDATE actions SET last_chased = ? WHERE action_id = ?",
                                   [(stamp, a) for a in action_ids])
            self._mark_dirty()

    def mark_forms_chased(self, form_ids: Iterable[str], when: date | None = None) -> None:
        """Remember the day an allocated form's auditor (or their manager) was last reminded of it."""
        stamp = _date_text(when or date.today())
        with self.transaction():
            self._conn.executemany("UPDATE work_items SET last_chased = ? WHERE form_id = ?",
                                   [(stamp, f) for f in form_ids])
            self._mark_dirty()

    def forms_last_chased(self) -> dict[str, date]:
        """The day each allocated form was last chased, by form ID (forms never chased are left out)."""
        rows = self._rows("SELECT form_id, last_chased FROM work_items WHERE last_chased IS NOT NULL")
        return {form_id: date.fromisoformat(day) for form_id, day in rows}

    def mark_escalation_notified(self, form_id: str, when: datetime | None = None) -> None:
        self._mark_notified("escalations", form_id, when)

    def mark_good_practice_notified(self, form_id: str, when: datetime | None = None) -> None:
        self._mark_notified("good_practice", form_id, when)

    def _mark_notified(self, table: str, form_id: str, when: datetime | None) -> None:
        with self.transaction():
            self._conn.execute(f"UPDATE {table} SET notified_at = ? WHERE form_id = ?",
                               (_dt_text(when or datetime.now()), form_id))
            self._mark_dirty()

    # -- queries --

    def _work_item_map(self) -> dict[str, WorkItem]:
        return {w.form_id: w for w in self.work_items()}

    def _form_records(self, where: str = "", params: Sequence[object] = ()) -> list[FormRecord]:
        items = self._work_item_map()
        rows = self._rows(f"SELECT {_FORM_COLUMNS} FROM forms {where} ORDER BY received, form_id, version", params)
        return [_form_record(row, items.get(row[1])) for row in rows]

    def forms(self, include_superseded: bool = False) -> list[FormRecord]:
        """Recorded forms, oldest first: the current version of each, or every version."""
        return self._form_records("" if include_superseded else "WHERE superseded = 0")

    def form(self, form_id: str) -> FormRecord | None:
        found = self._form_records("WHERE form_id = ? AND superseded = 0", (form_id,))
        return found[0] if found else None

    def form_versions(self, form_id: str) -> list[FormRecord]:
        return sorted(self._form_records("WHERE form_id = ?", (form_id,)), key=lambda f: f.version)

    def _current_by_pk(self) -> dict[int, FormRecord]:
        items = self._work_item_map()
        rows = self._rows(f"SELECT {_FORM_COLUMNS} FROM forms WHERE superseded = 0")
        return {row[0]: _form_record(row, items.get(row[1])) for row in rows}

    def grades(self) -> list[GradeRecord]:
        """Domain grades of the current version of each form."""
        forms = self._current_by_pk()
        rows = self._rows("SELECT g.form_pk, g.domain, g.grade FROM grades g JOIN forms f ON f.id = g.form_pk "
                          "WHERE f.superseded = 0 ORDER BY f.received, f.form_id, g.rowid")
        return [_grade(forms[pk], domain, grade) for pk, domain, grade in rows]

    def actions(self, form_id: str | None = None) -> list[ActionRecord]:
        forms = self._current_by_pk()
        where, params = ("WHERE form_id = ?", (form_id,)) if form_id else ("", ())
        rows = self._rows("SELECT action_id, form_id, number, text, owner, due, status, completed_on, notes, "
                          f"last_chased, form_pk FROM actions {where} ORDER BY form_id, number", params)
        return [_action(row, forms.get(row[10])) for row in rows]

    def escalations(self) -> list[EscalationRecord]:
        forms = {f.form_id: f for f in self.forms()}
        rows = self._rows("SELECT form_id, version, details, route, raised, current, notified_at FROM escalations "
                          "ORDER BY raised, form_id")
        return [_escalation(row, forms[row[0]]) for row in rows]

    def good_practice(self) -> list[GoodPracticeRecord]:
        forms = {f.form_id: f for f in self.forms()}
        rows = self._rows("SELECT form_id, version, summary, difference, nominated_by, trust_values, senior_leader, "
                          "share, recorded, current, notified_at FROM good_practice ORDER BY recorded, form_id")
        return [_good_practice(row, forms[row[0]]) for row in rows]

    def rejections(self) -> list[RejectionRecord]:
        rows = self._rows("SELECT file, received, reason, sha256 FROM rejected ORDER BY received, id")
        return [RejectionRecord(file, _dt(received) or datetime.min, reason, sha) for file, received, reason, sha
                in rows]

    def allocations(self, cycle_id: str | None = None) -> list[AllocationRecord]:
        generated = dict(self._rows("SELECT form_id, generated_at FROM work_items"))
        returned = {row[0]: row[1:] for row in self._rows(
            "SELECT form_id, received, version FROM forms WHERE superseded = 0")}
        return [AllocationRecord(item, _dt(generated.get(item.form_id)),
                                 _dt(returned.get(item.form_id, (None, 0))[0]),
                                 returned.get(item.form_id, (None, 0))[1])
                for item in self.work_items(cycle_id)]


# --- row <-> dataclass helpers ------------------------------------------------------------------

def normalise_status(text: str | None) -> str | None:
    """The canonical action status for ``text`` (any case), or None when it is not one."""
    wanted = (text or "").strip().lower()
    for status in ACTION_STATUSES:
        if status.lower() == wanted:
            return status
    return None


def _work_item_row(item: WorkItem, generated_at: datetime | None) -> tuple:
    if not item.form_id:
        raise ValueError(f"work item for case {item.case.case_id} has no form ID")
    c = item.case
    return (item.form_id, item.form_type, item.cycle_id, c.case_id, c.child_initials, c.child_age, c.legal_status,
            c.service, c.team, c.practitioner, c.team_manager, _date_text(c.last_audited), item.auditor,
            item.auditor_email, item.auditor_role, item.theme, _date_text(item.due_date), item.source_row,
            _dt_text(generated_at))


def _work_item(row: Sequence) -> WorkItem:
    (form_id, form_type, cycle_id, case_id, initials, age, legal, service, team, practitioner, manager,
     last_audited, auditor, email, role, theme, due, source_row) = row
    case = Case(case_id, initials, age if age is not None else 0, legal, service, team, practitioner, manager,
                _date(last_audited))
    return WorkItem(form_type, case, cycle_id, form_id, auditor, email, role, theme, _date(due), source_row)


def _people(values: dict[str, object], item: WorkItem | None) -> dict[str, str]:
    """Who a form is about: what the form says, else what its allocation says."""
    case = item.case if item else None
    return {
        "practitioner": _text(values, "practitioner", case.practitioner if case else ""),
        "auditor": _text(values, "auditor", item.auditor if item else ""),
        "service": _text(values, "service", case.service if case else ""),
        "team": _text(values, "team", case.team if case else ""),
        "team_manager": _text(values, "team_manager", case.team_manager if case else ""),
        "cycle_id": item.cycle_id if item else "",
        "theme": _text(values, "theme", item.theme if item else ""),
    }


def _form_record(row: Sequence, item: WorkItem | None) -> FormRecord:
    (_pk, form_id, version, form_type, case_id, template_version, values_json, overall, concern, matched,
     warnings_json, received, source_file, sha256, superseded) = row
    values = _decode_values(form_type, values_json)
    return FormRecord(form_id, version, form_type, case_id or (item.case.case_id if item else ""), template_version,
                      values, overall, bool(concern), bool(matched), tuple(json.loads(warnings_json)),
                      _dt(received) or datetime.min, source_file, sha256, bool(superseded),
                      **_people(values, item))


def _grade(form: FormRecord, domain: str, grade: str) -> GradeRecord:
    return GradeRecord(form.form_id, form.form_type, form.case_id, form.service, form.team, domain,
                       domain_label(form.form_type, domain), grade, form.received)


def _action(row: Sequence, form: FormRecord | None) -> ActionRecord:
    action_id, form_id, number, text, owner, due, status, completed_on, notes, chased, _pk = row
    return ActionRecord(action_id, form_id, number, text, owner, _date(due), status, _date(completed_on), notes,
                        _date(chased), form.case_id if form else "", form.form_type if form else "",
                        form.service if form else "", form.team if form else "", form.auditor if form else "")


def _escalation(row: Sequence, form: FormRecord) -> EscalationRecord:
    form_id, version, details, route, raised, current, notified = row
    return EscalationRecord(form_id, version, form.form_type, form.case_id, form.practitioner, form.service,
                            form.team, form.auditor, details, route, _dt(raised) or datetime.min, bool(current),
                            _dt(notified))


def _good_practice_fields(form: ValidatedForm, who: dict[str, str]) -> tuple | None:
    """(summary, difference, nominated_by, trust_values JSON, senior_leader, share) or None."""
    v = form.values
    if form.form_type == "good_practice":
        ticked = [label for key, label in TRUST_VALUES if v.get(key) is True]
        return (_text(v, "what_was_done"), _text(v, "difference_for_child"), _text(v, "nominated_by"),
                json.dumps(ticked, ensure_ascii=False), _text(v, "senior_leader"),
                _text(v, "share_across_workforce"))
    summary = _text(v, "good_practice")
    if not summary:
        return None
    return (summary, "", who["auditor"], "[]", "", "")


def _good_practice(row: Sequence, form: FormRecord) -> GoodPracticeRecord:
    form_id, version, summary, difference, nominated_by, trust_values, leader, share, recorded, current, notified = row
    return GoodPracticeRecord(form_id, version, form.form_type, form.case_id, form.practitioner, form.team,
                              form.service, form.team_manager, nominated_by, summary, difference,
                              tuple(json.loads(trust_values)), leader, share, _dt(recorded) or datetime.min,
                              bool(current), _dt(notified))
