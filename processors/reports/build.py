"""Render a report's data into its Word template (docxtpl, autoescape on) and save it.

Every string goes through ``processors.word.render.word_text`` (escaped, line breaks kept); charts become
inline images whose alt text (``wp:docPr/@descr``) says what they show.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from hashlib import sha1
from pathlib import Path
from types import SimpleNamespace

from docx.shared import Cm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, StrictUndefined, TemplateError, UndefinedError
from markupsafe import Markup

from processors.errors import TemplateProblem
from processors.reports.charts import Chart, Picture
from processors.reports.compiled import ReportTemplate, ReportTemplates
from processors.reports.contents import fill_contents
from processors.reports.painter import placeholder_png
from processors.reports.tablefit import make_readable
from processors.reports.tables import Table
from processors.word.render import word_text


class AltImage(InlineImage):
    """An inline picture with alt text, for screen readers and for anyone who cannot see the chart. A picture the
    run's painter is still drawing goes in as a stand-in of the same size (one per picture, so a picture shown
    twice is stored once, as before), its bytes swapped in by ``fill_pictures`` before the document is saved."""

    def __init__(self, tpl: DocxTemplate, chart: Chart) -> None:
        picture = chart.picture
        if picture.ready:
            image = picture.png()
        else:
            image = _stand_ins(tpl).setdefault(picture, placeholder_png(*picture.size, picture.dpi))
        super().__init__(tpl, io.BytesIO(image), width=Cm(chart.width_cm))
        self.alt, self.title, self.picture = chart.alt, chart.title, picture

    def _insert_image(self) -> str:
        inline = self.tpl.current_rendering_part.new_pic_inline(self.image_descriptor, self.width, self.height)
        inline.docPr.set("descr", self.alt)
        inline.docPr.set("title", self.title)
        return f'</w:t></w:r><w:r><w:drawing>{inline.xml}</w:drawing></w:r><w:r><w:t xml:space="preserve">'


def _stand_ins(tpl: DocxTemplate) -> dict[Picture, bytes]:
    """The stand-in of each picture still being drawn, for this document."""
    found: dict[Picture, bytes] = tpl.__dict__.setdefault("_stand_ins", {})
    return found


def fill_pictures(tpl: DocxTemplate) -> None:
    """Each stand-in's bytes replaced by its picture's, waiting for the painter where it is still drawing. Of the
    pictures not drawn yet, the last half is taken back (those the painter has not started: the one it draws and
    the next, already handed to its process, stay with it) and drawn here meanwhile: both processes then finish
    about together, rather than this one waiting while the painter draws them all."""
    stand_ins = _stand_ins(tpl)
    if not stand_ins:
        return
    waiting = [picture for picture in stand_ins if not picture.ready]
    for picture in waiting[::-1][:len(waiting) // 2]:
        picture.take_back()
    pictures = {sha1(image).hexdigest(): picture for picture, image in stand_ins.items()}
    for part in tpl.docx.part.package.image_parts:
        picture = pictures.get(part.sha1)
        if picture is not None:
            part._blob = picture.png()
    stand_ins.clear()


@lru_cache(maxsize=16384)
def _text(value: str) -> Markup:
    """``word_text`` of a plain string, once per distinct string: a quarter's reports pass the same grades,
    services, statuses and dates tens of thousands of times (a Markup is immutable, so sharing it is safe)."""
    return word_text(value)


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def to_context(value: object) -> object:
    """Dataclasses become namespaces (not dicts: ``x.values`` must not find dict.values), tables have ``rows``
    and ``empty``, strings become escaped Word text; the rest is kept."""
    cls = type(value)
    if cls is str:  # exactly str: a Markup (a str too) is kept as it is, below
        return _text(value)  # type: ignore[arg-type]
    if isinstance(value, (Markup, InlineImage, bool, int, float)) or value is None:
        return value
    if isinstance(value, str):
        return word_text(value)
    if isinstance(value, Table):
        return SimpleNamespace(rows=[to_context(r) for r in value.rows], empty=word_text(value.empty))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return SimpleNamespace(**{name: to_context(getattr(value, name)) for name in _field_names(cls)})
    if isinstance(value, (list, tuple)):
        return [to_context(v) for v in value]
    if isinstance(value, dict):
        return {k: to_context(v) for k, v in value.items()}
    return word_text(str(value))


def chart_context(tpl: DocxTemplate, chart: Chart | None) -> SimpleNamespace | str:
    if chart is None:
        return ""
    return SimpleNamespace(image=AltImage(tpl, chart), title=word_text(chart.title))


@dataclass(frozen=True)
class Rendered:
    docx: bytes            # what people receive
    contents_entries: int
    arrange_for_pdf: Callable[[], bytes] = field(repr=False, compare=False)  # made only when a PDF is wanted

    @property
    def pdf_source(self) -> bytes:
        return self.arrange_for_pdf()


def load_template(path: Path, templates: ReportTemplates | None = None) -> DocxTemplate:
    """A document to render from the template at ``path``: from the run's ``templates`` (read and compiled once
    a run), else read and compiled for this document alone."""
    if not path.is_file():
        raise TemplateProblem(f"the report template {path} is missing: restore it from the repository or run "
                              "`python -m processors.templates.reports` to write the default one")
    return templates.open(path) if templates is not None else DocxTemplate(str(path))


def render(tpl: DocxTemplate, context: dict[str, object], name: str) -> Rendered:
    env = tpl.env if isinstance(tpl, ReportTemplate) else Environment(autoescape=True, undefined=StrictUndefined)
    try:
        tpl.render(context, jinja_env=env)
    except UndefinedError as exc:
        raise TemplateProblem(f"{name}: {exc.message}: the template asks for something reports do not provide; "
                              "check the tag in Word, or rebuild the template with "
                              "`python -m processors.templates.reports --force`") from None
    except TemplateError as exc:
        raise TemplateProblem(f"{name}: a {{% %}} or {{{{ }}}} tag is broken ({exc.message}): fix it in Word, or "
                              "rebuild the template with `python -m processors.templates.reports --force`") from None
    make_readable(tpl.docx)
    contents = fill_contents(tpl.docx)
    fill_pictures(tpl)  # last: the painter draws on while the tables are fitted and the contents filled
    docx = _save(tpl)

    def arrange_for_pdf() -> bytes:
        """The same document arranged for LibreOffice's PDF export (the outer contents field removed)."""
        contents.unwrap()
        return _save(tpl)

    return Rendered(docx, contents.entries, arrange_for_pdf)


def _save(tpl: DocxTemplate) -> bytes:
    buffer = io.BytesIO()
    tpl.docx.save(buffer)
    return buffer.getvalue()


def write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
    return path
