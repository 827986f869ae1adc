"""Large inputs staged by DuckDB (inbox/stream.py) give what the polars readers give, row for row.

Each case ingests one file twice on the same warehouse, through the polars path (threshold above the file)
and the streamed path (threshold 0), and compares the clean table, the rejected cells (row, column, value,
reason), the contract's outcome and the notes a person reads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from data_contracts.spec import load_contracts
from inbox.ingest import ingest_input
from sample_data.generator import write_sample_inbox
from sample_data.postings import UNKNOWN_INDUSTRY
from warehouse.db import connect, query_frame, read_frame
from warehouse.errors import InputError

POLARS = 1 << 40  # a threshold no test file reaches


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stream_inbox")
    write_sample_inbox(out, postings=3000)
    return out


def _inbox(tmp_path: Path, sample: Path, postings: pl.DataFrame | None = None, csv: bool = False) -> Path:
    """An inbox with the sample's industries and the given postings (the sample's when None)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample / "industries.csv", inbox)
    if postings is None:
        shutil.copy(sample / "job_postings.parquet", inbox)
    elif csv:
        (inbox / "job_postings.csv").write_bytes(postings.write_csv().encode())
    else:
        postings.write_parquet(inbox / "job_postings.parquet")
    return inbox


def _both(tmp_path: Path, inbox: Path) -> list[dict]:
    contracts = load_contracts()
    con = connect(tmp_path / "w.duckdb")
    try:
        ingest_input(con, inbox, contracts["industries"], tmp_path / "raw", "ref")
        seen = []
        for run, threshold in (("polars", POLARS), ("streamed", 0)):
            done = ingest_input(con, inbox, contracts["job_postings"], tmp_path / "raw", run, stream_bytes=threshold)
            rejected = query_frame(con, 'SELECT "row", "column", "value", rule, reason FROM rejected_rows '
                                   'WHERE run_id = ? ORDER BY "row", "column", rule', [run])
            stored = read_frame(con, "job_postings")  # in the order the table holds its rows
            seen.append({"done": done, "clean": stored.sort("source_row"), "stored": stored, "rejected": rejected})
    finally:
        con.close()
    return seen


def _same(polars: dict, streamed: dict) -> None:
    assert polars["done"].file_meta["streamed"] is False and streamed["done"].file_meta["streamed"] is True
    assert streamed["clean"].equals(polars["clean"])
    assert streamed["rejected"].equals(polars["rejected"])
    a, b = polars["done"].outcome, streamed["done"].outcome
    assert (a.rows_in, a.rows_clean, a.rows_rejected, a.by_rule, a.passed, a.first, a.warnings) == (
        b.rows_in, b.rows_clean, b.rows_rejected, b.by_rule, b.passed, b.first, b.warnings)
    assert polars["done"].rows == streamed["done"].rows == a.rows_in
    # small enough for great-expectations: the streamed stage is read back, as the polars one was kept
    assert streamed["done"].stage.equals(polars["done"].stage)


def test_parquet_streamed_matches_polars_with_the_planted_bad_rows(tmp_path, sample) -> None:
    polars, streamed = _both(tmp_path, _inbox(tmp_path, sample))
    _same(polars, streamed)
    rules = set(streamed["rejected"]["rule"])
    assert {"salary_min_le_max", "industry_code.reference", "openings.min"} <= rules
    unknown = streamed["rejected"].filter(pl.col("rule") == "industry_code.reference")
    assert set(unknown["value"]) == {UNKNOWN_INDUSTRY}
    assert streamed["done"].outcome.rows_in == 3000 and streamed["done"].outcome.passed


def _messy(sample: Path) -> pl.DataFrame:
    """The sample's postings with what people's files carry: spaces around cells, full-width digits,
    blank cells, a cell that is only spaces, and two rows with nothing in them (every cell whitespace;
    every cell empty), which are not staged."""
    frame = pl.read_parquet(sample / "job_postings.parquet")
    i = pl.int_range(0, frame.height)
    messy = frame.with_columns(
        title=pl.when(i % 7 == 0).then(pl.lit("  ") + pl.col("title") + pl.lit("\u3000")).otherwise("title"),
        openings=pl.when(i % 11 == 0).then(pl.lit("３")).otherwise("openings"),
        salary_min=pl.when(i == 5).then(pl.lit("１２０００")).otherwise("salary_min"),
        district=pl.when(i % 13 == 0).then(pl.lit("   ")).otherwise("district"),
        posting_id=pl.when(i == 9).then(pl.lit(" BJ9 ")).otherwise("posting_id"),
    )
    text = [c for c, t in messy.schema.items() if t == pl.String]
    blank = pl.when(i == 20).then(pl.lit(" \u3000")).when(i == 21).then(pl.lit(""))
    return messy.with_columns(blank.otherwise(pl.col(c)).alias(c) for c in text)


