"""Every bad input gets the message a person must get: file, row and column where they apply."""

from __future__ import annotations

import pytest

from tests.bad_inputs.cases import CASES
from tests.bad_inputs.cases_whole import WHOLE_CASES
from tests.bad_inputs.harness import check, check_whole, run_case, run_whole


def test_the_corpus_is_big_enough_and_names_are_unique():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, corpus_base, tmp_path):
    inbox, db = corpus_base
    result, con = run_case(case, inbox, db, tmp_path)
    try:
        check(case, result)
        if case.after:
            case.after(con, tmp_path)
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize("case", WHOLE_CASES, ids=[c.name for c in WHOLE_CASES])
def test_whole_inbox_case(case, corpus_base, tmp_path, tmp_path_factory):
    """Issue 26: faults that need the whole inbox (other inputs present or absent, links, a file written
    during the run, the commission's overrides), on a fresh home, with great-expectations' second opinion."""
    inbox, _ = corpus_base
    result, con = run_whole(case, inbox, tmp_path, tmp_path_factory.getbasetemp() / "whole-ge-cache")
    try:
        check_whole(case, result)
    finally:
        con.close()
