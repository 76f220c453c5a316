"""Email through Microsoft Graph: the app sends as the configured mailbox (application permission Mail.Send).

The mailbox is addressed as ``/users/{id | userPrincipalName}`` (user-sendmail.md): its object ID or its
sign-in name (``email.graph.mailbox_user``), which can differ from its email address (``email.graph.mailbox``).

Graph refuses a request over 4 MB, and attachments travel base64-encoded, a third larger than the file.
A message goes in one ``sendMail`` call with its attachments inline only when that whole request fits and each
attachment is under 3 MB (message-post-attachments.md). Otherwise the message is made as a draft: an
attachment whose request fits is added with one POST, a larger one is uploaded in chunks through an upload
session (attachment-createuploadsession.md: for files of 3 MB to 150 MB), and the draft is sent. A draft
left by a failure is deleted.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

from processors.config.settings import Settings
from processors.errors import ConfigError, DeliveryError, GraphError
from processors.graph.client import GraphClient
from processors.mail.addresses import header_text
from processors.mail.message import Message, SendResult

log = logging.getLogger("qa.mail.graph")

MB = 1024 * 1024
REQUEST_LIMIT = 4 * MB            # Graph refuses a larger request (413)
HEADROOM = 16 * 1024              # kept free below REQUEST_LIMIT
INLINE_ATTACHMENT_LIMIT = 3 * MB  # message-post-attachments.md: an attachment sent whole is "under 3 MB"
CHUNK_SIZE = 2 * MB               # upload-session chunk; a PUT may carry up to 4 MB
OBJECT_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def request_size(body: object) -> int:
    """Bytes of the JSON body as sent (O365 encodes it with json.dumps, ASCII only)."""
    return len(json.dumps(body).encode("ascii"))


def fits_one_request(body: object) -> bool:
    return request_size(body) <= REQUEST_LIMIT - HEADROOM


@dataclass(frozen=True)
class Attachment:
    name: str
    content_type: str
    data: bytes

    @classmethod
    def read(cls, path: Path) -> Attachment:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DeliveryError(f"attachment {path.name} could not be read ({exc.strerror or exc}): check that "
                                "the file exists and is not open elsewhere") from None
        return cls(path.name, mimetypes.guess_type(path.name)[0] or "application/octet-stream", data)

    def as_file_attachment(self) -> dict[str, object]:
        return {"@odata.type": "#microsoft.graph.fileAttachment", "name": self.name,
                "contentType": self.content_type, "contentBytes": base64.b64encode(self.data).decode("ascii")}


def graph_message(message: Message, attachments: list[Attachment] | None = None) -> dict[str, object]:
    """The documented message resource for sendMail / create message."""
    body: dict[str, object] = {
        "subject": header_text(message.subject),
        # message.md: one body, Text or HTML; a message written with an HTML part (the allocation email) sends that
        "body": {"contentType": "HTML", "content": message.html} if message.html else
                {"contentType": "Text", "content": message.body},
        "toRecipients": [_recipient(a) for a in message.to],
        "ccRecipients": [_recipient(a) for a in message.cc],
        "internetMessageHeaders": [{"name": "X-QA-Kind", "value": message.kind}],
    }
    if attachments:
        body["attachments"] = [a.as_file_attachment() for a in attachments]
    return body


def _recipient(address: str) -> dict[str, dict[str, str]]:
    return {"emailAddress": {"address": address}}


class GraphMailer:
    """The processors.mail.message.Mailer protocol over Microsoft Graph."""

    name = "graph"

    def __init__(self, client: GraphClient, mailbox: str, *, user: str = "", chunk_size: int = CHUNK_SIZE) -> None:
        if not mailbox or "@" not in mailbox:
            raise DeliveryError(f"email.graph.mailbox '{mailbox}' is not a mailbox address: set it in config.yaml")
        user = user.strip() or mailbox
        if "@" not in user and not OBJECT_ID.fullmatch(user):
            raise ConfigError(f"email.graph.mailbox_user '{user}' is neither a user principal name (like "
                              "qa.forms@yourtrust.onmicrosoft.com) nor an object ID (like 1b2c3d4e-...): set it in "
                              "config.yaml (docs/sharepoint.md shows where to find it)")
        self.client, self.mailbox, self.user, self.chunk_size = client, mailbox, user, chunk_size
        self.base = f"users/{quote(user, safe='@')}"

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphMailer:
        graph = settings.email.graph
        return cls(GraphClient.from_settings(settings), graph.mailbox, user=graph.mailbox_user)

    def send(self, message: Message) -> SendResult:
        attachments = [Attachment.read(p) for p in message.attachments]
        try:
            body = {"message": graph_message(message, attachments), "saveToSentItems": True}
            if all(len(a.data) < INLINE_ATTACHMENT_LIMIT for a in attachments) and fits_one_request(body):
                self.client.call("post", f"{self.base}/sendMail", expect=(202,), data=body)
                detail = f"Graph sendMail as {self.mailbox}"
            else:
                detail = self._send_with_upload(message, attachments)
        except (GraphError, requests.RequestException) as exc:
            raise DeliveryError(f"could not send '{message.subject}' through Microsoft Graph as {self.mailbox}: "
                                f"{exc}") from None
        log.info("%s email sent through Graph to %d recipient(s)", message.kind, len(message.to) + len(message.cc))
        return SendResult(message, self.name, detail)

    # -- large attachments --

    def _send_with_upload(self, message: Message, attachments: list[Attachment]) -> str:
        draft = self.client.call_json("post", f"{self.base}/messages", expect=(201,), data=graph_message(message))
        draft_path = f"{self.base}/messages/{quote(str(draft.get('id', '')), safe='')}"
        try:
            for attachment in attachments:
                whole = attachment.as_file_attachment()
                if len(attachment.data) < INLINE_ATTACHMENT_LIMIT and fits_one_request(whole):
                    self.client.call("post", f"{draft_path}/attachments", expect=(201,), data=whole)
                else:
                    self._upload(draft_path, attachment)
            self.client.call("post", f"{draft_path}/send", expect=(202,))
        except Exception:
            self._discard(draft_path)
            raise
        return f"Graph draft sent as {self.mailbox} ({len(attachments)} attachment(s), upload session)"

    def _upload(self, draft_path: str, attachment: Attachment) -> None:
        item = {"attachmentType": "file", "name": attachment.name, "size": len(attachment.data),
                "contentType": attachment.content_type}
        session = self.client.call_json("post", f"{draft_path}/attachments/createUploadSession", expect=(201,),
                                        data={"AttachmentItem": item})
        upload_url = str(session.get("uploadUrl", ""))
        total = len(attachment.data)
        for start in range(0, total, self.chunk_size):
            chunk = attachment.data[start:start + self.chunk_size]
            end = start + len(chunk) - 1
            expect = (201,) if end == total - 1 else (200,)
            self.client.call("put", upload_url, expect=expect, data=chunk, authenticated=False,
                             headers={"Content-type": "application/octet-stream",
                                      "Content-Range": f"bytes {start}-{end}/{total}"})

    def _discard(self, draft_path: str) -> None:
        try:
            self.client.request("delete", draft_path)
        except (GraphError, requests.RequestException):
            log.warning("a draft message could not be deleted from %s after a failed send", self.mailbox)
