"""The quick maker of the records a quarter's reports read makes exactly what the dataclass itself makes."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, dataclass, field
from datetime import date, datetime

import pytest

from processors.forms.models import Case, WorkItem
from processors.store.records import GradeRecord, record_maker


def test_a_made_record_equals_the_dataclass_own_and_stays_frozen() -> None:
    values = ("F-1", "thematic", "C1", "North", "Team A", "plan", "The plan", "Good", datetime(2026, 8, 3, 9, 30))
    made = record_maker(GradeRecord)(*values)
    assert made == GradeRecord(*values) and type(made) is GradeRecord and hash(made) == hash(GradeRecord(*values))
    with pytest.raises(FrozenInstanceError):
        made.grade = "Inadequate"  # type: ignore[misc]


def test_trailing_defaults_and_named_fields_are_filled_as_the_dataclass_fills_them() -> None:
    case = record_maker(Case)("C1", "A.B.", 7, "CIN", "North", "Team A", "P. Worker", "T. Manager", date(2026, 1, 5))
    assert case == Case("C1", "A.B.", 7, "CIN", "North", "Team A", "P. Worker", "T. Manager", date(2026, 1, 5))
    assert case.iro == "" and case.cp_chair == ""
    item = record_maker(WorkItem)("thematic", case, "2026-C4", form_id="F-9", theme="Neglect")
    assert item == WorkItem("thematic", case, "2026-C4", form_id="F-9", theme="Neglect")


def test_a_wrong_number_of_values_or_an_unknown_name_is_refused() -> None:
    make = record_maker(Case)
    with pytest.raises(TypeError):
        make("C1", "A.B.")  # fields without defaults missing
    with pytest.raises(TypeError):
        make("C1", "A.B.", 7, "CIN", "North", "Team A", "P", "T", None, "", "", "one too many")
    with pytest.raises(TypeError):
        make("C1", "A.B.", 7, "CIN", "North", "Team A", "P", "T", colour="red")


def test_classes_it_cannot_make_faithfully_are_refused_at_once() -> None:
    @dataclass(frozen=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            assert self.n > 0

    @dataclass(frozen=True)
    class Listed:
        items: list[int] = field(default_factory=list)

    for cls in (Checked, Listed):
        with pytest.raises(TypeError):
            record_maker(cls)
