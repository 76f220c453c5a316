"""Read: the form's identity and raw answers, from a Word document or a PDF."""

from __future__ import annotations

from pathlib import Path

from processors.intake.received import IntakeFile
from processors.intake.stages.base import Stage
from processors.reading.read_docx import parse_docx
from processors.reading.read_pdf import parse_pdf
from processors.reading.saved import file_saved_at
from processors.word.safety import FileKind


class ReadForm(Stage):
    name = "read"

    def run(self, item: IntakeFile) -> None:
        source = item.received.path or Path(item.name)
        reader = parse_pdf if item.kind is FileKind.PDF else parse_docx
        item.parsed = reader(item.data, source, item.sha256)
        if item.parsed.saved_at is None:  # the document keeps no saved time: the file's own is next best
            item.parsed.saved_at = file_saved_at(item.received.path)
