"""The store's schema: numbered migrations, applied in order at open and recorded in ``schema_migrations``.

Never edit a migration that has shipped: append a new one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime

from processors.errors import StoreTooNew
from processors.store.records import dt_text

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

_REJECTED_CONCERNS = """
CREATE TABLE rejected_concerns (
    sha256       TEXT PRIMARY KEY,
    form_id      TEXT NOT NULL,
    form_type    TEXT NOT NULL DEFAULT '',
    case_id      TEXT NOT NULL DEFAULT '',
    legal_status TEXT NOT NULL DEFAULT '',
    service      TEXT NOT NULL DEFAULT '',
    team         TEXT NOT NULL DEFAULT '',
    practitioner TEXT NOT NULL DEFAULT '',
    auditor      TEXT NOT NULL DEFAULT '',
    file         TEXT NOT NULL,
    details      TEXT NOT NULL DEFAULT '',
    route        TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    raised       TEXT NOT NULL,
    notified_at  TEXT,
    resolved_on  TEXT,
    outcome      TEXT NOT NULL DEFAULT ''
);
"""

_ASSURANCE = """
CREATE TABLE assurance (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    source_file TEXT NOT NULL,
    row_number  INTEGER NOT NULL,
    period      TEXT NOT NULL,
    values_json TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX assurance_kind ON assurance (kind, period);
"""

# Issue 16: what intake asks once per returned form is found by key, so its cost does not grow with history.
_LOOKUP_INDEXES = """
CREATE INDEX escalations_pending ON escalations (raised, form_id) WHERE current = 1 AND notified_at IS NULL;
CREATE INDEX good_practice_pending ON good_practice (recorded, form_id) WHERE current = 1 AND notified_at IS NULL;
CREATE INDEX rejected_concerns_pending ON rejected_concerns (raised, sha256) WHERE notified_at IS NULL;
CREATE INDEX rejected_form ON rejected (form_id);
CREATE INDEX actions_form_pk ON actions (form_pk);
CREATE INDEX sent_subject ON sent (kind, subject, sent_at);
CREATE INDEX forms_received ON forms (received, form_id, version);
"""

# Issue 16: what changed since the register was last written, so the watcher rewrites only the rows of the forms
# that changed. Each write to a table the register shows logs the form it concerns ('' for a change that is not
# about one form, such as an imported export), by triggers, so no code path that writes can forget to.
_FORM_TABLES = {  # table -> how a row names its form
    "forms": "{row}.form_id", "actions": "{row}.form_id", "escalations": "{row}.form_id",
    "good_practice": "{row}.form_id", "work_items": "{row}.form_id", "rejected": "{row}.form_id",
    "rejected_concerns": "{row}.form_id",
    "grades": "(SELECT form_id FROM forms WHERE id = {row}.form_pk)",
    "sent": "''", "assurance": "''",
}


def _change_log(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, tab TEXT NOT NULL, "
                 "form_id TEXT NOT NULL)")
    for table, form in _FORM_TABLES.items():
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            conn.execute(f"CREATE TRIGGER {table}_{event.lower()}_logged AFTER {event} ON {table} BEGIN "
                         f"INSERT INTO changes (tab, form_id) VALUES ('{table}', "
                         f"COALESCE({form.format(row=row)}, '')); END")


# Issue 16: a quarter's reports read its date range and the keys it needs, never the whole history.
_PERIOD_INDEXES = """
CREATE INDEX forms_case ON forms (case_id COLLATE NOCASE, received);
CREATE INDEX forms_type_received ON forms (form_type, superseded, received);
CREATE INDEX actions_due ON actions (due);
CREATE INDEX actions_completed ON actions (completed_on);
CREATE INDEX escalations_raised ON escalations (raised);
CREATE INDEX good_practice_recorded ON good_practice (recorded);
CREATE INDEX work_items_due ON work_items (due_date);
CREATE INDEX work_items_generated ON work_items (generated_at) WHERE due_date IS NULL;
"""

# Issue 16: the names a leaders' report hides (every child's initials and practitioner's name the store has seen,
# however old the form or allocation that named them), kept by triggers as forms and allocations are written, so a
# report reads this small table whole rather than every form's values. A name once seen stays: it is hidden
# for ever, even after the form that named it is corrected.
_NAMED_SOURCES = {  # table -> (the columns whose change may name someone, {kind: the name in a row})
    "forms": ("values_json", {  # values the store wrote are JSON; anything else names no one rather than failing
        kind: f"CASE WHEN json_valid({{row}}values_json) THEN json_extract({{row}}values_json, '$.{key}') END"
        for kind, key in (("initials", "child_initials"), ("name", "practitioner"))}),
    "work_items": ("child_initials, practitioner", {"initials": "{row}child_initials",
                                                    "name": "{row}practitioner"}),
}


def _people_named(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE people_named (kind TEXT NOT NULL CHECK (kind IN ('initials', 'name')), "
                 "name TEXT NOT NULL, PRIMARY KEY (kind, name)) WITHOUT ROWID")
    for table, (columns, named) in _NAMED_SOURCES.items():
        for kind, expression in named.items():  # what is stored already: every version of every form and allocation
            value = f"CAST({expression.format(row='')} AS TEXT)"
            conn.execute(f"INSERT OR IGNORE INTO people_named (kind, name) SELECT DISTINCT '{kind}', {value} "
                         f"FROM {table} WHERE {value} != ''")
        # not OR IGNORE: an outer statement's conflict clause (the upserts of work items) overrides a trigger's
        inserts = " ".join(
            f"INSERT INTO people_named (kind, name) SELECT '{kind}', {value} WHERE {value} != '' AND NOT EXISTS "
            f"(SELECT 1 FROM people_named WHERE kind = '{kind}' AND name = {value});"
            for kind, value in ((k, f"CAST({e.format(row='NEW.')} AS TEXT)") for k, e in named.items()))
        conn.execute(f"CREATE TRIGGER {table}_insert_named AFTER INSERT ON {table} BEGIN {inserts} END")
        conn.execute(f"CREATE TRIGGER {table}_update_named AFTER UPDATE OF {columns} ON {table} BEGIN {inserts} END")


MIGRATIONS: list[Migration] = [
    (1, "initial schema", _INITIAL),
    (2, "sent emails", _SENT),
    (3, "reminders", _REMINDERS),
    (4, "allocated forms: last chased", _FORMS_CHASED),
    (5, "escalations: resolved on and outcome",
     "ALTER TABLE escalations ADD COLUMN resolved_on TEXT; "
     "ALTER TABLE escalations ADD COLUMN outcome TEXT NOT NULL DEFAULT '';"),
    (6, "forms: when the document was last saved", "ALTER TABLE forms ADD COLUMN saved_at TEXT;"),
    (7, "concerns on rejected files", _REJECTED_CONCERNS),
    (8, "rejected files: the form they answer", "ALTER TABLE rejected ADD COLUMN form_id TEXT NOT NULL DEFAULT '';"),
    (9, "other sources of assurance (imported exports)", _ASSURANCE),
    (10, "indexes for looking up by key what intake asks per form", _LOOKUP_INDEXES),
    (11, "a log of changes, for writing the register row by row", _change_log),
    (12, "indexes for reading a quarter's reports by date range and key", _PERIOD_INDEXES),
    (13, "the names reports hide, kept as forms and allocations are written", _people_named),
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
        raise StoreTooNew("The database was written by a newer version of this software: update the software "
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
                     (number, name, dt_text(datetime.now())))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
