"""数据缺年: whole years missing from an input's time series, found once and told everywhere.

An input with a time axis (``school_majors.year``, ``labor_market.period``, ``job_postings.posted_on``) is a
series of years; a year between its first and last that has no row at all is a gap. A gap is never read as
zero: a trend that would cross it is measured between the nearest years present on either side and says so
(the rulebook's ``data.gap`` entry words it), and the gaps table names every gap for the run summary, the
asset check, the bulletin's data notes and the reasons of the majors it touches.

Plain polars: the callers hand in the rows (or a table's rows a batch at a time, ``series_years`` of each
batch united with ``merge_years``).
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from scoring.rulebook import entry

# input → (series label, the rows that count for it); the year is read by ``_year``
SERIES: dict[str, tuple[tuple[str, pl.Expr | None], ...]] = {
    "school_majors": (("招生", None),
                      ("毕业去向", (pl.col("graduates") > 0) & pl.col("employed").is_not_null())),
    "labor_market": (("供需", None),),
    "job_postings": (("招聘", None),),
}
TIME_COLUMNS = {"school_majors": ("year",), "labor_market": ("year", "period"), "job_postings": ("posted_on",)}
SCHEMA = {"input": pl.String, "series": pl.String, "year": pl.Int32, "before": pl.Int32, "after": pl.Int32}
Years = dict[tuple[str, str], set[int]]


def _year(frame: pl.DataFrame, name: str) -> pl.Expr | None:
    """The year of each row of ``name``: a year column, or the first four characters of a period or date."""
    for column in TIME_COLUMNS[name]:
        if column not in frame.columns:
            continue
        dtype = frame.schema[column]
        if dtype in (pl.Date, pl.Datetime):
            return pl.col(column).dt.year().cast(pl.Int32)
        if dtype == pl.String:
            return pl.col(column).str.slice(0, 4).cast(pl.Int32, strict=False)
        return pl.col(column).cast(pl.Int32)
    return None


def series_years(name: str, frame: pl.DataFrame) -> Years:
    """(input, series) → the years with at least one row of that series in ``frame``."""
    year = _year(frame, name)
    found: Years = {}
    for label, rows in SERIES.get(name, ()):
        if year is None or (rows is not None and not all(c in frame.columns for c in rows.meta.root_names())):
            continue
        kept = frame.filter(rows) if rows is not None else frame
        found[(name, label)] = set(kept.select(year.alias("y")).drop_nulls()["y"].unique().to_list())
    return found


def merge_years(parts: Iterable[Years]) -> Years:
    """The years of a table read in batches: each series' years united over the batches."""
    out: Years = {}
    for part in parts:
        for key, years in part.items():
            out.setdefault(key, set()).update(years)
    return out


def year_gaps(years: Years) -> pl.DataFrame:
    """One row per missing year: input, series, year, and the nearest years present before and after it."""
    rows = []
    for (name, label), present in sorted(years.items()):
        if len(present) < 2:
            continue
        ordered = sorted(present)
        for before, after in zip(ordered, ordered[1:], strict=False):
            rows += [(name, label, y, before, after) for y in range(before + 1, after)]
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def find_gaps(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``year_gaps`` of every input with a time axis among ``frames`` (input name → its rows)."""
    return year_gaps(merge_years(series_years(name, frame) for name, frame in frames.items() if name in SERIES))


def missing(gaps: pl.DataFrame | None, name: str, label: str) -> list[int]:
    """The missing years of one series, ascending."""
    if gaps is None or gaps.height == 0:
        return []
    hit = gaps.filter((pl.col("input") == name) & (pl.col("series") == label))
    return sorted(hit["year"].to_list())


def previous_present(year: int, gap_years: Iterable[int]) -> int:
    """The nearest year before ``year`` that is not a gap (the base of a year-on-year trend over a gap)."""
    gaps = set(gap_years)
    prev = year - 1
    while prev in gaps:
        prev -= 1
    return prev


def years_text(years: Iterable[int]) -> str:
    """'2023' or '2022、2023' (the years, without 年)."""
    return "、".join(str(y) for y in sorted(set(years)))


def gap_sentences(gaps: pl.DataFrame, titles: dict[str, str]) -> list[str]:
    """'人才供需缺少2024年数据', '专业点招生就业（毕业去向）缺少2024年数据', one per series with gaps (``titles``: each input's Chinese name)."""
    out = []
    for (name, label), part in gaps.group_by("input", "series", maintain_order=True):
        title = titles.get(name, name)
        what = f"{title}（{label}）" if len(SERIES.get(name, ())) > 1 else title
        out.append(entry("data.gap").text("series", what=what, years=years_text(part["year"].to_list())))
    return out
