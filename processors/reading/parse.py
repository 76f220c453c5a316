"""Read a returned form (.docx or PDF) into a ParsedForm: which form it is, and the raw answers by field key.

DOCX: one lxml pass over the content controls. Each control is matched to a field by its tag, else its
title (alias), else the label in the table cell to its left (LibreOffice 7.4 drops tags, and the titles
of dropdowns, when it re-saves a form). Text left in a cell whose control was deleted, rows added to the
actions table and legacy form fields are read too.
PDF: Word's "Save as PDF" keeps no fields, so the text is read label by label, and the actions table by
its columns; a PDF with real form fields (AcroForm) is read from those.
Nothing here decides whether an answer is valid: that is validation's job.
"""

from __future__ import annotations

from pathlib import Path

from processors.errors import UnreadableFile
from processors.files import sha256_bytes
from processors.forms.models import ParsedForm
from processors.reading.read_docx import parse_docx
from processors.reading.read_pdf import parse_pdf
from processors.word.safety import MB, FileKind, read_limited, sniff

__all__ = ["UnreadableFile", "parse_docx", "parse_file", "parse_pdf"]


def parse_file(path: Path, max_bytes: int = 20 * MB) -> ParsedForm:
    """Read one returned file. Raises UnreadableFile (with a reason to act on) for anything unusable."""
    data = read_limited(path, max_bytes)
    sha = sha256_bytes(data)
    if sniff(data, path.name) is FileKind.PDF:
        return parse_pdf(data, path, sha)
    return parse_docx(data, path, sha)
