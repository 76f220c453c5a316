"""Watch a SharePoint document library folder through Microsoft Graph, and hand new files to the pipeline.

Each poll asks the drive's delta query for what changed since the last poll (following @odata.nextLink
pages) and keeps the @odata.deltaLink in the store, so a restart resumes where it left off. When Graph
says the link has expired (410 Gone) the watcher starts a full enumeration again; files already recorded
are recognised by the store as duplicates.

A file directly inside ``email.graph.inbox_folder`` is downloaded to a staging folder (as ``.partial``,
renamed only when every byte has arrived) and handed to intake (``Pipeline.process``), whose file-away
stage moves it in the library into the processed or rejected folder (a rejection gets a ``.reason.txt``
beside it). A file whose download breaks, or that cannot be moved yet (open in Word, checked out), is
kept in a pending list in the store and tried again at the next poll. Delta items do not carry ``parentReference.path``
(Graph's delta remarks), so the inbox is matched by its folder ID.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

import requests

from processors.config.settings import Graph as GraphSettings
from processors.config.settings import Settings
from processors.errors import ConfigError, GraphError, QAError
from processors.graph.client import GraphClient
from processors.intake.destination import reason_text
from processors.intake.inbox import is_ignored, unique_target
from processors.intake.pipeline import Pipeline
from processors.intake.received import Received, Status
from watchers.common import FollowUp, WatchStats, install_stop_signals
from watchers.lock import watcher_lock

log = logging.getLogger("qa.watch.sharepoint")

DELTA_KEY = "sharepoint_delta_link"
PENDING_KEY = "sharepoint_pending"
ACCEPT_OTHER_SIZE_AFTER = 3  # SharePoint may list an Office file's size before its metadata was written in
DELTA_SELECT = "id,name,size,parentReference,file,folder,deleted,root"
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

    @classmethod
    def from_graph(cls, data: Mapping[str, object]) -> DriveItem:
        parent = data.get("parentReference")
        parent = parent if isinstance(parent, Mapping) else {}
        return cls(id=str(data.get("id", "")), name=str(data.get("name") or ""), size=int(data.get("size") or 0),
                   parent_id=str(parent.get("id") or ""), parent_path=str(parent.get("path") or ""),
                   is_file="file" in data, is_folder="folder" in data, deleted="deleted" in data,
                   modified=_graph_time(data.get("lastModifiedDateTime")))


@dataclass(frozen=True)
class Changes:
    """The latest state of every item that changed, and the link that asks for the next changes."""

    items: list[DriveItem]
    delta_link: str


class DownloadIncomplete(Exception):
    """The bytes that arrived are not the whole file; it is tried again at the next poll."""


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
                response = self.client.request("post", f"{parent}/children", data={
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

    def download(self, item: DriveItem, target: Path, *, accept_other_size: bool = False) -> Path:
        """Stream the file's content to `target` (via `target`.partial); every byte or DownloadIncomplete."""
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
            raise DownloadIncomplete(f"the transfer broke after {written} of {item.size} bytes "
                                     f"({type(exc).__name__})") from None
        declared = response.headers.get("Content-Length")
        if declared and not response.headers.get("Content-Encoding") and int(declared) != written:
            partial.unlink(missing_ok=True)
            raise DownloadIncomplete(f"{written} of {declared} bytes arrived")
        if written != item.size and not accept_other_size:
            partial.unlink(missing_ok=True)
            raise DownloadIncomplete(f"{written} bytes arrived but the library lists {item.size}")
        partial.replace(target)
        return target

    def move(self, item: DriveItem, folder_id: str) -> DriveItem:
        """Move into the folder; a name already there gets a new name from SharePoint ('x 1.docx')."""
        path = self._item_path(item.id)
        moved = self.client.call_json("patch", path, params={"@microsoft.graph.conflictBehavior": "rename"},
                                      data={"parentReference": {"id": folder_id}})
        return DriveItem.from_graph(moved)

    def upload_text(self, folder_id: str, name: str, text: str) -> DriveItem:
        path = f"{self._item_path(folder_id)}:/{quote(name, safe='')}:/content"
        uploaded = self.client.call_json("put", path, expect=(200, 201), data=text.encode("utf-8"),
                                         params={"@microsoft.graph.conflictBehavior": "rename"},
                                         headers={"Content-type": "text/plain; charset=utf-8"})
        return DriveItem.from_graph(uploaded)


