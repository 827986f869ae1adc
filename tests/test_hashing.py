"""rows_hash feeds its digest in chunks: the hash stays the documented one (SHA-256 of the sorted JSON lines)."""

from __future__ import annotations

import hashlib

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from warehouse.hashing import row_json, rows_hash


def _by_definition(df: pl.DataFrame) -> str:
    digest = hashlib.sha256()
    for line in sorted(row_json(df).to_list()):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=6)), st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))),
                     max_size=60),
       chunk=st.integers(1, 25))
def test_chunked_rows_hash_is_the_hash_of_the_sorted_json_lines(rows, chunk):
    df = pl.DataFrame(rows, schema={"code": pl.String, "n": pl.Int64}, orient="row")
    assert rows_hash(df, chunk=chunk) == _by_definition(df) == rows_hash(df.reverse())


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=6)), st.one_of(st.none(), st.integers(-9, 9))),
                     max_size=80),
       chunk=st.integers(1, 25), spill=st.integers(1, 30), sample=st.integers(1, 30))
def test_out_of_core_rows_hash_is_the_same_hash(rows, chunk, spill, sample):
    """A frame too large to sort in memory is hashed through scratch files by range (national school scores):
    any slicing and sampling gives the hash of the definition, duplicates and equal prefixes included."""
    from unittest import mock

    from warehouse import hashing

    df = pl.DataFrame(rows, schema={"code": pl.String, "n": pl.Int64}, orient="row")
    with mock.patch.object(hashing, "SPILL_ROWS", spill), mock.patch.object(hashing, "SAMPLE_ROWS", sample):
        assert rows_hash(df, chunk=chunk, in_memory_bytes=-1) == _by_definition(df)
