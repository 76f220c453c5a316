"""The summary's headlines, each checked against a figure computed here straight from the store's tables (SQL),
on the synthetic sample store, run mid-quarter so that some actions are not yet due."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from processors.config.reports import ReportSettings
from processors.demo.report_sample import SampleSpec, fill_sample_store
from processors.reports.privacy import make_scrubber
from processors.reports.quarter import parse_quarter
from processors.reports.report import ReportData, build_report
from processors.reports.source import Scope, load_snapshot
from processors.store.database import Store

TODAY = date(2026, 8, 20)  # half way through 2026-Q3
Q3 = parse_quarter("2026-Q3")
GOOD = ("Outstanding", "Good")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportData]:
    path = tmp_path_factory.mktemp("headlines") / "qa.sqlite"
    with Store(path) as store:
        fill_sample_store(store, SampleSpec((parse_quarter("2026-Q2"), Q3), forms_per_quarter=120, today=TODAY))
        snap = load_snapshot(store)
    return path, build_report(snap, Scope(), Q3, ReportSettings(), make_scrubber(snap, False), "Trust", TODAY)


def _query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with Store(path) as store:
        return store.query(sql, params)


def _headline(report: ReportData, pattern: str) -> re.Match[str]:
    for line in report.headlines:
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"no headline like {pattern!r} in {report.headlines}")


def test_on_time_counts_only_actions_that_have_fallen_due(sample: tuple[Path, ReportData]) -> None:
    path, report = sample
    rows = _query(path, "SELECT a.due, a.status, a.completed_on FROM actions a JOIN forms f ON f.id = a.form_pk "
                        "WHERE f.superseded = 0 AND a.due >= ? AND a.due <= ?",
                  (Q3.start.isoformat(), Q3.last_day.isoformat()))
    fallen = [r for r in rows if r[0] <= TODAY.isoformat() and r[1] != "Not required"]
    on_time = [r for r in fallen if r[1] == "Completed" and r[2] and r[2] <= r[0]]
    later = [r for r in rows if r[0] > TODAY.isoformat()]
    assert later and fallen, "the sample should have actions on both sides of today"
    found = _headline(report, r"(\d+) of (\d+) actions? due by (\S+) (?:was|were) completed on time \((\d+)%\); "
                              r"(\d+) more falls? due later in the quarter\.")
    assert (int(found[1]), int(found[2]), found[3], int(found[5])) == (
        len(on_time), len(fallen), "20/08/2026", len(later))
    assert int(found[4]) == round(100 * len(on_time) / len(fallen))


def test_good_practice_counts_evidence_records_and_observation_notes_apart(sample: tuple[Path, ReportData]) -> None:
    path, report = sample
    rows = _query(path, "SELECT f.form_type FROM good_practice g JOIN forms f ON f.id = g.form_pk "
                        "WHERE g.current = 1 AND g.recorded >= ? AND g.recorded < ?",
                  (Q3.start.isoformat(), Q3.end.isoformat()))
    records = sum(1 for (t,) in rows if t == "good_practice")
    notes = sum(1 for (t,) in rows if t == "practice_observation")
    assert records == 3 and notes > 0
    found = _headline(report, r"(\d+) Good Practice Evidence Records? (?:was|were) received, and (\d+) observations? "
                              r"noted good practice seen\.")
    assert (int(found[1]), int(found[2])) == (records, notes)


def test_the_showcase_takes_only_shareable_good_practice(sample: tuple[Path, ReportData]) -> None:
    path, report = sample
    rows = _query(path, "SELECT g.form_id, f.form_type, f.overall_grade, f.immediate_concern, f.values_json, g.share, "
                        "(SELECT COUNT(*) FROM escalations e WHERE e.form_id = g.form_id AND e.current = 1) "
                        "FROM good_practice g JOIN forms f ON f.id = g.form_pk "
                        "WHERE g.current = 1 AND g.recorded >= ? AND g.recorded < ?",
                  (Q3.start.isoformat(), Q3.end.isoformat()))
    wanted = set()
    for form_id, form_type, grade, concern, values, share, escalated in rows:
        if concern or escalated:
            continue
        if form_type == "good_practice":
            shareable = share == "Yes"
        else:
            shareable = grade in GOOD and json.loads(values).get("family_consent") == "Yes"
        if shareable:
            wanted.add(form_id)
    shown = {item.form_id for item in report.showcase.rows}
    assert shown == wanted
    left_out = {r[0] for r in rows} - wanted
    assert any(r[0] in left_out and r[2] not in GOOD for r in rows), "the sample should test a form graded below Good"
    assert any(r[0] in left_out and r[5] == "No" for r in rows), "the sample should test a record without consent"


def test_the_escalation_and_grade_headlines_match_the_store(sample: tuple[Path, ReportData]) -> None:
    path, report = sample
    (raised,) = _query(path, "SELECT COUNT(*) FROM escalations WHERE raised >= ? AND raised < ?",
                       (Q3.start.isoformat(), Q3.end.isoformat()))[0]
    assert _headline(report, r"(\d+) immediate concerns? (?:was|were) escalated\.")[1] == str(raised)
    grades = [g for (g,) in _query(path, "SELECT overall_grade FROM forms WHERE superseded = 0 AND overall_grade != '' "
                                         "AND received >= ? AND received < ?",
                                   (Q3.start.isoformat(), Q3.end.isoformat()))]
    found = _headline(report, r"(\d+)% of (\d+) graded forms were Good or better")
    assert int(found[2]) == len(grades)
    assert int(found[1]) == round(100 * sum(g in GOOD for g in grades) / len(grades))
