"""Every bad input gets the message a person must get: file, row and column where they apply."""

from __future__ import annotations

import pytest

from tests.bad_inputs.cases import CASES
from tests.bad_inputs.harness import check, run_case


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
