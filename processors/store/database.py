"""The SQLite store: the source of truth. The Excel register is only a view of it.

One file, standard library sqlite3, WAL mode, foreign keys on. The schema grows through the numbered
migrations in ``store_schema``; the records queries return, and their row conversions, are in
``store_records``.

Every write runs inside ``Store.transaction()``; calls nest (inner ones become savepoints), so a batch
of forms commits together or not at all. Queries return dataclasses, never rows or dicts.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from processors.errors import StoreDamaged, StoreUnavailable
from processors.forms.models import Rejection, ValidatedForm, WorkItem
from processors.forms.vocabulary import OPEN
from processors.store.concerns import rejected_escalations
from processors.store.records import (  # re-exported: callers import the records from processors.store.database
    ActionEdit,
    ActionRecord,
    AllocationRecord,
    Changes,
    EscalationEdit,
    EscalationRecord,
    FormRecord,
    GoodPracticeRecord,
    GradeRecord,
    RecordOutcome,
    RejectionRecord,
    SentRecord,
    action_record,
    date_text,
    dt_text,
    encode_values,
    escalation_record,
    form_record,
    good_practice_fields,
    good_practice_record,
    grade_record,
    normalise_status,
    parse_dt,
    people_of,
    value_text,
    work_item_from_row,
    work_item_row,
)
from processors.store.schema import migrate

REGISTER_DIRTY = "register_dirty"
OLDER_COPY = ("an older copy than the one recorded: it was saved before the current version, so it is kept in "
              "the form's history and the current version stays as it is")
POOL_STATE = "auditor_pool_file"  # the auditor pool the last allocation used


# --- the store ----------------------------------------------------------------------------------

def damaged(path: Path, exc: Exception) -> StoreDamaged:
    why = " ".join(str(exc).split())
    return StoreDamaged(
        f"the store {path} is damaged or is not a QA database ({why}): nothing was changed. Restore it from a "
        "backup; or move it aside and run `python run.py rebuild` to re-create it from processed/, the allocation "
        "files and the register")


_FORM_COLUMNS = ("id, form_id, version, form_type, case_id, template_version, values_json, overall_grade, "
                 "immediate_concern, matched, warnings_json, received, source_file, sha256, superseded")
_WORK_ITEM_COLUMNS = ("form_id, form_type, cycle_id, case_id, child_initials, child_age, legal_status, service, "
                      "team, practitioner, team_manager, last_audited, auditor, auditor_email, auditor_role, "
                      "theme, due_date, source_row")


def is_damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error says the file is damaged (or not a database), rather than busy, locked, full or
    refused by a constraint: those are raised as they are."""
    return not isinstance(exc, (sqlite3.OperationalError, sqlite3.IntegrityError, sqlite3.ProgrammingError))


def _verdict(conn: sqlite3.Connection) -> str:
    """SQLite's check of every page of the store (``quick_check``): "ok", else what is wrong."""
    (verdict,) = conn.execute("PRAGMA quick_check(1)").fetchone()
    return str(verdict)


