"""Keep one filled form per released template version: `python -m tests.samples.make_released_samples`.

Run it when a form's template version changes (processors/forms/definitions.py `version`). It writes
tests/samples/released/<form type>-<version>.docx (filled as an auditor would, from the templates in
templates/) and a .json of the answers beside it, and never overwrites a sample that exists: those are
the forms still in circulation, which tests/test_released_templates.py reads with today's code.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from pathlib import Path

from processors.config.settings import PROJECT_ROOT
from processors.demo.answers import answers_for
from processors.demo.fill import fill_form
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import Case, WorkItem
from processors.generate.forms import FormGenerator

HERE = Path(__file__).parent / "released"
CASE = Case("CF1357913", "J.B.", 9, "Child in Need", "Early Help and Children in Need", "Wellingborough CIN 2",
            "Priya Raman", "Tomasz Nowak")
DAY = date(2026, 11, 23)


def sample_item(form_type: str, version: str) -> WorkItem:
    code = FORM_TYPES[form_type].code
    return WorkItem(form_type, CASE, "2026-C09", form_id=f"2026-C09-{code}-{900 + int(version.split('.')[0])}",
                    auditor="Grace Adeyemi", auditor_email="grace.adeyemi@example-trust.org.uk", theme="Neglect",
                    due_date=date(2026, 12, 7))


def main() -> None:
    HERE.mkdir(exist_ok=True)
    generator = FormGenerator(PROJECT_ROOT / "templates", "Example Children's Trust (synthetic)", 14, DAY)
    for key, definition in FORM_TYPES.items():
        target = HERE / f"{key}-{definition.version}.docx"
        if target.exists():
            continue
        item = sample_item(key, definition.version)
        answers = answers_for(item, definition, random.Random(7), DAY).answers
        answers = {k: v for k, v in answers.items()}
        target.write_bytes(fill_form(generator.render(replace(item)), answers))
        shown = {k: (v.strftime("%d/%m/%Y") if isinstance(v, date) else v) for k, v in answers.items()}
        target.with_suffix(".json").write_text(json.dumps(shown, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
