"""Forms made from every released template version are still read: they stay in circulation between cycles.

tests/samples/released/ holds one filled form per form type and template version (written once, by
tests/samples/make_released_samples.py, when that version was current) and the answers it was filled with.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from processors.config.settings import Settings
from processors.forms.definitions import FORM_TYPES, Field, Kind, version_key
from processors.intake.pipeline import Pipeline
from processors.store.database import Store
from tests.samples.make_released_samples import sample_item

RELEASED = Path(__file__).parent / "samples" / "released"
SAMPLES = sorted(RELEASED.glob("*.docx"))


def test_every_form_type_has_a_sample_of_its_current_version() -> None:
    names = {p.name for p in SAMPLES}
    missing = [f"{key}-{d.version}.docx" for key, d in FORM_TYPES.items() if f"{key}-{d.version}.docx" not in names]
    assert not missing, f"run `python -m tests.samples.make_released_samples` to keep a sample of {missing}"


def _expected(field: Field, shown: object) -> object:
    if field.kind is Kind.DATE:
        day, month, year = (int(x) for x in str(shown).split("/"))
        return date(year, month, day)
    return shown.strip() if isinstance(shown, str) else shown


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_a_released_form_is_read_and_recorded_with_every_answer(sample: Path, settings: Settings,
                                                                 tmp_path: Path) -> None:
    form_type, version = sample.stem.rsplit("-", 1)
    answers = json.loads(sample.with_suffix(".json").read_text(encoding="utf-8"))
    inbox = settings.path("inbox")
    inbox.mkdir(parents=True)
    (inbox / sample.name).write_bytes(sample.read_bytes())
    with Store(settings.path("database")) as store:
        store.add_work_items([sample_item(form_type, version)])
        outcome = Pipeline(settings, store).process_file(inbox / sample.name)
        assert outcome.status == "recorded", outcome.reason
        record = store.form(outcome.form_id)
    assert record is not None
    fields = {f.key: f for f in FORM_TYPES[form_type].fields}
    for key, shown in answers.items():
        if key in fields and fields[key].asked_in(version):
            assert record.values.get(key) == _expected(fields[key], shown), key


def test_a_field_added_in_a_later_version_is_not_asked_of_older_forms() -> None:
    later = Field("new_question", "New question", Kind.TEXT, required=True, since="1.1")
    assert not later.asked_in("1.0") and later.asked_in("1.1") and later.asked_in("2.0") and later.asked_in("")
    assert version_key("1.10") > version_key("1.9")
