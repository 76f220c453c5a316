"""Who a concern alert goes to (QAF 5.4, 5.5): the case's service manager(s) and the QA manager.

The service's managers come from config (contacts.service_managers), else the auditor pool's Service
Managers of that service; when neither knows the service, the configured escalation contact is used and
the alert says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from processors.allocation.caselist import normalise_text
from processors.chase.people import People
from processors.config.settings import Settings


@dataclass(frozen=True)
class AlertRoute:
    to: tuple[str, ...]
    note: str = ""      # said in the alert when the service's managers are not known


def service_managers(settings: Settings, people: People, service: str) -> tuple[str, ...]:
    wanted = normalise_text(service)
    if not wanted:
        return ()
    for name, addresses in settings.contacts.service_managers.items():
        if normalise_text(name) == wanted:
            return tuple(addresses)
    return tuple(a.email for a in people.pool
                 if a.role == "Service Manager" and normalise_text(a.service) == wanted and a.email)


def alert_route(settings: Settings, people: People, service: str) -> AlertRoute:
    managers = service_managers(settings, people, service)
    note = ""
    if not managers:
        managers = (settings.contacts.escalation_service_manager,)
        note = (f"No service manager is known for '{service or 'no service given'}' (contacts.service_managers in "
                "config.yaml, or the auditor pool): please pass this to the right Service Manager.")
    to = tuple(dict.fromkeys([*managers, settings.contacts.qa_manager]))
    return AlertRoute(to, note)
