"""sort_unless_ordered: a table in order is left as it is, one out of order is sorted, rows unchanged."""

from __future__ import annotations

import duckdb
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.db import query_frame, replace_table, sort_unless_ordered


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.integers(min_value=0, max_value=10_000), unique=True, max_size=200))
def test_a_table_ends_sorted_with_the_same_rows_and_is_rewritten_only_when_out_of_order(rows):
    con = duckdb.connect()
    try:
        replace_table(con, "t", pl.DataFrame({"source_row": rows, "v": [f"v{r}" for r in rows]},
                                             schema={"source_row": pl.Int64, "v": pl.String}))
        sorted_ = sort_unless_ordered(con, "t", "source_row")
        after = query_frame(con, "SELECT * FROM t")
    finally:
        con.close()
    assert after["source_row"].to_list() == sorted(rows)
    assert after["v"].to_list() == [f"v{r}" for r in sorted(rows)]
    assert sorted_ == (rows != sorted(rows))
