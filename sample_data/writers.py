"""File writers for the sample inbox, each exercising one reader path of the ingest stage.

CSV in a chosen encoding (UTF-8, UTF-8 with BOM, GB18030), XLSX with every cell a text string
(so codes keep their leading zeros) and fixed document properties (so the bytes are
reproducible), and Parquet with every column as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import polars as pl
import xlsxwriter

FIXED_TIMESTAMP = dt.datetime(2026, 1, 1, 8, 0, 0)
"""Creation time written into XLSX metadata, so two runs give byte-identical files."""


def write_csv(frame: pl.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    """Write `frame` as CSV in `encoding` ("utf-8-sig" adds the BOM Excel looks for)."""
    path.write_bytes(frame.write_csv().encode(encoding))


def write_text_xlsx(frame: pl.DataFrame, path: Path, sheet: str) -> None:
    """Write `frame` to the first sheet of an XLSX file, header first, every cell as text."""
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
    workbook.set_properties({"title": sheet, "author": "majorwatch", "created": FIXED_TIMESTAMP})
    text = workbook.add_format({"num_format": "@"})
    header = workbook.add_format({"num_format": "@", "bold": True})
    worksheet = workbook.add_worksheet(sheet)
    for col, name in enumerate(frame.columns):
        worksheet.write_string(0, col, name, header)
        values = frame[name].to_list()
        width = max([len(name)] + [len(str(v)) for v in values if v is not None])
        worksheet.set_column(col, col, min(2 * width + 2, 60), text)
        for row, value in enumerate(values, start=1):
            if value is not None:
                worksheet.write_string(row, col, str(value), text)
    worksheet.freeze_panes(1, 0)
    workbook.close()


def write_text_parquet(frame: pl.DataFrame, path: Path) -> None:
    """Write `frame` as Parquet with every column cast to text."""
    write_text_parquet_batches([frame], path)


def write_text_parquet_batches(frames: Iterable[pl.DataFrame], path: Path) -> int:
    """Write frames of the same columns, one after the other, as one Parquet file of text columns (one
    row group per frame, so only one frame is in memory at a time); return the rows written."""
    import pyarrow.parquet as pq

    rows, writer = 0, None
    try:
        for frame in frames:
            table = frame.select(pl.all().cast(pl.String)).to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="zstd", write_statistics=True)
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
            rows += table.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows
