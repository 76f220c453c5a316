"""One watcher per installation: an exclusive lock in the state folder (beside the store), not in the inbox.

The inbox is a synced folder everybody sees, so nothing of ours is written there. The lock is released
when the watcher's process dies, however it dies.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from processors.config.settings import Settings
from processors.store.lock import state_lock, watch_lock_path


def watcher_lock(settings: Settings) -> AbstractContextManager[None]:
    """Held for the watcher's whole life; a second watcher says at once who is already watching."""
    return state_lock(watch_lock_path(settings.path("database")), "watch", wait=0, what="watcher")
