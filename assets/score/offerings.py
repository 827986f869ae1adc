"""school_majors a group of schools at a time: millions of offering-years nationally are never one frame.

The per-school figures of a step (a school's offerings, the sums behind the citywide rates) are the same
computed group by group; only the data years are table-wide, and they are read first, a few columns at a time."""

from collections.abc import Callable, Sequence

import polars as pl

from scoring.signals import combined_years, data_years
from warehouse.table import BATCH_ROWS, WarehouseTable

OFFERING_COLUMNS = ("school_code", "major_code", "year", "enrolled", "graduates", "employed", "employed_in_field")
YEAR_COLUMNS = ("year", "graduates", "employed")
Years = tuple[int | None, int | None]


def by_school_groups(school_majors: WarehouseTable, work: Callable[[pl.DataFrame, Years], pl.DataFrame],
                     columns: Sequence[str] = OFFERING_COLUMNS, size: int = BATCH_ROWS) -> tuple[pl.DataFrame, Years]:
    """``work(rows, years)`` on each group of schools (ascending school codes), concatenated, and the table's
    data years; an empty table gives ``work`` its empty rows once."""
    years = combined_years(data_years(part) for part in school_majors.batches(YEAR_COLUMNS))
    parts = [work(part, years) for part in school_majors.groups("school_code", columns, size)]
    return pl.concat(parts) if parts else work(school_majors.read(columns, where="false"), years), years
