"""`templates check`, and the check each command makes at start: are the seven Word templates usable?

The QA administrator may reword a template in Word. For the four forms, what must survive is each
field's content control (its tag), the kind of control, the dropdown choices, the pre-filled
placeholders and the printed form reference. The quarterly report, the briefing note and the thank-you
letter are docxtpl documents: they must open, their {{ }} and {% %} tags must parse and name only what
the code fills in, and they must render. Each problem is reported in words that say what to put back.

At start, ``require_templates`` checks only that the templates a command needs are there, open and
render (not every field), and stops the command with one line naming the first that is not. The report run
checks its templates with ``require_compiled`` instead: compiling them, once, for its documents to reuse.
"""

from __future__ import annotations

import difflib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2 import ChainableUndefined, Environment, TemplateError
from lxml import etree

from processors.config.reports import BRIEFING_TEMPLATE, REPORT_TEMPLATE, THEMED_TEMPLATE
from processors.errors import QAError, TemplateProblem
from processors.forms.definitions import FORM_TYPES, FormDefinition, Kind
from processors.forms.models import Case, WorkItem
from processors.forms.vocabulary import CHILD_IN_NEED
from processors.generate.forms import FormGenerator
from processors.templates.build import FOOTER_REF, LETTER_FIELDS, LETTER_FILENAME
from processors.word.controls import Control, iter_controls, parse_xml

EXPECTED_KIND = {Kind.GRADE: ("dropdown", "combobox"), Kind.CHOICE: ("dropdown", "combobox"),
                 Kind.DATE: ("date",), Kind.CHECKBOX: ("checkbox",),
                 Kind.TEXT: ("text", "richtext"), Kind.LONGTEXT: ("text", "richtext")}
WORD_NAMES = {"dropdown": "a drop-down list", "combobox": "a combo box", "date": "a date picker",
              "checkbox": "a check box", "text": "a plain text control", "richtext": "a rich text control"}


@dataclass(frozen=True)
class TemplateReport:
    form_type: str
    path: Path
    problems: list[str]
    fields_found: int

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_parts(path: Path) -> tuple[etree._Element, str]:
    with zipfile.ZipFile(path) as z:
        document = parse_xml(z.read("word/document.xml"))
        footers = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist()
                           if n.startswith("word/footer") and n.endswith(".xml"))
    return document, footers


