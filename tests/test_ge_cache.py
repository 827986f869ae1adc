"""great-expectations' report is reused for the same staged rows, contract and references, and only then."""

from __future__ import annotations

import polars as pl

import data_contracts.verdict as verdict
from data_contracts.spec import load_contracts

SCHOOL_MAJORS = load_contracts()["school_majors"]
STAGE = pl.DataFrame({"school_code": ["4111010001", "4111010001"], "major_code": ["510201", "510202"],
                      "year": ["2025", "2025"], "enrolled": ["-3", "12"], "graduates": ["9", "9"],
                      "employed": ["9", "9"], "employed_in_field": ["3", "3"]})
REFS = {"school_code": ["4111010001"], "major_code": ["510202", "510201"]}


def test_the_same_rows_are_not_validated_twice_and_any_change_is(tmp_path, monkeypatch):
    calls = []
    real = verdict.validate
    monkeypatch.setattr(verdict, "validate", lambda *a: calls.append(1) or real(*a))
    first = verdict.second_opinion(STAGE, SCHOOL_MAJORS, REFS, cache=tmp_path)
    again = verdict.second_opinion(STAGE.reverse(), SCHOOL_MAJORS, {k: v[::-1] for k, v in REFS.items()},
                                   cache=tmp_path)
    assert len(calls) == 1 and again == first and not first.success        # reused, and still failing
    fixed = verdict.second_opinion(STAGE.with_columns(pl.lit("12").alias("enrolled")), SCHOOL_MAJORS, REFS,
                                   cache=tmp_path)
    assert len(calls) == 2 and fixed.success
    verdict.second_opinion(STAGE, SCHOOL_MAJORS, {"school_code": ["4111010001"]}, cache=tmp_path)
    assert len(calls) == 3                                                  # other references: validated again
    for path in tmp_path.iterdir():
        path.write_text("{broken", encoding="utf-8")
    assert verdict.second_opinion(STAGE, SCHOOL_MAJORS, REFS, cache=tmp_path) == first and len(calls) == 4
