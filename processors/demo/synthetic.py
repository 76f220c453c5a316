"""Synthetic but realistic people, teams and cases for tests and the demo. Nobody here is real.

The same seed always gives the same pool and case list. Names deliberately mix Welsh, Polish, Irish,
South Asian, Arabic-script, West African and English names, with accents and apostrophes, so every
stage that renders or matches a name is exercised ("Siân Llewelyn", "Łukasz Wójcik", "Niamh O'Connor",
"محمد" are always in the pool).

The organisation: six operational services, each with named teams and one Team Manager per team;
Service Managers over the teams of a service; four Strategic Managers (three over two services each,
one over SQAS); Senior Leaders at the top. IROs and CP Chairs sit in the Safeguarding and Quality
Assurance Service (SQAS). Line management runs Team Manager -> Service Manager -> Strategic Manager
-> Senior Leader (an Assistant Director) -> the Director.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from processors.allocation import caselist
from processors.forms.models import Auditor, Case
from processors.forms.vocabulary import (
    CHILD_IN_NEED,
    CHILD_LOOKED_AFTER,
    CHILD_PROTECTION,
    CP_CHAIR,
    EARLY_HELP,
    IRO,
    SENIOR_LEADER,
    SERVICE_MANAGER,
    STRATEGIC_MANAGER,
    TEAM_MANAGER,
)

DOMAIN = "example-trust.org.uk"
SQAS = "Safeguarding and Quality Assurance Service"
SLT = "Senior Leadership Team"
POOL_SIZE = 66

THEMES: list[str] = [
    "Voice of the child",
    "Neglect",
    "Pre-birth assessment",
    "Transitions to adulthood",
    "Exploitation",
    "Domestic abuse",
    "Management oversight",
    "Permanence planning",
    "Children missing from home or care",
    "Parental mental health and substance misuse",
    "Step-up and step-down between Early Help and social care",
    "Life story work",
]


@dataclass(frozen=True)
class ServicePlan:
    name: str
    teams: tuple[str, ...]
    service_managers: int      # the teams are shared out between them in order
    strategic_area: str        # which Strategic Manager the service reports to
    statuses: tuple[tuple[str, int], ...]  # legal statuses of its cases, with weights
    ages: tuple[int, int] = (0, 17)


SERVICES: tuple[ServicePlan, ...] = (
    ServicePlan("Assessment and Intervention",
                ("Northampton Assessment 1", "Northampton Assessment 2", "Kettering Assessment", "Corby Assessment",
                 "Wellingborough Assessment", "Daventry Assessment"),
                2, "Safeguarding", ((CHILD_IN_NEED, 7), (CHILD_PROTECTION, 3))),
    ServicePlan("Safeguarding and Family Support",
                ("Corby CIN 1", "Corby CIN 2", "Kettering CIN", "Northampton North CP", "Northampton South CP",
                 "Wellingborough CP", "Daventry and Towcester CIN"),
                2, "Safeguarding", ((CHILD_IN_NEED, 5), (CHILD_PROTECTION, 5))),
    ServicePlan("Children in Care",
                ("Children in Care North 1", "Children in Care North 2", "Children in Care South 1",
                 "Children in Care South 2", "Permanence"),
                2, "Corporate Parenting", ((CHILD_LOOKED_AFTER, 1),)),
    ServicePlan("Disabled Children", ("Disabled Children North", "Disabled Children South", "Short Breaks"),
                1, "Early Help and Disabled Children",
                ((CHILD_IN_NEED, 7), (CHILD_LOOKED_AFTER, 2), (CHILD_PROTECTION, 1))),
    ServicePlan("Early Help", ("Early Help Corby", "Early Help Kettering", "Early Help Northampton",
                               "Early Help Daventry"),
                2, "Early Help and Disabled Children", ((EARLY_HELP, 1),)),
    ServicePlan("Leaving Care", ("Leaving Care North", "Leaving Care South", "Unaccompanied Young People"),
                1, "Corporate Parenting", ((CHILD_LOOKED_AFTER, 1),), ages=(16, 17)),
)
STRATEGIC_AREAS: tuple[str, ...] = ("Safeguarding", "Corporate Parenting", "Early Help and Disabled Children",
                                    "Quality Assurance")
SQAS_TEAMS: tuple[tuple[str, str, int], ...] = ((IRO, "IRO Team North", 5), (IRO, "IRO Team South", 5),
                                                (CP_CHAIR, "Child Protection Chairs", 7))
SENIOR_LEADERS: tuple[str, ...] = ("Director of Children's Services", "Principal Social Worker")

# --- names -----------------------------------------------------------------------------------

SHOWCASE_NAMES: tuple[str, ...] = ("Siân Llewelyn", "Łukasz Wójcik", "Niamh O'Connor", "محمد")
NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "welsh": (("Siân", "Rhys", "Gwenllian", "Dafydd", "Ffion", "Iolo", "Llinos", "Geraint", "Carys", "Owain"),
              ("Llewelyn", "Pryce", "Vaughan", "Bowen", "Gruffydd", "ap Rhys", "Prosser", "Jenkins")),
    "polish": (("Łukasz", "Agnieszka", "Małgorzata", "Krzysztof", "Zofia", "Paweł", "Katarzyna", "Wojciech"),
               ("Wójcik", "Kowalczyk", "Nowak", "Mazur", "Kłos", "Wróbel", "Gołąb")),
    "irish": (("Niamh", "Siobhán", "Pádraig", "Aoife", "Ciarán", "Róisín", "Eoghan", "Orla"),
              ("O'Connor", "O'Sullivan", "McCarthy", "O'Brien", "Mac Giolla Phádraig", "Fitzgerald", "Doyle")),
    "south_asian": (("Priya", "Arjun", "Sunita", "Imran", "Harpreet", "Anjali", "Rajesh", "Nusrat", "Kiran"),
                    ("Patel", "Chaudhry", "Kaur", "Sharma", "Begum", "Iqbal", "Mistry", "Rahman")),
    "arabic_latin": (("Yusuf", "Fatima", "Omar", "Layla", "Khalid", "Mariam"),
                     ("Hassan", "Al-Sayed", "Haddad", "El-Amin", "Mansour")),
    "west_african": (("Chidi", "Adaeze", "Kwame", "Abena", "Oluwaseun", "Folake"),
                     ("Okafor", "Mensah", "Adeyemi", "Owusu", "Nwosu")),
    "english": (("Sarah", "James", "Emma", "Daniel", "Chloe", "Thomas", "Olivia", "Hannah", "Mark", "Joanne"),
                ("Smith", "Taylor", "Brown", "Wilson", "Clarke", "Hughes", "Whitehead", "Turner", "Marsh")),
}
ARABIC_SCRIPT_NAMES: dict[str, str] = {  # name -> the email address's local part
    "محمد": "mohammed", "فاطمة حسن": "fatima.hassan", "يوسف الخطيب": "yusuf.alkhatib",
    "ليلى منصور": "layla.mansour", "عمر حداد": "omar.haddad",
}
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "ß": "ss", "æ": "ae"})


def invent_name(rng: random.Random) -> str:
    """One invented full name; about one in fifteen is written in Arabic script."""
    if rng.random() < 1 / 15:
        return rng.choice(sorted(ARABIC_SCRIPT_NAMES))
    firsts, lasts = NAME_PARTS[rng.choice(sorted(NAME_PARTS))]
    return f"{rng.choice(firsts)} {rng.choice(lasts)}"


def invent_names(rng: random.Random, count: int, taken: set[str] | None = None) -> list[str]:
    """``count`` different invented names, none of them in ``taken``."""
    taken = set(taken or ())
    names: list[str] = []
    while len(names) < count:
        name = invent_name(rng)
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def email_for(name: str, taken: set[str]) -> str:
    """firstname.lastname@ the trust's domain, folded to plain letters; unique among ``taken`` (which it extends)."""
    local = ARABIC_SCRIPT_NAMES.get(name)
    if local is None:
        folded = unicodedata.normalize("NFKD", name.translate(_FOLD)).encode("ascii", "ignore").decode()
        local = re.sub(r"[^a-z.]", "", re.sub(r"[\s-]+", ".", folded.lower())).strip(".") or "staff"
    email, n = f"{local}@{DOMAIN}", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@{DOMAIN}"
    taken.add(email)
    return email


