"""A small Microsoft Graph client on top of the O365 library.

O365 provides the app sign-in (MSAL client-credentials flow), the token cache and the HTTP session; this
module adds what the watcher and the mailer need and O365 lacks: calling any Graph path (the drive delta
query has no O365 API, its issue #543), one retry policy for every method (urllib3 never retries POST, so a
429 on sendMail would be lost) that honours Retry-After, and errors that say what to do.

The Graph root comes from ``email.graph.base_url``, so tests point it at a loopback server. MSAL's
authority is Microsoft's login host, so tests hand in a token backend that already holds a token and
MSAL is never asked; production leaves ``token_backend`` empty and signs in for real.
"""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from O365 import Account
from O365.connection import MSGraphProtocol
from O365.utils.token import BaseTokenBackend, MemoryTokenBackend

from processors.config.settings import Settings
from processors.errors import ConfigError, GraphError

log = logging.getLogger("qa.graph")

RETRY_STATUSES = frozenset({429, 503, 504})
IDEMPOTENT = frozenset({"get", "put", "patch", "delete"})



class GraphProtocol(MSGraphProtocol):
    """Microsoft Graph, at the root configured in ``email.graph.base_url`` (e.g. https://graph.microsoft.com/v1.0)."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        root, _, version = base_url.rstrip("/").rpartition("/")
        if not root.startswith(("https://", "http://")) or not version:
            raise ConfigError(f"email.graph.base_url '{base_url}' is not a Graph address like "
                              "https://graph.microsoft.com/v1.0: fix it in config.yaml")
        self._protocol_url = root + "/"  # read by MSGraphProtocol.__init__ to build service_url
        super().__init__(api_version=version, **kwargs)


@dataclass(frozen=True)
class AppCredentials:
    tenant_id: str
    client_id: str
    client_secret: str

    @classmethod
    def from_environment(cls, settings: Settings, environ: Mapping[str, str] = os.environ) -> AppCredentials:
        cfg = settings.email.graph
        values = []
        for name, what in ((cfg.tenant_id_env, "the Directory (tenant) ID"),
                           (cfg.client_id_env, "the Application (client) ID"),
                           (cfg.client_secret_env, "the client secret's Value")):
            value = environ.get(name, "").strip()
            if not value:
                raise ConfigError(f"environment variable {name} is not set: set it to {what} of the app "
                                  "registration in Entra ID (see docs/sharepoint.md)")
            values.append(value)
        return cls(*values)


class _QuietO365(logging.Filter):
    """O365 logs request bodies at DEBUG (email text about children) and every 4xx at ERROR, including the
    404/409/410 answers this client expects; real failures are reported by GraphError instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO and not record.getMessage().startswith("Client Error")


def _quiet_o365_logging() -> None:
    logger = logging.getLogger("O365.connection")
    if not any(isinstance(f, _QuietO365) for f in logger.filters):
        logger.addFilter(_QuietO365())