def _field_problems(definition: FormDefinition, controls: list[Control]) -> list[str]:
    by_tag = {c.tag: c for c in controls if c.tag}
    by_alias = {c.alias: c for c in controls if c.alias}
    known = {f.key for f in definition.fields}
    problems = []
    for field in definition.fields:
        control = by_tag.get(field.key)
        name = f"'{field.key}' ({field.label})"
        if control is None:
            renamed = by_alias.get(field.label)
            if renamed is not None and renamed.tag not in known:
                problems.append(f"field {name}: its control's tag was renamed to '{renamed.tag}': set the tag "
                                f"back to '{field.key}' (Word: Developer > Properties)")
            else:
                problems.append(f"field {name} is missing: its content control was deleted; copy it back from "
                                "the original template or run `python run.py templates build --force`")
            continue
        problems += _kind_problems(field, control, name)
    for control in controls:
        if control.tag and control.tag not in known and control.alias not in {f.label for f in definition.fields}:
            guess = difflib.get_close_matches(control.tag, sorted(known), n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            problems.append(f"a control tagged '{control.tag}' is not a field of this form{hint}: its answers "
                            "would be ignored")
    return problems


def _kind_problems(field, control: Control, name: str) -> list[str]:
    if field.prefilled:
        marker = "{{ %s }}" % field.key
        if marker.replace(" ", "") not in control.text.replace(" ", ""):
            return [f"field {name}: the pre-filled placeholder {marker} was removed from its control; type it back"]
        return []
    allowed = EXPECTED_KIND[field.kind]
    if control.kind not in allowed:
        return [f"field {name} should be {WORD_NAMES[allowed[0]]} but is {WORD_NAMES[control.kind]}"]
    missing = [c for c in field.allowed if c not in control.choices]
    if missing:
        return [f"field {name}: its list has lost the choice(s) {', '.join(missing)}; add them back"]
    return []


def _render_problems(definition: FormDefinition, templates: Path) -> list[str]:
    item = WorkItem(definition.key, Case("CF0000000", "A.B.", 9, CHILD_IN_NEED, "S", "T", "P", "M"), "2000-C01",
                    form_id="2000-C01-CHK-001")
    try:
        FormGenerator(templates, "Check", 14, today=date(2000, 1, 1)).render(item)
    except QAError as exc:
        return [str(exc)]
    return []


def _missing(path: Path) -> str:
    return (f"{path.name} is missing from {path.parent}: restore your copy, or run `python run.py templates build` "
            "to write the default (templates that exist are kept)")


def _unreadable(path: Path, exc: Exception) -> str:
    return (f"{path.name} is not a readable Word document ({exc}): save it again from Word as .docx, or run "
            "`python run.py templates build --force` to write the defaults")


def check_template(definition: FormDefinition, templates: Path, *, fields: bool = True) -> TemplateReport:
    """Every problem of one form's template; with ``fields=False`` only whether it opens and renders."""
    path = templates / definition.filename
    if not path.exists():
        return TemplateReport(definition.key, path, [_missing(path)], 0)
    try:
        document, footers = _read_parts(path)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        return TemplateReport(definition.key, path, [_unreadable(path, exc)], 0)
    if not fields:
        return TemplateReport(definition.key, path, _render_problems(definition, templates), 0)
    controls = iter_controls(document)
    problems = _field_problems(definition, controls)
    if "form_ref" not in footers:
        problems.append(f"the footer no longer prints the form reference '{FOOTER_REF}': put it back, "
                        "so a printed or scanned form still says which form it is")
    problems += _render_problems(definition, templates)
    found = sum(1 for f in definition.fields if f.key in {c.tag for c in controls})
    return TemplateReport(definition.key, path, problems, found)


# --- the docxtpl documents: report, briefing note, thank-you letter ------------------------------

@dataclass(frozen=True)
class DocumentTemplate:
    key: str
    filename: str
    known: Callable[[], frozenset[str]]  # the top-level names the code fills in; a tag naming anything else stays empty

    @property
    def names(self) -> frozenset[str]:
        return self.known()


# The report data modules are imported only when a report template is checked: they draw charts (matplotlib),
# which ingest, generate and allocate never do (issue 16: heavy libraries only in the commands that use them).

def _report_names() -> frozenset[str]:
    from processors.reports.report import REPORT_EXTRA_NAMES, ReportData

    return frozenset(ReportData.__dataclass_fields__) | frozenset(REPORT_EXTRA_NAMES)


def _briefing_names() -> frozenset[str]:
    from processors.reports.briefing import BriefingData

    return frozenset(BriefingData.__dataclass_fields__)


def _themed_names() -> frozenset[str]:
    from processors.reports.report import REPORT_EXTRA_NAMES
    from processors.reports.themed import ThemedData

    return frozenset(ThemedData.__dataclass_fields__) | frozenset(REPORT_EXTRA_NAMES)


DOCUMENTS: tuple[DocumentTemplate, ...] = (
    DocumentTemplate("quarterly_report", REPORT_TEMPLATE, _report_names),
    DocumentTemplate("briefing_note", BRIEFING_TEMPLATE, _briefing_names),
    DocumentTemplate("thank_you_letter", LETTER_FILENAME, lambda: frozenset(LETTER_FIELDS)),
    DocumentTemplate("thematic_report", THEMED_TEMPLATE, _themed_names),
)


UNREADABLE = (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError)


def _broken_tag(path: Path, exc: TemplateError) -> str:
    return (f"{path.name}: a {{% %}} or {{{{ }}}} tag is broken ({exc.message}): fix it in Word, or run "
            "`python run.py templates build --force`")


def check_document(spec: DocumentTemplate, templates: Path, *, fields: bool = True) -> TemplateReport:
    """It opens as .docx, its tags parse and render with a sample context, and (``fields``) name only known values."""
    path = templates / spec.filename
    if not path.exists():
        return TemplateReport(spec.key, path, [_missing(path)], 0)
    env = Environment(autoescape=True, undefined=ChainableUndefined)  # every value empty: loops run zero times
    try:
        template = DocxTemplate(str(path))
        names = template.get_undeclared_template_variables(env)
        template.render({}, jinja_env=env)
    except TemplateError as exc:
        return TemplateReport(spec.key, path, [_broken_tag(path, exc)], 0)
    except UNREADABLE as exc:
        return TemplateReport(spec.key, path, [_unreadable(path, exc)], 0)
    problems = []
    if fields:
        for name in sorted(names - spec.names):
            guess = difflib.get_close_matches(name, sorted(spec.names), n=1)
            hint = f" (did you mean '{guess[0]}'?)" if guess else ""
            problems.append(f"a tag asks for '{name}', which is not filled in{hint}: fix the tag in Word")
    return TemplateReport(spec.key, path, problems, len(names & spec.names))


def check_all(templates: Path) -> list[TemplateReport]:
    """Every template: the forms, the quarterly and themed reports, the briefing note and the thank-you letter."""
    return [check_template(d, templates) for d in FORM_TYPES.values()] + \
        [check_document(s, templates) for s in DOCUMENTS]


# --- at the start of a command ------------------------------------------------------------------

FORM_TEMPLATES: tuple[str, ...] = tuple(d.filename for d in FORM_TYPES.values())  # generate, allocate
REPORT_TEMPLATES: tuple[str, ...] = (REPORT_TEMPLATE, BRIEFING_TEMPLATE, THEMED_TEMPLATE)  # report
INTAKE_TEMPLATES: tuple[str, ...] = (LETTER_FILENAME,)                            # ingest, watch (good practice)


def require_templates(templates: Path, filenames: tuple[str, ...]) -> None:
    """Stop with one line (TemplateProblem) naming the first template that is missing or does not open or render."""
    forms = {d.filename: d for d in FORM_TYPES.values()}
    documents = {s.filename: s for s in DOCUMENTS}
    for filename in filenames:
        if filename in forms:
            report = check_template(forms[filename], templates, fields=False)
        else:
            report = check_document(documents[filename], templates, fields=False)
        if report.problems:
            raise TemplateProblem(report.problems[0])


def require_compiled(templates: Path, filenames: tuple[str, ...], compile_template: Callable[[Path], None]) -> None:
    """``require_templates`` for docxtpl documents a run is about to render: each is compiled now by
    ``compile_template`` (the run's ``ReportTemplates.compile``, whose compiled templates the run's documents then
    reuse), and the first missing, unreadable or broken one stops the run with one line naming it. Only the
    compile is checked, not a render with empty values: a tag that parses fails only on real data, as before."""
    for filename in filenames:
        path = templates / filename
        if not path.exists():
            raise TemplateProblem(_missing(path))
        try:
            compile_template(path)
        except TemplateError as exc:
            raise TemplateProblem(_broken_tag(path, exc)) from exc
        except UNREADABLE as exc:
            raise TemplateProblem(_unreadable(path, exc)) from exc
