"""The names the reports hide come from a table the store keeps as it records forms and allocations (schema
migration 13), not from every stored form's values: a name typed in a form years ago is still hidden in this
quarter's reports, and making them reads no older form's values (issue 16)."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from processors.config.reports import ReportSettings
from processors.config.settings import Settings
from processors.demo.report_sample import SampleSpec
from processors.forms.definitions import FORM_TYPES
from processors.forms.models import FormIdentity, ParsedForm, ValidatedForm
from processors.forms.vocabulary import THEMATIC
from processors.reports.quarter import parse_quarter
from processors.reports.runner import run_reports
from processors.store.database import Store
from processors.store.period import people_named
from processors.store.schema import MIGRATIONS, migrate
from tests.conftest import report_settings_with_history
from tests.test_reports import text_of

TODAY = date(2026, 10, 5)
Q3 = parse_quarter("2026-Q3")
OBSERVATION = "practice_observation"
# Typed only in a form of 2025-Q1, more than a year before the quarter's trend begins; never in an allocation.
OLD_CHILD, OLD_WORKER = "Q.Z.", "Zebedee Quillfeather"
MENTION = f"{OLD_WORKER} visited {OLD_CHILD} every week and the plan was not reviewed."
HIDDEN = "The practitioner visited the child every week and the plan was not reviewed."


def _form(form_id: str, form_type: str, case_id: str, received: datetime, sha: str = "", **values: object
          ) -> ValidatedForm:
    definition = FORM_TYPES[form_type]
    parsed = ParsedForm(Path(f"{form_id}.docx"), FormIdentity(form_id, form_type, definition.version), form_type, {},
                        sha or f"sha-{form_id}")
    values = {"case_id": case_id, "service": "Children in Care", "team": "Team A", "overall_grade": "Good",
              "immediate_concern": "No", **values}
    return ValidatedForm(parsed, form_id, form_type, case_id, values, {d.key: "Good" for d in definition.domains},
                         [], received=received)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A year of sample history behind 2026-Q3, an observation of 2025-Q1 naming a child and a practitioner
    nothing else names, and a thematic audit of 2026-Q3 whose findings mention them."""
    settings = report_settings_with_history(tmp_path_factory.mktemp("names"), SampleSpec(
        (*Q3.previous(4), Q3), forms_per_quarter=20, cases=30, today=TODAY), ReportSettings(pdf=False))
    with Store(settings.path("database")) as store:
        store.record_form(_form("OBS-2025-OLD", OBSERVATION, "C-OLD-1", datetime(2025, 2, 10, 10),
                                child_initials=OLD_CHILD, practitioner=OLD_WORKER), "old.docx")
        store.record_form(_form("TPA-2026-NEW", THEMATIC, "C-NEW-1", datetime(2026, 8, 12, 10),
                                child_initials="N.W.", practitioner="Another Worker", theme="Neglect",
                                theme_findings=MENTION), "new.docx")
    return settings


def _all_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def _check_hidden(settings: Settings) -> None:
    run = run_reports(settings, Q3.label, None, None, send=False, today=TODAY)
    assert HIDDEN in text_of(run.docx[0])  # the SLT report quotes the findings, the names taken out
    for path in run.docx:
        xml = _all_xml(path)
        assert OLD_WORKER not in xml and OLD_CHILD not in xml, path.name


def test_a_name_typed_in_a_form_of_a_previous_year_is_hidden_in_this_quarters_reports(settings: Settings) -> None:
    with Store(settings.path("database")) as store:
        initials, names = people_named(store)
    assert OLD_CHILD in initials and OLD_WORKER in names
    _check_hidden(settings)


def test_making_the_reports_reads_no_older_forms_values(settings: Settings) -> None:
    """The old form's values made unreadable (not JSON): a run that decoded them, in Python or in SQLite, would
    fail; the run still completes and still hides the names that form typed."""
    with Store(settings.path("database")) as store:
        assert store.execute("UPDATE forms SET values_json = 'not JSON {' WHERE form_id = 'OBS-2025-OLD'",
                             dirty=False) == 1
        with pytest.raises(sqlite3.OperationalError, match="malformed JSON"):  # as the former collection did
            store.query("SELECT DISTINCT json_extract(values_json, '$.practitioner') FROM forms")
    _check_hidden(settings)


def test_names_are_kept_from_every_version_and_every_allocation_as_they_are_written(tmp_path: Path) -> None:
    with Store(tmp_path / "qa.sqlite3") as store:
        first = _form("OBS-1", OBSERVATION, "C-1", datetime(2026, 8, 1, 10), child_initials="A.B.",
                      practitioner="First Worker")
        store.record_form(first, "first.docx")
        store.record_form(_form("OBS-1", OBSERVATION, "C-1", datetime(2026, 8, 2, 10), "sha-corrected",
                                child_initials="A.B.", practitioner="Second Worker"), "second.docx")
        store.execute("INSERT INTO work_items (form_id, form_type, case_id, child_initials, practitioner) "
                      "VALUES ('OBS-2', ?, 'C-2', 'C.D.', 'Allocated Worker') ON CONFLICT (form_id) DO UPDATE "
                      "SET practitioner = excluded.practitioner", (OBSERVATION,))
        store.execute("UPDATE work_items SET child_initials = 'E.F.', practitioner = 'Moved Worker' "
                      "WHERE form_id = 'OBS-2'")
        assert people_named(store) == (frozenset({"A.B.", "C.D.", "E.F."}),
                                       frozenset({"First Worker", "Second Worker", "Allocated Worker",
                                                  "Moved Worker"}))


def test_the_migration_collects_the_names_already_stored(tmp_path: Path) -> None:
    path = tmp_path / "qa.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, [m for m in MIGRATIONS if m[0] < 13])  # a store as the previous version left it
    conn.execute("INSERT INTO work_items (form_id, form_type, case_id, child_initials, practitioner) "
                 "VALUES ('OBS-9', ?, 'C-9', 'G.H.', 'Listed Worker')", (OBSERVATION,))
    for version, worker in ((1, "Earlier Worker"), (2, "Later Worker")):
        conn.execute("INSERT INTO forms (form_id, version, form_type, values_json, received, source_file, sha256, "
                     "superseded, recorded_at) VALUES ('OBS-9', ?, ?, ?, '2019-05-01T10:00:00', 'f.docx', ?, ?, "
                     "'2019-05-01T10:00:00')",
                     (version, OBSERVATION, f'{{"child_initials": "I.J.", "practitioner": "{worker}"}}',
                      f"sha-{version}", int(version == 1)))
    conn.execute("INSERT INTO forms (form_id, version, form_type, values_json, received, source_file, sha256, "
                 "recorded_at) VALUES ('OBS-8', 1, ?, 'not JSON', '2019-05-01T10:00:00', 'g.docx', 'sha-8', "
                 "'2019-05-01T10:00:00')", (OBSERVATION,))
    conn.close()
    with Store(path) as store:
        assert people_named(store) == (frozenset({"G.H.", "I.J."}),
                                       frozenset({"Listed Worker", "Earlier Worker", "Later Worker"}))
