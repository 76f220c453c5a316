"""Watch a SharePoint document library folder through Microsoft Graph, and hand new files to the pipeline.

Each poll asks the drive's delta query for what changed since the last poll (following @odata.nextLink
pages) and keeps the @odata.deltaLink in the store, so a restart resumes where it left off. When Graph
says the link has expired (410 Gone) the watcher starts a full enumeration again; files already recorded
are recognised by the store as duplicates. Graph returns only the properties named in ``$select``
(driveitem-delta.md), so DELTA_SELECT names every property the watcher reads.

A file directly inside ``email.graph.inbox_folder`` that has not changed for ``watch.graph_quiet_seconds``
is downloaded to a staging folder (as ``.partial``, renamed only when every byte has arrived: the download's
Content-Length decides, not the size the library lists, which for Office files in SharePoint often differs
from the content), and handed to intake (``Pipeline.process``), whose file-away stage moves it in the library
into the processed, rejected or held folder (a rejection gets a ``.reason.txt`` beside it). The move
carries the eTag read with the file as ``if-match`` (driveitem-move.md), so a file edited after it was
downloaded is not moved but read again. Graph documents no conflict behaviour for moves, so a name already
in the target folder is answered by the watcher: the file is moved as "name (2).docx", "name (3).docx"...

A file whose download breaks is tried again at the next poll; a file that was read but cannot be moved yet
(open in Word, checked out) is only moved at later polls, never read and recorded again. Both wait in a
pending list in the store, and are left where they are, with a log line saying what to do, after
GIVE_UP_AFTER tries. Delta items do not carry ``parentReference.path`` (Graph's delta remarks), so the
inbox is matched by its folder ID.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote

import requests

from processors.config.settings import Graph as GraphSettings
from processors.config.settings import Settings
from processors.errors import ConfigError, GraphError, QAError
from processors.graph.client import GraphClient
from processors.intake.destination import reason_text
from processors.intake.inbox import is_ignored, unique_target
from processors.intake.pipeline import Pipeline
from processors.intake.received import FileOutcome, Received, Status
from watchers.common import FollowUp, WatchStats, install_stop_signals
from watchers.lock import watcher_lock

log = logging.getLogger("qa.watch.sharepoint")

DELTA_KEY = "sharepoint_delta_link"
PENDING_KEY = "sharepoint_pending"
# driveitem-delta.md: the delta query honours $select, so every property DriveItem reads is named here
DELTA_SELECT = "id,name,size,parentReference,file,folder,deleted,root,lastModifiedDateTime,eTag,cTag"
GIVE_UP_AFTER = 60    # tries (one a poll: half an hour at the default 30 s) before a stuck file is left alone
NUMBERED_NAMES = 8    # "name (2).docx" to "name (9).docx" are tried, then one with the date and time
MB = 1024 * 1024


@dataclass(frozen=True)
class DriveItem:
    """What the watcher needs to know about one file or folder in the library."""

    id: str
    name: str
    size: int = 0
    parent_id: str = ""
    parent_path: str = ""
    is_file: bool = False
    is_folder: bool = False
    deleted: bool = False
    modified: datetime | None = None  # lastModifiedDateTime: a file still being saved is left for a later poll
    etag: str = ""                    # eTag (content and metadata): the move's if-match
    ctag: str = ""                    # cTag (content only)

    @classmethod
    def from_graph(cls, data: Mapping[str, object]) -> DriveItem:
        parent = data.get("parentReference")
        parent = parent if isinstance(parent, Mapping) else {}
        return cls(id=str(data.get("id", "")), name=str(data.get("name") or ""), size=int(data.get("size") or 0),
                   parent_id=str(parent.get("id") or ""), parent_path=str(parent.get("path") or ""),
                   is_file="file" in data, is_folder="folder" in data, deleted="deleted" in data,
                   modified=_graph_time(data.get("lastModifiedDateTime")),
                   etag=str(data.get("eTag") or ""), ctag=str(data.get("cTag") or ""))


@dataclass(frozen=True)
class Changes:
    """The latest state of every item that changed, and the link that asks for the next changes."""

    items: list[DriveItem]
    delta_link: str


class DownloadIncomplete(Exception):
    """The bytes that arrived are not the whole file; it is tried again at the next poll."""


class ItemChanged(GraphError):
    """The file changed after it was read (412 to the move's if-match): it is read again, not moved."""


class NameTaken(GraphError):
    """The name is already used in the folder the file is moved to (409 nameAlreadyExists)."""


@dataclass(frozen=True)
class Pending:
    """A file left in the inbox after a poll: how often it failed, and what became of it if it was read."""

    tries: int = 0
    status: str = ""   # the outcome of reading it (recorded, rejected...), still to be filed away; "": not read
    reason: str = ""   # a rejection's reason, for its .reason.txt
    etag: str = ""     # the eTag of the content that was read

    @classmethod
    def from_json(cls, value: object) -> Pending:
        if isinstance(value, int):  # the store's earlier form: a count of tries
            return cls(tries=value)
        if not isinstance(value, Mapping):
            return cls()
        try:
            tries = int(value.get("tries") or 0)
        except (TypeError, ValueError):
            tries = 0
        return cls(tries, str(value.get("status") or ""), str(value.get("reason") or ""),
                   str(value.get("etag") or ""))

    def to_json(self) -> dict[str, object]:
        return {"tries": self.tries, **{k: v for k, v in asdict(self).items() if k != "tries" and v}}


class DocumentLibrary:
    """The drive operations the watcher needs, on one document library (a Graph drive)."""

    def __init__(self, client: GraphClient, drive_id: str) -> None:
        self.client = client
        self.drive = f"drives/{quote(drive_id, safe='')}"

    def _item_path(self, item_id: str) -> str:
        return f"{self.drive}/items/{quote(item_id, safe='')}"

    def item(self, item_id: str) -> DriveItem | None:
        response = self.client.request("get", self._item_path(item_id))
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self.client.error("get", self._item_path(item_id), response)
        return DriveItem.from_graph(response.json())

    def item_at(self, path: str) -> DriveItem | None:
        """The item at a path inside the library ('QA Returns/Processed'), or None."""
        address = f"{self.drive}/root:/{quote(path.strip('/'))}"
        response = self.client.request("get", address)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self.client.error("get", address, response)
        return DriveItem.from_graph(response.json())

    def ensure_folder(self, path: str) -> str:
        """The ID of the folder at `path`, creating it (and its parents) when missing."""
        parent, walked = f"{self.drive}/root", ""
        folder: DriveItem | None = None
        for part in [p for p in path.split("/") if p.strip()]:
            walked = f"{walked}/{part}" if walked else part
            folder = self.item_at(walked)
            if folder is None:
                # a repeat is harmless (409 once the folder exists), so a 503 may be retried
                response = self.client.request("post", f"{parent}/children", idempotent=True, data={
                    "name": part, "folder": {}, "@microsoft.graph.conflictBehavior": "fail"})
                if response.status_code == 409:  # made by someone else meanwhile
                    folder = self.item_at(walked)
                elif response.status_code in (200, 201):
                    folder = DriveItem.from_graph(response.json())
                    log.info("created folder '%s' in the library", walked)
                else:
                    raise self.client.error("post", f"{parent}/children", response)
            if folder is None or not folder.is_folder:
                raise ConfigError(f"'{walked}' in the library is not a folder: rename it, or change the folder "
                                  "names under email.graph in config.yaml")
            parent = self._item_path(folder.id)
        if folder is None:
            raise ConfigError("a folder name under email.graph in config.yaml is empty: set processed_folder and "
                              "rejected_folder to folders in the library, like 'QA Returns/Processed'")
        return folder.id

    def changes(self, link: str | None) -> Changes:
        """Every page of the delta query from `link` (a saved deltaLink) or from the start."""
        start = f"{self.drive}/root/delta?$select={DELTA_SELECT}"
        url, resynced = link or start, False
        latest: dict[str, DriveItem] = {}
        while True:
            response = self.client.request("get", url)
            if response.status_code == 410 and not resynced:
                code = self.client.error("get", url, response).code or "resync"
                log.warning("the saved SharePoint change link has expired (%s): reading the whole library again; "
                            "files already recorded are recognised as duplicates", code)
                url, resynced = response.headers.get("Location") or start, True
                latest.clear()
                continue
            if response.status_code != 200:
                raise self.client.error("get", url, response)
            page = response.json()
            for raw in page.get("value", []):
                item = DriveItem.from_graph(raw)
                latest.pop(item.id, None)  # the last occurrence is the item's latest state
                latest[item.id] = item
            if page.get("@odata.nextLink"):
                url = page["@odata.nextLink"]
            elif page.get("@odata.deltaLink"):
                return Changes(list(latest.values()), page["@odata.deltaLink"])
            else:
                raise GraphError("Microsoft Graph's change list ended without a next or delta link: try again later")

    def download(self, item: DriveItem, target: Path) -> Path:
        """Stream the file's content to `target` (via `target`.partial); every byte or DownloadIncomplete.

        Graph answers with a 302 to a pre-authenticated URL on another host (driveitem-get-content.md), which
        requests follows without sending the token there. The download's Content-Length says how long the file
        is; the size the library lists does not (SharePoint lists most Office files with another size). Without
        a Content-Length (a chunked answer), a transfer cut short raises, so what arrived is the file.
        """
        partial = target.with_name(target.name + ".partial")
        response = self.client.call("get", f"{self._item_path(item.id)}/content", stream=True)
        written = 0
        try:
            with response, partial.open("wb") as out:
                for block in response.iter_content(64 * 1024):
                    out.write(block)
                    written += len(block)
        except (requests.RequestException, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise DownloadIncomplete(f"the transfer broke after {written} bytes ({type(exc).__name__})") from None
        declared = response.headers.get("Content-Length", "").strip()
        if declared.isdigit() and not response.headers.get("Content-Encoding") and int(declared) != written:
            partial.unlink(missing_ok=True)
            raise DownloadIncomplete(f"{written} of {declared} bytes arrived")
        if written != item.size:
            log.debug("%s: %d bytes downloaded, the library lists %d", item.name, written, item.size)
        partial.replace(target)
        return target

    def move(self, item: DriveItem, folder_id: str, name: str = "") -> DriveItem:
        """Move into the folder, renamed to `name` when given (driveitem-move.md: one PATCH of parentReference
        and name). The item's eTag goes as if-match: ItemChanged when the file changed since it was read,
        NameTaken when the name is already used there."""
        path = self._item_path(item.id)
        body: dict[str, object] = {"parentReference": {"id": folder_id}}
        if name:
            body["name"] = name
        headers = {"if-match": item.etag} if item.etag else {}
        response = self.client.request("patch", path, data=body, headers=headers)
        if response.status_code == 200:
            return DriveItem.from_graph(response.json())
        error = self.client.error("patch", path, response)
        if response.status_code == 412 or error.code == "resourceModified":
            raise ItemChanged(error.message, error.status, error.code)
        if response.status_code == 409 and error.code == "nameAlreadyExists":
            raise NameTaken(error.message, error.status, error.code)
        raise error

    def move_to_free_name(self, item: DriveItem, folder_id: str) -> DriveItem:
        """Move under the item's name or, when that is taken in the folder (a corrected form that kept its
        name), the first free one of "name (2).docx"... (a bounded number of tries, then NameTaken)."""
        for name in _free_names(item.name):
            try:
                return self.move(item, folder_id, "" if name == item.name else name)
            except NameTaken:
                log.debug("'%s' is already used in the target folder", name)
        raise NameTaken(f"'{item.name}' and every other name tried ('{PurePosixPath(item.name).stem} (2)' and on) "
                        "are already used in the target folder: tidy that folder", 409, "nameAlreadyExists")

    def upload_text(self, folder_id: str, name: str, text: str) -> DriveItem:
        path = f"{self._item_path(folder_id)}:/{quote(name, safe='')}:/content"
        uploaded = self.client.call_json("put", path, expect=(200, 201), data=text.encode("utf-8"),
                                         params={"@microsoft.graph.conflictBehavior": "rename"},
                                         headers={"Content-type": "text/plain; charset=utf-8"})
        return DriveItem.from_graph(uploaded)


class LibraryDestination:
    """Intake's file-away for a library item: moved into the processed, rejected or held folder of the library.

    The move carries the eTag of the content that was read (if-match), and a name already taken in the
    target folder gets a free one; `filed` says whether the move happened, `changed` whether it was refused
    because the file changed after it was read."""

    def __init__(self, library: DocumentLibrary, item: DriveItem, folder_id: Callable[[str], str],
                 cfg: GraphSettings) -> None:
        self.library, self.item, self.folder_id, self.cfg = library, item, folder_id, cfg
        self.filed = self.changed = False
        self.asked = Pending()  # what intake decided: kept for a later poll when the move fails

    def file_accepted(self, name: str, source: Path | None) -> Path:
        self.asked = Pending(status=Status.RECORDED.value, etag=self.item.etag)
        return self._move(self.cfg.processed_folder)

    def file_rejected(self, name: str, source: Path | None, reason: str) -> Path:
        self.asked = Pending(status=Status.REJECTED.value, reason=reason, etag=self.item.etag)
        return self._with_reason(name, self.cfg.rejected_folder, reason, "Rejected")

    def file_held(self, name: str, source: Path | None, reason: str) -> Path:
        self.asked = Pending(status=Status.HELD.value, reason=reason, etag=self.item.etag)
        return self._with_reason(name, self.cfg.held_folder, reason, "Held")

    def file_as(self, status: str, reason: str) -> Path:
        """File away an item read at an earlier poll, by the outcome it had then."""
        if status == Status.REJECTED.value:
            return self.file_rejected(self.item.name, None, reason)
        if status == Status.HELD.value:
            return self.file_held(self.item.name, None, reason)
        return self.file_accepted(self.item.name, None)

    def _with_reason(self, name: str, folder: str, reason: str, action: str) -> Path:
        where = self._move(folder)
        try:
            self.library.upload_text(self.folder_id(folder), f"{where.name}.reason.txt",
                                     reason_text(name, reason, action=action))
        except (QAError, requests.RequestException) as exc:
            log.warning("%s: its .reason.txt could not be written in '%s' (%s); the reason is in the register's "
                        "Rejected sheet", where.name, folder, exc)
        return where

    def _move(self, folder: str) -> Path:
        try:
            moved = self.library.move_to_free_name(self.item, self.folder_id(folder))
        except ItemChanged:
            self.changed = True
            raise
        self.filed = True
        log.info("%s moved to '%s' in the library as %s", self.item.name, folder, moved.name)
        return Path(folder) / moved.name


class SharePointWatcher:
    """Same shape as FolderWatcher: ``run(once=...)``, ``stop_event``, ``stats``; the source is a library."""

    def __init__(self, settings: Settings, pipeline: Pipeline, client: GraphClient, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.cfg = settings.email.graph
        if not self.cfg.drive_id.strip():
            raise ConfigError("email.graph.drive_id is empty: set it to the document library's drive ID in "
                              "config.yaml (docs/sharepoint.md shows how to find it)")
        self.settings, self.pipeline, self.clock = settings, pipeline, clock
        self.library = DocumentLibrary(client, self.cfg.drive_id)
        self.staging = settings.path("generated") / "sharepoint-staging"
        self.max_bytes = settings.ingest.max_file_mb * MB
        self.stop_event = threading.Event()
        self.stats = WatchStats()
        self.follow_up = FollowUp(settings, pipeline, clock, self.stats)
        self.give_up_after = GIVE_UP_AFTER
        self._folders: dict[str, str] = {}

    # -- one poll --

    def poll(self) -> int:
        """Changes since the saved link, plus files left from earlier polls; returns how many were filed away."""
        store = self.pipeline.store
        inbox_id = self._inbox_id()
        changes = self.library.changes(store.get_state(DELTA_KEY))
        pending = self._pending()
        candidates = {i.id: i for i in changes.items if self._wanted(i, inbox_id)}
        for item_id in pending:
            if item_id not in candidates:
                item = self.library.item(item_id)
                if item is not None and self._wanted(item, inbox_id):
                    candidates[item_id] = item
        still_pending: dict[str, Pending] = {}
        done = 0
        for item in candidates.values():
            entry = pending.get(item.id, Pending())
            if entry.status and entry.etag and item.etag and item.etag != entry.etag:
                log.info("%s changed after it was read: it is read again", item.name)
                entry = Pending(tries=entry.tries)
            if self.stop_event.is_set() or not self._quiet(item):  # stopping, or still being saved: wait
                still_pending[item.id] = entry
                continue
            left = self._take(item, entry)
            if left is None:
                done += 1
            elif left.tries >= self.give_up_after:
                self._give_up(item, left)
            else:
                still_pending[item.id] = left
        store.set_state(PENDING_KEY, json.dumps({k: v.to_json() for k, v in still_pending.items()})
                        if still_pending else None)
        store.set_state(DELTA_KEY, changes.delta_link)
        return done

    def _quiet(self, item: DriveItem) -> bool:
        """Unchanged for watch.graph_quiet_seconds: AutoSave in the library is not still writing it."""
        modified = item.modified
        if modified is None:  # not in the delta answer: the item itself says
            fresh = self.library.item(item.id)
            modified = fresh.modified if fresh is not None else None
        if modified is None:
            log.debug("%s: the library gives no modified time; taking it now", item.name)
            return True
        return (datetime.now(UTC) - modified).total_seconds() >= self.settings.watch.graph_quiet_seconds

    def _pending(self) -> dict[str, Pending]:
        try:
            value = json.loads(self.pipeline.store.get_state(PENDING_KEY) or "{}")
        except ValueError:
            return {}
        return {str(k): Pending.from_json(v) for k, v in value.items()} if isinstance(value, dict) else {}

    def _inbox_id(self) -> str:
        if "inbox" not in self._folders:
            folder = self.library.item_at(self.cfg.inbox_folder)
            if folder is None or not folder.is_folder:
                raise ConfigError(f"the folder '{self.cfg.inbox_folder}' was not found in the document library: "
                                  "create it there, or fix email.graph.inbox_folder in config.yaml")
            self._folders["inbox"] = folder.id
        return self._folders["inbox"]

    def _folder(self, path: str) -> str:
        if path not in self._folders:
            self._folders[path] = self.library.ensure_folder(path)
        return self._folders[path]

    def _wanted(self, item: DriveItem, inbox_id: str) -> bool:
        if not item.is_file or item.deleted or not item.name or is_ignored(Path(item.name)):
            return False
        if item.parent_id:
            return item.parent_id == inbox_id
        where = unquote(item.parent_path.partition("root:")[2]).strip("/")
        return bool(item.parent_path) and where == self.cfg.inbox_folder.strip("/")

    # -- one file --

    def _take(self, item: DriveItem, entry: Pending) -> Pending | None:
        """Read the item through intake (unless it was read at an earlier poll); intake files it away in the
        library. None when done; otherwise what to keep for the next poll."""
        destination = self._destination(replace(item, etag=entry.etag or item.etag))
        if not entry.status:
            outcome = self._read(item, destination)
            if outcome is None:
                return replace(entry, tries=entry.tries + 1)
            self.follow_up.file_done(outcome)
            if destination.filed:
                return None
            if destination.changed:
                log.info("%s changed in the library after it was read: it is read again at the next poll", item.name)
                return Pending(tries=entry.tries + 1)
            decided = destination.asked
            log.info("%s was %s but could not be moved out of '%s' (intake said why); it is not read again, and "
                     "the move is tried at the next polls", item.name, decided.status or outcome.status,
                     self.cfg.inbox_folder)
            return replace(decided, tries=entry.tries + 1) if decided.status else Pending(tries=entry.tries + 1)
        try:
            destination.file_as(entry.status, entry.reason)
            return None
        except ItemChanged:
            log.info("%s changed in the library after it was read: it is read again at the next poll", item.name)
            return Pending(tries=entry.tries + 1)
        except (QAError, requests.RequestException) as exc:
            log.debug("%s: the move failed again (%s)", item.name, exc)
        except Exception:  # one bad file must never stop the watcher
            log.exception("unexpected error moving %s", item.name)
        return replace(entry, tries=entry.tries + 1)

    def _destination(self, item: DriveItem) -> LibraryDestination:
        return LibraryDestination(self.library, item, self._folder, self.cfg)

    def _read(self, item: DriveItem, destination: LibraryDestination) -> FileOutcome | None:
        """Download one item and hand it to intake; None when it should be read again at the next poll."""
        folder = self.staging / re.sub(r"[^A-Za-z0-9_-]", "_", item.id)
        try:
            if item.size > self.max_bytes:  # intake rejects it unread, by the size the library lists
                received = Received(item.name, None, destination, size=item.size)
            else:
                received = Received(item.name, self.library.download(item, unique_target(folder, item.name)),
                                    destination)
            outcome = self.pipeline.process(received)
            if outcome.status != Status.SKIPPED.value:
                return outcome
            log.warning("%s could not be read yet (%s); trying again at the next poll", item.name, outcome.reason)
        except DownloadIncomplete as exc:
            log.warning("%s: download incomplete (%s); trying again at the next poll", item.name, exc)
        except QAError as exc:
            log.warning("%s: %s; trying again at the next poll", item.name, exc)
        except Exception:  # one bad file must never stop the watcher
            log.exception("unexpected error with %s; trying again at the next poll", item.name)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return None

    def _give_up(self, item: DriveItem, entry: Pending) -> None:
        """Leave a file that failed `give_up_after` times where it is; it comes back only if it changes."""
        if entry.status:
            log.error("%s was %s, but after %d tries it still cannot be moved out of '%s' in the library: it is "
                      "left there and not tried again unless it changes; move it to '%s' by hand", item.name,
                      entry.status, entry.tries, self.cfg.inbox_folder,
                      self.cfg.rejected_folder if entry.status == "rejected" else self.cfg.processed_folder)
        else:
            log.error("%s could not be read after %d tries: it is left in '%s' and not tried again unless it "
                      "changes; open it in Word and save it again, or take it in with 'ingest'", item.name,
                      entry.tries, self.cfg.inbox_folder)

    # -- running --

    def run(self, *, once: bool = False, tick: float = 0.5, on_tick: Callable[[], None] | None = None) -> WatchStats:
        """Poll until stopped (or, with once=True, one poll). Errors in the first poll are raised: they
        are almost always configuration (drive ID, folder, permissions); later ones are logged and retried."""
        self.staging.mkdir(parents=True, exist_ok=True)
        with watcher_lock(self.settings):
            self._clear_staging()
            try:
                self.poll()
                if not once:
                    self._loop(tick, on_tick)
            finally:
                self.pipeline.send_pending_notices()
                self.follow_up.maybe_write_register(force=True)
        return self.stats

    def _loop(self, tick: float, on_tick: Callable[[], None] | None) -> None:
        next_poll = self.clock() + self.settings.watch.graph_poll_seconds
        while not self.stop_event.is_set():
            self.follow_up.maybe_write_register()
            if on_tick:
                on_tick()
            if self.clock() >= next_poll:
                try:
                    self.poll()
                except (QAError, requests.RequestException) as exc:
                    log.warning("SharePoint poll failed (%s); trying again in %.0f s", exc,
                                self.settings.watch.graph_poll_seconds)
                next_poll = self.clock() + self.settings.watch.graph_poll_seconds
            self.stop_event.wait(tick)

    def _clear_staging(self) -> None:
        """Leftovers of a run that stopped mid-download; their files are still in the library's inbox."""
        for leftover in self.staging.iterdir():
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)

    def install_signal_handlers(self) -> None:
        install_stop_signals(self.stop_event)


__all__ = ["DocumentLibrary", "DriveItem", "LibraryDestination", "SharePointWatcher", "WatchStats"]


def _free_names(name: str) -> Iterator[str]:
    """The name, then "stem (2).ext" to "stem (9).ext", then one with the date and time (no ':' in it)."""
    path = PurePosixPath(name)
    yield name
    for n in range(2, NUMBERED_NAMES + 2):
        yield f"{path.stem} ({n}){path.suffix}"
    yield f"{path.stem} ({datetime.now():%Y-%m-%d %H%M%S}){path.suffix}"


def _graph_time(value: object) -> datetime | None:
    """Graph's ISO 8601 UTC timestamps ('2026-11-27T09:15:00Z'); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
