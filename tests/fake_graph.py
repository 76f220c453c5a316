"""A loopback stand-in for Microsoft Graph (http.server in threads, port 0) answering as Graph's docs say.

Each behaviour that a client could get wrong cites, beside it, the page of Microsoft's Graph reference
(microsoftgraph/microsoft-graph-docs-contrib, v1.0) or the known-issue thread it follows.

It holds one document library (drive) and one mailbox, on two hosts: Graph itself (``base_url``) and a
"files" host (``files_url``, another host name and port) for pre-authenticated download and upload URLs.
- drive: ``root/delta`` with paging (@odata.nextLink, then @odata.deltaLink) that honours ``$select``;
  410 Gone with a Location for a delta link made stale by ``expire_delta_links``; items by ID and by path
  (``root:/a/b``), with eTag and cTag; Office files listed with a size other than their content's; content
  download as a 302 to the files host, which ``break_download`` makes stop half-way; folder creation; PATCH
  moves that answer 409 nameAlreadyExists on a taken name (whatever ``conflictBehavior`` says) and 412 on a
  stale ``if-match``; PUT uploads;
- mail, for the user's object ID or user principal name only (404 ErrorInvalidUser otherwise): ``sendMail``
  (the JSON body checked against the documented message shape), drafts, attachments, ``createUploadSession``
  with chunked PUTs to the files host checked against Content-Range, and ``send``;
- any request over 4 MB is refused with 413; ``throttle`` / ``fail`` answer 429 (or 503...) on a route.
Everything received is kept (``requests``, ``sent``, ``uploads``, ``problems``) for tests to assert on.
Delta items carry ``parentReference.id`` but no ``path``, as Graph's delta remarks say.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from O365.utils.token import MemoryTokenBackend

TOKEN = "fake-graph-access-token"
TENANT, CLIENT_ID = "00000000-0000-0000-0000-0000000000aa", "00000000-0000-0000-0000-0000000000bb"
DRIVE = "b!fakeDriveId-QA_Returns"
MAILBOX = "qa-forms@example-trust.org.uk"                 # the QA mailbox's email address
MAILBOX_UPN = "qa.forms@exampletrust.onmicrosoft.com"     # its sign-in name: not the address
MAILBOX_ID = "3f2a9c4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b"       # its object ID
# Graph refuses a request over 4 MB: microsoftgraph/microsoft-graph-docs#85 (a maintainer: "there is a 4MB limit
# on the size of a request"); message-post-attachments.md: an attachment posted whole must be "under 3 MB".
MAX_REQUEST = 4 * 1024 * 1024
MAX_CHUNK = 4 * 1024 * 1024          # attachment-createuploadsession.md: "up to 4 MB each time"
# SharePoint lists Office files with a size other than the bytes a download gives (it writes its metadata into
# them): OneDrive/onedrive-api-docs#935, microsoftgraph/microsoft-graph-docs-contrib#762.
OFFICE_SUFFIXES = {".docx", ".docm", ".dotx", ".doc", ".xlsx", ".xlsm", ".xls", ".pptx", ".ppt"}
OFFICE_SIZE_DRIFT = 1843
MESSAGE_KEYS = {"subject", "body", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "attachments",
                "internetMessageHeaders", "importance", "from", "sender"}


def token_backend() -> MemoryTokenBackend:
    """An O365 token backend already holding an app token (MSAL's own cache format): MSAL is never asked."""
    backend = MemoryTokenBackend()
    backend.add({"client_id": CLIENT_ID, "scope": ["https://graph.microsoft.com/.default"],
                 "token_endpoint": f"https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token",
                 "response": {"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"}})
    return backend


@dataclass
class Recorded:
    method: str
    path: str                       # unquoted, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float
    route: str = ""
    url: str = ""                   # as sent (quoted, with the query)
    status: int = 0                 # what the fake answered

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            raise Reply(400, "BadRequest", "Unable to read JSON request payload.") from None


@dataclass
class FakeItem:
    id: str
    name: str
    parent_id: str
    content: bytes | None = None    # None: a folder
    deleted: bool = False
    changed: int = 0
    listed_size: int | None = None  # a size the library reports, when a test sets one
    modified: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=1))
    version: int = 1                # any change (content, name, folder): the eTag
    content_version: int = 1        # content changes only: the cTag

    @property
    def is_folder(self) -> bool:
        return self.content is None

    @property
    def etag(self) -> str:
        return f'"{{{self.id}}},{self.version}"'

    @property
    def ctag(self) -> str:
        return f'"c:{{{self.id}}},{self.content_version}"'

    @property
    def size(self) -> int:
        """What the library lists: for Office files not the content's length (see OFFICE_SIZE_DRIFT)."""
        if self.listed_size is not None:
            return self.listed_size
        length = len(self.content or b"")
        return length + OFFICE_SIZE_DRIFT if PurePosixPath(self.name).suffix.lower() in OFFICE_SUFFIXES else length


