"""Configuration: config.yaml holds the embedded defaults; it is validated at start.

Paths are relative to the folder holding the config file. Secrets never live here: they come from
environment variables named in the config (``*_env`` keys).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from processors.config.chase import ChaseSettings
from processors.config.reports import ReportSettings
from processors.errors import ConfigError
from processors.forms.vocabulary import OBSERVATION, SUPERVISION, THEMATIC, AuditType

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class Paths(_Strict):
    templates: Path = Path("templates")
    generated: Path = Path("generated")
    inbox: Path = Path("generated/inbox")
    processed: Path = Path("generated/processed")
    rejected: Path = Path("generated/rejected")
    held: Path = Path("generated/held")  # returns whose reference does not match their case, for a decision
    outbox: Path = Path("generated/outbox")
    register: Path = Path("generated/register.xlsx")
    database: Path = Path("generated/qa.sqlite3")
    staff: Path = Path("generated/staff.csv")
    letters: Path = Path("generated/letters")
    held: Path = Path("generated/held")

    @field_validator("register")
    @classmethod
    def _xlsx(cls, v: Path) -> Path:
        if v.suffix.lower() != ".xlsx":
            raise ValueError("must be an .xlsx file")
        return v


class Cycle(_Strict):
    length_days: int = Field(42, ge=1)
    due_days: int = Field(14, ge=1, description="days from generation to the return-by date")
    counts: dict[AuditType, int] = {THEMATIC: 33, OBSERVATION: 22, SUPERVISION: 22}
    reaudit_months: int = Field(12, ge=0)
    seed: int = 2026


class Contacts(_Strict):
    qa_manager: str = "qa.manager@example-trust.org.uk"
    qa_administrator: str = "qa.admin@example-trust.org.uk"
    escalation_service_manager: str = "service.manager@example-trust.org.uk"  # when no manager is known
    service_managers: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="service -> its managers' addresses, for concern alerts (QAF 5.4); "
        "a service not listed uses the auditor pool's Service Managers of that service")
    sender: str = "qa-forms@example-trust.org.uk"


class Smtp(_Strict):
    host: str = "localhost"
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True
    username_env: str = "QA_SMTP_USERNAME"
    password_env: str = "QA_SMTP_PASSWORD"
    timeout_seconds: float = Field(30, gt=0)


class Graph(_Strict):
    tenant_id_env: str = "QA_GRAPH_TENANT_ID"
    client_id_env: str = "QA_GRAPH_CLIENT_ID"
    client_secret_env: str = "QA_GRAPH_CLIENT_SECRET"
    mailbox: str = "qa-forms@example-trust.org.uk"
    mailbox_user: str = Field("", description="the mailbox's user principal name or object ID; empty: the address")
    drive_id: str = ""
    inbox_folder: str = "QA Returns"
    processed_folder: str = "QA Returns/Processed"
    rejected_folder: str = "QA Returns/Rejected"
    held_folder: str = "QA Returns/Held"
    base_url: str = "https://graph.microsoft.com/v1.0"


class Email(_Strict):
    backend: Literal["outbox", "smtp", "graph"] = "outbox"
    allowed_domains: tuple[str, ...] = ("example-trust.org.uk",)
    smtp: Smtp = Smtp()
    graph: Graph = Graph()


class Watch(_Strict):
    source: Literal["folder", "sharepoint"] = "folder"
    polling: bool = False
    stable_seconds: float = Field(1.0, ge=0)
    rescan_seconds: float = Field(60, gt=0)
    register_debounce_seconds: float = Field(2.0, ge=0)
    graph_poll_seconds: float = Field(30, gt=0)
    graph_quiet_seconds: float = Field(60, ge=0, description="a library file unchanged this long is taken")


class Mailbox(_Strict):
    """Returns by email: a mailbox whose messages' attachments go through intake (watch reads it)."""

    source: Literal["none", "imap", "graph"] = "none"
    imap_host: str = "localhost"
    imap_port: int = Field(993, ge=1, le=65535)
    imap_ssl: bool = True
    username_env: str = "QA_IMAP_USERNAME"
    password_env: str = "QA_IMAP_PASSWORD"
    folder: str = "INBOX"
    done_folder: str = "QA returns done"
    poll_seconds: float = Field(60, gt=0)


class Returns(_Strict):
    """Where auditors put completed forms: the allocation email names it."""

    folder: str = Field("", description="the synced folder as people see it in File Explorer")
    web_address: str = Field("", description="the SharePoint library's address (https://...)")
    by_email: bool = Field(False, description="true once forms emailed back to the sender are read")

    @field_validator("web_address")
    @classmethod
    def _https(cls, v: str) -> str:
        if v and not v.startswith("https://"):
            raise ValueError("must be the library's web address, starting https://")
        return v


class Ingest(_Strict):
    max_file_mb: int = Field(20, ge=1)


class Settings(_Strict):
    organisation: str = "Example Children's Trust (synthetic)"
    paths: Paths = Paths()
    cycle: Cycle = Cycle()
    contacts: Contacts = Contacts()
    email: Email = Email()
    watch: Watch = Watch()
    mailbox: Mailbox = Mailbox()
    ingest: Ingest = Ingest()
    returns: Returns = Returns()
    chase: ChaseSettings = ChaseSettings()
    reports: ReportSettings = ReportSettings()
    base_dir: Path = Field(PROJECT_ROOT, exclude=True)

    def path(self, name: str) -> Path:
        """An absolute path from the ``paths`` section."""
        p = getattr(self.paths, name)
        return p if p.is_absolute() else (self.base_dir / p).resolve()


def _describe(err: dict) -> str:
    key = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{key}' (check the spelling; see config.yaml for the keys there are)"
    if kind == "missing":
        return f"'{key}' is required"
    return f"'{key}': {err['msg']} (got {err.get('input')!r})"


def _check_paths(settings: Settings, source: Path) -> None:
    for name in Paths.model_fields:
        p = settings.path(name)
        for parent in [p, *p.parents]:
            if parent.exists():
                if parent != p and not parent.is_dir():
                    raise ConfigError(f"{source}: 'paths.{name}' ({p}) is impossible: {parent} is a file, not a folder")
                break
        if name == "templates" and not p.is_dir():
            raise ConfigError(f"{source}: 'paths.{name}' ({p}) is not a folder: point it at the Word templates folder")


def load_settings(path: Path | str | None = None) -> Settings:
    """Read and validate a config file (the embedded defaults when ``path`` is None)."""
    source = Path(path) if path else DEFAULT_CONFIG
    if not source.exists():
        raise ConfigError(f"config file {source} not found: pass --config with the path to config.yaml")
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{source} is not valid YAML ({first}): fix the file and run again") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{source} must hold a mapping of keys (like 'paths:'), not {type(raw).__name__}")
    raw.pop("base_dir", None)
    try:
        settings = Settings(**raw, base_dir=source.resolve().parent)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc.errors()[0])}") from None
    _check_paths(settings, source)
    return settings
