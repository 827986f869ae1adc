"""An unchanged input is not read, staged and checked again; a changed one (or one it refers to) is.

The memo (inbox/memo.py) is what makes a second run on an unchanged inbox fast; these tests hold the
rule that it never hides a change: new bytes, a changed referenced input, or a warehouse that no longer
holds what the memo describes all ingest the input in full.
"""

from __future__ import annotations

import json

import polars as pl
import pytest

from tests.dagster_helpers import INGEST, evaluations, materialize
from tests.shared_homes import copy_run, read_record, run_record

pytestmark = pytest.mark.slow


def _summary(record: dict) -> tuple[dict[str, bool], dict[str, dict]]:
    """Which inputs were taken as they were, and each contract check's verdict, from a run record."""
    reused = {name: meta["reused_unchanged"] for name, meta in record["assets"].items() if "reused_unchanged" in meta}
    checks = {name: {"passed": e["passed"], "rows_clean": e["metadata"]["rows_clean"],
                     "rows_rejected": e["metadata"]["rows_rejected"], "ge": e["metadata"]["great_expectations"]}
              for name, e in record["checks"].items()}
    return reused, checks


def _ingest(home, inbox) -> tuple[dict[str, bool], dict[str, dict]]:
    return _summary(run_record(materialize(INGEST, home, inbox)))


@pytest.fixture
def ingested(sample_trained, tmp_path, home):
    """A private copy of the session's sample home (every input ingested once into a fresh home, the models
    trained after it), and the first ingest's summary."""
    own = copy_run(sample_trained, tmp_path / "own")
    return own.home, own.inbox, _summary(read_record(sample_trained))


def test_an_unchanged_inbox_is_taken_as_it_is_and_gives_the_same_verdicts(ingested):
    home, inbox, (first, checks1) = ingested
    assert first and not any(first.values())
    clean1 = _frame(home, "SELECT * FROM schools ORDER BY school_code")
    second, checks2 = _ingest(home, inbox)
    provided = {name for name in second if (inbox / f"{name}.csv").exists() or any(inbox.glob(f"{name}.*"))}
    assert provided and all(second[name] for name in provided)          # every provided input was reused
    assert checks2 == checks1                                            # … with the same verdicts and GE report
    assert _frame(home, "SELECT * FROM schools ORDER BY school_code").equals(clean1)


def test_a_changed_input_and_the_inputs_that_refer_to_it_are_ingested_again(ingested):
    home, inbox, _ = ingested
    path = inbox / "industries.csv"
    table = pl.read_csv(path, infer_schema=False)
    table.with_columns(pl.col(table.columns[1]).str.replace("$", "（修订）")).write_csv(path)
    again, _ = _ingest(home, inbox)
    assert again["industries"] is False
    assert again["major_industry_map"] is False                           # refers to industries
    assert again["majors"] is True and again["schools"] is True          # unrelated: reused


def test_a_memo_that_no_longer_describes_the_warehouse_is_not_used(ingested):
    home, inbox, (_, first) = ingested
    con = _connection(home, read_only=False)
    con.execute("DELETE FROM schools WHERE rowid IN (SELECT rowid FROM schools LIMIT 1)")
    con.close()
    again, checks = _ingest(home, inbox)
    assert again["schools"] is False
    assert checks["schools_contract"]["rows_clean"] == first["schools_contract"]["rows_clean"]
    assert _frame(home, "SELECT count(*) AS n FROM schools")["n"][0] == first["schools_contract"]["rows_clean"]
    memo = json.loads((home / "cache" / "ingest" / "schools.json").read_text(encoding="utf-8"))
    assert memo["outcome"]["rows_clean"] == first["schools_contract"]["rows_clean"]


def test_a_refused_input_leaves_no_memo(ingested):
    home, inbox, _ = ingested
    assert (home / "cache" / "ingest" / "schools.json").exists()
    path = inbox / "schools.csv"
    data = path.read_bytes().rstrip(b"\r\n")
    path.write_bytes(data + b"\n" + data.splitlines()[-1] + b"\n")   # a duplicate key blocks (any encoding)
    result = materialize(INGEST, home, inbox, raise_on_error=False)
    assert not result.success
    assert not (home / "cache" / "ingest" / "schools.json").exists()
    again = materialize(INGEST, home, inbox, raise_on_error=False)      # and it is refused again, not reused
    assert not again.success and evaluations(again)["schools_contract"].passed is False


def _connection(home, read_only: bool = True):
    import duckdb

    return duckdb.connect(str(home / "warehouse.duckdb"), read_only=read_only)


def _frame(home, sql: str) -> pl.DataFrame:
    from warehouse.db import query_frame

    con = _connection(home)
    try:
        return query_frame(con, sql)
    finally:
        con.close()


@pytest.mark.parametrize("damage", ["deleted", "truncated", "deleted_then_run_from_the_ui"])
def test_a_deleted_or_truncated_warehouse_is_rebuilt_with_the_same_rows(ingested, damage):
    """Issue 26 item 2: after `rm var/warehouse.duckdb*` every run failed with DuckDB's ResourceInUseException
    until var/cache/ingest was removed by hand; a truncated file gave English errors. The warehouse is a cache:
    the run sets a damaged file aside, drops the memo and ingests every input again, with the same verdicts."""
    from pipelines.home_lock import exclusive_run
    from warehouse.home import Home

    home, inbox, (_, checks1) = ingested
    clean1 = _frame(home, "SELECT * FROM school_majors ORDER BY ALL")
    if damage.startswith("deleted"):
        for path in home.glob("warehouse.duckdb*"):
            path.unlink()
    else:
        with open(home / "warehouse.duckdb", "r+b") as handle:
            handle.truncate((home / "warehouse.duckdb").stat().st_size // 2)
    if damage != "deleted_then_run_from_the_ui":  # a run launched in the UI finds the memo still there
        with exclusive_run(Home(home), str(inbox), None):  # what `majorwatch run` does first
            pass
        assert not any((home / "cache" / "ingest").glob("*.json"))
        assert (damage == "truncated") == any(home.glob("warehouse.duckdb.damaged-*"))   # kept, never deleted
    again, checks2 = _ingest(home, inbox)
    assert not any(again.values()) and checks2 == checks1
    assert _frame(home, "SELECT * FROM school_majors ORDER BY ALL").equals(clean1)
