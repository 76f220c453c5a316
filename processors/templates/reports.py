"""Build the default report templates: templates/quarterly_report.docx, thematic_report.docx
and briefing_note.docx.

They are ordinary Word documents with Jinja tags (docxtpl): the QA Manager may restyle them in Word
(styles, table styles, headings, wording) as long as the {{ ... }} and {% ... %} tags stay. Run
``python -m processors.templates.reports [--force]`` to write them afresh into templates/.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject

from processors.config.reports import BRIEFING_TEMPLATE, REPORT_TEMPLATE, THEMED_TEMPLATE
from processors.config.settings import PROJECT_ROOT
from processors.reports.blocks import page_furniture, styles
from processors.reports.layouts import REPORT_SECTIONS, briefing
from processors.reports.themed_layout import THEMED_SECTIONS

Layout = Iterable[Callable[[DocumentObject], None]]


def _build(target: Path, title: str, footer: str, layout: Layout) -> Path:
    doc = Document()
    styles(doc)
    page_furniture(doc, footer)
    doc.core_properties.title = title
    doc.core_properties.author = "QA forms automation"
    doc.core_properties.comments = "A report template: restyle it freely in Word; keep the tags in curly brackets."
    for section in layout:
        section(doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target


def build_report_template(target: Path) -> Path:
    return _build(target, "Quarterly Quality Assurance Report", "{{ title }}, {{ quarter_label }}", REPORT_SECTIONS)


def build_themed_template(target: Path) -> Path:
    return _build(target, "Thematic Audit Report", "{{ title }}, {{ quarter_label }}", THEMED_SECTIONS)


def build_briefing_template(target: Path) -> Path:
    return _build(target, "Learning briefing note", "{{ title }}, {{ subtitle }}", (briefing,))


def build_templates(folder: Path, *, force: bool = False) -> list[Path]:
    """Write the report templates into ``folder``; existing ones are kept unless ``force``."""
    written = []
    for name, builder in ((REPORT_TEMPLATE, build_report_template), (THEMED_TEMPLATE, build_themed_template),
                          (BRIEFING_TEMPLATE, build_briefing_template)):
        if force or not (folder / name).exists():
            written.append(builder(folder / name))
    return written


if __name__ == "__main__":
    for path in build_templates(PROJECT_ROOT / "templates", force="--force" in sys.argv[1:]):
        print(f"wrote {path}")
