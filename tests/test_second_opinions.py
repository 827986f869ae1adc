"""great-expectations in a worker process gives the reports second_opinion gives, uses the same cache, and
is stopped (not waited for) when the engine refused an input."""

from __future__ import annotations

import polars as pl
import pytest

from data_contracts.second_opinions import SecondOpinions, first_opinions, warm_up_early
from data_contracts.spec import load_contracts
from data_contracts.verdict import second_opinion

SCHOOL_MAJORS = load_contracts()["school_majors"]
REFS = {"school_code": ["4111010001"], "major_code": ["510201", "510202"]}
BAD = pl.DataFrame({"school_code": ["4111010001", "10101.0"], "major_code": ["510201", "510202"],
                    "year": ["2025", "2025"], "enrolled": ["-3", "12"], "graduates": ["40", "9"],
                    "employed": ["30", "9"]})
GOOD = pl.DataFrame({"school_code": ["4111010001"], "major_code": ["510201"], "year": ["2025"], "enrolled": ["10"],
                     "graduates": ["9"], "employed": ["9"], "employed_in_field": ["3"]})


@pytest.mark.slow
def test_the_worker_gives_the_same_reports_and_fills_the_same_cache(tmp_path):
    with SecondOpinions(tmp_path) as opinions:
        opinions.submit("bad", BAD, SCHOOL_MAJORS, REFS)
        opinions.submit("good", GOOD, SCHOOL_MAJORS, {})
        opinions.submit("empty", GOOD.clear(), SCHOOL_MAJORS, {})
        reports = opinions.reports([])
    assert reports["empty"] is None
    assert reports["bad"] == second_opinion(BAD, SCHOOL_MAJORS, REFS)   # in process, no cache
    assert reports["good"].ran and reports["good"].success and not reports["bad"].success
    assert len(list(tmp_path.glob("school_majors-*.json"))) == 2
    again = SecondOpinions(tmp_path)
    again.submit("bad", BAD, SCHOOL_MAJORS, REFS)
    assert again._pool is None                                          # answered from the cache
    assert again.reports([])["bad"] == reports["bad"]


def test_a_refusal_stops_the_workers_and_every_pending_report_says_it_did_not_run(tmp_path):
    opinions = SecondOpinions(tmp_path)
    opinions.submit("good", GOOD, SCHOOL_MAJORS, {})
    opinions._feeder.join(timeout=0.5)                                   # the feeder has started a worker, or waits
    reports = opinions.reports(["schools"])                              # for the fork server: at once either way
    assert not reports["good"].ran and "schools 未通过数据契约" in reports["good"].note
    opinions._feeder.join(timeout=30)                                    # the feeder ends, the pool shut down
    assert not opinions._feeder.is_alive() and not opinions._pool._processes
    assert not list(tmp_path.glob("*.json"))                             # nothing validated, nothing cached


@pytest.mark.slow
def test_inputs_are_validated_by_workers_forked_from_the_server_that_imported_great_expectations(tmp_path):
    assert first_opinions(tmp_path)                                      # nothing cached: a first run
    warm_up_early(True)
    with SecondOpinions(tmp_path) as opinions:
        for n in range(4):
            opinions.submit(f"good{n}", GOOD.with_columns(pl.lit(str(2020 + n)).alias("year")), SCHOOL_MAJORS, {})
        reports = opinions.reports([])
        workers = opinions._pool._processes
    assert opinions._pool._max_workers == 2                              # both cores, while the engine waits
    assert all(r.ran and r.success for r in reports.values()) and len(reports) == 4
    assert not first_opinions(tmp_path)                                  # the reports are cached now
    assert not workers and not opinions._feeder.is_alive()               # shut down once the reports are in


def test_the_fork_server_started_early_preloads_great_expectations(tmp_path):
    """The preload a first run asks for: this process's fork server imports great-expectations before the
    training code (a server already started keeps its preload; the command starts it first)."""
    from multiprocessing import forkserver

    warm_up_early(False)
    warm_up_early(True)
    assert forkserver._forkserver._preload_modules[:2] == ["data_contracts.ge_runner", "great_expectations"]
    assert forkserver._forkserver._forkserver_pid is not None
