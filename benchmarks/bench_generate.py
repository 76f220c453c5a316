"""Benchmark: generate a 77-form cycle, beside a plain docxtpl loop measured in the same run.

    python -m benchmarks.bench_generate [--forms 77] [--repeat 3]

The plain loop is what one would write first: for each form, DocxTemplate(path), render(context,
autoescape=True), save. Ours compiles each template once and appends rendered parts to a pre-built package.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from docxtpl import DocxTemplate

from processors.config.settings import load_settings
from processors.demo.synthetic import make_cases, make_pool
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import WorkItem
from processors.generate.forms import FormGenerator, assign_form_ids, form_context

CYCLE_MIX = (("thematic_audit", 33), ("practice_observation", 22), ("supervision_audit", 22))


def cycle_items(n: int) -> list[WorkItem]:
    pool = make_pool(7)
    cases = make_cases(n, 7, pool, today=date(2026, 11, 27))
    types = [key for key, count in CYCLE_MIX for _ in range(count)]
    items = [WorkItem(types[i % len(types)], case, "2026-C09", auditor=pool[i % len(pool)].name,
                      theme="Neglect & drift") for i, case in enumerate(cases)]
    return assign_form_ids(items)


def plain_docxtpl(items: list[WorkItem], templates: Path, out: Path, organisation: str) -> float:
    started = time.perf_counter()
    for item in items:
        definition = FORM_TYPES[item.form_type]
        template = DocxTemplate(str(templates / definition.filename))
        template.render(form_context(item, definition, organisation, date(2026, 12, 11)), autoescape=True)
        template.save(str(out / f"{item.form_id}.docx"))
    return time.perf_counter() - started


def ours(items: list[WorkItem], templates: Path, out: Path, organisation: str) -> float:
    started = time.perf_counter()
    FormGenerator(templates, organisation, 14).generate(items, out)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=77)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = load_settings()
    templates = settings.path("templates")
    items = cycle_items(args.forms)
    plain, fast = [], []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            plain.append(plain_docxtpl(items, templates, Path(a), settings.organisation))
            fast.append(ours(items, templates, Path(b), settings.organisation))
    p, f = min(plain), min(fast)
    n = len(items)
    print(f"forms per cycle:        {n}  (best of {args.repeat} runs each)")
    print(f"plain docxtpl loop:     {p:6.2f} s  ({p / n * 1000:5.1f} ms a form)")
    print(f"our generator:          {f:6.2f} s  ({f / n * 1000:5.1f} ms a form, includes writing files)")
    print(f"speed-up:               {p / f:6.1f} x   target: {n} forms under 1 s -> {'met' if f < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