@pytest.mark.parametrize("csv", [False, True], ids=["parquet", "csv"])
def test_messy_file_streamed_matches_polars(tmp_path, sample, csv) -> None:
    polars, streamed = _both(tmp_path, _inbox(tmp_path, sample, _messy(sample), csv=csv))
    _same(polars, streamed)
    notes = "；".join(streamed["done"].outcome.warnings)
    assert "全角字符已改为半角" in notes and "首尾的空格已去掉" in notes
    assert streamed["clean"].filter(pl.col("posting_id") == "BJ9").height == 1
    rows = streamed["done"].outcome.rows_in
    assert rows == 2998 and not {22, 23} & set(streamed["clean"]["source_row"])  # the two empty rows (file rows 22, 23)


def test_csv_with_blank_lines_goes_the_python_way(tmp_path, sample) -> None:
    """DuckDB skips blank lines where the polars reader numbers them: such a CSV is read by polars."""
    inbox = _inbox(tmp_path, sample, pl.read_parquet(sample / "job_postings.parquet"), csv=True)
    text = (inbox / "job_postings.csv").read_text().splitlines()
    (inbox / "job_postings.csv").write_text("\n".join(text[:10] + [""] + text[10:]) + "\n")
    con = connect(tmp_path / "w.duckdb")
    try:
        contracts = load_contracts()
        ingest_input(con, inbox, contracts["industries"], tmp_path / "raw", "ref")
        done = ingest_input(con, inbox, contracts["job_postings"], tmp_path / "raw", "r", stream_bytes=0)
    finally:
        con.close()
    assert done.file_meta["streamed"] is False and done.rows == 3000
    assert done.stage["_row"].to_list()[8:10] == [10, 12]  # the blank line 11 is counted


@pytest.mark.parametrize("csv", [False, True], ids=["parquet", "csv"])
def test_missing_required_column_is_the_same_chinese_error(tmp_path, sample, csv) -> None:
    postings = pl.read_parquet(sample / "job_postings.parquet").drop("title")
    inbox = _inbox(tmp_path, sample, postings, csv=csv)
    errors = []
    for threshold in (POLARS, 0):
        con = connect(tmp_path / f"w{threshold}.duckdb")
        try:
            with pytest.raises(InputError) as caught:
                ingest_input(con, inbox, load_contracts()["job_postings"], tmp_path / "raw", "r",
                             stream_bytes=threshold)
        finally:
            con.close()
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "缺少必填列" in errors[1] and "职位名称（title）" in errors[1]
    assert f"job_postings.{'csv' if csv else 'parquet'}" in errors[1]


def test_gb18030_csv_goes_the_python_way(tmp_path, sample) -> None:
    """DuckDB reads UTF-8 only: a GB18030 file (the sample's schools) is decoded by the Python reader."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample / "schools.csv", inbox)
    con = connect(tmp_path / "w.duckdb")
    try:
        done = ingest_input(con, inbox, load_contracts()["schools"], tmp_path / "raw", "r", stream_bytes=0)
    finally:
        con.close()
    assert done.file_meta["streamed"] is False and done.file_meta["encoding"] == "gb18030"
    assert done.outcome.passed and done.rows == done.outcome.rows_in > 0


def test_a_file_with_nothing_rejected_gives_its_clean_table_in_row_order(tmp_path, sample) -> None:
    """With no rejected row the clean table is a plain projection of the stage (no anti-join, no sort): its
    rows must still come in file order, and the untrimmed stage of a streamed file must not change a cell."""
    messy = _messy(sample).with_row_index("_i")
    (tmp_path / "first").mkdir()
    polars, _ = _both(tmp_path / "first", _inbox(tmp_path / "first", sample, messy.drop("_i")))
    bad = set(polars["rejected"]["row"].to_list())
    assert bad, "the sample plants bad rows: this test removes them"
    empty = [20, 21]  # _messy's rows with nothing in them: dropped, not rejected, so left out here too
    kept = messy.filter(~(pl.col("_i") + 2).is_in(sorted(bad)) & ~pl.col("_i").is_in(empty)).drop("_i")
    polars, streamed = _both(tmp_path, _inbox(tmp_path, sample, kept))
    for seen in (polars, streamed):
        assert seen["done"].outcome.rows_rejected == 0 and seen["done"].outcome.rows_clean == kept.height
        assert seen["stored"]["source_row"].to_list() == list(range(2, kept.height + 2))
    assert streamed["stored"].equals(polars["stored"])
    assert streamed["stored"].filter(pl.col("posting_id") == "BJ9").height == 1
    assert streamed["stored"]["title"].str.contains("^\\s|\\s$").sum() == 0