@dataclass
class SentMail:
    message: dict[str, Any]
    attachments: dict[str, bytes]
    via: str                        # sendMail | draft


@dataclass
class UploadSession:
    message_id: str
    name: str
    size: int
    received: bytearray = field(default_factory=bytearray)
    chunks: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, total) as sent


class Reply(Exception):
    """Raised inside a route to answer with a status and Graph's error body."""

    def __init__(self, status: int, code: str, message: str = "", headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


class FakeGraph:
    def __init__(self, page_size: int = 2) -> None:
        self.page_size = page_size
        self.lock = threading.RLock()
        self.seq = itertools.count(1)
        self.ids = itertools.count(1)
        self.root = FakeItem("root-id", "root", "", changed=0)
        self.items: dict[str, FakeItem] = {self.root.id: self.root}
        self.delta_floor = 0                        # tokens below this answer 410
        self.cursors: dict[str, tuple[list[dict], int, str]] = {}
        self.failures: dict[str, tuple[int, int, float | None]] = {}   # route: (times, status, retry_after)
        self.breaks: dict[str, int] = {}
        self.edits: dict[str, bytes] = {}           # item ID: content saved right after its next download
        self.chunked_downloads = False              # downloads without Content-Length (Transfer-Encoding: chunked)
        self.mailbox_outside_policy = False         # the Exchange application access policy leaves the mailbox out
        self.locked: set[str] = set()
        self.requests: list[Recorded] = []
        self.sent: list[SentMail] = []
        self.drafts: dict[str, dict[str, Any]] = {}
        self.mail_folders: dict[str, str] = {"inbox": "AAMkInbox="}   # display name (lower case) -> folder ID
        self.inbox_mail: list[dict[str, Any]] = []  # messages in the QA mailbox, each with its folder ID
        self.sessions: dict[str, UploadSession] = {}
        self.problems: list[str] = []
        self.server = self._server()
        self.root_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.base_url = f"{self.root_url}/v1.0"
        # driveitem-get-content.md: content is a 302 to a pre-authenticated URL on another host (files.1drv.com...),
        # which needs no Authorization header; upload URLs are likewise on another host (outlook.office.com).
        # Another name and port here, so the client follows it as it would in a tenant (requests drops the token
        # when a redirect changes the host).
        self.files_server = self._server()
        self.files_url = f"http://localhost:{self.files_server.server_address[1]}"
        self.threads = [threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
                        for server in (self.server, self.files_server)]

    def _server(self) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        return server

    # -- lifecycle --

    def start(self) -> FakeGraph:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server in (self.server, self.files_server):
            server.shutdown()
            server.server_close()

    # -- the library, as a test sets it up and inspects it --

    def add_folder(self, path: str) -> FakeItem:
        parent = self.root
        with self.lock:
            for part in [p for p in path.split("/") if p]:
                found = self._child(parent.id, part)
                parent = found or self._new(part, parent.id, None)
        return parent

    def add_file(self, folder: str, name: str, content: bytes, listed_size: int | None = None) -> FakeItem:
        with self.lock:
            item = self._new(name, self.add_folder(folder).id, content)
            item.listed_size = listed_size
            return item

    def delete(self, item: FakeItem) -> None:
        with self.lock:
            item.deleted, item.changed = True, next(self.seq)

    def save(self, item: FakeItem, content: bytes, *, seconds_ago: float = 0) -> None:
        """Someone saves new content (AutoSave in Word): a new eTag and cTag, modified `seconds_ago`."""
        with self.lock:
            item.content, item.changed = content, next(self.seq)
            item.version, item.content_version = item.version + 1, item.content_version + 1
            item.modified = datetime.now(UTC) - timedelta(seconds=seconds_ago)

    def deliver(self, sender: str, subject: str, attachments: dict[str, bytes], *, folder: str = "inbox",
                headers: dict[str, str] | None = None) -> str:
        """A message arriving in the QA mailbox (the test's stand-in for someone emailing a form)."""
        with self.lock:
            message_id = f"AAMkMsg{next(self.ids):04d}="
            self.inbox_mail.append({
                "id": message_id, "subject": subject, "parentFolderId": self.mail_folders[folder],
                "from": {"emailAddress": {"name": sender.partition("@")[0], "address": sender}},
                "internetMessageId": f"<{message_id}@example-trust.org.uk>", "hasAttachments": bool(attachments),
                "internetMessageHeaders": [{"name": k, "value": v} for k, v in (headers or {}).items()],
                "attachments": [{"@odata.type": "#microsoft.graph.fileAttachment", "id": f"att{n}", "name": name,
                                 "contentType": "application/octet-stream", "size": len(data), "isInline": False,
                                 "contentBytes": base64.b64encode(data).decode()}
                                for n, (name, data) in enumerate(attachments.items())]})
            return message_id

    def mail_in(self, folder: str) -> list[str]:
        """Subjects of the messages now in a mail folder (by display name)."""
        folder_id = self.mail_folders.get(folder.lower(), "")
        return [m["subject"] for m in self.inbox_mail if m["parentFolderId"] == folder_id]

    def names_in(self, path: str) -> list[str]:
        folder = self.item_at(path)
        with self.lock:
            return sorted(i.name for i in self.items.values()
                          if folder is not None and i.parent_id == folder.id and not i.deleted)

    def content_of(self, path: str) -> bytes | None:
        item = self.item_at(path)
        return item.content if item is not None else None

    def item_at(self, path: str) -> FakeItem | None:
        item: FakeItem | None = self.root
        with self.lock:
            for part in [p for p in path.split("/") if p]:
                item = self._child(item.id, part) if item else None
        return item

    # -- behaviour switches --

    def throttle(self, route: str, times: int = 1, retry_after: float = 1) -> None:
        """The next `times` requests on `route` (delta, sendMail, content, ...) get 429 with Retry-After
        (throttling.md: the request failed; wait what Retry-After says, then send it again)."""
        self.fail(route, 429, times, retry_after)

    def fail(self, route: str, status: int, times: int = 1, retry_after: float | None = None) -> None:
        """The next `times` requests on `route` get `status` (503, 504...), with Retry-After when given."""
        self.failures[route] = (times, status, retry_after)

    def edit_after_download(self, item: FakeItem, content: bytes) -> None:
        """Someone saves `content` into `item` just after its next download has been served."""
        self.edits[item.id] = content

    def break_download(self, item: FakeItem, times: int = 1) -> None:
        """The next `times` downloads of `item` announce the full length, send half and close the connection."""
        self.breaks[item.id] = times

    def expire_delta_links(self) -> None:
        """Every delta link handed out so far now answers 410 Gone."""
        with self.lock:
            self.delta_floor = next(self.seq)

    def requests_to(self, route: str) -> list[Recorded]:
        return [r for r in self.requests if r.route == route]

    # -- internals: items --

    def _new(self, name: str, parent_id: str, content: bytes | None) -> FakeItem:
        item = FakeItem(f"ITEM{next(self.ids):04d}", name, parent_id, content, changed=next(self.seq))
        self.items[item.id] = item
        return item

    def _child(self, parent_id: str, name: str) -> FakeItem | None:
        return next((i for i in self.items.values()
                     if i.parent_id == parent_id and not i.deleted and i.name.lower() == name.lower()), None)

    def _path_of(self, item: FakeItem) -> str:
        parts = []
        while item.parent_id:
            item = self.items[item.parent_id]
            if item.parent_id:
                parts.append(item.name)
        return f"/drives/{DRIVE}/root:" + "".join(f"/{p}" for p in reversed(parts))

    def resource(self, item: FakeItem, *, with_path: bool = True) -> dict[str, Any]:
        if item is self.root:
            return {"id": item.id, "name": "root", "folder": {"childCount": 0}, "root": {}, "eTag": item.etag,
                    "lastModifiedDateTime": _iso(item.modified)}
        data: dict[str, Any] = {"id": item.id, "parentReference": {"driveId": DRIVE, "driveType": "documentLibrary",
                                                                 "id": item.parent_id}}
        if with_path:
            data["parentReference"]["path"] = self._path_of(item)
        if item.deleted:
            data["deleted"] = {"state": "deleted"}  # OneDrive for Business omits the name of deleted items
            return data
        data.update(name=item.name, eTag=item.etag, lastModifiedDateTime=_iso(item.modified))
        if item.is_folder:  # driveitem.md: no cTag for a folder in SharePoint
            data["folder"] = {"childCount": sum(1 for i in self.items.values() if i.parent_id == item.id)}
            data["size"] = 0
        else:
            data["file"] = {"mimeType": "application/octet-stream"}
            data["size"] = item.size
            data["cTag"] = item.ctag
        return data

    def _free_name(self, parent_id: str, name: str) -> str:
        stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix
        candidate, n = name, 0
        while self._child(parent_id, candidate) is not None:
            n += 1
            candidate = f"{stem} {n}{suffix}"
        return candidate

    def _item(self, item_id: str) -> FakeItem:
        item = self.items.get(item_id)
        if item is None or item.deleted:
            raise Reply(404, "itemNotFound", "The resource could not be found.")
        return item


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _drive(drive: str) -> None:
    if drive != DRIVE:
        raise Reply(404, "itemNotFound", "The provided drive ID does not exist.")


def _mailbox(fake: FakeGraph, user: str) -> None:
    # user-sendmail.md (and every /users/... mail page): /users/{id | userPrincipalName}. The email address is
    # neither when the mailbox's sign-in name differs from it, and Graph answers 404 ErrorInvalidUser.
    if user.lower() not in (MAILBOX_ID, MAILBOX_UPN.lower()):
        raise Reply(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
    # auth-limit-mailbox-access.md: a mailbox outside the app's application access policy is refused so.
    if fake.mailbox_outside_policy:
        raise Reply(403, "ErrorAccessDenied", "Access to OData is disabled.")


def _select(resource: dict[str, Any], req: Recorded) -> dict[str, Any]:
    """driveitem-delta.md (and OData): with $select, only the properties named come back."""
    chosen = req.query.get("$select", [""])[0]
    if not chosen:
        return resource
    names = {n.strip() for n in chosen.split(",")}
    return {k: v for k, v in resource.items() if k in names}


# -- routes ----------------------------------------------------------------------------------------

Route = Callable[[FakeGraph, Recorded, tuple[str, ...]], tuple[int, Any, dict[str, str]]]
ROUTES: list[tuple[str, str, re.Pattern[str], Route]] = []


def route(method: str, name: str, pattern: str) -> Callable[[Route], Route]:
    def register(func: Route) -> Route:
        ROUTES.append((method, name, re.compile(pattern), func))
        return func
    return register


@route("GET", "delta", r"^/v1\.0/drives/([^/]+)/root/delta$")
def _delta(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _drive(args[0])
    cursor = req.query.get("cursor", [""])[0]
    if cursor:
        if cursor not in fake.cursors:
            raise Reply(400, "invalidRequest", "Invalid page cursor.")
        return _delta_page(fake, cursor, int(req.query.get("page", ["0"])[0]))
    # the links handed out keep the request's $select, so every page and every later poll honour it
    chosen = req.query.get("$select", [""])[0]
    keep = f"$select={quote(chosen, safe=',')}&" if chosen else ""
    token = req.query.get("token", [""])[0]
    since = int(token) if token.isdigit() else None
    if since is not None and since < fake.delta_floor:
        # driveitem-delta.md: 410 Gone with a Location that starts a fresh enumeration
        raise Reply(410, "resyncChangesApplyDifferences", "Resync required: the delta token has expired.",
                    {"Location": f"{fake.base_url}/drives/{DRIVE}/root/delta" + (f"?{keep[:-1]}" if keep else "")})
    changed = sorted((i for i in fake.items.values() if (since is None and not i.deleted)
                      or (since is not None and i.changed > since)), key=lambda i: i.changed)
    cursor = f"c{len(fake.cursors) + 1}"
    fake.cursors[cursor] = ([_select(fake.resource(i, with_path=False), req) for i in changed], next(fake.seq),
                            keep)
    return _delta_page(fake, cursor, 0)


def _delta_page(fake: FakeGraph, cursor: str, page: int) -> tuple[int, Any, dict[str, str]]:
    items, token, keep = fake.cursors[cursor]
    chunk = items[page * fake.page_size:(page + 1) * fake.page_size]
    body: dict[str, Any] = {"@odata.context": f"{fake.base_url}/$metadata#Collection(driveItem)", "value": chunk}
    if (page + 1) * fake.page_size < len(items):
        body["@odata.nextLink"] = f"{fake.base_url}/drives/{DRIVE}/root/delta?{keep}cursor={cursor}&page={page + 1}"
    else:
        body["@odata.deltaLink"] = f"{fake.base_url}/drives/{DRIVE}/root/delta?{keep}token={token}"
    return 200, body, {}


@route("GET", "item-by-path", r"^/v1\.0/drives/([^/]+)/root:/(.+?):?$")
def _item_by_path(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _drive(args[0])
    item = fake.item_at(args[1])
    if item is None:
        raise Reply(404, "itemNotFound", "The resource could not be found.")
    return 200, _select(fake.resource(item), req), {}


@route("GET", "item", r"^/v1\.0/drives/([^/]+)/items/([^/:]+)$")
def _get_item(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _drive(args[0])
    return 200, _select(fake.resource(fake._item(args[1])), req), {}


@route("GET", "content", r"^/v1\.0/drives/([^/]+)/items/([^/:]+)/content$")
def _content(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _drive(args[0])
    item = fake._item(args[1])
    if item.is_folder:
        raise Reply(400, "invalidRequest", "A folder has no content.")
    # driveitem-get-content.md: "302 Found" to a pre-authenticated URL, on another host, needing no token
    return 302, b"", {"Location": f"{fake.files_url}/_download/{item.id}?tempauth=fake-download-token"}


@route("POST", "create-folder", r"^/v1\.0/drives/([^/]+)/(?:root|items/([^/:]+))/children$")
def _create_folder(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _drive(args[0])
    parent = fake._item(args[1]) if args[1] else fake.root
    body = req.json()
    if not isinstance(body, dict) or not body.get("name") or body.get("folder") != {}:
        raise Reply(400, "invalidRequest", "A folder needs a name and an empty folder facet.")
    name = str(body["name"])
    if fake._child(parent.id, name) is not None:
        behaviour = body.get("@microsoft.graph.conflictBehavior", "fail")
        if behaviour == "fail":
            raise Reply(409, "nameAlreadyExists", "The specified item name already exists.")
        name = fake._free_name(parent.id, name)
    return 201, fake.resource(fake._new(name, parent.id, None)), {}


@route("PATCH", "move", r"^/v1\.0/drives/([^/]+)/items/([^/:]+)$")
def _move(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _drive(args[0])
    item = fake._item(args[1])
    # driveitem-move.md: an if-match eTag (or cTag) that is no longer the item's is "412 Precondition Failed"
    expected = req.headers.get("if-match")
    if expected and expected not in (item.etag, item.ctag):
        raise Reply(412, "resourceModified", "ETag does not match current item's value.")
    if item.id in fake.locked:
        raise Reply(423, "resourceLocked", "The resource you are attempting to access is locked.")
    body = req.json()
    target_id = (body.get("parentReference") or {}).get("id") if isinstance(body, dict) else None
    target = fake._item(str(target_id)) if target_id else None
    if target is None or not target.is_folder:
        raise Reply(400, "invalidRequest", "parentReference.id must name a folder.")
    name = str(body.get("name") or item.name)  # driveitem-move.md: a move may rename in the same PATCH
    clash = fake._child(target.id, name)
    # driveitem.md scopes @microsoft.graph.conflictBehavior to actions that create an item, and moves ignore it
    # (OneDrive/onedrive-api-docs#1383): a name already in the folder is 409 nameAlreadyExists, whatever is asked.
    if clash is not None and clash is not item:
        raise Reply(409, "nameAlreadyExists", "Name already exists")
    item.parent_id, item.name, item.changed, item.version = target.id, name, next(fake.seq), item.version + 1
    return 200, fake.resource(item), {}


@route("PUT", "upload", r"^/v1\.0/drives/([^/]+)/items/([^/:]+):/([^/]+):/content$")
def _upload(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _drive(args[0])
    parent = fake._item(args[1])
    name, existing = args[2], fake._child(parent.id, args[2])
    if existing is not None and req.query.get("@microsoft.graph.conflictBehavior", ["replace"])[0] == "replace":
        existing.content, existing.changed = req.body, next(fake.seq)
        return 200, fake.resource(existing), {}
    if existing is not None:
        name = fake._free_name(parent.id, name)
    return 201, fake.resource(fake._new(name, parent.id, req.body)), {}


@route("POST", "sendMail", r"^/v1\.0/users/([^/]+)/sendMail$")
def _send_mail(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    body = req.json()
    problems = [] if isinstance(body, dict) else ["the body is not a JSON object"]
    if not problems:
        problems += [f"unknown key '{k}'" for k in body if k not in {"message", "saveToSentItems"}]
        if "saveToSentItems" in body and not isinstance(body["saveToSentItems"], bool):
            problems.append("saveToSentItems must be true or false")
        problems += message_problems(body.get("message"), need_recipients=True)
    _refuse(fake, "sendMail", problems)
    message = body["message"]
    fake.sent.append(SentMail(message, _decoded(message.get("attachments", [])), "sendMail"))
    return 202, b"", {}


@route("POST", "create-message", r"^/v1\.0/users/([^/]+)/messages$")
def _create_message(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    message = req.json()
    _refuse(fake, "create message", message_problems(message, need_recipients=False))
    message_id = f"AAMkDraft{next(fake.ids):04d}="
    fake.drafts[message_id] = dict(message, id=message_id, isDraft=True, attachments=[])
    return 201, fake.drafts[message_id], {}


@route("POST", "add-attachment", r"^/v1\.0/users/([^/]+)/messages/([^/]+)/attachments$")
def _add_attachment(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    draft = _draft(fake, args[1])
    attachment = req.json()
    _refuse(fake, "add attachment", attachment_problems(attachment, "attachment"))
    draft["attachments"].append(attachment)
    return 201, dict(attachment, id=f"AAMkAtt{next(fake.ids):04d}="), {}


@route("POST", "createUploadSession", r"^/v1\.0/users/([^/]+)/messages/([^/]+)/attachments/createUploadSession$")
def _create_session(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    _draft(fake, args[1])
    body = req.json()
    item = body.get("AttachmentItem") if isinstance(body, dict) else None
    problems = [] if isinstance(item, dict) else ["the body needs an AttachmentItem object"]
    if not problems:
        if item.get("attachmentType") != "file":
            problems.append("AttachmentItem.attachmentType must be 'file'")
        if not isinstance(item.get("name"), str) or not item["name"]:
            problems.append("AttachmentItem.name is required")
        if not isinstance(item.get("size"), int) or item["size"] <= 0:
            problems.append("AttachmentItem.size must be the file's size in bytes")
    _refuse(fake, "createUploadSession", problems)
    session_id = f"S{next(fake.ids):04d}"
    fake.sessions[session_id] = UploadSession(args[1], item["name"], item["size"])
    return 201, {"@odata.context": f"{fake.base_url}/$metadata#microsoft.graph.uploadSession",
                 "uploadUrl": f"{fake.files_url}/_upload/{session_id}?authtoken=fake-session-token",
                 "expirationDateTime": "2030-01-01T00:00:00Z", "nextExpectedRanges": ["0-"]}, {}


@route("PUT", "upload-chunk", r"^/_upload/([^/]+)$")
def _upload_chunk(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    session = fake.sessions.get(args[0])
    if session is None:
        raise Reply(404, "ErrorItemNotFound", "The upload session does not exist or has expired.")
    if "authorization" in req.headers:
        raise Reply(401, "InvalidAuthenticationToken", "An upload URL carries its own token: send no Authorization.")
    match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", req.headers.get("content-range", ""))
    if match is None:
        raise Reply(400, "InvalidContentRange", "Content-Range must be 'bytes start-end/total'.")
    start, end, total = map(int, match.groups())
    problems = []
    if start != len(session.received):
        problems.append(f"expected the range to start at {len(session.received)}, got {start}")
    if total != session.size:
        problems.append(f"total {total} differs from the session's size {session.size}")
    if end - start + 1 != len(req.body) or int(req.headers.get("content-length", "-1")) != len(req.body):
        problems.append("Content-Range and Content-Length disagree with the bytes sent")
    if len(req.body) > MAX_CHUNK:
        problems.append("a chunk may be at most 4 MB")
    if problems:
        fake.problems += [f"upload chunk: {p}" for p in problems]
        raise Reply(416, "InvalidRange", "; ".join(problems))
    session.received += req.body
    session.chunks.append((start, end, total))
    if len(session.received) < session.size:
        return 200, {"expirationDateTime": "2030-01-01T00:00:00Z", "nextExpectedRanges": [str(end + 1)]}, {}
    draft = fake.drafts[session.message_id]
    draft["attachments"].append({"@odata.type": "#microsoft.graph.fileAttachment", "name": session.name,
                                 "contentBytes": base64.b64encode(bytes(session.received)).decode()})
    location = f"{fake.base_url}/users('{MAILBOX_ID}')/messages('{session.message_id}')/attachments('{args[0]}')"
    return 201, b"", {"Location": location}


@route("POST", "send-draft", r"^/v1\.0/users/([^/]+)/messages/([^/]+)/send$")
def _send_draft(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    draft = fake.drafts.pop(_draft(fake, args[1])["id"])
    _refuse(fake, "send", message_problems({k: v for k, v in draft.items() if k in MESSAGE_KEYS},
                                           need_recipients=True))
    fake.sent.append(SentMail(draft, _decoded(draft["attachments"]), "draft"))
    return 202, b"", {}


@route("DELETE", "delete-message", r"^/v1\.0/users/([^/]+)/messages/([^/]+)$")
def _delete_message(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    fake.drafts.pop(_draft(fake, args[1])["id"])
    return 204, b"", {}


def _draft(fake: FakeGraph, message_id: str) -> dict[str, Any]:
    if message_id not in fake.drafts:
        raise Reply(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return fake.drafts[message_id]


def _refuse(fake: FakeGraph, what: str, problems: list[str]) -> None:
    if problems:
        fake.problems += [f"{what}: {p}" for p in problems]
        raise Reply(400, "ErrorInvalidRequest", "; ".join(problems))


def _decoded(attachments: list[dict[str, Any]]) -> dict[str, bytes]:
    return {a["name"]: base64.b64decode(a["contentBytes"]) for a in attachments}


# -- the documented message shape -------------------------------------------------------------------

def message_problems(message: object, *, need_recipients: bool) -> list[str]:
    if not isinstance(message, dict):
        return ["'message' must be a JSON object"]
    problems = [f"message has unknown property '{k}'" for k in message if k not in MESSAGE_KEYS]
    if not isinstance(message.get("subject"), str):
        problems.append("message.subject must be a string")
    body = message.get("body")
    if not isinstance(body, dict) or body.get("contentType") not in ("Text", "HTML") \
            or not isinstance(body.get("content"), str):
        problems.append("message.body needs contentType Text or HTML and a string content")
    for key in ("toRecipients", "ccRecipients", "bccRecipients"):
        problems += _recipient_problems(message.get(key, []), key)
    if need_recipients and not message.get("toRecipients"):
        problems.append("message.toRecipients must name at least one recipient")
    for n, attachment in enumerate(message.get("attachments", []) or []):
        problems += attachment_problems(attachment, f"message.attachments[{n}]")
    for header in message.get("internetMessageHeaders", []) or []:
        if not (isinstance(header, dict) and str(header.get("name", "")).lower().startswith("x-")
                and isinstance(header.get("value"), str)):
            problems.append("internetMessageHeaders need a name starting 'x-' and a string value")
    return problems


def _recipient_problems(recipients: object, key: str) -> list[str]:
    if not isinstance(recipients, list):
        return [f"message.{key} must be a list"]
    problems = []
    for r in recipients:
        address = r.get("emailAddress", {}).get("address") if isinstance(r, dict) else None
        if not isinstance(address, str) or "@" not in address or set(r) != {"emailAddress"}:
            problems.append(f"message.{key} entries must be {{'emailAddress': {{'address': ...}}}}, got {r!r}")
    return problems


def attachment_problems(attachment: object, where: str) -> list[str]:
    if not isinstance(attachment, dict):
        return [f"{where} must be an object"]
    problems = []
    if attachment.get("@odata.type") != "#microsoft.graph.fileAttachment":
        problems.append(f"{where} needs @odata.type '#microsoft.graph.fileAttachment'")
    if not isinstance(attachment.get("name"), str) or not attachment.get("name"):
        problems.append(f"{where} needs a name")
    try:
        base64.b64decode(str(attachment.get("contentBytes")), validate=True)
    except (binascii.Error, ValueError):
        problems.append(f"{where}.contentBytes must be base64")
    if attachment.get("contentBytes") is None:
        problems.append(f"{where} needs contentBytes")
    return problems


# -- HTTP plumbing -----------------------------------------------------------------------------------


# -- the QA mailbox's messages (returns by email) --------------------------------------------------

def _folder_id(fake: FakeGraph, name_or_id: str) -> str:
    # mailfolder-list-messages.md: /mailFolders/{id} takes a folder ID or a well-known name such as 'inbox'.
    if name_or_id.lower() in fake.mail_folders:
        return fake.mail_folders[name_or_id.lower()]
    if name_or_id in fake.mail_folders.values():
        return name_or_id
    raise Reply(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def _listed(message: dict[str, Any], req: Recorded) -> dict[str, Any]:
    resource = {k: v for k, v in message.items() if k != "attachments"}
    return _select(resource, req)   # user-list-messages.md: $select names the properties returned


@route("GET", "list-messages", r"^/v1\.0/users/([^/]+)/mailFolders/([^/]+)/messages$")
def _list_messages(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    folder_id = _folder_id(fake, args[1])
    top = int(req.query.get("$top", ["10"])[0])  # user-list-messages.md: 10 a page unless $top says otherwise
    found = [_listed(m, req) for m in fake.inbox_mail if m["parentFolderId"] == folder_id][:top]
    return 200, {"value": found}, {}


@route("GET", "list-attachments", r"^/v1\.0/users/([^/]+)/messages/([^/]+)/attachments$")
def _list_attachments(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    # message-list-attachments.md: fileAttachment objects, their content in contentBytes (base64).
    message = next((m for m in fake.inbox_mail if m["id"] == args[1]), None)
    if message is None:
        raise Reply(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    return 200, {"value": message["attachments"]}, {}


@route("GET", "list-mail-folders", r"^/v1\.0/users/([^/]+)/mailFolders$")
def _list_mail_folders(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    wanted = re.fullmatch(r"displayName eq '(.*)'", req.query.get("$filter", [""])[0])  # OData $filter
    folders = [{"id": fid, "displayName": name} for name, fid in fake.mail_folders.items()
               if wanted is None or name == wanted[1].replace("''", "'").lower()]
    return 200, {"value": folders}, {}


@route("POST", "create-mail-folder", r"^/v1\.0/users/([^/]+)/mailFolders$")
def _create_mail_folder(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    name = str(req.json().get("displayName") or "")
    if name.lower() in fake.mail_folders:  # user-post-mailfolders.md: a duplicate name is refused
        raise Reply(409, "ErrorFolderExists", "A folder with the specified name already exists.")
    fake.mail_folders[name.lower()] = f"AAMkFolder{next(fake.ids):04d}="
    return 201, {"id": fake.mail_folders[name.lower()], "displayName": name}, {}


@route("POST", "move-message", r"^/v1\.0/users/([^/]+)/messages/([^/]+)/move$")
def _move_message(fake: FakeGraph, req: Recorded, args: tuple[str, ...]) -> tuple[int, Any, dict[str, str]]:
    _mailbox(fake, args[0])
    message = next((m for m in fake.inbox_mail if m["id"] == args[1]), None)
    if message is None:
        raise Reply(404, "ErrorItemNotFound", "The specified object was not found in the store.")
    # message-move.md: destinationId is a folder ID or a well-known name; the moved copy has a new ID; 201.
    message["parentFolderId"] = _folder_id(fake, str(req.json().get("destinationId") or ""))
    message["id"] = f"AAMkMsg{next(fake.ids):04d}="
    return 201, _listed(message, req), {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def do_PUT(self) -> None:  # noqa: N802
        self._handle()

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle()

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        fake: FakeGraph = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        req = Recorded(self.command, unquote(parts.path), parse_qs(parts.query),
                       {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic(), url=self.path)
        files_host = self.server is fake.files_server
        if files_host != parts.path.startswith("/_"):  # Graph's paths on Graph, pre-authenticated URLs elsewhere
            with fake.lock:
                fake.requests.append(req)
                req.route, req.status = "wrong-host", 404
            return self._reply(404, {"error": {"code": "itemNotFound", "message": "Not on this host."}}, {})
        if files_host and "authorization" in req.headers:
            fake.problems.append(f"the Graph token was sent to another host with {self.command} {parts.path}")
        download = re.fullmatch(r"/_download/([^/]+)", parts.path)
        if download and self.command == "GET":
            req.route = "download"
            fake.requests.append(req)
            return self._download(fake, download.group(1))
        with fake.lock:
            fake.requests.append(req)
            status, payload, headers = self._dispatch(fake, req, parts.path)
            req.status = status
        self._reply(status, payload, headers)

    def _dispatch(self, fake: FakeGraph, req: Recorded, raw_path: str) -> tuple[int, Any, dict[str, str]]:
        for method, name, pattern, func in ROUTES:
            match = pattern.match(raw_path)
            if method != req.method or match is None:
                continue
            req.route = name
            try:
                if len(req.body) > MAX_REQUEST:  # see MAX_REQUEST: Graph refuses it whole
                    raise Reply(413, "RequestEntityTooLarge", "The maximum request length supported is 4MB.")
                if raw_path.startswith("/v1.0/") and req.headers.get("authorization") != f"Bearer {TOKEN}":
                    raise Reply(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
                times, status, wait = fake.failures.get(name, (0, 0, None))
                if times:
                    fake.failures[name] = (times - 1, status, wait)
                    raise Reply(status, "TooManyRequests" if status == 429 else "ServiceUnavailable",
                                "Please retry again later.", {} if wait is None else {"Retry-After": f"{wait:g}"})
                return func(fake, req, tuple(unquote(a) if a else "" for a in match.groups()))
            except Reply as reply:
                return reply.status, {"error": {"code": reply.code, "message": reply.message}}, reply.headers
        return 400, {"error": {"code": "BadRequest", "message": f"Unsupported request {req.method} {raw_path}"}}, {}

    def _reply(self, status: int, payload: Any, headers: dict[str, str]) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        if not isinstance(payload, bytes):
            self.send_header("Content-Type", "application/json")
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _download(self, fake: FakeGraph, item_id: str) -> None:
        with fake.lock:
            item = fake.items.get(item_id)
            content = item.content if item is not None else None
            broken = fake.breaks.get(item_id, 0) > 0
            if broken:
                fake.breaks[item_id] -= 1
            edit = fake.edits.pop(item_id, None)
            if edit is not None and item is not None:
                fake.save(item, edit)
        if content is None:
            return self._reply(404, {"error": {"code": "itemNotFound", "message": "Gone."}}, {})
        sent = content[:len(content) // 2] if broken else content
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if fake.chunked_downloads:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = f"{len(sent):x}\r\n".encode() + sent + b"\r\n" if sent else b""
            self.wfile.write(chunk + (b"" if broken else b"0\r\n\r\n"))
        else:
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(sent)
        if broken:  # the full length (or no last chunk) was announced; the connection closes half-way
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)


@contextmanager
def fake_graph(page_size: int = 2) -> Iterator[FakeGraph]:
    fake = FakeGraph(page_size).start()
    try:
        yield fake
    finally:
        fake.stop()
