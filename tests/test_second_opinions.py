"""great-expectations in a worker process gives the reports second_opinion gives, uses the same cache, and
is stopped (not waited for) when the engine refused an input."""

from __future__ import annotations

import polars as pl
import pytest

from data_contracts.second_opinions import SecondOpinions, first_opinions, started_early
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


def test_a_refusal_stops_the_worker_and_every_pending_report_says_it_did_not_run(tmp_path):
    opinions = SecondOpinions(tmp_path)
    opinions.submit("good", GOOD, SCHOOL_MAJORS, {})
    processes = list(opinions._pool._processes.values())
    reports = opinions.reports(["schools"])
    assert not reports["good"].ran and "schools 未通过数据契约" in reports["good"].note
    assert processes and not any(p.is_alive() for p in processes)
    assert not list(tmp_path.glob("*.json"))                             # nothing validated, nothing cached


@pytest.mark.slow
def test_a_worker_started_early_is_the_one_the_run_uses(tmp_path):
    assert first_opinions(tmp_path)                                      # nothing cached: a first run
    with started_early(True):
        with SecondOpinions(tmp_path) as opinions:
            early = list(opinions._pool._processes.values())             # taken over before any submission
            assert len(early) == 1 and early[0].is_alive()
            opinions.submit("good", GOOD, SCHOOL_MAJORS, {})
            assert list(opinions._pool._processes.values()) == early       # no second worker started
            assert opinions.reports([])["good"].success
        assert not early[0].is_alive()
        assert SecondOpinions(tmp_path)._pool is None                    # taken once, not twice
    assert not first_opinions(tmp_path)                                  # the report is cached now


def test_a_worker_started_early_and_never_taken_is_stopped_with_the_block():
    with started_early(True):
        from data_contracts import second_opinions

        processes = list(second_opinions._early._processes.values())
        assert processes and processes[0].is_alive()
    assert not any(p.is_alive() for p in processes) and second_opinions._early is None
    with started_early(False):
        assert second_opinions._early is None                            # a home with cached reports: none
