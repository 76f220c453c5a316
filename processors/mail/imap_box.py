"""The QA mailbox over IMAP (for trusts without Microsoft 365), through imapclient.

Every message in the watched folder is new: once its attachments have been read, it is moved to the
done folder (created when missing), so a message is read once even across restarts.
"""

from __future__ import annotations

import os
import ssl
from types import TracebackType

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from processors.config.settings import Mailbox
from processors.errors import ConfigError, DeliveryError
from processors.mail.incoming import IncomingMail, read_incoming

BATCH = 50  # messages read per poll; the rest wait for the next one


class ImapMailbox:
    def __init__(self, cfg: Mailbox, *, ssl_context: ssl.SSLContext | None = None,
                 credentials: tuple[str, str] | None = None) -> None:
        self.cfg = cfg
        user, password = credentials or (os.environ.get(cfg.username_env, ""), os.environ.get(cfg.password_env, ""))
        if not user or not password:
            raise ConfigError(f"mailbox.source is imap but {cfg.username_env} or {cfg.password_env} is not set: "
                              "set both environment variables to the QA mailbox's sign-in name and password")
        try:
            self.client = IMAPClient(cfg.imap_host, port=cfg.imap_port, ssl=cfg.imap_ssl, ssl_context=ssl_context,
                                     timeout=30)
            self.client.login(user, password)
        except LoginError:
            raise ConfigError(f"the IMAP server {cfg.imap_host} refused the sign-in for {user}: check "
                              f"{cfg.username_env} and {cfg.password_env}") from None
        except (OSError, IMAPClientError) as exc:
            raise DeliveryError(f"could not reach the IMAP server {cfg.imap_host}:{cfg.imap_port} ({exc}): "
                                "check mailbox.imap_host and imap_port in config.yaml") from None

    def __enter__(self) -> ImapMailbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.client.logout()
        except (OSError, IMAPClientError):
            pass

    def new_messages(self) -> list[IncomingMail]:
        """The oldest BATCH messages in the watched folder, read without marking them seen."""
        self.client.select_folder(self.cfg.folder)
        uids = sorted(self.client.search(["ALL"]))[:BATCH]
        if not uids:
            return []
        fetched = self.client.fetch(uids, ["BODY.PEEK[]"])
        return [read_incoming(str(uid), fetched[uid][b"BODY[]"]) for uid in uids if uid in fetched]

    def mark_done(self, key: str) -> None:
        """Move the message to the done folder."""
        folder = self.cfg.done_folder
        if not self.client.folder_exists(folder):
            self.client.create_folder(folder)
        uid = int(key)
        if self.client.has_capability("MOVE"):
            self.client.move([uid], folder)
        else:
            self.client.copy([uid], folder)
            self.client.delete_messages([uid])
            self.client.expunge()
