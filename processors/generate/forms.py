"""Generate pre-filled forms: one per work item, into generated/<cycle>/<form type>/.

Everything is rendered into a hidden partial folder first and moved into place only when every form
has rendered, so a failure never leaves a half-generated cycle behind.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from processors.dates import DATE_FORMAT_PY
from processors.forms.definitions import FORM_TYPES, FormDefinition
from processors.forms.models import FormIdentity, GeneratedForm, WorkItem
from processors.naming import safe_name
from processors.word.render import CompiledTemplate, compile_template


@dataclass(frozen=True)
class GenerationResult:
    cycle_id: str
    folder: Path
    forms: list[GeneratedForm]


def cycle_for(day: date, length_days: int = 42) -> str:
    """The six-weekly cycle a day falls in, e.g. 2026-C09."""
    return f"{day.year}-C{(day.timetuple().tm_yday - 1) // length_days + 1:02d}"


def assign_form_ids(items: Iterable[WorkItem], taken: Iterable[str] = ()) -> list[WorkItem]:
    """Give items without a form ID the next one of their cycle and type (CYCLE-CODE-NNN) not in use or `taken`."""
    items = list(items)
    used = {i.form_id for i in items if i.form_id} | set(taken)
    counters: dict[tuple[str, str], int] = {}
    out = []
    for item in items:
        if not item.form_id:
            code = FORM_TYPES[item.form_type].code
            key = (item.cycle_id, code)
            while True:
                counters[key] = counters.get(key, 0) + 1
                candidate = f"{item.cycle_id}-{code}-{counters[key]:03d}"
                if candidate not in used:
                    break
            used.add(candidate)
            item = replace(item, form_id=candidate)
        out.append(item)
    return out


def is_blank(item: WorkItem) -> bool:
    """A form with no case behind it (a Good Practice Evidence Record anyone can fill in)."""
    return not item.case.case_id


def form_context(item: WorkItem, definition: FormDefinition, organisation: str, due: date) -> dict[str, object]:
    case = item.case
    context: dict[str, object] = {
        "case_id": case.case_id,
        "child_initials": case.child_initials,
        "child_age": "" if is_blank(item) else case.child_age,
        "legal_status": case.legal_status,
        "service": case.service,
        "team": case.team,
        "practitioner": case.practitioner,
        "team_manager": case.team_manager,
        "theme": item.theme,
        "auditor": item.auditor,
        "due_date": due.strftime(DATE_FORMAT_PY),
        "cycle_id": item.cycle_id,
        "form_ref": item.form_id,
        "form_title": definition.title,
        "template_version": definition.version,
        "organisation": organisation,
    }
    for field in definition.prefilled:  # pre-filled from elsewhere (a commentary's key figures): empty here
        context.setdefault(field.key, "")
    return context


class FormGenerator:
    """Renders work items with templates compiled once per form type."""

    def __init__(self, templates: Path, organisation: str, due_days: int, today: date | None = None) -> None:
        self.templates = templates
        self.organisation = organisation
        self.default_due = (today or date.today()) + timedelta(days=due_days)
        self._compiled: dict[str, CompiledTemplate] = {}

    def compiled(self, form_type: str) -> CompiledTemplate:
        if form_type not in self._compiled:
            self._compiled[form_type] = compile_template(self.templates / FORM_TYPES[form_type].filename)
        return self._compiled[form_type]

    def render(self, item: WorkItem, extra: dict[str, object] | None = None) -> bytes:
        """One form; ``extra`` fills pre-filled fields the case list does not know."""
        definition = FORM_TYPES[item.form_type]
        identity = FormIdentity(item.form_id, item.form_type, definition.version, item.cycle_id)
        context = form_context(item, definition, self.organisation, item.due_date or self.default_due) | (extra or {})
        return self.compiled(item.form_type).render(context, identity, unlock=is_blank(item))

    def generate(self, items: Iterable[WorkItem], generated_root: Path,
                 on_form: Callable[[GeneratedForm], None] | None = None,
                 extra: Mapping[str, Mapping[str, object]] | None = None) -> list[GenerationResult]:
        """``extra``: by form ID, pre-filled fields the case list does not know (who commissioned an audit)."""
        items = assign_form_ids(items)
        partial = generated_root / f".partial-{uuid.uuid4().hex[:8]}"
        written: list[tuple[WorkItem, Path]] = []
        try:
            for item in items:
                definition = FORM_TYPES[item.form_type]
                relative = Path(safe_name(item.cycle_id)) / definition.key / \
                    f"{safe_name(item.form_id)}_{safe_name(item.case.case_id or 'blank')}.docx"
                target = partial / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                known = (extra or {}).get(item.form_id)
                target.write_bytes(self.render(item, dict(known)) if known else self.render(item))
                written.append((item, relative))
                if on_form:
                    on_form(GeneratedForm(FormIdentity(item.form_id, item.form_type, definition.version,
                                                       item.cycle_id), item.case.case_id, target))
            return self._move_into_place(written, partial, generated_root)
        finally:
            shutil.rmtree(partial, ignore_errors=True)

    @staticmethod
    def _move_into_place(written: list[tuple[WorkItem, Path]], partial: Path,
                         root: Path) -> list[GenerationResult]:
        by_cycle: dict[str, list[GeneratedForm]] = {}
        for item, relative in written:
            final = root / relative
            final.parent.mkdir(parents=True, exist_ok=True)
            (partial / relative).replace(final)
            identity = FormIdentity(item.form_id, item.form_type, FORM_TYPES[item.form_type].version, item.cycle_id)
            by_cycle.setdefault(item.cycle_id, []).append(GeneratedForm(identity, item.case.case_id, final))
        return [GenerationResult(cycle, root / safe_name(cycle), forms) for cycle, forms in by_cycle.items()]
