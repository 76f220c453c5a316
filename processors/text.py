"""Text made safe to put in an XML document (a Word part or an Excel cell)."""

from __future__ import annotations

import re

# Characters XML 1.0 does not allow (control characters other than tab and line breaks, lone surrogates,
# U+FFFE and U+FFFF): lxml and openpyxl refuse them, Word and Excel call the file corrupt.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML cannot hold, its line endings made plain '\\n'."""
    return _XML_FORBIDDEN.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
