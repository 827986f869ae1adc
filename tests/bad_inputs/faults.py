"""Ways to put one fault into a copy of the sample inbox: edit a cell, rebuild a file as XLSX, etc.

Rows are numbered as a person counts them in the file (header = row 1), as the messages do.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import polars as pl

from sample_data.generator import FILES

ENCODINGS = {"majors": "utf-8-sig", "schools": "gb18030"}


def path_of(inbox: Path, name: str) -> Path:
    return inbox / FILES[name]


def read_frame(path: Path) -> pl.DataFrame:
    """A sample file as text (every column pl.String), whatever its format."""
    if path.suffix == ".xlsx":
        return pl.read_excel(path, infer_schema_length=0)
    if path.suffix == ".parquet":
        return pl.read_parquet(path).select(pl.all().cast(pl.String))
    data = path.read_bytes()
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else _decode(data)
    return pl.read_csv(io.StringIO(text), infer_schema=False)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def write_frame(frame: pl.DataFrame, path: Path, encoding: str = "utf-8") -> None:
    if path.suffix == ".xlsx":
        write_xlsx(path, [("Sheet1", [frame.columns, *frame.rows()], "visible")])
    elif path.suffix == ".parquet":
        frame.write_parquet(path)
    else:
        path.write_bytes(frame.write_csv().encode(encoding))


def frame(inbox: Path, name: str) -> pl.DataFrame:
    return read_frame(path_of(inbox, name))


def save(inbox: Path, name: str, data: pl.DataFrame) -> None:
    write_frame(data, path_of(inbox, name), ENCODINGS.get(name, "utf-8"))


def set_cell(inbox: Path, name: str, row: int, column: str, value: str | None) -> None:
    """Put ``value`` in file row ``row`` (header = 1) of the column headed ``column``."""
    data = frame(inbox, name)
    values = data.get_column(column).to_list()
    values[row - 2] = value
    save(inbox, name, data.with_columns(pl.Series(column, values, dtype=pl.String)))


def copy_row(inbox: Path, name: str, source: int, target: int) -> None:
    """Make file row ``target`` a copy of file row ``source`` (a duplicate key)."""
    data = frame(inbox, name)
    rows = data.rows()
    rows[target - 2] = rows[source - 2]
    save(inbox, name, pl.DataFrame(rows, schema=data.schema, orient="row"))


def keep_rows(inbox: Path, name: str, n: int) -> None:
    save(inbox, name, frame(inbox, name).head(n))


def write_xlsx(path: Path, sheets: list[tuple[str, list[list], str]], merges: dict[str, list[str]] | None = None,
               ) -> None:
    """A workbook of (title, rows, state) sheets; ``merges`` = {title: ["A1:B1"]}. Cells are written as given
    (str stays text, int stays a number, a str starting with '=' is a formula without a cached value)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        ws = book.create_sheet(title)
        ws.sheet_state = state
        for row in rows:
            ws.append(list(row))
        for ref in (merges or {}).get(title, []):
            ws.merge_cells(ref)
    book.save(path)


def as_xlsx(inbox: Path, name: str, stem: str | None = None) -> tuple[Path, list[list]]:
    """Remove the input's CSV and return the path of an XLSX to write instead, with the rows to put in it."""
    source = path_of(inbox, name)
    data = read_frame(source)
    source.unlink()
    return inbox / f"{stem or source.stem}.xlsx", [data.columns, *[list(r) for r in data.rows()]]


def zip_bomb(path: Path, unpacked: int = 64 << 20) -> None:
    """A small ZIP (named .xlsx) whose sheet unpacks to ``unpacked`` bytes of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"0" * (1 << 20)
            for _ in range(unpacked >> 20):
                member.write(block)
