"""The practice-week team remembered for its cycle, so that `allocate` gives them no thematic peer audits then."""

from __future__ import annotations

from pathlib import Path

from processors.config.settings import Settings
from processors.store.database import Store

TEAM_STATE = "practice_week_team:"  # + cycle ID -> the team file `allocate` reads for that cycle


def remember_team(settings: Settings, cycle_id: str, team_file: Path) -> None:
    with Store(settings.path("database")) as store:
        store.set_state(TEAM_STATE + cycle_id, str(team_file.resolve()))


def team_for_cycle(settings: Settings, cycle_id: str) -> Path | None:
    """The practice-week team file a practice week planned for this cycle left, if any."""
    with Store(settings.path("database")) as store:
        remembered = store.get_state(TEAM_STATE + cycle_id)
    return Path(remembered) if remembered and Path(remembered).is_file() else None
