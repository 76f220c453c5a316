"""The QA mailbox through Microsoft Graph (application permission Mail.ReadWrite on that mailbox only).

Messages in the watched folder are listed oldest first (user-list-messages / mailfolder-list-messages),
their file attachments fetched (message-list-attachments: fileAttachment.contentBytes is base64), and a
message whose forms have been read is moved to the done folder (message-move; the folder is found by
display name, or created: user-post-mailfolders), so it is read once.
"""

from __future__ import annotations

import base64
import binascii
from types import TracebackType
from urllib.parse import quote

from processors.config.settings import Settings
from processors.graph.client import GraphClient
from processors.mail.incoming import IncomingMail, MailAttachment, is_automated, is_form_name

BATCH = 50
WELL_KNOWN = {"inbox": "inbox"}  # Graph's well-known folder names address those folders directly


class GraphMailbox:
    def __init__(self, client: GraphClient, settings: Settings) -> None:
        self.client = client
        self.cfg = settings.mailbox
        graph = settings.email.graph  # user-list-messages.md: /users/{id | userPrincipalName}, not the address
        self.user = f"users/{quote(graph.mailbox_user.strip() or graph.mailbox, safe='@')}"
        self._done_id = ""

    def __enter__(self) -> GraphMailbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        return None

    def _folder(self) -> str:
        name = self.cfg.folder.strip()
        return WELL_KNOWN.get(name.lower(), quote(name, safe=""))

    def new_messages(self) -> list[IncomingMail]:
        listed = self.client.call_json("get", f"{self.user}/mailFolders/{self._folder()}/messages", params={
            "$select": "id,subject,from,internetMessageId,hasAttachments,internetMessageHeaders",
            "$orderby": "receivedDateTime", "$top": str(BATCH)})
        return [self._incoming(m) for m in listed.get("value", [])]

    def _incoming(self, message: dict) -> IncomingMail:
        sender = str(((message.get("from") or {}).get("emailAddress") or {}).get("address") or "")
        headers = {str(h.get("name", "")).lower(): str(h.get("value", ""))
                   for h in message.get("internetMessageHeaders") or []}
        attachments = self._attachments(str(message["id"])) if message.get("hasAttachments") else ()
        return IncomingMail(key=str(message["id"]), sender=sender, subject=" ".join(str(message.get("subject") or
                            "").split()), message_id=str(message.get("internetMessageId") or ""),
                            attachments=attachments, automated=is_automated(sender, headers))

    def _attachments(self, message_id: str) -> tuple[MailAttachment, ...]:
        listed = self.client.call_json("get", f"{self.user}/messages/{quote(message_id, safe='')}/attachments")
        found: list[MailAttachment] = []
        for item in listed.get("value", []):
            name = " ".join(str(item.get("name") or "").split())
            if item.get("@odata.type") != "#microsoft.graph.fileAttachment" or not is_form_name(name):
                continue
            try:
                data = base64.b64decode(str(item.get("contentBytes") or ""), validate=True)
            except (binascii.Error, ValueError):
                data = b""  # intake rejects an empty file with a reason the sender is told
            found.append(MailAttachment(name, data))
        return tuple(found)

    def _done_folder(self) -> str:
        if not self._done_id:
            name = self.cfg.done_folder.replace("'", "''")
            found = self.client.call_json("get", f"{self.user}/mailFolders",
                                          params={"$filter": f"displayName eq '{name}'"}).get("value", [])
            if found:
                self._done_id = str(found[0]["id"])
            else:
                made = self.client.call_json("post", f"{self.user}/mailFolders", expect=(201,),
                                             data={"displayName": self.cfg.done_folder})
                self._done_id = str(made["id"])
        return self._done_id

    def mark_done(self, key: str) -> None:
        self.client.call_json("post", f"{self.user}/messages/{quote(key, safe='')}/move", expect=(201,),
                              data={"destinationId": self._done_folder()})
