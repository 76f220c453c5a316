"""The garbage collector is paused while a quarter is read and the run's snapshot held out of its walks while the
documents are made, and both are undone afterwards, even when the block fails (issue 16 item 3)."""

from __future__ import annotations

import gc

import pytest

from processors.reports.collector import collector_paused, held_out_of_collections


def test_the_collector_is_on_again_after_a_pause_even_when_it_fails() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("a failed read")
    assert gc.isenabled()


def test_a_pause_inside_a_disabled_collector_leaves_it_disabled() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_held_objects_are_collected_again_after_the_block() -> None:
    class Node:
        pass

    cycle = Node()
    cycle.me = cycle  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError), held_out_of_collections():
        assert gc.get_freeze_count() > 0
        del cycle
        raise RuntimeError("a failed document")
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert not any(type(o) is Node for o in gc.get_objects())


def test_a_report_run_leaves_the_collector_as_it_found_it(tmp_path, template_copy) -> None:  # type: ignore[no-untyped-def]
    from processors.config.reports import ReportSettings
    from processors.config.settings import load_settings
    from processors.reports.runner import run_reports
    from tests.conftest import write_config

    settings = load_settings(write_config(tmp_path, template_copy)).model_copy(
        update={"reports": ReportSettings(pdf=False)})
    run_reports(settings, "2025-Q1", None, None, send=False)
    assert gc.isenabled() and gc.get_freeze_count() == 0
