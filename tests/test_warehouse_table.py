"""The lazy warehouse-table handle: column-limited reads, batches, a deterministic sample and a DuckDB digest;
the IO manager hands it (or a column-pruned frame) to an asset that asks for it."""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.resources import WarehouseIOManager
from ml.postings_sample import training_sample
from ml.registry import train_or_reuse
from warehouse.db import connect, replace_table
from warehouse.table import WarehouseTable


def _table(path, frame: pl.DataFrame, name: str = "t") -> WarehouseTable:
    con = connect(path)
    replace_table(con, name, frame)
    con.close()
    return WarehouseTable(path, name)


def _postings(n: int, offset: int = 0) -> pl.DataFrame:
    return pl.DataFrame({"posting_id": [f"P{i + offset}" for i in range(n)],
                         "title": [f"标题{i % 7}" for i in range(n)],
                         "industry_code": [None if i % 4 == 0 else str(10 + i % 3) for i in range(n)]})


def test_read_returns_only_the_columns_asked_for_and_filters_with_parameters(tmp_path):
    table = _table(tmp_path / "w.duckdb", _postings(20))
    assert table.columns == ["posting_id", "title", "industry_code"]
    assert table.read(columns=["posting_id"]).columns == ["posting_id"]
    assert table.read().equals(_postings(20))
    coded = table.read(["posting_id"], where="industry_code = ?", params=["11"])
    assert coded["posting_id"].to_list() == [p for p, c in _postings(20).select("posting_id", "industry_code").rows()
                                            if c == "11"]
    assert table.count("industry_code IS NULL") == 5
    absent = WarehouseTable(tmp_path / "w.duckdb", "nothing")
    assert absent.read().is_empty() and absent.count() == 0 and list(absent.batches()) == []


@settings(max_examples=15, deadline=None)
@given(rows=st.integers(0, 130), size=st.integers(1, 40))
def test_batches_cover_every_row_exactly_once_in_table_order(tmp_path_factory, rows, size):
    table = _table(tmp_path_factory.mktemp("w") / "w.duckdb", _postings(rows))
    parts = list(table.batches(["posting_id"], size=size))
    assert all(0 < p.height <= size for p in parts)
    ids = [i for p in parts for i in p["posting_id"].to_list()]
    assert ids == _postings(rows)["posting_id"].to_list()


def test_sample_is_capped_deterministic_independent_of_row_order_and_matches_the_polars_rule(tmp_path):
    frame = _postings(500)
    table = _table(tmp_path / "w.duckdb", frame)
    shuffled = _table(tmp_path / "w.duckdb", frame.sample(fraction=1.0, shuffle=True, seed=3), "s")
    first = table.sample(60, "posting_id", ["posting_id", "title"])
    assert first.height == 60 and first.columns == ["posting_id", "title"]
    assert first.equals(table.sample(60, "posting_id", ["posting_id", "title"]))
    assert set(first["posting_id"]) == set(shuffled.sample(60, "posting_id")["posting_id"])
    order = {p: i for i, p in enumerate(frame["posting_id"])}
    assert [order[p] for p in first["posting_id"]] == sorted(order[p] for p in first["posting_id"])  # table order
    assert first.equals(training_sample(frame, cap=60).select("posting_id", "title"))        # the same postings
    assert table.sample(600, "posting_id").equals(frame)                                     # below the cap: all
    labelled = table.sample(30, "posting_id", where="industry_code IS NOT NULL")
    assert labelled.height == 30 and labelled["industry_code"].null_count() == 0


def test_digest_ignores_row_order_and_changes_with_any_value_or_row(tmp_path):
    path = tmp_path / "w.duckdb"
    frame = _postings(50)
    base = _table(path, frame).digest(["posting_id", "title", "industry_code"])
    assert base.rows == 50
    assert _table(path, frame.reverse(), "r").digest(["posting_id", "title", "industry_code"]) == base
    changed = frame.with_columns(title=pl.when(pl.col("posting_id") == "P7").then(pl.lit("改")).otherwise("title"))
    assert _table(path, changed, "c").digest(["posting_id", "title", "industry_code"]) != base
    assert _table(path, frame.head(49), "h").digest(["posting_id", "title", "industry_code"]) != base
    blank = frame.with_columns(industry_code=pl.col("industry_code").fill_null(""))      # NULL is not ''
    assert _table(path, blank, "b").digest(["posting_id", "title", "industry_code"]) != base
    assert _table(path, frame, "t").digest(["posting_id", "title"]) != base