class LibraryDestination:
    """Intake's file-away for a library item: moved into the processed, rejected or held folder of the library."""

    def __init__(self, library: DocumentLibrary, item: DriveItem, folder_id: Callable[[str], str],
                 cfg: GraphSettings) -> None:
        self.library, self.item, self.folder_id, self.cfg = library, item, folder_id, cfg
        self.filed = False

    def file_accepted(self, name: str, source: Path | None) -> Path:
        return self._move(self.cfg.processed_folder)

    def file_rejected(self, name: str, source: Path | None, reason: str) -> Path:
        return self._with_reason(name, self.cfg.rejected_folder, reason, "Rejected")

    def file_held(self, name: str, source: Path | None, reason: str) -> Path:
        return self._with_reason(name, self.cfg.held_folder, reason, "Held")

    def _with_reason(self, name: str, folder: str, reason: str, action: str) -> Path:
        where = self._move(folder)
        self.library.upload_text(self.folder_id(folder), f"{where.name}.reason.txt",
                                 reason_text(name, reason, action=action))
        return where

    def _move(self, folder: str) -> Path:
        moved = self.library.move(self.item, self.folder_id(folder))
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
        self._folders: dict[str, str] = {}

    # -- one poll --

    def poll(self) -> int:
        """Changes since the saved link, plus files that failed before; returns how many were filed away."""
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
        still_pending: dict[str, int] = {}
        done = 0
        for item in candidates.values():
            tries = pending.get(item.id, 0)
            if self.stop_event.is_set() or not self._quiet(item):  # stopping, or still being saved: wait
                still_pending[item.id] = tries
            elif self._take(item, tries + 1):
                done += 1
            else:
                still_pending[item.id] = tries + 1
        store.set_state(PENDING_KEY, json.dumps(still_pending) if still_pending else None)
        store.set_state(DELTA_KEY, changes.delta_link)
        return done

    def _quiet(self, item: DriveItem) -> bool:
        """Unchanged for watch.graph_quiet_seconds: AutoSave in the library is not still writing it."""
        if item.modified is None:
            return True
        return (datetime.now(UTC) - item.modified).total_seconds() >= self.settings.watch.graph_quiet_seconds

    def _pending(self) -> dict[str, int]:
        try:
            value = json.loads(self.pipeline.store.get_state(PENDING_KEY) or "{}")
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in value.items()} if isinstance(value, dict) else {}

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

    def _take(self, item: DriveItem, tries: int) -> bool:
        """Fetch one item and hand it to intake. False when it should be tried again next poll."""
        folder = self.staging / re.sub(r"[^A-Za-z0-9_-]", "_", item.id)
        destination = LibraryDestination(self.library, item, self._folder, self.cfg)
        try:
            if item.size > self.max_bytes:  # intake rejects it unread, by the size the library lists
                received = Received(item.name, None, destination, size=item.size)
            else:
                local = self.library.download(item, unique_target(folder, item.name),
                                              accept_other_size=tries >= ACCEPT_OTHER_SIZE_AFTER)
                received = Received(item.name, local, destination)
            outcome = self.pipeline.process(received)
            if outcome.status == Status.SKIPPED.value:
                log.warning("%s could not be read yet (%s); trying again at the next poll", item.name,
                            outcome.reason)
                return False
            self.follow_up.file_done(outcome)
            return destination.filed
        except DownloadIncomplete as exc:
            log.warning("%s: download incomplete (%s); trying again at the next poll", item.name, exc)
        except QAError as exc:
            log.warning("%s: %s; trying again at the next poll", item.name, exc)
        except Exception:  # one bad file must never stop the watcher
            log.exception("unexpected error with %s; trying again at the next poll", item.name)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return False

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


__all__ = ["DocumentLibrary", "DriveItem", "SharePointWatcher", "WatchStats"]


def _graph_time(value: object) -> datetime | None:
    """Graph's ISO 8601 UTC timestamps ('2026-11-27T09:15:00Z'); None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
