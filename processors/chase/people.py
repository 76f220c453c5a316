"""Who to write to: email addresses from the staff list (then the auditor pool), line managers from the pool."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from processors.allocation.caselist import normalise_text, read_pool
from processors.config.chase import chase_settings, resolve
from processors.config.settings import Settings
from processors.errors import ConfigError, InputFileError
from processors.forms.models import Auditor
from processors.mail.directory import StaffDirectory
from processors.store.database import POOL_STATE, Store


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True)
class People:
    """The staff list and the auditor pool, for looking people up by name or email."""

    staff: StaffDirectory
    pool: tuple[Auditor, ...] = ()

    def _pool_member(self, name: str, email: str = "") -> Auditor | None:
        wanted_email, wanted_name = email.strip().casefold(), normalise_text(name)
        if wanted_email:
            for a in self.pool:
                if a.email.casefold() == wanted_email:
                    return a
        if wanted_name:
            for a in self.pool:
                if normalise_text(a.name) == wanted_name:
                    return a
        return None

    def find(self, name: str, email: str = "") -> Contact | None:
        """The person's name and address: the address given, else the staff list, else the pool."""
        name = name.strip()
        if "@" in name and not email:
            email = name                  # an owner written as an address
        if "@" in email:
            return Contact(name or email, email.strip())
        person = self.staff.find(name) if name else None
        if person is not None and person.email:
            return Contact(person.name, person.email)
        member = self._pool_member(name)
        return Contact(member.name, member.email) if member else None

    def manager_of(self, name: str, email: str = "") -> Contact | None:
        """The line manager the auditor pool gives for this person, if both are in it."""
        member = self._pool_member(name, email)
        if member is None or not member.manager_id:
            return None
        boss = next((a for a in self.pool if a.auditor_id == member.manager_id), None)
        return Contact(boss.name, boss.email) if boss else None


def load_pool(path: Path | None) -> tuple[Auditor, ...]:
    """The auditor pool named by chase.pool_file (none when it is not set); a missing or broken file stops the run."""
    if path is None:
        return ()
    try:
        return tuple(read_pool(path))
    except InputFileError as exc:
        raise ConfigError(f"chase.pool_file in config.yaml: {exc}") from None


def pool_path(settings: Settings, store: Store) -> Path | None:
    """chase.pool_file when set; else the pool the last `allocate` used, if it is still there."""
    config = chase_settings(settings)
    if config.pool_file:
        return resolve(settings, config.pool_file)
    last = store.get_state(POOL_STATE)
    return Path(last) if last and Path(last).is_file() else None


def load_people(settings: Settings, store: Store) -> People:
    """The staff list and the auditor pool (chase.pool_file, else the one `allocate` last used)."""
    return People(StaffDirectory.load(settings.path("staff")), load_pool(pool_path(settings, store)))
