"""UK dates: the formats we write them in, and the one reader of the dates people type.

03/04/2026 is 3 April. Forms, case lists, allocation lists and the register all read dates with
:func:`uk_date`; everything we print uses the formats below.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

DATE_FORMAT_PY = "%d/%m/%Y"           # strftime: 03/04/2026
DATETIME_FORMAT_PY = "%d/%m/%Y %H:%M"  # strftime: 03/04/2026 14:05
DATE_FORMAT_WORD = "dd/MM/yyyy"       # a Word date picker's w:dateFormat
DATE_FORMAT_EXCEL = "DD/MM/YYYY"      # an Excel cell's number format
DATETIME_FORMAT_EXCEL = "DD/MM/YYYY hh:mm"

_MIDNIGHT = r"(?:\s+0?0:00(?::00)?)?"  # a date cell exported with its (empty) time of day
_NUMERIC_DATE = re.compile(rf"^(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{2}}|\d{{4}}){_MIDNIGHT}$")
_ISO_DATE = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}})(?:T.*|{_MIDNIGHT})$")
_ORDINAL = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)
_WORDY_FORMATS = ("%d %B %Y", "%d %b %Y", "%A %d %B %Y", "%a %d %b %Y", "%B %d %Y", "%b %d %Y", "%d %B %y",
                  "%d %b %y")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its day 60 is 29/02/1900, a day that never was)


def uk_date(value: object) -> date | None:
    """A date from what a person typed or a cell held; None when it is not a date.

    Text: 03/04/2026, 3/4/26, 03-04-2026, 3.4.2026 (day first), 2026-04-03 (ISO, a time after 'T' ignored),
    '3rd April 2026', '3 Apr 26', 'Friday 3 April 2026'. A datetime gives its day; a number is an Excel date
    serial (a cell that lost its date format). Impossible dates (31/02/2026) are None.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return excel_serial_date(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    iso = _ISO_DATE.match(text)
    if iso:
        return _safe_date(int(iso[1]), int(iso[2]), int(iso[3]))
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        day, month, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        return _safe_date(year + 2000 if year < 100 else year, month, day)
    cleaned = " ".join(_ORDINAL.sub("", text).replace(",", " ").replace(" of ", " ").split())
    for fmt in _WORDY_FORMATS if cleaned else ():
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def excel_serial_date(serial: float) -> date | None:
    """The day an Excel (1900 date system) serial number stands for; None outside Excel's dates."""
    if not 1 <= serial < 2958466 or int(serial) == 60:  # 2958466 is 01/01/10000
        return None
    days = int(serial) + (1 if serial < 60 else 0)
    return _EXCEL_EPOCH + timedelta(days=days)


def uk_text(day: date | None, missing: str = "") -> str:
    """A day as we print it, 03/04/2026; `missing` when there is none."""
    return day.strftime(DATE_FORMAT_PY) if day else missing


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
