"""The vocabulary is defined once (processors/forms/vocabulary.py, processors/dates.py, processors/files.py,
processors/text.py) and everything else uses it."""

from __future__ import annotations

import ast
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl.utils.datetime import from_excel

from processors.config.settings import Settings
from processors.dates import excel_serial_date, uk_date, uk_text
from processors.files import sha256_bytes, sha256_of
from processors.forms.definitions import FORM_TYPES, Kind, action_fields
from processors.forms.models import FormIdentity
from processors.forms.vocabulary import (
    AUDIT_TYPES,
    FORM_TYPE_KEYS,
    GRADES,
    IDENTITY_PROPERTIES,
    YES_NO,
    YES_NO_PARTLY,
    ActionPart,
    action_heading_part,
    action_key,
    action_label,
    form_ref_line,
    parse_action_key,
    parse_action_label,
)
from processors.reading.lookup import identity_from_text
from processors.reports.source import GRADED_TYPES
from processors.text import xml_safe
from processors.word.render import custom_properties_xml

ROOT = Path(__file__).resolve().parent.parent
PROCESSORS = ROOT / "processors"
# Files that may still spell a grade out. The register is being rebuilt on another branch: it will import the
# grades from the vocabulary, and then this list holds the vocabulary alone.
GRADE_SPELLED_OUT = {"processors/forms/vocabulary.py"}
HASHES_ITSELF = {"processors/files.py"}
READS_DATES_ITSELF = {"processors/dates.py"}


# --- the definitions use the vocabulary ----------------------------------------------------------

def test_every_grade_field_offers_exactly_the_grades() -> None:
    graded = [f for d in FORM_TYPES.values() for f in d.fields if f.kind is Kind.GRADE]
    assert graded, "no graded field in any form definition"
    assert all(f.allowed == GRADES for f in graded)
    assert GRADES == ("Outstanding", "Good", "Requires Improvement", "Inadequate")  # the design's contract


def test_yes_no_questions_offer_the_answer_lists() -> None:
    choices = {f.allowed for d in FORM_TYPES.values() for f in d.fields if f.kind is Kind.CHOICE}
    assert YES_NO in choices and YES_NO_PARTLY in choices


def test_form_types_are_the_vocabulary_keys() -> None:
    assert tuple(FORM_TYPES) == FORM_TYPE_KEYS
    assert set(GRADED_TYPES) == set(AUDIT_TYPES)  # the three audits are the graded ones
    assert set(Settings().cycle.counts) == set(AUDIT_TYPES)


@pytest.mark.parametrize("part", list(ActionPart))
def test_action_names_round_trip_for_rows_1_to_20(part: ActionPart) -> None:
    for row in range(1, 21):
        key = action_key(row, part)
        assert parse_action_key(key) == (row, part)
        assert action_key(*parse_action_key(key)) == key
        assert parse_action_label(action_label(row, part)) == (row, part)
        assert parse_action_label(action_label(row, part).lower()) == (row, part)
        assert action_heading_part(part.heading.upper()) is part


def test_action_names_are_the_documented_contract() -> None:
    assert [f.key for f in action_fields(2)] == ["action_1", "action_1_owner", "action_1_due",
                                                 "action_2", "action_2_owner", "action_2_due"]
    assert [f.label for f in action_fields(1)] == ["Action 1", "Action 1 owner", "Action 1 due date"]
    for not_an_action in ("action", "action_x", "action_1_notes", "overall_grade", "action_1_due_date"):
        assert parse_action_key(not_an_action) is None
    assert parse_action_label("Action 3 notes") is None


def test_forms_actions_rows_are_named_by_the_scheme() -> None:
    for definition in FORM_TYPES.values():
        rows = {parse_action_key(f.key) for f in definition.fields} - {None}
        assert rows == {(n, p) for n in range(1, definition.action_rows + 1) for p in ActionPart}


def test_identity_written_is_the_identity_read() -> None:
    identity = FormIdentity("2026-C09-TPA-001", "thematic_audit", "1.0", "2026-C09")
    xml = custom_properties_xml(identity).decode()
    for attribute, name in IDENTITY_PROPERTIES.items():
        assert f'name="{name}"><vt:lpwstr>{getattr(identity, attribute)}<' in xml
    assert identity_from_text(form_ref_line(identity.form_id) + "  ·  Thematic Peer Audit  ·  template v1.0") \
        == identity


# --- the one UK-date reader ------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["01/02/2026", "1/2/26", "1/2/2026", "01-02-2026", "1.2.2026", "2026-02-01",
                                   "2026-02-01T09:30:00Z", "01/02/2026 00:00", " 1st February 2026 ",
                                   "1 Feb 26", datetime(2026, 2, 1, 13, 5), date(2026, 2, 1), 46054, 46054.0])
def test_uk_dates_people_type_are_read(typed: object) -> None:
    assert uk_date(typed) == date(2026, 2, 1)


@pytest.mark.parametrize("typed", ["31/02/2026", "02/13/2026", "2026-02-30", "", "soon", "2026", True, None, 0])
def test_impossible_or_not_dates_are_refused(typed: object) -> None:
    assert uk_date(typed) is None


@pytest.mark.parametrize("serial", [1, 59, 61, 367, 43831, 46054.75, 2958465])
def test_excel_serials_match_excel(serial: float) -> None:
    assert excel_serial_date(serial) == from_excel(serial).date()


def test_dates_print_day_first() -> None:
    assert uk_text(date(2026, 2, 1)) == "01/02/2026"
    assert uk_text(None, "-") == "-"


# --- the small shared helpers -----------------------------------------------------------------------

def test_xml_safe_drops_what_xml_cannot_hold_and_keeps_the_rest() -> None:
    assert xml_safe("a\x00b\x0bc\x1fd\ud800e\ufffef") == "abcdef"
    assert xml_safe("line 1\r\nline 2\rline 3\tend é") == "line 1\nline 2\nline 3\tend é"


def test_sha256_of_a_file_is_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # more than one read block
    (tmp_path / "f.bin").write_bytes(data)
    assert sha256_of(tmp_path / "f.bin") == sha256_bytes(data)
    assert sha256_bytes(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


# --- nobody spells the vocabulary out again -----------------------------------------------------

def _sources() -> list[tuple[str, ast.AST]]:
    paths = sorted(PROCESSORS.rglob("*.py"))
    return [(str(p.relative_to(ROOT)), ast.parse(p.read_text(encoding="utf-8"))) for p in paths]


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant but docstrings, with its line."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_grades_and_audit_types_are_spelled_out_only_in_the_vocabulary() -> None:
    whole = set(GRADES) | set(AUDIT_TYPES)
    found = [f"{path}:{line}: {text!r}" for path, tree in _sources() if path not in GRADE_SPELLED_OUT
             for line, text in _strings(tree)
             if text.strip() in whole or "Requires Improvement" in text]
    assert found == [], "import these from processors.forms.vocabulary instead:\n" + "\n".join(found)


def test_sha256_and_date_parsing_live_in_one_place_each() -> None:
    sources = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in PROCESSORS.rglob("*.py")}
    hashing = sorted(path for path, text in sources.items() if "hashlib.sha256(" in text)
    parsing = sorted(path for path, text in sources.items() if "strptime(" in text)
    assert set(hashing) <= HASHES_ITSELF, hashing
    assert set(parsing) <= READS_DATES_ITSELF, parsing
