"""A short Word document written straight with python-docx: headings, paragraphs, lists and tables, each saying
something when it has nothing to show. For the small per-event packs (a practice week's report, a service's
performance-clinic pack); the quarterly reports keep their restylable templates (build.py)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from docx import Document
from docx.shared import Cm

from processors.reports.blocks import NO_DATA_STYLE, TABLE_STYLE, TABLE_TEXT_STYLE, styles
from processors.reports.build import write_atomically


class PlainDocument:
    def __init__(self, title: str, subtitle: str, marking: str) -> None:
        self.doc = Document()
        styles(self.doc)
        self.doc.sections[0].header.paragraphs[0].text = marking
        self.doc.add_paragraph(title, style="Title")
        self.doc.add_paragraph(subtitle)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def para(self, text: str) -> None:
        self.doc.add_paragraph(text)

    def bullets(self, items: Iterable[str], empty: str) -> None:
        items = [i for i in items if i]
        for item in items:
            self.doc.add_paragraph(item, style="List Bullet")
        if not items:
            self.doc.add_paragraph(empty, style=NO_DATA_STYLE)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], empty: str,
              widths_cm: Sequence[float] = ()) -> None:
        """A table in the report's table style; ``widths_cm`` keeps form IDs on one line beside long text."""
        if not rows:
            self.doc.add_paragraph(empty, style=NO_DATA_STYLE)
            return
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = self.doc.styles[TABLE_STYLE]
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = self.doc.styles[TABLE_TEXT_STYLE]
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.paragraphs[0].text = "" if value is None else str(value)
                cell.paragraphs[0].style = self.doc.styles[TABLE_TEXT_STYLE]
        if widths_cm:
            table.autofit = False
            for column, width in zip(table.columns, widths_cm, strict=True):
                column.width = Cm(width)  # the grid LibreOffice lays out by; Word reads the cells'
                for cell in column.cells:
                    cell.width = Cm(width)

    def save(self, path: Path) -> Path:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return write_atomically(path, buffer.getvalue())