# --- the pool --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Post:
    """A post in the structure, before a person is put in it."""

    key: str
    role: str
    service: str
    team: str
    manager_key: str = ""


def structure() -> list[Post]:
    """The 66 posts of the auditor pool, senior posts first so managers come before their teams."""
    posts = [Post("director", SENIOR_LEADER, SLT, SENIOR_LEADERS[0]),
             Post("psw", SENIOR_LEADER, SLT, SENIOR_LEADERS[1], "director")]
    for area in STRATEGIC_AREAS:
        first_service = next((s.name for s in SERVICES if s.strategic_area == area), SQAS)
        posts.append(Post(f"ad:{area}", SENIOR_LEADER, SLT, f"Assistant Director, {area}", "director"))
        posts.append(Post(f"strat:{area}", STRATEGIC_MANAGER, first_service, f"{area} Strategic Management",
                          f"ad:{area}"))
    for plan in SERVICES:
        posts += _service_posts(plan)
    posts.append(Post("sm:sqas", SERVICE_MANAGER, SQAS, "SQAS Management", "strat:Quality Assurance"))
    for role, team, count in SQAS_TEAMS:
        posts += [Post(f"{team}:{n}", role, SQAS, team, "sm:sqas") for n in range(count)]
    return posts


def _service_posts(plan: ServicePlan) -> list[Post]:
    areas = ("North", "South") if plan.service_managers == 2 else ("",)
    managers = [Post(f"sm:{plan.name}:{n}", SERVICE_MANAGER, plan.name, f"{plan.name} {area}".strip(),
                     f"strat:{plan.strategic_area}") for n, area in enumerate(areas)]
    per_manager = -(-len(plan.teams) // len(managers))
    teams = [Post(f"tm:{team}", TEAM_MANAGER, plan.name, team, managers[i // per_manager].key)
             for i, team in enumerate(plan.teams)]
    return [*managers, *teams]


def make_pool(seed: int) -> list[Auditor]:
    """Exactly 66 invented auditors in the trust's structure, with IDs AUD001... and line managers."""
    rng = random.Random(seed)
    posts = structure()
    names = list(SHOWCASE_NAMES) + invent_names(rng, len(posts) - len(SHOWCASE_NAMES), set(SHOWCASE_NAMES))
    rng.shuffle(names)
    ids = {post.key: f"AUD{n:03d}" for n, post in enumerate(posts, start=1)}
    emails: set[str] = set()
    return [Auditor(auditor_id=ids[post.key], name=name, role=post.role, service=post.service, team=post.team,
                    email=email_for(name, emails), manager_id=ids.get(post.manager_key, ""))
            for post, name in zip(posts, names)]


# --- cases -----------------------------------------------------------------------------------

_PLANS = {plan.name: plan for plan in SERVICES}
_LATIN_INITIALS = tuple(name for culture, parts in NAME_PARTS.items() for name in parts[0])


def make_cases(n: int, seed: int, pool: list[Auditor], *, today: date | None = None) -> list[Case]:
    """``n`` invented cases spread over the pool's teams (those with a Team Manager).

    About one case in five was last audited at some point in the two years before ``today``.
    """
    rng = random.Random(seed)
    managers = sorted((a for a in pool if a.role == TEAM_MANAGER), key=lambda a: a.auditor_id)
    if not managers:
        raise ValueError("the pool has no Team Managers, so there are no teams to put cases in")
    today = today or date.today()
    taken = {a.name for a in pool}
    practitioners = {m.team: invent_names(rng, 4, taken) for m in managers}
    for names in practitioners.values():
        taken.update(names)
    numbers = rng.sample(range(1_000_000, 10_000_000), n)
    return [_case(rng, f"CF{number}", rng.choice(managers), practitioners, today) for number in numbers]


def _case(rng: random.Random, case_id: str, manager: Auditor, practitioners: dict[str, list[str]],
          today: date) -> Case:
    plan = _PLANS.get(manager.service)
    statuses, weights = zip(*(plan.statuses if plan else ((CHILD_IN_NEED, 1),)))
    low, high = plan.ages if plan else (0, 17)
    audited = today - timedelta(days=rng.randint(1, 730)) if rng.random() < 0.2 else None
    return Case(case_id=case_id, child_initials=_initials(rng), child_age=rng.randint(low, high),
                legal_status=rng.choices(statuses, weights)[0], service=manager.service, team=manager.team,
                practitioner=rng.choice(practitioners[manager.team]), team_manager=manager.name,
                last_audited=audited)


def _initials(rng: random.Random) -> str:
    first = rng.choice(_LATIN_INITIALS)[0]
    last = rng.choice(NAME_PARTS[rng.choice(sorted(NAME_PARTS))][1])
    return f"{first}.{last.removeprefix('ap ')[0]}."


# --- writers ---------------------------------------------------------------------------------

def write_cases(path: Path | str, cases: list[Case]) -> None:
    """A case list as the Business Intelligence team would export it (.csv or .xlsx by suffix)."""
    caselist.write_cases(path, cases)


def write_pool(path: Path | str, auditors: list[Auditor]) -> None:
    """The auditor pool (.csv or .xlsx by suffix)."""
    caselist.write_pool(path, auditors)
