"""The SQLite store: migrations, recording forms and versions, people's edits, transactions."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from processors.errors import QAError
from processors.forms.models import ActionItem, Case, FormIdentity, ParsedForm, Rejection, ValidatedForm, WorkItem
from processors.store.database import REGISTER_DIRTY, ActionEdit, RecordOutcome, Store
from processors.store.schema import MIGRATIONS, migrate

CASE = Case("CF1000001", "T.E.", 9, "Child in Need", "Safeguarding North", "North Team 2", "Priya Testwell",
            "Morgan Samplemanager")


def make_item(form_id: str = "TPA-2025C1-001", cycle: str = "2025-C1", case: Case = CASE) -> WorkItem:
    return WorkItem("thematic_audit", case, cycle, form_id, auditor="Alex Fictional",
                    auditor_email="alex.fictional@example-trust.org.uk", auditor_role="Service Manager",
                    theme="Neglect", due_date=date(2025, 3, 14))


def make_form(form_id: str = "TPA-2025C1-001", sha: str = "sha-1", *, grade: str = "Good", concern: bool = False,
              actions: int = 2, form_type: str = "thematic_audit", received: datetime | None = None,
              **values: object) -> ValidatedForm:
    parsed = ParsedForm(Path(f"/inbox/{form_id}.docx"), FormIdentity(form_id, form_type, "1.0", "2025-C1"),
                        form_type, {}, sha)
    all_values: dict[str, object] = {
        "overall_grade": grade, "immediate_concern": "Yes" if concern else "No",
        "audit_date": date(2025, 3, 1), "strengths": "Clear plan", "case_id": CASE.case_id}
    if concern:
        all_values["immediate_concern_details"] = "Home conditions seen as unsafe; IRO alerted"
        all_values["escalation_route"] = "IRO / CP Chair escalation (Care First)"
    all_values.update(values)
    return ValidatedForm(
        parsed, form_id, form_type, CASE.case_id, all_values,
        grades={"voice_of_child": grade, "planning": "Requires Improvement"},
        actions=[ActionItem(n, f"Action {n} for {form_id}", "Morgan Samplemanager", date(2025, 4, n))
                 for n in range(1, actions + 1)],
        received=received or datetime(2025, 3, 2, 10, 30))


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "qa.sqlite3") as s:
        yield s


# --- migrations --------------------------------------------------------------------------------

def test_migrations_are_recorded_and_reopening_applies_nothing(tmp_path: Path) -> None:
    db = tmp_path / "qa.sqlite3"
    with Store(db) as first:
        assert first.applied_migrations() == [(n, name) for n, name, _ in MIGRATIONS]
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        assert migrate(conn) == []
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    with Store(db) as again:
        assert len(again.applied_migrations()) == len(MIGRATIONS)


def test_new_migrations_run_once_in_order_and_a_failing_one_leaves_nothing(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    calls: list[int] = []

    def add_column(c: sqlite3.Connection) -> None:
        calls.append(2)
        c.execute("ALTER TABLE t ADD COLUMN extra TEXT")

    steps = [(1, "table t", "CREATE TABLE t (a TEXT);"), (2, "t.extra", add_column)]
    assert migrate(conn, steps) == [1, 2]
    assert migrate(conn, steps) == []
    assert calls == [2]
    broken = [*steps, (3, "broken", "CREATE TABLE u (a TEXT); CREATE TABLE t (b TEXT);")]
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "u" not in tables
    assert [r[0] for r in conn.execute("SELECT number FROM schema_migrations")] == [1, 2]
    conn.close()


def test_database_from_a_newer_version_is_refused_plainly(tmp_path: Path) -> None:
    db = tmp_path / "qa.sqlite3"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', '2030-01-01')")
    conn.commit()
    conn.close()
    with pytest.raises(QAError, match="newer version"):
        Store(db)


def test_a_file_that_is_not_a_database_gives_a_plain_error(tmp_path: Path) -> None:
    db = tmp_path / "qa.sqlite3"
    db.write_bytes(b"this is a spreadsheet, honest" * 100)
    with pytest.raises(QAError, match="not a QA database"):
        Store(db)


# --- work items --------------------------------------------------------------------------------

def test_work_items_round_trip_and_upsert(store: Store) -> None:
    item = make_item()
    store.add_work_items([item, make_item("TPA-2025C2-001", cycle="2025-C2")], generated_at=datetime(2025, 3, 1))
    assert store.work_item(item.form_id) == item
    assert [w.form_id for w in store.work_items("2025-C1")] == [item.form_id]
    changed = WorkItem(item.form_type, item.case, item.cycle_id, item.form_id, auditor="Robin Madeup")
    store.add_work_items([changed])
    assert store.work_item(item.form_id).auditor == "Robin Madeup"
    assert len(store.work_items()) == 2
    allocation = {a.item.form_id: a for a in store.allocations()}[item.form_id]
    assert allocation.generated_at == datetime(2025, 3, 1)  # kept by the upsert without a time
    assert allocation.version == 0 and allocation.received is None
    assert store.work_item("nope") is None


def test_work_item_without_form_id_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="no form ID"):
        store.add_work_items([make_item(form_id="")])


# --- recording forms ---------------------------------------------------------------------------

def test_new_form_writes_grades_actions_and_is_matched_to_its_allocation(store: Store) -> None:
    store.add_work_items([make_item()])
    assert store.record_form(make_form(), "/processed/a.docx") is RecordOutcome.NEW
    (form,) = store.forms()
    assert (form.version, form.overall_grade, form.practitioner, form.auditor, form.theme) == (
        1, "Good", "Priya Testwell", "Alex Fictional", "Neglect")
    assert form.values["audit_date"] == date(2025, 3, 1)  # dates come back as dates
    assert [(g.domain_label, g.grade) for g in store.grades()] == [
        ("Voice of the child", "Good"), ("Planning", "Requires Improvement")]
    assert [(a.action_id, a.status, a.due) for a in store.actions()] == [
        ("TPA-2025C1-001-A1", "Open", date(2025, 4, 1)), ("TPA-2025C1-001-A2", "Open", date(2025, 4, 2))]
    assert store.has_file("sha-1") and not store.has_file("sha-2")
    assert store.allocations()[0].version == 1


def test_the_same_file_is_recorded_once(store: Store) -> None:
    assert store.record_form(make_form(), "a.docx") is RecordOutcome.NEW
    assert store.record_form(make_form(), "copy of a.docx") is RecordOutcome.DUPLICATE
    assert len(store.forms(include_superseded=True)) == 1
    assert len(store.actions()) == 2 and len(store.grades()) == 2


def test_a_corrected_form_supersedes_keeps_history_and_keeps_peoples_edits(store: Store) -> None:
    store.record_form(make_form(actions=3), "v1.docx")
    store.set_action_edits({
        "TPA-2025C1-001-A1": ActionEdit("Completed", date(2025, 4, 3), "Done at core group"),
        "TPA-2025C1-001-A2": ActionEdit("In progress", None, "Chased by phone")})
    store.mark_chased(["TPA-2025C1-001-A2"], date(2025, 4, 10))
    corrected = make_form(sha="sha-2", grade="Inadequate", actions=2, received=datetime(2025, 3, 5, 9, 0))
    assert store.record_form(corrected, "v2.docx") is RecordOutcome.SUPERSEDED

    history = store.form_versions("TPA-2025C1-001")
    assert [(f.version, f.superseded, f.source_file) for f in history] == [
        (1, True, "v1.docx"), (2, False, "v2.docx")]
    assert [(f.version, f.overall_grade) for f in store.forms()] == [(2, "Inadequate")]
    assert {g.grade for g in store.grades() if g.domain == "voice_of_child"} == {"Inadequate"}
    actions = {a.action_id: a for a in store.actions()}
    assert set(actions) == {"TPA-2025C1-001-A1", "TPA-2025C1-001-A2"}  # action 3 was dropped by the correction
    assert actions["TPA-2025C1-001-A1"].edit == ActionEdit("Completed", date(2025, 4, 3), "Done at core group")
    assert actions["TPA-2025C1-001-A2"].status == "In progress"
    assert actions["TPA-2025C1-001-A2"].last_chased == date(2025, 4, 10)
    assert actions["TPA-2025C1-001-A1"].text == "Action 1 for TPA-2025C1-001"
    assert store.form("TPA-2025C1-001").version == 2


def test_escalation_is_recorded_and_a_correction_without_concern_keeps_it_as_history(store: Store) -> None:
    store.record_form(make_form(concern=True), "a.docx")
    (esc,) = store.escalations()
    assert (esc.current, esc.route, esc.case_id) == (True, "IRO / CP Chair escalation (Care First)", CASE.case_id)
    assert "unsafe" in esc.details and esc.notified_at is None
    store.mark_escalation_notified(esc.form_id, datetime(2025, 3, 2, 11, 0))
    store.record_form(make_form(sha="sha-2", concern=False), "b.docx")
    (esc,) = store.escalations()
    assert (esc.current, esc.version, esc.notified_at) == (False, 1, datetime(2025, 3, 2, 11, 0))


def test_good_practice_records_from_both_kinds_of_form(store: Store) -> None:
    gp = make_form("GPR-0001", "sha-gp", form_type="good_practice", actions=0, practitioner="Sam Invented",
                   team="Fostering East", nominated_by="Jo Notreal", what_was_done="Stayed late to settle a child",
                   difference_for_child="Child slept at home", value_child_focussed=True,
                   value_good_communicators=True, value_inspiration=False, senior_leader="Dr Pat Imaginary",
                   share_across_workforce="Yes")
    store.record_form(gp, "gp.docx")
    observation = make_form("OBS-0001", "sha-obs", form_type="practice_observation",
                            good_practice="Lovely direct work using three houses")
    store.record_form(observation, "obs.docx")
    store.record_form(make_form("TPA-0002", "sha-tpa"), "tpa.docx")  # no good practice in it
    records = {g.form_id: g for g in store.good_practice()}
    assert set(records) == {"GPR-0001", "OBS-0001"}
    assert records["GPR-0001"].trust_values == ("Child focussed", "Good communicators")
    assert (records["GPR-0001"].practitioner, records["GPR-0001"].nominated_by) == ("Sam Invented", "Jo Notreal")
    assert records["OBS-0001"].summary == "Lovely direct work using three houses"


def test_rejections_are_recorded_once_per_content_and_cleared_when_the_file_is_recorded(store: Store) -> None:
    assert store.record_rejection(Rejection(Path("odd.docx"), "no form ID", datetime(2025, 3, 1)), "sha-1")
    assert not store.record_rejection(Rejection(Path("odd.docx"), "still no form ID"), "sha-1")
    assert store.record_rejection(Rejection(Path("big.pdf"), "not a Word document"), None)
    assert [r.reason for r in store.rejections()] == ["still no form ID", "not a Word document"]
    store.record_form(make_form(sha="sha-1"), "odd.docx")  # e.g. accepted once its allocation was loaded
    assert [r.file for r in store.rejections()] == ["big.pdf"]


# --- edits, transactions, state ----------------------------------------------------------------

def test_action_edits_are_normalised_and_unknown_ids_ignored(store: Store) -> None:
    store.record_form(make_form(), "a.docx")
    changed = store.set_action_edits({"TPA-2025C1-001-A1": ActionEdit("not REQUIRED", None, "dup of A2"),
                                      "TPA-9999-A1": ActionEdit("Completed")})
    assert changed == 1
    assert store.actions()[0].status == "Not required" and not store.actions()[0].is_open
    assert store.set_action_edits({"TPA-2025C1-001-A1": ActionEdit("Not required", None, "dup of A2")}) == 0


def test_a_failed_batch_leaves_nothing_half_written(store: Store) -> None:
    store.record_form(make_form("TPA-0001", "sha-a"), "a.docx")
    with pytest.raises(RuntimeError), store.transaction():
        store.record_form(make_form("TPA-0002", "sha-b"), "b.docx")
        store.set_action_edits({"TPA-0001-A1": ActionEdit("Completed", date(2025, 5, 1))})
        raise RuntimeError("disk pulled out")
    assert [f.form_id for f in store.forms()] == ["TPA-0001"]
    assert store.actions()[0].status == "Open"
    assert not store.has_file("sha-b")


def test_a_form_that_fails_midway_writes_nothing(store: Store) -> None:
    broken = make_form("TPA-0003", "sha-c")
    broken.actions.append(broken.actions[0])  # the same action number twice: the action insert fails
    with pytest.raises(sqlite3.IntegrityError):
        store.record_form(broken, "c.docx")
    assert store.forms(include_superseded=True) == [] and store.grades() == [] and store.actions() == []
    assert store.record_form(make_form("TPA-0003", "sha-c"), "c.docx") is RecordOutcome.NEW


def test_nested_transaction_failure_only_undoes_the_inner_part(store: Store) -> None:
    with store.transaction():
        store.set_state("delta_link", "https://example.invalid/delta?token=1")
        with pytest.raises(KeyError), store.transaction():
            store.set_state("delta_link", "half-written")
            raise KeyError("x")
    assert store.get_state("delta_link") == "https://example.invalid/delta?token=1"


def test_state_and_register_dirty_flag(store: Store) -> None:
    assert store.get_state("missing", "default") == "default"
    assert not store.register_dirty
    store.record_form(make_form(), "a.docx")
    assert store.register_dirty and store.get_state(REGISTER_DIRTY) == "1"
    store.set_state(REGISTER_DIRTY, None)
    assert not store.register_dirty


def test_store_is_usable_from_several_threads(store: Store) -> None:
    errors: list[BaseException] = []

    def record(n: int) -> None:
        try:
            store.record_form(make_form(f"TPA-{n:04d}", f"sha-{n}"), f"{n}.docx")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(store.forms()) == 8


# --- per-form lookups by key (issue 16) ---------------------------------------------------------

def test_one_forms_actions_are_found_by_key_and_match_the_full_list(store: Store) -> None:
    store.add_work_items([make_item("TPA-2025C1-001"), make_item("TPA-2025C1-002")])
    store.record_form(make_form("TPA-2025C1-001", "sha-1", actions=2), "a.docx")
    store.record_form(make_form("TPA-2025C1-002", "sha-2", actions=3), "b.docx")
    store.record_form(make_form("TPA-2025C1-002", "sha-3", actions=1, grade="Inadequate"), "b2.docx")
    mine = store.actions("TPA-2025C1-002")
    assert mine == [a for a in store.actions() if a.form_id == "TPA-2025C1-002"]
    assert [(a.action_id, a.case_id, a.team, a.auditor) for a in mine] == [
        ("TPA-2025C1-002-A1", CASE.case_id, CASE.team, "Alex Fictional")]
    assert store.actions("TPA-2025C1-404") == []


@pytest.mark.parametrize("sql, params", [
    ("SELECT form_id FROM escalations WHERE current = 1 AND notified_at IS NULL ORDER BY raised, form_id", ()),
    ("SELECT form_id FROM good_practice WHERE current = 1 AND notified_at IS NULL ORDER BY recorded, form_id", ()),
    ("SELECT sha256 FROM rejected_concerns WHERE notified_at IS NULL ORDER BY raised, sha256", ()),
    ("SELECT action_id FROM actions WHERE form_id = ?", ("X",)),
    ("SELECT id FROM forms WHERE form_id = ? AND superseded = 0", ("X",)),
    ("SELECT 1 FROM forms WHERE sha256 = ?", ("X",)),
    ("SELECT 1 FROM sent WHERE kind = ? AND subject = ? AND sent_at >= ?", ("a", "b", "c")),
])
def test_what_intake_asks_per_form_is_answered_from_an_index(store: Store, sql: str, params: tuple) -> None:
    """A search by key, or a walk over a partial index that holds only what is still pending: never the table."""
    for *_, step in store.query(f"EXPLAIN QUERY PLAN {sql}", params):
        assert "INDEX" in step or "PRIMARY KEY" in step, step
        assert "TEMP B-TREE" not in step, step
