"""Every count an edition tells, as one table: majors by level, guidance, cause and certainty, offerings by
district, level and restriction, restriction rows by kind. The bulletin, the workbooks, the portal and the
asset metadata read their counts from this table; the output checks hold it against the tables it counts."""

from __future__ import annotations

import polars as pl

NEW_MAJOR = "新设专业"
# (published table, column counted); "total" counts the table's rows. 新设专业 are kept apart: ``new_major`` counts
# them (value 新设专业; "" the others) and ``new_major_level`` their warning levels, so a reader of the level
# counts can tell how many of the 绿 have no employment verdict yet.
DIMENSIONS = (
    ("guiding_catalog", ("total", "warning_level", "guidance", "cause", "certainty", "level", "new_major",
                         "new_major_level")),
    ("restriction_list", ("total", "restriction", "scope")),
    ("school_major_scores", ("total", "warning_level", "guidance", "restriction", "cause", "certainty", "district")),
)
SCHEMA = {"table": pl.String, "dimension": pl.String, "value": pl.String, "count": pl.Int64}


def count_by(frame: pl.DataFrame, table: str, dimension: str) -> pl.DataFrame:
    """One table's rows counted by one column (a missing value is counted as the empty text)."""
    if dimension == "total":
        return pl.DataFrame({"table": [table], "dimension": ["total"], "value": [""], "count": [frame.height]},
                            schema=SCHEMA)
    if dimension not in frame.columns:
        return pl.DataFrame(schema=SCHEMA)
    counted = frame.group_by(pl.col(dimension).cast(pl.String).fill_null("").alias("value")).len("count")
    return counted.select(table=pl.lit(table), dimension=pl.lit(dimension), value="value",
                          count=pl.col("count").cast(pl.Int64))


def with_new_majors(catalog: pl.DataFrame) -> pl.DataFrame:
    """The catalog with its 新设专业 marked for counting (``new_major``: 新设专业 or null; ``new_major_level``: a
    new major's warning level or null); the catalog's ``new_major`` is the note ('2024年增补专业，…') or 否."""
    if "new_major" not in catalog.columns:
        return catalog
    is_new = pl.col("new_major").is_not_null() & (pl.col("new_major") != "否")
    return catalog.with_columns(new_major=pl.when(is_new).then(pl.lit(NEW_MAJOR)),
                                new_major_level=pl.when(is_new).then(pl.col("warning_level")))


def edition_counts(catalog: pl.DataFrame, restrictions: pl.DataFrame, school_scores: pl.DataFrame) -> pl.DataFrame:
    frames = {"guiding_catalog": with_new_majors(catalog), "restriction_list": restrictions,
              "school_major_scores": school_scores}
    parts = [count_by(frames[table], table, d) for table, dims in DIMENSIONS for d in dims]
    return pl.concat(parts).sort("table", "dimension", "value")


def count_of(counts: pl.DataFrame, table: str, dimension: str, value: str = "") -> int:
    """A count read back from ``edition_counts`` (0 when the value does not occur)."""
    hit = counts.filter((pl.col("table") == table) & (pl.col("dimension") == dimension) & (pl.col("value") == value))
    return int(hit["count"].sum())


def counts_of(counts: pl.DataFrame, table: str, dimension: str) -> dict[str, int]:
    """Value → count of one dimension of ``edition_counts``."""
    hit = counts.filter((pl.col("table") == table) & (pl.col("dimension") == dimension))
    return dict(hit.select("value", "count").iter_rows())


HISTORY_SCHEMA = {"edition": pl.String, "data_year": pl.Int64, "state": pl.String, "warning_level": pl.String,
                  "count": pl.Int64}


def edition_history(counts: pl.DataFrame, previous: pl.DataFrame | None, edition: str, data_year: int,
                    state: str) -> pl.DataFrame:
    """Majors by warning level in this edition and in each earlier year's edition before it, oldest first: the
    previous edition's own history (without its rows of this data year: the draft a final replaces, an earlier
    issue of the year) and this edition's ``edition_counts``. One edition per data year."""
    own = counts.filter((pl.col("table") == "guiding_catalog") & (pl.col("dimension") == "warning_level")).select(
        edition=pl.lit(edition), data_year=pl.lit(data_year, pl.Int64), state=pl.lit(state),
        warning_level="value", count="count")
    earlier = previous.cast(HISTORY_SCHEMA).filter(pl.col("data_year") != data_year) if (
        previous is not None and previous.height) else pl.DataFrame(schema=HISTORY_SCHEMA)
    return pl.concat([earlier.select(list(HISTORY_SCHEMA)), own.cast(HISTORY_SCHEMA)]).sort(
        "data_year", "warning_level", maintain_order=True)
