"""When a returned document was last saved: its own record of it, which copying and syncing do not change.

A .docx keeps it in ``docProps/core.xml`` (``dcterms:modified``, updated by Word and LibreOffice on every
save); a PDF in its information dictionary (``/ModDate``, else ``/CreationDate``). Without either, the
file's own time is the best there is. Times are returned in UTC.
"""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from processors.errors import UnreadableFile
from processors.reading.lookup import parse_part
from processors.word.safety import MB, read_member

CORE_PART = "docProps/core.xml"
DCTERMS_MODIFIED = "{http://purl.org/dc/terms/}modified"
_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(?:([Zz+-])(\d{2})?'?(\d{2})?'?)?")


def docx_saved_at(package: zipfile.ZipFile) -> datetime | None:
    """``dcterms:modified`` from the core properties, or None when it is missing or unreadable."""
    if CORE_PART not in package.namelist():
        return None
    try:
        modified = parse_part(read_member(package, CORE_PART, MB)).find(DCTERMS_MODIFIED)
    except UnreadableFile:  # the properties are not the form: a broken part only loses the saved time
        return None
    return w3c_datetime(modified.text or "") if modified is not None else None


def w3c_datetime(text: str) -> datetime | None:
    """'2026-11-20T10:15:00Z' (W3CDTF, as Word writes it) as an aware UTC datetime."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def pdf_datetime(text: str) -> datetime | None:
    """A PDF date string ("D:20261120101500+01'00'") as an aware UTC datetime."""
    match = _PDF_DATE.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        value = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                         int(second or 0), tzinfo=UTC)
    except ValueError:
        return None
    if sign in ("+", "-"):
        offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
        value = value - offset if sign == "+" else value + offset
    return value


def file_saved_at(path: Path | None) -> datetime | None:
    """The file's modification time, when nothing better is known."""
    if path is None:
        return None
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return None
