"""Email through Microsoft Graph: the app sends as the configured mailbox (application permission Mail.Send).

Small messages go in one ``sendMail`` call with their attachments inline (base64). When the attachments
add up to more than 3 MB (Graph's limit for inline attachments; a request may be 4 MB in all), the message
is made as a draft, each large attachment is uploaded in chunks through an upload session, and the draft
is sent. A draft left by a failure is deleted.
"""

from __future__ import annotations

import base64
import logging
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

from processors.config.settings import Settings
from processors.errors import DeliveryError, GraphError
from processors.graph.client import GraphClient
from processors.mail.addresses import header_text
from processors.mail.message import Message, SendResult

log = logging.getLogger("qa.mail.graph")

INLINE_LIMIT = 3 * 1024 * 1024    # attachments up to this total go inline with sendMail
CHUNK_SIZE = 2 * 1024 * 1024      # upload-session chunk; Outlook accepts up to 4 MB per PUT


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
        "body": {"contentType": "Text", "content": message.body},
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

    def __init__(self, client: GraphClient, mailbox: str, *, chunk_size: int = CHUNK_SIZE) -> None:
        if not mailbox or "@" not in mailbox:
            raise DeliveryError(f"email.graph.mailbox '{mailbox}' is not a mailbox address: set it in config.yaml")
        self.client, self.mailbox, self.chunk_size = client, mailbox, chunk_size
        self.base = f"users/{quote(mailbox, safe='@')}"

    @classmethod
    def from_settings(cls, settings: Settings) -> GraphMailer:
        return cls(GraphClient.from_settings(settings), settings.email.graph.mailbox)

    def send(self, message: Message) -> SendResult:
        attachments = [Attachment.read(p) for p in message.attachments]
        try:
            if sum(len(a.data) for a in attachments) <= INLINE_LIMIT:
                self.client.call("post", f"{self.base}/sendMail", expect=(202,),
                                 data={"message": graph_message(message, attachments), "saveToSentItems": True})
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
                if len(attachment.data) <= INLINE_LIMIT:
                    self.client.call("post", f"{draft_path}/attachments", expect=(201,),
                                     data=attachment.as_file_attachment())
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