def retry_after_seconds(response: requests.Response, attempt: int, cap: float) -> float:
    """Seconds to wait before the next attempt: the server's Retry-After, else exponential backoff."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        wait = float(value)
    except ValueError:
        wait = _seconds_until(value) if value else 2.0 ** attempt
    return min(max(wait, 0.0), cap)


def _seconds_until(http_date: str) -> float:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return 1.0
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def _error_detail(response: requests.Response) -> tuple[str, str]:
    try:
        error = response.json().get("error", {})
    except ValueError:
        return "", response.reason or ""
    if not isinstance(error, dict):
        return "", str(error)
    return str(error.get("code", "")), str(error.get("message", ""))


_HINTS = {
    400: "the request was not accepted; please report it with the log (logs/qa.log in the generated folder)",
    401: "the app could not sign in: check the QA_GRAPH_* environment variables and that the client secret "
         "has not expired",
    403: "the app registration lacks a permission or the site was not granted to it: see docs/sharepoint.md",
    404: "not found: check email.graph.drive_id, email.graph.mailbox and the folder names in config.yaml",
    409: "a name clash in the library",
    423: "the file is locked (open in Word or checked out); it is tried again later",
}


class GraphClient:
    """Calls Microsoft Graph through an O365 Account's connection, with bounded retries for 429/503/504."""

    def __init__(self, account: Account, *, max_attempts: int = 5, max_wait: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        _quiet_o365_logging()
        self.account = account
        self.max_attempts, self.max_wait, self.sleep = max_attempts, max_wait, sleep

    @classmethod
    def from_settings(cls, settings: Settings, *, token_backend: BaseTokenBackend | None = None,
                      environ: Mapping[str, str] = os.environ, **options: Any) -> GraphClient:
        """The app's client-credentials account; secrets from the environment variables named in config."""
        creds = AppCredentials.from_environment(settings, environ)
        account = Account((creds.client_id, creds.client_secret), auth_flow_type="credentials",
                          tenant_id=creds.tenant_id, protocol=GraphProtocol(settings.email.graph.base_url),
                          token_backend=token_backend or MemoryTokenBackend(),  # the token stays in memory
                          request_retries=0,       # retries are ours, for every method
                          raise_http_errors=False,  # statuses come back to us, not as exceptions
                          requests_delay=0, timeout=(15, 120))
        return cls(account, **options)

    @property
    def service_url(self) -> str:
        return self.account.protocol.service_url

    def url(self, path: str) -> str:
        """Absolute links (nextLink, deltaLink, uploadUrl) pass through; paths join the Graph root."""
        if path.startswith(("https://", "http://")):
            return path
        return self.service_url + path.lstrip("/")

    # -- requests --

    def request(self, method: str, path: str, *, data: Any = None, params: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None, stream: bool = False,
                authenticated: bool = True) -> requests.Response:
        """Send one request, retrying 429/503/504 (and, for idempotent methods, a dropped connection).

        Any other status is returned as it is; ``call`` turns unexpected ones into a GraphError.
        ``authenticated=False`` is for pre-authenticated URLs (upload sessions), which must not get the token.
        """
        method = method.lower()
        url = self.url(path)
        kwargs: dict[str, Any] = {"data": data, "params": params, "headers": dict(headers or {}), "stream": stream}
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._send(method, url, authenticated, kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if method not in IDEMPOTENT or attempt == self.max_attempts:
                    raise GraphError(f"could not reach Microsoft Graph ({_where(url)}: {type(exc).__name__}): "
                                     "check the network connection and email.graph.base_url") from None
                self.sleep(min(2.0 ** attempt, self.max_wait))
                continue
            if response.status_code not in RETRY_STATUSES:
                return response
            wait = retry_after_seconds(response, attempt, self.max_wait)
            if attempt == self.max_attempts:
                break
            log.info("Graph answered %d to %s %s; retrying in %.1f s (attempt %d of %d)", response.status_code,
                     method.upper(), _where(url), wait, attempt + 1, self.max_attempts)
            response.close()
            self.sleep(wait)
        raise GraphError(f"Microsoft Graph is busy ({response.status_code} to {method.upper()} {_where(url)} after "
                         f"{self.max_attempts} attempts): try again later", response.status_code, "throttled")

    def _send(self, method: str, url: str, authenticated: bool, kwargs: dict[str, Any]) -> requests.Response:
        call = dict(kwargs, headers=dict(kwargs["headers"]))  # O365 edits headers in place
        if not authenticated:
            return self.account.con.naive_request(url, method, **call)
        self.ensure_signed_in()
        return self.account.con.oauth_request(url, method, **call)

    def ensure_signed_in(self) -> None:
        """Get an app token (MSAL client credentials) when there is none or it has expired."""
        try:
            if self.account.is_authenticated or self.account.authenticate():
                return
        except (requests.RequestException, ValueError) as exc:
            raise GraphError(f"could not reach Microsoft's sign-in service ({type(exc).__name__}): check the "
                             "network connection") from None
        raise GraphError("Microsoft Graph sign-in failed for the app: check the QA_GRAPH_TENANT_ID, "
                         "QA_GRAPH_CLIENT_ID and QA_GRAPH_CLIENT_SECRET environment variables (a client secret "
                         "expires; make a new one in Entra ID if needed)", 401, "signin")

    def call(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any) -> requests.Response:
        """``request``, raising a GraphError (with Graph's code and a hint) for any status not in ``expect``."""
        response = self.request(method, path, **kwargs)
        if response.status_code not in expect:
            raise self.error(method, path, response)
        return response

    def call_json(self, method: str, path: str, *, expect: tuple[int, ...] = (200,), **kwargs: Any) -> dict:
        response = self.call(method, path, expect=expect, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise GraphError(f"Microsoft Graph answered {method.upper()} {_where(path)} with something other than "
                             "JSON: check email.graph.base_url", response.status_code) from None
        return body if isinstance(body, dict) else {}

    def error(self, method: str, path: str, response: requests.Response) -> GraphError:
        code, message = _error_detail(response)
        hint = _HINTS.get(response.status_code, "see docs/sharepoint.md")
        text = f"Microsoft Graph refused {method.upper()} {_where(path)} ({response.status_code}"
        text += f" {code}" if code else ""
        text += f": {message}" if message else ""
        return GraphError(f"{text}): {hint}", response.status_code, code)


def _where(url: str) -> str:
    """A URL without its query (delta tokens, upload auth tokens) for messages and logs."""
    parts = urlsplit(url)
    return parts.path or url
