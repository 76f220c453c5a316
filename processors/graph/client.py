"""A small Microsoft Graph client on top of the O365 library.

O365 provides the app sign-in (MSAL client-credentials flow), the token cache and the HTTP session; this
module adds what the watcher and the mailer need and O365 lacks: calling any Graph path (the drive delta
query has no O365 API, its issue #543), one retry policy for every method that honours Retry-After, and
errors that say what to do.

Retries: a 429 is retried for every method, after waiting what its Retry-After says (Graph's throttling
guidance: the throttled request failed and should be sent again after that wait; urllib3 never retries
POST, so a 429 on sendMail would otherwise be lost). A 503/504 or a dropped connection is retried only for
requests that can safely be sent twice (GET, PUT, PATCH, DELETE, or a POST the caller marks idempotent): a
POST such as sendMail may have been carried out before the error, and sending it again could send an email
twice.

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

THROTTLED = 429                                # retried for every method: the request was not accepted
UNAVAILABLE = frozenset({503, 504})             # retried only when sending twice is harmless
IDEMPOTENT = frozenset({"get", "put", "patch", "delete"})
LONGEST_WAIT = 3600.0                           # a Retry-After beyond this is taken as a mistake (logged)
BACKOFF_CAP = 60.0                              # longest wait of our own when Graph gives no Retry-After



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


def retry_after_seconds(response: requests.Response, attempt: int, cap: float = LONGEST_WAIT) -> float:
    """Seconds to wait before the next attempt: all of the server's Retry-After (seconds or an HTTP date),
    as Graph's throttling guidance asks; else exponential backoff. Only an absurd value (over `cap`) is cut,
    and that is logged."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return min(2.0 ** attempt, BACKOFF_CAP, cap)
    try:
        wait = float(value)
    except ValueError:
        wait = _seconds_until(value)
    if wait > cap:
        log.warning("Graph asked to wait %.0f s before retrying; waiting %.0f s instead", wait, cap)
        return cap
    return max(wait, 0.0)


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
    403: "the app registration lacks a permission or admin consent, or (with Sites.Selected) the site was not "
         "granted to it: see docs/sharepoint.md",
    404: "not found: check email.graph.drive_id and the folder names in config.yaml",
    409: "a name clash in the library",
    412: "the file changed after it was read; it is read again at the next poll",
    413: "the request is larger than Microsoft Graph accepts (4 MB); please report it with generated/logs/qa.log",
    423: "the file is locked (open in Word or checked out); it is tried again later",
}
# auth-limit-mailbox-access.md: an Exchange application access policy that leaves the mailbox out answers
# 403 ErrorAccessDenied "Access to OData is disabled." It is the mailbox's policy, not SharePoint.
ACCESS_POLICY_HINT = ("the Exchange application access policy does not let the app use this mailbox: ask the "
                      "Exchange administrator to add the QA mailbox to the mail-enabled security group the "
                      "policy names (docs/sharepoint.md, step 1.6); a policy change can take an hour to apply")
# user-sendmail.md: /users/{id | userPrincipalName}; anything else is 404 ErrorInvalidUser.
UNKNOWN_USER_HINT = ("Microsoft Graph knows no user by that name: set email.graph.mailbox_user in config.yaml to "
                     "the QA mailbox's user principal name (its sign-in name) or object ID "
                     "(docs/sharepoint.md, step 4)")
UNSURE_HINT = ("Microsoft Graph was unavailable and may or may not have done it, so it was not sent again "
               "(for an email, look in the QA mailbox's Sent Items before sending it again)")


def _hint(method: str, status: int, code: str, message: str) -> str:
    if status == 403 and (code == "ErrorAccessDenied" or "access to odata is disabled" in message.lower()):
        return ACCESS_POLICY_HINT
    if status == 404 and code == "ErrorInvalidUser":
        return UNKNOWN_USER_HINT
    if status in UNAVAILABLE and method.lower() not in IDEMPOTENT:
        return UNSURE_HINT
    return _HINTS.get(status, "see docs/sharepoint.md")


class GraphClient:
    """Calls Microsoft Graph through an O365 Account's connection, with bounded retries (see the module notes).

    ``max_wait`` only cuts an absurd Retry-After; any sensible one is waited in full.
    """

    def __init__(self, account: Account, *, max_attempts: int = 5, max_wait: float = LONGEST_WAIT,
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
                authenticated: bool = True, idempotent: bool | None = None) -> requests.Response:
        """Send one request, retrying a 429 and, when sending twice is harmless, a 503/504 or a dropped connection.

        ``idempotent`` defaults by method (GET, PUT, PATCH, DELETE); a POST that may be repeated safely (one that
        fails with 409 when already done) passes True. Any other status is returned as it is; ``call`` turns
        unexpected ones into a GraphError. ``authenticated=False`` is for pre-authenticated URLs (upload
        sessions), which must not get the token.
        """
        method = method.lower()
        url = self.url(path)
        repeatable = method in IDEMPOTENT if idempotent is None else idempotent
        retry = {THROTTLED} | (UNAVAILABLE if repeatable else frozenset())
        kwargs: dict[str, Any] = {"data": data, "params": params, "headers": dict(headers or {}), "stream": stream}
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self._send(method, url, authenticated, kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                if not repeatable or attempt == self.max_attempts:
                    raise GraphError(f"could not reach Microsoft Graph ({_where(url)}: {type(exc).__name__}): "
                                     "check the network connection and email.graph.base_url") from None
                self.sleep(min(2.0 ** attempt, BACKOFF_CAP))
                continue
            if response.status_code not in retry:
                return response
            if attempt == self.max_attempts:
                break
            wait = retry_after_seconds(response, attempt, self.max_wait)
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
        hint = _hint(method, response.status_code, code, message)
        text = f"Microsoft Graph refused {method.upper()} {_where(path)} ({response.status_code}"
        text += f" {code}" if code else ""
        text += f": {message}" if message else ""
        return GraphError(f"{text}): {hint}", response.status_code, code)


def _where(url: str) -> str:
    """A URL without its query (delta tokens, upload auth tokens) for messages and logs."""
    parts = urlsplit(url)
    return parts.path or url
