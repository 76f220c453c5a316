"""The SharePoint watcher, against a loopback Graph holding a document library with real returned forms."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from processors.config.settings import Settings, load_settings
from processors.demo.fill import fill_form
from processors.errors import ConfigError
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator
from processors.graph.client import GraphClient
from processors.intake.pipeline import Pipeline
from processors.store.database import Store
from tests.conftest import write_config
from tests.fake_graph import CLIENT_ID, DRIVE, TENANT, TOKEN, FakeGraph, fake_graph, token_backend
from tests.returned_forms import thematic_answers
from watchers.sharepoint import DELTA_KEY, DELTA_SELECT, PENDING_KEY, DocumentLibrary, Pending, SharePointWatcher

ENV = {"QA_GRAPH_TENANT_ID": TENANT, "QA_GRAPH_CLIENT_ID": CLIENT_ID, "QA_GRAPH_CLIENT_SECRET": "not-a-real-secret"}
CASE = Case("CF1357911", "J.K.", 9, "Child in Need", "Safeguarding and Family Support", "Kettering CIN 2",
            "Tomasz Wiśniewski", "Grace O'Neill")
FIRST = WorkItem("thematic_audit", CASE, "2026-C10", form_id="2026-C10-TPA-001", auditor="Mo Farah", theme="Neglect")
SECOND = WorkItem("thematic_audit", CASE, "2026-C10", form_id="2026-C10-TPA-002", auditor="Mo Farah",
                  theme="Neglect")
INBOX, PROCESSED, REJECTED = "QA Returns", "QA Returns/Processed", "QA Returns/Rejected"
NOT_A_FORM = bytes.fromhex("89504E470D0A1A0A") + b"\0" * 100  # a PNG: rejected with a reason


def form_bytes(settings: Settings, item: WorkItem = FIRST, **changes: object) -> bytes:
    generator = FormGenerator(settings.path("templates"), "Trust", 14)
    return fill_form(generator.render(item), thematic_answers(**changes))


def returned(settings: Settings, item: WorkItem, answers: dict[str, object], name: str) -> Path:
    """A filled-in form in the local inbox (used by the Graph mail tests too)."""
    path = settings.path("inbox") / name
    generator = FormGenerator(settings.path("templates"), "Trust", 14)
    path.write_bytes(fill_form(generator.render(item), answers))
    return path


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    with fake_graph(page_size=2) as server:
        server.add_folder(INBOX)
        yield server


def configure(tmp_path: Path, fake: FakeGraph, **overrides: object) -> Settings:
    graph = {"base_url": fake.base_url, "drive_id": DRIVE, "inbox_folder": INBOX, "processed_folder": PROCESSED,
             "rejected_folder": REJECTED}
    data: dict[str, object] = {"email": {"graph": graph}, "watch": {"source": "sharepoint"}}
    data.update(overrides)
    settings = load_settings(write_config(tmp_path, **data))
    with Store(settings.path("database")) as store:
        store.add_work_items([FIRST, SECOND])
    return settings


@pytest.fixture
def settings(tmp_path: Path, fake: FakeGraph) -> Settings:
    return configure(tmp_path, fake)


def watcher(settings: Settings, store: Store, **options: object) -> SharePointWatcher:
    client = GraphClient.from_settings(settings, token_backend=token_backend(), environ=ENV, **options)
    return SharePointWatcher(settings, Pipeline(settings, store), client)


def run_once(settings: Settings) -> SharePointWatcher:
    """A watcher started afresh on the store (as after a restart) for one poll."""
    with Store(settings.path("database")) as store:
        w = watcher(settings, store)
        w.run(once=True)
    return w


def staged(settings: Settings) -> list[Path]:
    staging = settings.path("generated") / "sharepoint-staging"
    return [p for p in staging.rglob("*") if p.name != ".qa-watch.lock"]


def test_a_returned_form_is_recorded_and_moved_to_processed(settings: Settings, fake: FakeGraph) -> None:
    data = form_bytes(settings)
    fake.add_file(INBOX, "Audit CF1357911.docx", data)
    fake.add_file(INBOX, "~$dit CF1357911.docx", b"owner file")   # Word's lock file while it is open
    fake.add_file(f"{INBOX}/Old", "older.docx", b"not in the inbox itself")
    fake.add_file("Other team", "theirs.docx", b"another folder")
    fake.add_file(PROCESSED, "Audit CF1357911.docx", b"an earlier file of the same name")
    w = run_once(settings)
    assert [o.status for o in w.stats.outcomes] == ["recorded"]
    with Store(settings.path("database")) as store:
        record = store.form("2026-C10-TPA-001")
        assert record is not None and record.source_file == "Audit CF1357911.docx"
    # the name was taken: Graph answered 409 and the watcher chose the next free name itself
    assert fake.names_in(PROCESSED) == ["Audit CF1357911 (2).docx", "Audit CF1357911.docx"]
    assert fake.content_of(f"{PROCESSED}/Audit CF1357911 (2).docx") == data
    assert fake.names_in(INBOX) == ["Old", "Processed", "~$dit CF1357911.docx"]
    assert [r.route for r in fake.requests].count("content") == 1  # only the form was downloaded
    assert settings.path("register").exists() and staged(settings) == []
    conflict, moved = fake.requests_to("move")
    assert (conflict.status, moved.status) == (409, 200)
    assert moved.json() == {"parentReference": {"id": fake.item_at(PROCESSED).id}, "name": "Audit CF1357911 (2).docx"}
    assert moved.headers["if-match"] and "@microsoft.graph.conflictBehavior" not in moved.query
    assert fake.problems == []


def test_a_form_carrying_another_cases_reference_ends_in_held_with_a_reason_file(settings: Settings,
                                                                                  fake: FakeGraph) -> None:
    other = replace(FIRST, case=replace(FIRST.case, case_id="CF9999999"))
    fake.add_file(INBOX, "borrowed.docx", form_bytes(settings, other))
    w = run_once(settings)
    (outcome,) = w.stats.outcomes
    assert outcome.status == "held" and outcome.reason.startswith("reference does not match its case")
    assert fake.names_in("QA Returns/Held") == ["borrowed.docx", "borrowed.docx.reason.txt"]
    reason = (fake.content_of("QA Returns/Held/borrowed.docx.reason.txt") or b"").decode()
    assert reason.startswith("File: borrowed.docx\nHeld: ")
    with Store(settings.path("database")) as store:
        assert store.form(FIRST.form_id) is None


def test_a_bad_file_ends_in_rejected_with_a_reason_file(settings: Settings, fake: FakeGraph) -> None:
    fake.add_file(INBOX, "scan.png", NOT_A_FORM)
    w = run_once(settings)
    (outcome,) = w.stats.outcomes
    assert outcome.status == "rejected"
    assert fake.names_in(REJECTED) == ["scan.png", "scan.png.reason.txt"]  # the folder was made as needed
    reason = (fake.content_of(f"{REJECTED}/scan.png.reason.txt") or b"").decode()
    assert reason.startswith("File: scan.png\n") and f"Reason: {outcome.reason}" in reason
    assert "picture or scan" in reason
    with Store(settings.path("database")) as store:
        assert [r.file for r in store.rejections()] == ["scan.png"]
    assert fake.names_in(INBOX) == ["Rejected"]


def test_every_delta_page_is_followed(settings: Settings, fake: FakeGraph) -> None:
    fake.add_file(INBOX, "form.docx", form_bytes(settings))
    for n in range(4):
        fake.add_file(INBOX, f"scan {n}.png", NOT_A_FORM + bytes([n]))
    run_once(settings)
    delta = fake.requests_to("delta")
    assert len(delta) == 4  # 7 items (root, folder, 5 files), 2 a page
    assert all("cursor" in r.query for r in delta[1:])  # the later pages came from @odata.nextLink
    assert fake.names_in(INBOX) == ["Processed", "Rejected"]
    assert len(fake.names_in(REJECTED)) == 8 and fake.names_in(PROCESSED) == ["form.docx"]


def test_the_delta_link_is_kept_and_a_restarted_watcher_resumes_from_it(settings: Settings,
                                                                       fake: FakeGraph) -> None:
    fake.add_file(INBOX, "first.docx", form_bytes(settings))
    run_once(settings)
    with Store(settings.path("database")) as store:
        saved = store.get_state(DELTA_KEY)
    assert saved and saved.startswith(f"{fake.base_url}/drives/") and "token=" in saved
    gone = fake.add_file(INBOX, "deleted before it was seen.docx", form_bytes(settings, SECOND))
    fake.delete(gone)
    fake.add_file(INBOX, "second.docx", form_bytes(settings, SECOND))
    seen_before = len(fake.requests)
    second = run_once(settings)  # a new watcher on the same store
    (resumed, *_) = [r for r in fake.requests[seen_before:] if r.route == "delta"]
    assert fake.root_url + resumed.url == saved
    assert [o.source.name for o in second.stats.outcomes] == ["second.docx"]
    assert [r.route for r in fake.requests[seen_before:]].count("content") == 1
    assert fake.names_in(PROCESSED) == ["first.docx", "second.docx"]


def test_an_expired_delta_link_resyncs_without_recording_anything_twice(settings: Settings,
                                                                       fake: FakeGraph) -> None:
    data = form_bytes(settings)
    fake.add_file(INBOX, "audit.docx", data)
    run_once(settings)
    fake.add_file(INBOX, "audit - Copy.docx", data)  # the same file put back, while the link expires
    fake.expire_delta_links()
    seen_before = len(fake.requests)
    w = run_once(settings)
    expired, fresh, *_ = [r for r in fake.requests[seen_before:] if r.route == "delta"]
    assert expired.status == 410 and "token" in expired.query
    assert fresh.status == 200 and "token" not in fresh.query  # from scratch, as the 410's Location says
    assert fresh.query["$select"] == [DELTA_SELECT]
    assert [o.status for o in w.stats.outcomes] == ["duplicate"]
    with Store(settings.path("database")) as store:
        assert len(store.form_versions("2026-C10-TPA-001")) == 1
        assert store.rejections() == []
        assert fake.root_url + expired.url != store.get_state(DELTA_KEY)
    assert fake.names_in(PROCESSED) == ["audit - Copy.docx", "audit.docx"]


def test_a_429_on_delta_waits_for_retry_after(settings: Settings, fake: FakeGraph) -> None:
    fake.add_file(INBOX, "form.docx", form_bytes(settings))
    fake.throttle("delta", times=1, retry_after=1)
    run_once(settings)
    first, second = fake.requests_to("delta")[:2]
    assert first.query == second.query  # the same page asked again
    assert 0.95 <= second.at - first.at < 2.5
    assert fake.names_in(PROCESSED) == ["form.docx"]


def test_a_broken_download_is_not_processed_and_is_taken_at_the_next_poll(settings: Settings,
                                                                         fake: FakeGraph) -> None:
    item = fake.add_file(INBOX, "form.docx", form_bytes(settings))
    fake.break_download(item)
    with Store(settings.path("database")) as store:
        w = watcher(settings, store)
        w.run(once=True)
        assert w.stats.outcomes == [] and store.form("2026-C10-TPA-001") is None
        assert json.loads(store.get_state(PENDING_KEY) or "") == {item.id: {"tries": 1}}
        assert staged(settings) == [] and not settings.path("processed").exists()
        assert fake.names_in(INBOX) == ["form.docx"]
        w.run(once=True)  # nothing changed in the library: the pending list brings it back
        assert [o.status for o in w.stats.outcomes] == ["recorded"]
        assert store.get_state(PENDING_KEY) is None
    assert len(fake.requests_to("download")) == 2
    assert fake.names_in(PROCESSED) == ["form.docx"]


def test_a_locked_file_is_recorded_once_and_filed_away_when_unlocked(settings: Settings, fake: FakeGraph,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    item = fake.add_file(INBOX, "open in Word.docx", form_bytes(settings))
    fake.locked.add(item.id)
    with caplog.at_level(logging.INFO, logger="qa.watch.sharepoint"):
        first = run_once(settings)
        run_once(settings)  # still locked: the move is tried again, the file is not read again
        assert fake.names_in(INBOX) == ["Processed", "open in Word.docx"]
        fake.locked.clear()
        last = run_once(settings)
    assert [o.status for o in first.stats.outcomes] == ["waiting"] and last.stats.outcomes == []  # recorded, not moved
    assert len(fake.requests_to("download")) == 1 and [r.status for r in fake.requests_to("move")] == [423, 423, 200]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1  # said once
    with Store(settings.path("database")) as store:
        assert len(store.form_versions("2026-C10-TPA-001")) == 1
        assert store.get_state(PENDING_KEY) is None
    assert fake.names_in(PROCESSED) == ["open in Word.docx"]


def test_a_size_the_library_misreports_is_taken_at_the_first_poll(settings: Settings, fake: FakeGraph,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    data = form_bytes(settings)
    fake.add_file(INBOX, "form.docx", data)  # SharePoint lists an Office file with another size
    with caplog.at_level(logging.INFO, logger="qa.watch.sharepoint"):
        w = run_once(settings)
    assert [o.status for o in w.stats.outcomes] == ["recorded"]
    assert len(fake.requests_to("download")) == 1
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_without_a_content_length_what_arrived_is_taken_and_a_cut_transfer_is_not(settings: Settings,
                                                                                 fake: FakeGraph) -> None:
    fake.chunked_downloads = True
    item = fake.add_file(INBOX, "form.docx", form_bytes(settings))
    fake.break_download(item)
    with Store(settings.path("database")) as store:
        w = watcher(settings, store)
        w.run(once=True)  # the last chunk never came: not read
        assert w.stats.outcomes == [] and store.form("2026-C10-TPA-001") is None
        w.run(once=True)
        assert [o.status for o in w.stats.outcomes] == ["recorded"]
    assert len(fake.requests_to("download")) == 2
    assert fake.names_in(PROCESSED) == ["form.docx"]


def test_a_file_over_the_size_limit_is_rejected_unread(tmp_path: Path, fake: FakeGraph) -> None:
    settings = configure(tmp_path, fake, ingest={"max_file_mb": 1})
    fake.add_file(INBOX, "whole case file.pdf", b"%PDF" + b"\0" * (1024 * 1024 + 10))
    run_once(settings)
    assert fake.requests_to("content") == []
    assert fake.names_in(REJECTED) == ["whole case file.pdf", "whole case file.pdf.reason.txt"]
    assert "more than the 1 MB" in (fake.content_of(f"{REJECTED}/whole case file.pdf.reason.txt") or b"").decode()


def test_a_missing_inbox_folder_or_drive_id_is_a_clear_error(tmp_path: Path, fake: FakeGraph) -> None:
    settings = configure(tmp_path, fake)
    with Store(settings.path("database")) as store:
        w = watcher(settings.model_copy(update={"email": settings.email.model_copy(update={
            "graph": settings.email.graph.model_copy(update={"inbox_folder": "QA Retruns"})})}), store)
        with pytest.raises(ConfigError, match="'QA Retruns' was not found in the document library"):
            w.run(once=True)
        no_drive = settings.email.graph.model_copy(update={"drive_id": ""})
        with pytest.raises(ConfigError, match="email.graph.drive_id is empty"):
            watcher(settings.model_copy(update={"email": settings.email.model_copy(update={"graph": no_drive})}),
                    store)


def test_the_long_running_watcher_polls_and_writes_the_register(tmp_path: Path, fake: FakeGraph) -> None:
    settings = configure(tmp_path, fake, watch={"source": "sharepoint", "graph_poll_seconds": 0.2,
                                                "register_debounce_seconds": 0.1})
    with Store(settings.path("database")) as store:
        w = watcher(settings, store)
        thread = threading.Thread(target=w.run, kwargs={"tick": 0.05})
        thread.start()
        try:
            fake.add_file(INBOX, "later.docx", form_bytes(settings))
            deadline = time.monotonic() + 10
            while w.stats.register_writes == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            w.stop_event.set()
            thread.join(timeout=10)
        assert not thread.is_alive()
        assert [o.status for o in w.stats.outcomes] == ["recorded"] and w.stats.register_writes >= 1
        assert not store.register_dirty
    assert fake.names_in(PROCESSED) == ["later.docx"]


def test_a_file_still_being_saved_in_the_library_waits_for_a_later_poll(settings: Settings, fake: FakeGraph) -> None:
    from datetime import UTC, datetime, timedelta

    item = fake.add_file(INBOX, "being edited.docx", form_bytes(settings))
    item.modified = datetime.now(UTC) - timedelta(seconds=5)  # AutoSave wrote it moments ago
    first = run_once(settings)
    assert first.stats.outcomes == [] and fake.names_in(INBOX).count("being edited.docx") == 1
    assert fake.requests_to("item") == []  # the delta's own lastModifiedDateTime ($select names it) was enough
    item.modified = datetime.now(UTC) - timedelta(seconds=settings.watch.graph_quiet_seconds + 1)
    second = run_once(settings)
    assert [o.status for o in second.stats.outcomes] == ["recorded"]
    assert "being edited.docx" in fake.names_in(PROCESSED)


def test_a_file_saved_during_two_polls_is_read_once_it_is_quiet(settings: Settings, fake: FakeGraph) -> None:
    item = fake.add_file(INBOX, "autosaved.docx", form_bytes(settings, overall_grade="Inadequate"))
    fake.save(item, form_bytes(settings, overall_grade="Requires Improvement"), seconds_ago=5)
    assert run_once(settings).stats.outcomes == []
    fake.save(item, form_bytes(settings, overall_grade="Outstanding"), seconds_ago=2)  # AutoSave again
    assert run_once(settings).stats.outcomes == []
    with fake.lock:
        item.modified -= timedelta(seconds=settings.watch.graph_quiet_seconds)  # then nobody touches it
    w = run_once(settings)
    assert [o.status for o in w.stats.outcomes] == ["recorded"] and len(fake.requests_to("download")) == 1
    with Store(settings.path("database")) as store:
        (only,) = store.form_versions("2026-C10-TPA-001")
        assert only.overall_grade == "Outstanding"
    assert all(r.query.get("$select") == [DELTA_SELECT] for r in fake.requests_to("delta"))
    assert fake.names_in(PROCESSED) == ["autosaved.docx"]


def test_a_corrected_form_that_kept_its_name_is_moved_under_the_next_free_name(settings: Settings,
                                                                              fake: FakeGraph) -> None:
    fake.add_file(PROCESSED, "audit.docx", b"the first return")
    fake.add_file(PROCESSED, "audit (2).docx", b"the second return")
    fake.add_file(INBOX, "audit.docx", form_bytes(settings))
    w = run_once(settings)
    assert [o.status for o in w.stats.outcomes] == ["recorded"]
    assert fake.names_in(PROCESSED) == ["audit (2).docx", "audit (3).docx", "audit.docx"]
    assert [r.status for r in fake.requests_to("move")] == [409, 409, 200]


def test_when_every_numbered_name_is_taken_the_move_still_ends(settings: Settings, fake: FakeGraph) -> None:
    fake.add_file(PROCESSED, "audit.docx", b"0")
    for n in range(2, 10):
        fake.add_file(PROCESSED, f"audit ({n}).docx", bytes([n]))
    fake.add_file(INBOX, "audit.docx", form_bytes(settings))
    run_once(settings)
    assert [r.status for r in fake.requests_to("move")] == [409] * 9 + [200]
    (dated,) = set(fake.names_in(PROCESSED)) - {"audit.docx", *(f"audit ({n}).docx" for n in range(2, 10))}
    assert re.fullmatch(r"audit \(\d{4}-\d\d-\d\d \d{6}\)\.docx", dated)
    assert fake.names_in(INBOX) == ["Processed"]


def test_a_file_that_never_moves_is_recorded_once_then_left_with_a_clear_log_line(
        settings: Settings, fake: FakeGraph, caplog: pytest.LogCaptureFixture) -> None:
    item = fake.add_file(INBOX, "stuck.docx", form_bytes(settings))
    fake.locked.add(item.id)
    with Store(settings.path("database")) as store, caplog.at_level(logging.INFO, logger="qa.watch.sharepoint"):
        w = watcher(settings, store)
        w.give_up_after = 3
        for _ in range(5):
            w.run(once=True)
        assert store.get_state(PENDING_KEY) is None and len(store.form_versions("2026-C10-TPA-001")) == 1
        assert [o.status for o in w.stats.outcomes] == ["waiting"]  # recorded, but not moved
        assert len(fake.requests_to("download")) == 1 and len(fake.requests_to("move")) == 3
        (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        (error,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert "could not file away 'stuck.docx'" in warning and "423" in warning
        assert "after 3 tries" in error and f"move it to '{PROCESSED}' by hand" in error
        fake.locked.clear()
        fake.save(item, form_bytes(settings, overall_grade="Outstanding"), seconds_ago=3600)  # it changes
        w.run(once=True)
        assert len(store.form_versions("2026-C10-TPA-001")) == 2
    assert fake.names_in(PROCESSED) == ["stuck.docx"]


def test_a_file_edited_after_it_was_downloaded_is_read_again_not_moved(settings: Settings, fake: FakeGraph) -> None:
    item = fake.add_file(INBOX, "audit.docx", form_bytes(settings))
    fake.edit_after_download(item, form_bytes(settings, overall_grade="Outstanding"))
    first = run_once(settings)
    assert [o.status for o in first.stats.outcomes] == ["waiting"]  # recorded; the move waits
    assert [r.status for r in fake.requests_to("move")] == [412] and "audit.docx" in fake.names_in(INBOX)
    with fake.lock:
        item.modified -= timedelta(hours=1)  # the edit is saved and quiet
    run_once(settings)
    with Store(settings.path("database")) as store:
        assert [f.overall_grade for f in store.form_versions("2026-C10-TPA-001")] == ["Good", "Outstanding"]
    assert len(fake.requests_to("download")) == 2 and fake.names_in(PROCESSED) == ["audit.docx"]


def test_the_download_follows_graphs_302_to_another_host_without_the_token(settings: Settings,
                                                                          fake: FakeGraph) -> None:
    fake.add_file(INBOX, "form.docx", form_bytes(settings))
    run_once(settings)
    (content,) = fake.requests_to("content")
    (download,) = fake.requests_to("download")
    assert content.status == 302 and content.headers["authorization"] == f"Bearer {TOKEN}"
    assert download.headers["host"] != content.headers["host"]
    assert "authorization" not in download.headers and fake.problems == []


def test_retry_after_is_waited_in_full_and_only_an_absurd_value_is_cut(settings: Settings, fake: FakeGraph,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    waits: list[float] = []
    client = GraphClient.from_settings(settings, token_backend=token_backend(), environ=ENV, sleep=waits.append)
    library = DocumentLibrary(client, DRIVE)
    fake.throttle("delta", times=1, retry_after=300)
    library.changes(None)
    fake.throttle("delta", times=1, retry_after=86400)
    with caplog.at_level(logging.WARNING, logger="qa.graph"):
        library.changes(None)
    fake.fail("delta", 503, times=1)  # a read is safe to send again, after a backoff of our own
    library.changes(None)
    assert waits == [300.0, 3600.0, 2.0]
    assert "asked to wait 86400 s" in caplog.text


def test_pending_entries_stored_by_earlier_versions_are_read() -> None:
    assert Pending.from_json(2) == Pending(tries=2)
    assert Pending.from_json({"tries": 1, "status": "recorded", "etag": '"{X},2"'}).status == "recorded"
    assert Pending(tries=1).to_json() == {"tries": 1}