class SoundnessCheck:
    """The store's check run beside a read-only job, on a connection and a thread of its own: SQLite leaves the
    interpreter free while it reads every page (a fortieth of a second per 10 MB, growing with the years of
    history), so the job reads its data meanwhile. ``require()`` waits for the verdict and raises as opening a
    store checked at once does (call it before anything is written)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._verdict: str | BaseException = "not run"
        self._thread = threading.Thread(target=self._run, name="store-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, timeout=30)
            try:
                self._verdict = _verdict(conn)
            finally:
                conn.close()
        except BaseException as exc:  # noqa: BLE001 - handed to require(), in the job's thread
            self._verdict = exc

    def require(self) -> None:
        self._thread.join()
        verdict = self._verdict
        if isinstance(verdict, sqlite3.DatabaseError) and is_damage(verdict):
            raise damaged(self.path, verdict)
        if isinstance(verdict, BaseException):
            raise StoreUnavailable(f"cannot check the database {self.path} ({verdict}): check that you may read it "
                                   "and that no other program holds it")
        if verdict != "ok":
            raise damaged(self.path, sqlite3.DatabaseError(verdict))


class Store:
    """The QA database. Use as a context manager, or call ``close()``.

    Opening it checks every page (``quick_check``) and stops on damage; ``checked_beside=True`` opens it unchecked
    and starts that check in a thread beside the caller's reads: its first write, or ``soundness.require()``, waits
    for the verdict."""

    def __init__(self, path: Path | str, checked_beside: bool = False) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = self._connect(check=not checked_beside)
        self.soundness = SoundnessCheck(self.path) if checked_beside else None
        self._memo: dict[str, object] | None = None  # see reading_once

    def _connect(self, check: bool = True) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable(f"cannot open the database {self.path} ({exc}): check that its folder exists and "
                          "that you may write to it") from None
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            verdict = _verdict(conn) if check else "ok"
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
                raise damaged(self.path, exc) from None
            if isinstance(exc, sqlite3.OperationalError):
                raise StoreUnavailable(f"cannot use the database {self.path} ({exc}): check that you may write to it "
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

    def require_sound(self) -> None:
        """With the check run beside (``checked_beside``): wait for its verdict, raising on damage. Else nothing:
        the store was checked when it was opened."""
        if self.soundness is not None:
            self.soundness.require()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all. Nested calls become savepoints. A store whose check
        runs beside (``checked_beside``) is written only once the check has passed."""
        self.require_sound()
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

    @contextmanager
    def reading_snapshot(self) -> Iterator[None]:
        """Reads inside all see the store as it was at the first of them, whatever other connections (the
        watcher's intake) commit meanwhile, without blocking them: a deferred transaction (WAL). For reads only.
        Inside a transaction already, that transaction is the snapshot."""
        with self._lock:
            if self._depth:
                yield
                return
            self._conn.execute("BEGIN DEFERRED")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                with suppress(sqlite3.Error):  # what went wrong inside is what the caller hears of
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            try:
                self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                raise damaged(self.path, exc) from None

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                if not is_damage(exc):
                    raise
                raise damaged(self.path, exc) from None

    @staticmethod
    def _among(column: str, form_ids: Collection[str] | None, joiner: str = "WHERE") -> tuple[str, tuple]:
        """SQL limiting ``column`` to ``form_ids`` (any number of them, as one JSON parameter); none when None."""
        if form_ids is None:
            return "", ()
        return f" {joiner} {column} IN (SELECT value FROM json_each(?))", (json.dumps(sorted(form_ids)),)

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """Rows of a read-only query: for tests and diagnostics. The code outside this package calls methods."""
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

    # -- what changed (the change log the triggers keep) --

    def last_change(self) -> int:
        """The sequence number of the latest logged change (0 when none)."""
        return self._rows("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)")[0][0]

    def changes_since(self, seq: int) -> Changes:
        """The forms and tables changed after ``seq``, by the log the triggers keep."""
        rows = self._rows("SELECT MAX(seq), tab, form_id FROM changes WHERE seq > ? GROUP BY tab, form_id", (seq,))
        last = max((r[0] for r in rows), default=seq)
        return Changes(last, frozenset(r[2] for r in rows if r[2]), frozenset(r[1] for r in rows),
                       frozenset(r[1] for r in rows if not r[2]))

    def forget_changes(self, upto: int) -> None:
        """Drop the log up to ``upto`` (once the register shows those changes)."""
        self.execute("DELETE FROM changes WHERE seq <= ?", (upto,), dirty=False)

    # -- work items (allocations and generated forms) --

    def add_work_items(self, items: Iterable[WorkItem], generated_at: datetime | None = None) -> None:
        """Insert or update work items by form ID; ``generated_at`` None keeps any earlier value."""
        rows = [work_item_row(item, generated_at) for item in items]
        with self.transaction():
            self._conn.executemany(
                f"INSERT INTO work_items ({_WORK_ITEM_COLUMNS}, generated_at) VALUES ({', '.join('?' * 19)}) "
                "ON CONFLICT (form_id) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in _WORK_ITEM_COLUMNS.split(", ")[1:])
                + ", generated_at = COALESCE(excluded.generated_at, work_items.generated_at)", rows)
            self._mark_dirty()

    def mark_generated(self, form_ids: Iterable[str], when: datetime | None = None) -> None:
        stamp = dt_text(when or datetime.now())
        with self.transaction():
            self._conn.executemany("UPDATE work_items SET generated_at = ? WHERE form_id = ?",
                                   [(stamp, f) for f in form_ids])
            self._mark_dirty()

    def work_item(self, form_id: str) -> WorkItem | None:
        rows = self._rows(f"SELECT {_WORK_ITEM_COLUMNS} FROM work_items WHERE form_id = ?", (form_id,))
        return work_item_from_row(rows[0]) if rows else None

    def work_items(self, cycle_id: str | None = None, form_ids: Collection[str] | None = None) -> list[WorkItem]:
        where, params = ("WHERE cycle_id = ?", (cycle_id,)) if cycle_id is not None else ("", ())
        among, more = self._among("form_id", form_ids, "AND" if where else "WHERE")
        rows = self._rows(f"SELECT {_WORK_ITEM_COLUMNS} FROM work_items {where}{among} ORDER BY cycle_id, form_id",
                          params + more)
        return [work_item_from_row(r) for r in rows]

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
            if self._older_than_current(form):
                form.warnings.append(OLDER_COPY)
                pk = self._insert_form(form, self._next_version(form.form_id, supersede=False), source_file,
                                       superseded=True)
                self._conn.executemany("INSERT INTO grades (form_pk, domain, grade) VALUES (?, ?, ?)",
                                       [(pk, domain, grade) for domain, grade in form.grades.items()])
                self._mark_dirty()
                return RecordOutcome.OLDER
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

    def _next_version(self, form_id: str, supersede: bool = True) -> int:
        (latest,) = self._conn.execute("SELECT COALESCE(MAX(version), 0) FROM forms WHERE form_id = ?",
                                       (form_id,)).fetchone()
        if latest and supersede:
            self._conn.execute("UPDATE forms SET superseded = 1 WHERE form_id = ?", (form_id,))
        return latest + 1

    def _older_than_current(self, form: ValidatedForm) -> bool:
        """True when the current version was saved after this one: a late-arriving older copy never wins."""
        if form.parsed.saved_at is None:
            return False
        row = self._conn.execute("SELECT saved_at FROM forms WHERE form_id = ? AND superseded = 0",
                                 (form.form_id,)).fetchone()
        current = parse_dt(row[0]) if row else None
        return current is not None and parse_dt(dt_text(form.parsed.saved_at)) < current

    def _insert_form(self, form: ValidatedForm, version: int, source_file: str, superseded: bool = False) -> int:
        identity = form.parsed.identity
        cursor = self._conn.execute(
            f"INSERT INTO forms ({_FORM_COLUMNS.split(', ', 1)[1]}, recorded_at, saved_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (form.form_id, version, form.form_type, form.case_id, identity.template_version if identity else "",
             encode_values(form.values), form.overall_grade, int(form.immediate_concern), int(form.matched),
             json.dumps(form.warnings, ensure_ascii=False), dt_text(form.received), source_file,
             form.parsed.sha256, int(superseded), dt_text(datetime.now()), dt_text(form.parsed.saved_at)))
        return int(cursor.lastrowid or 0)

    def _replace_actions(self, form: ValidatedForm, pk: int) -> None:
        kept = {row[0]: row[1:] for row in self._conn.execute(
            "SELECT action_id, status, completed_on, notes, last_chased FROM actions WHERE form_id = ?",
            (form.form_id,))}
        self._conn.execute("DELETE FROM actions WHERE form_id = ?", (form.form_id,))
        rows = []
        for a in form.actions:
            action_id = f"{form.form_id}-A{a.number}"
            status, completed_on, notes, chased = kept.get(action_id, (OPEN, None, "", None))
            rows.append((action_id, form.form_id, pk, a.number, a.text, a.owner, date_text(a.due),
                         status, completed_on, notes, chased))
        self._conn.executemany("INSERT INTO actions (action_id, form_id, form_pk, number, text, owner, due, status, "
                               "completed_on, notes, last_chased) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _who(self, form: ValidatedForm) -> dict[str, str]:
        return people_of(form.values, self.work_item(form.form_id))

    def _record_escalation(self, form: ValidatedForm, pk: int, version: int) -> None:
        if not form.immediate_concern:
            self._conn.execute("UPDATE escalations SET current = 0 WHERE form_id = ?", (form.form_id,))
            return
        self._conn.execute(
            "INSERT INTO escalations (form_id, form_pk, version, details, route, raised, current) "
            "VALUES (?, ?, ?, ?, ?, ?, 1) ON CONFLICT (form_id) DO UPDATE SET form_pk = excluded.form_pk, "
            "version = excluded.version, details = excluded.details, route = excluded.route, current = 1",
            (form.form_id, pk, version, value_text(form.values, "immediate_concern_details"),
             value_text(form.values, "escalation_route"), dt_text(form.received)))

    def _record_good_practice(self, form: ValidatedForm, pk: int, version: int, who: dict[str, str]) -> None:
        row = good_practice_fields(form, who)
        if row is None:
            self._conn.execute("UPDATE good_practice SET current = 0 WHERE form_id = ?", (form.form_id,))
            return
        self._conn.execute(
            "INSERT INTO good_practice (form_id, form_pk, version, summary, difference, nominated_by, trust_values, "
            "senior_leader, share, recorded, current) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (form_id) DO UPDATE SET form_pk = excluded.form_pk, version = excluded.version, "
            "summary = excluded.summary, difference = excluded.difference, nominated_by = excluded.nominated_by, "
            "trust_values = excluded.trust_values, senior_leader = excluded.senior_leader, share = excluded.share, "
            "current = 1", (form.form_id, pk, version, *row, dt_text(form.received)))

    def record_rejection(self, r: Rejection, sha256: str | None = None) -> bool:
        """Record a rejected file; the same content rejected again updates its row. True when new."""
        with self.transaction():
            known = sha256 is not None and bool(self._rows("SELECT 1 FROM rejected WHERE sha256 = ?", (sha256,)))
            self._conn.execute(
                "INSERT INTO rejected (file, received, reason, sha256, form_id) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (sha256) WHERE sha256 IS NOT NULL DO UPDATE SET file = excluded.file, "
                "received = excluded.received, reason = excluded.reason, form_id = excluded.form_id",
                (str(r.file), dt_text(r.received), r.reason, sha256, r.form_id))
            self._mark_dirty()
        return not known

    # -- edits and follow-up --

    def set_action_edits(self, edits: dict[str, ActionEdit]) -> int:
        """Store people's Status / Completed on / Notes by action ID; returns how many actions changed.

        Unknown action IDs are ignored; a status is matched to ACTION_STATUSES ignoring case.
        """
        rows = [(normalise_status(e.status) or OPEN, date_text(e.completed_on), e.notes or "", action_id)
                for action_id, e in edits.items()]
        with self.transaction():
            changed = self._conn.executemany(  # rowcount: the rows changed, not the change log's (triggers)
                "UPDATE actions SET status = ?1, completed_on = ?2, notes = ?3 WHERE action_id = ?4 AND NOT "
                "(status = ?1 AND COALESCE(completed_on, '') = COALESCE(?2, '') AND notes = ?3)", rows).rowcount
            if changed:
                self._mark_dirty()
        return changed

    def set_escalation_edits(self, edits: dict[str, EscalationEdit]) -> int:
        """Store people's Resolved on / Outcome by form ID; returns how many escalations changed."""
        rows = [(date_text(e.resolved_on), e.outcome or "", form_id) for form_id, e in edits.items()]
        with self.transaction():
            changed = self._conn.executemany(
                "UPDATE escalations SET resolved_on = ?1, outcome = ?2 WHERE form_id = ?3 AND NOT "
                "(COALESCE(resolved_on, '') = COALESCE(?1, '') AND outcome = ?2)", rows).rowcount
            changed += self._conn.executemany(  # concerns read from rejected files (processors/store/concerns.py)
                "UPDATE rejected_concerns SET resolved_on = ?1, outcome = ?2 WHERE form_id = ?3 AND NOT "
                "(COALESCE(resolved_on, '') = COALESCE(?1, '') AND outcome = ?2)", rows).rowcount
            if changed:
                self._mark_dirty()
        return changed

    def mark_chased(self, action_ids: Iterable[str], when: date | None = None) -> None:
        stamp = date_text(when or date.today())
        with self.transaction():
            self._conn.executemany("UPDATE actions SET last_chased = ? WHERE action_id = ?",
                                   [(stamp, a) for a in action_ids])
            self._mark_dirty()

    def mark_forms_chased(self, form_ids: Iterable[str], when: date | None = None) -> None:
        """Remember the day an allocated form's auditor (or their manager) was last reminded of it."""
        stamp = date_text(when or date.today())
        with self.transaction():
            self._conn.executemany("UPDATE work_items SET last_chased = ? WHERE form_id = ?",
                                   [(stamp, f) for f in form_ids])
            self._mark_dirty()

    def forms_last_chased(self, form_ids: Collection[str] | None = None) -> dict[str, date]:
        """The day each allocated form was last chased, by form ID (forms never chased are left out)."""
        among, params = self._among("form_id", form_ids, "AND")
        rows = self._rows(f"SELECT form_id, last_chased FROM work_items WHERE last_chased IS NOT NULL{among}", params)
        return {form_id: date.fromisoformat(day) for form_id, day in rows}

    def mark_escalation_notified(self, form_id: str, when: datetime | None = None) -> None:
        self._mark_notified("escalations", form_id, when)

    def mark_good_practice_notified(self, form_id: str, when: datetime | None = None) -> None:
        self._mark_notified("good_practice", form_id, when)

    def _mark_notified(self, table: str, form_id: str, when: datetime | None) -> None:
        with self.transaction():
            self._conn.execute(f"UPDATE {table} SET notified_at = ? WHERE form_id = ?",
                               (dt_text(when or datetime.now()), form_id))
            self._mark_dirty()

    # -- emails sent and reminders (their own small tables) --

    def record_sent(self, sent: SentRecord) -> None:
        """One email attempt; the register's Sent sheet shows it on its next rewrite."""
        self.execute("INSERT INTO sent (sent_at, kind, subject, recipients, attachments, backend, result, detail) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (dt_text(sent.sent_at), sent.kind, sent.subject, sent.recipients, sent.attachments,
                      sent.backend, sent.result, sent.detail))

    def sent(self) -> list[SentRecord]:
        """Every email attempt, oldest first."""
        rows = self._rows("SELECT sent_at, kind, subject, recipients, attachments, backend, result, detail FROM sent "
                          "ORDER BY sent_at, id")
        return [SentRecord(datetime.fromisoformat(sent_at), *rest) for sent_at, *rest in rows]

    def reminder_sent_between(self, kind: str, target_id: str, recipient: str, first: date, last: date) -> bool:
        """True when this reminder was recorded on a day from ``first`` to ``last`` (inclusive)."""
        return bool(self._rows(
            "SELECT 1 FROM reminders WHERE kind = ? AND target_id = ? AND recipient = ? AND sent_on BETWEEN ? AND ? "
            "LIMIT 1", (kind, target_id, recipient.casefold(), first.isoformat(), last.isoformat())))

    def first_reminder(self, kind: str, target_id: str) -> date | None:
        """The first day a reminder of this kind about this target was recorded, if ever."""
        rows = self._rows("SELECT MIN(sent_on) FROM reminders WHERE kind = ? AND target_id = ?", (kind, target_id))
        return date.fromisoformat(rows[0][0]) if rows and rows[0][0] else None

    def record_reminder(self, kind: str, target_id: str, recipient: str, day: date) -> None:
        """Remember that this reminder went today (once per kind, target, recipient and day)."""
        self.execute("INSERT OR IGNORE INTO reminders (kind, target_id, recipient, sent_on) VALUES (?, ?, ?, ?)",
                     (kind, target_id, recipient.casefold(), day.isoformat()), dirty=False)

    # -- queries --

    @contextmanager
    def reading_once(self) -> Iterator[None]:
        """Read-only work that asks for many tables (a report's snapshot): each reads the form records once.
        Nested, the outer one decides."""
        if self._memo is not None:
            yield
            return
        self._memo = {}
        try:
            yield
        finally:
            self._memo = None

    def _once(self, key: str, read: Callable[[], Any]) -> Any:
        if self._memo is None:
            return read()
        if key not in self._memo:
            self._memo[key] = read()
        return self._memo[key]

    def _work_item_map(self, form_ids: Collection[str] | None = None) -> dict[str, WorkItem]:
        if form_ids is not None:
            return {w.form_id: w for w in self.work_items(form_ids=form_ids)}
        return self._once("work_items", lambda: {w.form_id: w for w in self.work_items()})

    def _form_records(self, where: str = "", params: Sequence[object] = (),
                      form_ids: Collection[str] | None = None) -> list[FormRecord]:
        items = self._work_item_map(form_ids)
        among, more = self._among("form_id", form_ids, "AND" if where else "WHERE")
        rows = self._rows(f"SELECT {_FORM_COLUMNS} FROM forms {where}{among} ORDER BY received, form_id, version",
                          tuple(params) + more)
        return [form_record(row, items.get(row[1])) for row in rows]

    def forms(self, include_superseded: bool = False, form_ids: Collection[str] | None = None) -> list[FormRecord]:
        """Recorded forms, oldest first: the current version of each, or every version (of ``form_ids`` only,
        when given)."""
        where = "" if include_superseded else "WHERE superseded = 0"
        if form_ids is not None:
            return self._form_records(where, (), form_ids)
        return list(self._once(f"forms{where}", lambda: self._form_records(where)))

    def form(self, form_id: str) -> FormRecord | None:
        """The current version of one form, looked up by key (never by loading every form)."""
        rows = self._rows(f"SELECT {_FORM_COLUMNS} FROM forms WHERE form_id = ? AND superseded = 0", (form_id,))
        return form_record(rows[0], self.work_item(form_id)) if rows else None

    def has_forms(self) -> bool:
        """True when any form has ever been recorded."""
        return bool(self._rows("SELECT 1 FROM forms LIMIT 1"))

    def sent_since(self, kind: str, subject: str, since: str) -> bool:
        """True when an email of this kind and subject was recorded as sent at or after `since` (ISO time)."""
        return bool(self._rows("SELECT 1 FROM sent WHERE kind = ? AND subject = ? AND result = 'sent' "
                               "AND sent_at >= ? LIMIT 1", (kind, subject, since)))

    def pending_notices(self) -> dict[str, list[str]]:
        """Form IDs whose escalation alert or good-practice notice has not gone yet, oldest first, by kind."""
        escalations = self._rows("SELECT form_id FROM escalations WHERE current = 1 AND notified_at IS NULL "
                                 "ORDER BY raised, form_id")
        good = self._rows("SELECT g.form_id FROM good_practice g JOIN forms f ON f.id = g.form_pk "
                          "WHERE g.current = 1 AND g.notified_at IS NULL AND f.form_type = ? "
                          "ORDER BY g.recorded, g.form_id", ("good_practice",))
        return {"escalation": [r[0] for r in escalations], "good_practice": [r[0] for r in good]}

    def form_versions(self, form_id: str) -> list[FormRecord]:
        return sorted(self._form_records("WHERE form_id = ?", (form_id,)), key=lambda f: f.version)

    def _current_by_pk(self, form_ids: Collection[str] | None = None) -> dict[int, FormRecord]:
        def read() -> dict[int, FormRecord]:
            items = self._work_item_map(form_ids)
            among, params = self._among("form_id", form_ids, "AND")
            rows = self._rows(f"SELECT {_FORM_COLUMNS} FROM forms WHERE superseded = 0{among}", params)
            return {row[0]: form_record(row, items.get(row[1])) for row in rows}
        return read() if form_ids is not None else self._once("current_by_pk", read)

    def grades(self, form_ids: Collection[str] | None = None) -> list[GradeRecord]:
        """Domain grades of the current version of each form (of ``form_ids`` only, when given)."""
        forms = self._current_by_pk(form_ids)
        among, params = self._among("f.form_id", form_ids, "AND")
        rows = self._rows("SELECT g.form_pk, g.domain, g.grade FROM grades g JOIN forms f ON f.id = g.form_pk "
                          f"WHERE f.superseded = 0{among} ORDER BY f.received, f.form_id, g.rowid", params)
        return [grade_record(forms[pk], domain, grade) for pk, domain, grade in rows]

    def actions(self, form_id: str | None = None, form_ids: Collection[str] | None = None) -> list[ActionRecord]:
        """Actions of every form, or of one form (or of ``form_ids``) looked up by key (never by loading every
        form)."""
        if form_id is not None:
            form_ids = (form_id,)
        forms = self._current_by_pk(form_ids)
        where, params = self._among("form_id", form_ids)
        rows = self._rows("SELECT action_id, form_id, number, text, owner, due, status, completed_on, notes, "
                          f"last_chased, form_pk FROM actions{where} ORDER BY form_id, number", params)
        return [action_record(row, forms.get(row[10])) for row in rows]

    def escalations(self, form_ids: Collection[str] | None = None) -> list[EscalationRecord]:
        forms = {f.form_id: f for f in self.forms(form_ids=self._ids_in("escalations", form_ids))}
        where, params = self._among("form_id", form_ids)
        rows = self._rows("SELECT form_id, version, details, route, raised, current, notified_at, resolved_on, "
                          f"outcome FROM escalations{where} ORDER BY raised, form_id", params)
        recorded = [escalation_record(row, forms[row[0]]) for row in rows]
        on_rejected = [e for e in rejected_escalations(self) if form_ids is None or e.form_id in form_ids]
        return sorted(recorded + on_rejected, key=lambda e: (e.raised, e.form_id))

    def good_practice(self, form_ids: Collection[str] | None = None) -> list[GoodPracticeRecord]:
        forms = {f.form_id: f for f in self.forms(form_ids=self._ids_in("good_practice", form_ids))}
        where, params = self._among("form_id", form_ids)
        rows = self._rows("SELECT form_id, version, summary, difference, nominated_by, trust_values, senior_leader, "
                          f"share, recorded, current, notified_at FROM good_practice{where} ORDER BY recorded, form_id",
                          params)
        return [good_practice_record(row, forms[row[0]]) for row in rows]

    def _ids_in(self, table: str, form_ids: Collection[str] | None) -> Collection[str]:
        """``form_ids``, or every form ID ``table`` has: only the forms a small table needs are read."""
        if form_ids is not None:
            return form_ids
        return [r[0] for r in self._rows(f"SELECT DISTINCT form_id FROM {table}")]

    # -- reading everything a page at a time (the register's full write: memory flat whatever the store holds) --

    def current_form_ids(self) -> list[str]:
        """The current forms' IDs in the order ``forms()`` gives them (received, then form ID)."""
        return [r[0] for r in self._rows("SELECT form_id FROM forms WHERE superseded = 0 ORDER BY received, form_id")]

    def action_form_ids(self) -> list[str]:
        """The IDs of the forms that have actions, in the order ``actions()`` gives them."""
        return [r[0] for r in self._rows("SELECT DISTINCT form_id FROM actions ORDER BY form_id")]

    def work_item_ids(self) -> list[str]:
        """Every allocated form's ID, in the order ``work_items()`` and ``allocations()`` give them."""
        return [r[0] for r in self._rows("SELECT form_id FROM work_items ORDER BY cycle_id, form_id")]

    def sent_log_pages(self, size: int = 2000) -> Iterator[list[tuple[datetime, str, str, str, str, str, str]]]:
        """``sent_log()`` a page at a time, in the same order."""
        after: tuple[str, int] = ("", -1)
        while True:
            rows = self._rows("SELECT sent_at, kind, subject, recipients, attachments, backend, result, id FROM sent "
                              "WHERE (sent_at, id) > (?, ?) ORDER BY sent_at, id LIMIT ?", (*after, size))
            if not rows:
                return
            after = (rows[-1][0], rows[-1][-1])
            yield [(datetime.fromisoformat(at), *rest[:-1]) for at, *rest in rows]

    def rejections(self) -> list[RejectionRecord]:
        rows = self._rows("SELECT file, received, reason, sha256 FROM rejected ORDER BY received, id")
        return [RejectionRecord(file, parse_dt(received) or datetime.min, reason, sha) for file, received, reason, sha
                in rows]

    def sent_log(self) -> list[tuple[datetime, str, str, str, str, str, str]]:
        """Every email attempt, oldest first: (sent at, kind, subject, recipients, attachments, backend, result)."""
        rows = self._rows("SELECT sent_at, kind, subject, recipients, attachments, backend, result FROM sent "
                          "ORDER BY sent_at, id")
        return [(datetime.fromisoformat(at), *rest) for at, *rest in rows]

    def allocations(self, cycle_id: str | None = None,
                    form_ids: Collection[str] | None = None) -> list[AllocationRecord]:
        among, params = self._among("form_id", form_ids, "AND")
        generated = dict(self._rows(f"SELECT form_id, generated_at FROM work_items WHERE 1 = 1{among}", params))
        returned = {row[0]: row[1:] for row in self._rows(
            f"SELECT form_id, received, version FROM forms WHERE superseded = 0{among}", params)}
        rejected = {row[0] for row in self._rows(
            f"SELECT DISTINCT form_id FROM rejected WHERE form_id != ''{among}", params)}
        return [AllocationRecord(item, parse_dt(generated.get(item.form_id)),
                                 parse_dt(returned.get(item.form_id, (None, 0))[0]),
                                 returned.get(item.form_id, (None, 0))[1],
                                 item.form_id in rejected and item.form_id not in returned)
                for item in self.work_items(cycle_id, form_ids)]
