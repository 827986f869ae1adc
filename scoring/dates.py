"""Dates of list entries and editions: year, year-month or full dates, and an edition's reference date.

The input contract allows ``effective_from`` / ``effective_to`` as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
A start given as a year or month means its first day ("2030-01" → 2030-01-01); an end means its last day
("2030-06" → 2030-06-30, the entry still applies on that day). Columns already typed as dates (the contract
engine types them in DuckDB) are taken as they are.
"""

from __future__ import annotations

from datetime import date

import polars as pl

_FORMATS = (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4))


def _parse(col: pl.Expr) -> pl.Expr:
    """Text in one of the three forms → the first day of the period it names (null when not a date)."""
    text = col.cast(pl.String).str.strip_chars()
    return pl.coalesce([
        pl.when(text.str.len_chars() == n).then(
            (text + ("" if n == 10 else "-01" if n == 7 else "-01-01")).str.to_date("%Y-%m-%d", strict=False))
        for _, n in _FORMATS
    ])


def period_start(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The first day an entry applies, from a date or text column (absent column → null)."""
    if column not in frame.columns:
        return pl.lit(None, pl.Date)
    if frame.schema[column] == pl.Date:
        return pl.col(column)
    if frame.schema[column] == pl.Datetime or isinstance(frame.schema[column], pl.Datetime):
        return pl.col(column).dt.date()
    return _parse(pl.col(column))


def period_end(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The last day an entry applies: a year → 31 Dec, a month → its last day, a date → itself."""
    if column not in frame.columns:
        return pl.lit(None, pl.Date)
    if frame.schema[column] == pl.Date or isinstance(frame.schema[column], pl.Datetime):
        return period_start(frame, column)
    text = pl.col(column).cast(pl.String).str.strip_chars()
    start = _parse(pl.col(column))
    return (pl.when(text.str.len_chars() == 4).then(start.dt.offset_by("1y").dt.offset_by("-1d"))
            .when(text.str.len_chars() == 7).then(start.dt.month_end())
            .otherwise(start))


def horizon_end(as_of: date, years: int) -> date:
    """The last day of the look-ahead window: ``years`` after ``as_of`` (29 Feb → 28 Feb)."""
    try:
        return as_of.replace(year=as_of.year + years)
    except ValueError:
        return as_of.replace(year=as_of.year + years, day=28)


def month_phrase(d: date) -> str:
    """2030-01-01 → '2030年1月'; 2030-01-15 → '2030年1月15日'."""
    return f"{d.year}年{d.month}月" + (f"{d.day}日" if d.day != 1 else "")
