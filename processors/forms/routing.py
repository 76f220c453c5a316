"""Which escalation route a concern must take (QAF 5.4, 5.5), from the case's legal status.

Social care cases (children in need, on child-protection plans, looked after) go through the IRO and CP
Chair escalation process in Care First; Early Help cases go to the relevant Service Manager.
"""

from __future__ import annotations

IRO_ROUTE = "IRO / CP Chair escalation (Care First)"
SERVICE_MANAGER_ROUTE = "Service Manager (Early Help)"
NOT_APPLICABLE = "Not applicable"
ROUTES: tuple[str, ...] = (IRO_ROUTE, SERVICE_MANAGER_ROUTE, NOT_APPLICABLE)

_BY_STATUS = {
    "early help": SERVICE_MANAGER_ROUTE,
    "child in need": IRO_ROUTE,
    "child protection": IRO_ROUTE,
    "child looked after": IRO_ROUTE,
}


def expected_route(legal_status: str) -> str | None:
    """The route QAF 5.4 gives for a case of this legal status; None when the status is not one we know."""
    return _BY_STATUS.get(legal_status.strip().casefold())


def route_problem(legal_status: str, route: str) -> str:
    """'' when the route fits the case, else a sentence saying what is wrong and what QAF 5.4 expects."""
    expected = expected_route(legal_status)
    if expected is None:
        return ""
    stated = route.strip()
    if stated.casefold() == expected.casefold():
        return ""
    said = f"the route given is '{stated}'" if stated else "no escalation route is given"
    return (f"ROUTE MISMATCH: {said}, but the case is {legal_status.strip()}: QAF 5.4 expects '{expected}'")
