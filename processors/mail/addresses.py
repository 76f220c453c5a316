"""Email addresses and header values, as they cross from people's files into a message.

A value typed by a person (a practitioner's name in a Subject, say) may hold a line break, a Unicode line
or paragraph separator or another control character; `email.message.EmailMessage` raises on some of
them and a header could be forged with others. `header_text` folds every such run to one space.

An address cell (staff list, auditor pool, config) is parsed with `email.utils.getaddresses`, never by
splitting on '@' or ','; it must hold exactly one address with a local part and a domain. An address is
allowed when its whole domain is on the allow-list; a subdomain only when the list names it with '*.'
(``*.example-trust.org.uk``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from email.utils import getaddresses

_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
_DOMAIN = re.compile(r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


class AddressProblem(ValueError):
    """An address cell that is not exactly one usable email address; the message says why and what to do."""


def header_text(value: str) -> str:
    """`value` on one line: CR, LF, U+2028/2029 and every other control or format character become a space,
    runs of spaces one space."""
    folded = "".join(" " if _unsafe(ch) else ch for ch in value)
    return " ".join(folded.split())


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != "\u200d"  # keep ZWJ (emoji, scripts)


def parse_address(text: str) -> str:
    """The one address in `text` ('sam@x.org' or 'Sam Roe <sam@x.org>'), lower-cased domain; else AddressProblem."""
    raw = text.strip()
    if not raw:
        raise AddressProblem("the address is empty")
    if any(_unsafe(ch) for ch in raw):
        raise AddressProblem(f"'{header_text(raw)}' contains a line break or control character: write one address")
    found = [address for _, address in getaddresses([raw]) if address]
    if "@" not in raw:
        raise AddressProblem(f"'{raw}' is not an email address (it has no '@domain'): write it like "
                             "name@example-trust.org.uk")
    if len(found) > 1 or raw.count("@") > 1:
        raise AddressProblem(f"'{raw}' holds {max(len(found), raw.count('@'))} addresses: write exactly one email "
                             "address (like name@example-trust.org.uk) in this cell")
    if not found:
        raise AddressProblem(f"'{raw}' is not an email address: write it like name@example-trust.org.uk")
    local, at, domain = found[0].rpartition("@")
    if not at or not _LOCAL.fullmatch(local) or not _DOMAIN.fullmatch(domain) or ".." in local \
            or local.startswith(".") or local.endswith("."):
        raise AddressProblem(f"'{raw}' is not an email address: write it like name@example-trust.org.uk")
    return f"{local}@{domain.lower()}"


def domain_allowed(address: str, allowed_domains: Iterable[str]) -> bool:
    """True when the address's whole domain is on the list (case-insensitive); a subdomain only under '*.domain'."""
    domain = address.rpartition("@")[2].lower()
    for entry in allowed_domains:
        entry = entry.strip().lower()
        if entry.startswith("*."):
            if domain == entry[2:] or domain.endswith(entry[1:]):
                return True
        elif domain == entry:
            return True
    return False


def refused_recipients(recipients: Iterable[str], allowed_domains: Iterable[str]) -> list[str]:
    """Each recipient that is not exactly one well-formed address on an allowed domain, as it was given."""
    allowed = tuple(allowed_domains)
    refused = []
    for recipient in recipients:
        try:
            address = parse_address(recipient)
        except AddressProblem:
            refused.append(header_text(recipient))
            continue
        if not domain_allowed(address, allowed):
            refused.append(address)
    return refused
