"""Who signs a good-practice thank-you letter (QAF 8.5.4): the practitioner's own senior leader.

The auditor pool's management line decides: the practitioner (when they are in the pool, their line
manager; otherwise their team manager, named on the form or the Team Manager of their team in the pool),
then each `Line manager ID` upward to the first person whose role is Senior Leader. The senior leader the
nominator typed on the form is used only when the pool cannot say (no pool, nobody of the practitioner's
line in it, or no Senior Leader above them), and the notice says which was used and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from processors.allocation.caselist import same_text
from processors.allocation.rules import Organisation
from processors.chase.people import People
from processors.forms.models import Auditor
from processors.forms.vocabulary import SENIOR_LEADER, TEAM_MANAGER

FROM_POOL, FROM_NOMINATOR = "pool", "nominator"


@dataclass(frozen=True)
class Signatory:
    """The person who signs the letter, their job title, and a line saying how they were chosen."""

    name: str
    job_title: str
    email: str
    source: str          # FROM_POOL or FROM_NOMINATOR
    explanation: str     # one line for the notice


def job_title(auditor: Auditor) -> str:
    """A senior leader's pool 'Team' names their post ('Assistant Director, Corporate Parenting'); else the role."""
    if auditor.role == SENIOR_LEADER and auditor.team and not same_text(auditor.team, auditor.service):
        return auditor.team
    return auditor.role


def _first_in_line(people: People, practitioner: str, team_manager: str, team: str) -> Auditor | None:
    """Where the practitioner's management line starts in the pool: their line manager or team manager."""
    org = Organisation(people.pool)
    member = next((a for a in people.pool if same_text(a.name, practitioner)), None) if practitioner else None
    if member is not None and member.manager_id:
        return org.by_id.get(member.manager_id)
    named = next((a for a in people.pool if team_manager and same_text(a.name, team_manager)), None)
    if named is not None:
        return named
    return next((a for a in sorted(people.pool, key=lambda a: a.auditor_id)
                 if a.role == TEAM_MANAGER and team and same_text(a.team, team)), None)


def line_to_senior_leader(people: People, practitioner: str, team_manager: str, team: str) -> list[Auditor]:
    """The pool's line from the practitioner's manager up to and including the first Senior Leader.

    Empty when the pool cannot say: nobody of the practitioner's line is in it, or no Senior Leader is above them.
    """
    start = _first_in_line(people, practitioner, team_manager, team)
    if start is None:
        return []
    org = Organisation(people.pool)
    line = [start, *(org.by_id[aid] for aid in org.managers_above(start.auditor_id))]
    for n, person in enumerate(line):
        if person.role == SENIOR_LEADER:
            return line[: n + 1]
    return []


def _why_not(people: People, practitioner: str, team_manager: str, team: str) -> str:
    if not people.pool:
        return "the auditor pool is not known (set chase.pool_file in config.yaml, or run `allocate` once)"
    if _first_in_line(people, practitioner, team_manager, team) is None:
        return (f"neither {practitioner or 'the practitioner'} nor their team manager "
                f"({team_manager or 'not given'}, team {team or 'not given'}) is in the auditor pool")
    return f"no Senior Leader is above {practitioner or 'the practitioner'}'s team manager in the auditor pool"


def choose_signatory(people: People, practitioner: str, team_manager: str, team: str,
                     nominators_choice: str) -> Signatory:
    """The practitioner's senior leader from the pool; the nominator's choice only when the pool cannot say."""
    line = line_to_senior_leader(people, practitioner, team_manager, team)
    if line:
        leader = line[-1]
        contact = people.find(leader.name)  # the staff list first, then the pool
        path = " -> ".join([practitioner or "the practitioner", *(a.name for a in line)])
        note = (f"Signed by {leader.name} ({job_title(leader)}), the practitioner's senior leader from the auditor "
                f"pool's management line ({path}).")
        if nominators_choice and not same_text(nominators_choice, leader.name):
            note += f" The nominator suggested {nominators_choice}; the pool's management line decides."
        return Signatory(leader.name, job_title(leader), contact.email if contact else leader.email, FROM_POOL, note)
    reason = _why_not(people, practitioner, team_manager, team)
    member = next((a for a in people.pool if nominators_choice and same_text(a.name, nominators_choice)), None)
    person = people.staff.find(nominators_choice) if nominators_choice else None
    title = job_title(member) if member else (person.role if person and person.role else SENIOR_LEADER)
    contact = people.find(nominators_choice) if nominators_choice else None
    note = (f"Signed by {nominators_choice or 'nobody named'}, the senior leader the nominator named, because "
            f"{reason}.")
    return Signatory(nominators_choice, title, contact.email if contact else "", FROM_NOMINATOR, note)
