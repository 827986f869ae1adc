"""A run opens its warehouse file once: every connection in between is a cursor of the held one.

Opening a DuckDB file loads its catalog and closing the last connection checkpoints it (≈0.1 s each, far
more on a busy machine); a run connects for every input an asset loads, so re-opening cost seconds.
"""

from __future__ import annotations

import dagster as dg
import polars as pl
import pytest

import warehouse.db as db
from assets.resources import Warehouse, WarehouseIOManager


def test_held_open_shares_one_connection_and_closes_with_the_last_holder(tmp_path):
    path = tmp_path / "w.duckdb"
    with db.held_open(path):
        with db.held_open(path):
            con = db.connect(path)
            con.execute("CREATE TABLE t AS SELECT 1 AS x")
            con.close()                                   # a cursor: the database stays open
        assert str(path.resolve()) in db._HELD
        assert db.connect(path, read_only=True).execute("SELECT x FROM t").fetchone() == (1,)
    assert str(path.resolve()) not in db._HELD
    con = db.connect(path, read_only=True)                # closed and checkpointed: another opener may read it
    assert con.execute("SELECT x FROM t").fetchone() == (1,)
    con.close()


def test_a_run_opens_the_warehouse_file_once(tmp_path, monkeypatch):
    opened: list[str] = []
    real = db.duckdb.connect
    monkeypatch.setattr(db.duckdb, "connect", lambda path, **kw: opened.append(path) or real(path, **kw))

    @dg.asset
    def first() -> pl.DataFrame:
        return pl.DataFrame({"major_code": ["510201", "510202"]})

    @dg.asset
    def second(first: pl.DataFrame) -> pl.DataFrame:
        return first.with_columns(n=pl.lit(1))

    @dg.asset
    def third(warehouse: Warehouse, first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
        with warehouse.writer() as con:
            held = con.execute("SELECT count(*) FROM first").fetchone()[0]
        return second.with_columns(held=pl.lit(held))

    home = tmp_path / "home"
    result = dg.materialize([first, second, third], resources={
        "warehouse": Warehouse(home=str(home)), "io_manager": WarehouseIOManager(home=str(home))})
    assert result.success
    assert opened == [str(home / "warehouse.duckdb")]      # 3 outputs, 3 loads, 1 writer: one open
    assert not db._HELD                                    # and closed when the run's resources were torn down
    con = db.connect(home / "warehouse.duckdb", read_only=True)
    assert con.execute("SELECT held FROM third LIMIT 1").fetchone() == (2,)
    con.close()


@pytest.mark.parametrize("resource", [Warehouse, WarehouseIOManager])
def test_each_resource_holds_its_own_state(resource):
    """pydantic registers a private attribute only where a model class declares it (a plain mixin's
    declaration is a class attribute, never None): each resource must start with nothing held."""
    assert resource(home="var")._hold is None
