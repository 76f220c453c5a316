"""Text that came from outside (file names, typed values) cannot forge a log line or a summary line.

Line breaks, U+2028/2029 and other control characters become visible escapes (``\\n``, ``\\u2028``), so
one event is always one line in generated/logs/qa.log.
"""

from __future__ import annotations

import logging
import unicodedata

_BREAKING = {"Cc", "Zl", "Zp"}  # controls (CR, LF, NEL, ...), line and paragraph separators


def printable(text: str) -> str:
    """``text`` with every control or line/paragraph separator shown as an escape."""
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) in _BREAKING else c
                   for c in text)


class OneLineFormatter(logging.Formatter):
    """Escapes control characters in a record's arguments (names, reasons); tracebacks stay as they are."""

    def format(self, record: logging.LogRecord) -> str:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(printable(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and not record.args:
            record.msg = printable(record.msg)
        return super().format(record)
