"""The benchmark's floor reads every input once (whatever its format) and writes every published table once."""

from __future__ import annotations

import polars as pl

from benchmarks.floor import floor_seconds
from tests.handmade_inbox import write_handmade_inbox


def test_the_floor_reads_every_input_row_and_writes_every_published_row(tmp_path):
    inbox = write_handmade_inbox(tmp_path / "inbox")           # UTF-8 with BOM, GB18030, and Excel inputs
    expected_in = 0
    for path in inbox.iterdir():
        if path.suffix == ".xlsx":
            expected_in += pl.read_excel(path).height
        elif path.suffix == ".csv":
            expected_in += pl.read_csv(path, infer_schema=False, encoding="utf8-lossy").height
        elif path.suffix == ".parquet":
            expected_in += pl.read_parquet(path).height
    edition = tmp_path / "edition"
    edition.mkdir()
    pl.DataFrame({"major_code": ["510201", "510202", "510203"]}).write_parquet(edition / "guiding_catalog.parquet")
    pl.DataFrame({"major_code": ["510201"]}).write_parquet(edition / "restriction_list.parquet")
    floor = floor_seconds(inbox, edition, repeat=1)
    assert floor["rows_in"] == expected_in > 0
    assert floor["rows_out"] == 4
    assert floor["floor_s"] > 0 and abs(floor["floor_s"] - floor["read_inputs_s"] - floor["write_published_s"]) <= 0.002
