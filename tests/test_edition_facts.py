"""An edition's facts come from one derivation: the data year gives the id, as_of and the documents' date."""

from datetime import date

import polars as pl
import pytest

from scoring.edition import DRAFT, FINAL, EditionFacts, edition_facts, latest_year


def test_the_data_year_gives_the_next_edition_and_its_last_day():
    facts = edition_facts(latest_year(pl.DataFrame({"year": [2023, 2025, 2024]})))
    assert (facts.data_year, facts.edition, facts.explicit, facts.as_of, facts.state) == \
        (2025, "2026", False, date(2025, 12, 31), DRAFT)


def test_an_asked_edition_and_state_are_kept():
    facts = edition_facts(2025, "2026-r3", FINAL, draft_edition="2026-draft")
    assert (facts.edition, facts.explicit, facts.state, facts.draft_edition) == ("2026-r3", True, FINAL, "2026-draft")


def test_without_data_the_year_before_today_is_taken():
    assert latest_year(pl.DataFrame({"year": []}, schema={"year": pl.Int32})) is None
    assert edition_facts(None, today=date(2026, 3, 1)).as_of == date(2025, 12, 31)


def test_a_state_that_is_neither_draft_nor_final_is_refused():
    with pytest.raises(ValueError, match="版次状态"):
        edition_facts(2025, state="草稿")


def test_the_facts_travel_as_one_row_and_come_back_equal():
    facts = edition_facts(2025, "2026", FINAL)
    assert EditionFacts.from_frame(facts.frame()) == facts
    with pytest.raises(ValueError):
        EditionFacts.from_frame(pl.concat([facts.frame(), facts.frame()]))