def test_the_registry_reuses_a_model_on_an_unchanged_digest_and_records_its_rows(tmp_path):
    import ml.postings

    calls = []
    table = _table(tmp_path / "w.duckdb", _postings(40))
    digest = table.digest(["posting_id", "title"])

    def fit(d):
        return train_or_reuse(tmp_path / "m", "m", ml.postings, d, {"seed": 0}, 0,
                              lambda: calls.append(1) or ({"w": 1}, {}))

    first = fit(digest)
    assert first.record["training_rows"] == 40 and first.record["training_data_hash"] == digest.sha256
    assert fit(table.digest(["posting_id", "title"])).reused and len(calls) == 1
    assert not fit(_table(tmp_path / "w.duckdb", _postings(41)).digest(["posting_id", "title"])).reused


def test_the_io_manager_hands_over_a_handle_or_only_the_declared_columns(tmp_path):
    seen: dict = {}

    @dg.asset
    def wide() -> pl.DataFrame:
        return _postings(10)

    @dg.asset(ins={"wide": dg.AssetIn(metadata={"columns": ["posting_id"]})})
    def narrow(wide: pl.DataFrame) -> pl.DataFrame:
        seen["narrow"] = wide.columns
        return wide

    @dg.asset
    def lazy(wide: WarehouseTable) -> pl.DataFrame:
        seen["lazy"] = wide
        return wide.read(["title"], where="posting_id = ?", params=["P3"])

    manager = WarehouseIOManager(home=str(tmp_path / "home"))
    assert dg.materialize([wide, narrow, lazy], resources={"io_manager": manager}).success
    assert seen["narrow"] == ["posting_id"]
    assert isinstance(seen["lazy"], WarehouseTable) and seen["lazy"].name == "wide"
    con = connect(tmp_path / "home" / "warehouse.duckdb", read_only=True)
    assert con.execute("SELECT title FROM lazy").fetchall() == [("标题3",)]
    con.close()


@pytest.mark.parametrize("cap", [1, 7, 250])
def test_training_sample_keeps_row_order_and_the_cap(cap):
    frame = _postings(200, offset=5)
    sample = training_sample(frame, cap=cap)
    assert sample.height == min(cap, 200)
    positions = [int(p[1:]) for p in sample["posting_id"]]
    assert positions == sorted(positions)
    assert training_sample(frame.reverse(), cap=cap)["posting_id"].sort().equals(sample["posting_id"].sort())


@settings(max_examples=15, deadline=None)
@given(keys=st.lists(st.sampled_from(["a", "b", "c", "d", "e", None]), max_size=60), size=st.integers(1, 20))
def test_groups_never_split_a_key_and_cover_every_row_once_in_key_order(tmp_path_factory, keys, size):
    frame = pl.DataFrame({"k": keys, "i": list(range(len(keys)))}, schema={"k": pl.String, "i": pl.Int64})
    table = _table(tmp_path_factory.mktemp("w") / "w.duckdb", frame)
    parts = list(table.groups("k", ["k", "i"], size=size))
    assert sorted(i for p in parts for i in p["i"].to_list()) == list(range(len(keys)))
    seen = [p["k"].unique().to_list() for p in parts]
    flat = [k for ks in seen for k in ks]
    assert len(flat) == len(set(flat))  # a key in one part only
    coded = [sorted(k for k in ks if k is not None) for ks in seen]
    order = [k for ks in coded for k in ks]
    assert order == sorted(order)  # ascending from one part to the next
    for p in parts:  # about `size` rows unless one key has more
        if p["k"].n_unique() > 1:
            assert p.height <= size + p.group_by("k").len()["len"].max()


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=40)), min_size=1, max_size=30))
def test_replace_table_keeps_every_value_and_type_of_text_lists_and_structs(tmp_path_factory, texts):
    """replace_table hands DuckDB polars' string views: short (inline) and long texts, empty and null, and
    lists of structs holding texts read back as they were written, with the same column types."""
    frame = pl.DataFrame({
        "text": texts,
        "long": [None if t is None else t * 5 + "专业指导性目录的详细依据" for t in texts],
        "n": list(range(len(texts))),
        "items": [[{"scope": t, "share": 0.5}] if t else [] for t in texts],
    }, schema={"text": pl.String, "long": pl.String, "n": pl.Int64,
               "items": pl.List(pl.Struct({"scope": pl.String, "share": pl.Float64}))})
    con = connect(tmp_path_factory.mktemp("w") / "w.duckdb")
    try:
        replace_table(con, "t", frame)
        back = pl.from_arrow(con.execute("SELECT * FROM t").to_arrow_table())
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 't'").fetchall())
    finally:
        con.close()
    assert back.equals(frame)
    assert types == {"text": "VARCHAR", "long": "VARCHAR", "n": "BIGINT",
                     "items": 'STRUCT("scope" VARCHAR, "share" DOUBLE)[]'}
