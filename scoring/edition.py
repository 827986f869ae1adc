"""An edition's facts, derived once: its data year, id, reference date (``as_of``) and state.

Every asset, document and page reads these from the ``edition_facts`` asset (one row), never from the data
again: the data year is the edition's Dagster partition, the id is the one asked for or the year after the
data, ``as_of`` is the last day of the data year (list entries in force that day are scored, overrides
expired before it lapse) and it is also the date the documents carry.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import polars as pl

DRAFT, FINAL = "征求意见稿", "正式"


@dataclass(frozen=True)
class EditionFacts:
    """``edition``: the id asked for (``explicit``) or the year after the data; publishing may move an
    automatically chosen id on to its next free revision (2026-r2). ``draft_edition``: for a final edition,
    the draft it finalizes."""

    data_year: int
    edition: str
    explicit: bool
    as_of: date
    state: str = DRAFT
    draft_edition: str = ""

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame([asdict(self)], schema=SCHEMA)

    @classmethod
    def from_frame(cls, frame: pl.DataFrame) -> EditionFacts:
        if frame.height != 1:
            raise ValueError(f"edition_facts must hold one row, not {frame.height}")
        return cls(**frame.row(0, named=True))


SCHEMA = {"data_year": pl.Int64, "edition": pl.String, "explicit": pl.Boolean, "as_of": pl.Date,
          "state": pl.String, "draft_edition": pl.String}


def latest_year(frame: pl.DataFrame) -> int | None:
    """The latest data year of a frame with a ``year`` column (None when it has none)."""
    if not frame.height or "year" not in frame.columns:
        return None
    found = frame["year"].cast(pl.Int64, strict=False).max()
    return None if found is None else int(found)


def edition_facts(data_year: int | None, requested: str = "", state: str = DRAFT, draft_edition: str = "",
                  today: date | None = None) -> EditionFacts:
    """The one derivation of an edition's facts. Without data, the data year is the year before ``today``
    (the latest year that can be complete)."""
    if state not in (DRAFT, FINAL):
        raise ValueError(f"版次状态只能是「{DRAFT}」或「{FINAL}」，收到：{state}")
    year = data_year if data_year is not None else (today or date.today()).year - 1
    return EditionFacts(data_year=year, edition=requested or str(year + 1), explicit=bool(requested),
                        as_of=date(year, 12, 31), state=state, draft_edition=draft_edition)
