"""求人倍率 by channel (issue 29): each source of demand beside the other, saying what it measures and how much of
the industries and occupations it covers.

- 公共就业服务机构 (the ``labor_market`` input): registered vacancies (需求人数) and registered job seekers
  (求职人数), so a ratio exists: 求人倍率 = demand ÷ supply. The national 最缺工 ranking comes from the same offices
  but is a rank by gap, not a ratio; no input carries it, and nothing here makes a ratio of anything but
  demand ÷ supply.
- 网络招聘 (``job_postings``, de-duplicated in DuckDB: ``warehouse.postings.POSTING_OPENINGS_SQL``): openings, no
  job seekers, so no ratio: the openings and their growth on the same months of the year before.

Industries are compared by 大类 (GB/T 4754; a 大类's own row is its figure, else its 中类/小类 rows add up),
occupations at the finest level of the occupation table. Postings carry no occupation code, so that channel
covers no occupation. Each channel's latest year is its own; growth compares that year's quarters (months) with
the same quarters (months) of the year before. Where both channels have a growth, ``direction`` says whether
demand moved the same way in both.
"""

from __future__ import annotations

import polars as pl

from scoring.hierarchy import roll_up, settled
from scoring.rulebook.terms import CHANNEL_COVERAGE, PES_CHANNEL, POSTINGS_CHANNEL

GROUP, OCCUPATION = "行业大类", "职业"
SAME, OPPOSITE, FLAT = "同向", "反向", "一方持平"
COLUMNS = {"level": pl.String, "code": pl.String, "name": pl.String, "section_name": pl.String,
           "pes_year": pl.Int32, "pes_demand": pl.Int64, "pes_supply": pl.Int64, "pes_ratio": pl.Float64,
           "pes_growth": pl.Float64, "posting_year": pl.Int32, "posting_openings": pl.Int64,
           "posting_count": pl.Int64, "posting_duplicates": pl.Int64, "posting_growth": pl.Float64,
           "direction": pl.String}
COVERAGE = {"level": pl.String, "units": pl.Int64, "pes_units": pl.Int64, "pes_share": pl.Float64,
            "posting_units": pl.Int64, "posting_share": pl.Float64, "both_units": pl.Int64,
            "compared_units": pl.Int64, "opposite_units": pl.Int64}
MAJOR_CHANNELS = {"major_code": pl.String, "channels": pl.String}
PES_PARTS = {"year": "pes_year", "demand": "pes_demand", "supply": "pes_supply", "growth": "pes_growth"}
POSTING_PARTS = {"year": "posting_year", "openings": "posting_openings", "postings": "posting_count",
                 "duplicates": "posting_duplicates", "growth": "posting_growth"}


def latest_and_growth(frame: pl.DataFrame, key: str, part: str, values: list[str]) -> pl.DataFrame:
    """Per ``key``: ``values`` summed over the latest year, the year, and ``growth`` of the first value on the same
    ``part``s (quarters, months) of the year before (null where the year before has none)."""
    schema = {key: pl.String, "year": pl.Int32, **{v: pl.Int64 for v in values}, "growth": pl.Float64}
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    latest = int(frame["year"].max())
    parts = frame.filter(pl.col("year") == latest)[part].unique().implode()
    now = frame.filter(pl.col("year") == latest).group_by(key).agg(pl.col(values).sum())
    first = values[0]
    same = frame.filter(pl.col("year").is_in([latest - 1, latest]) & pl.col(part).is_in(parts)).group_by(key).agg(
        _now=pl.col(first).filter(pl.col("year") == latest).sum(),
        _before=pl.col(first).filter(pl.col("year") == latest - 1).sum())
    growth = same.select(key, growth=pl.when(pl.col("_before") > 0).then(pl.col("_now") / pl.col("_before") - 1))
    return settled(now.join(growth, on=key, how="left").with_columns(year=pl.lit(latest))).select(list(schema)).cast(schema)


def _pes(labor_market: pl.DataFrame, groups: pl.DataFrame, occupations: pl.DataFrame) -> pl.DataFrame:
    lm = labor_market.select("industry_code", "occupation_code", year=pl.col("period").str.slice(0, 4).cast(pl.Int32),
                             part=pl.col("period").str.slice(4), demand=pl.col("demand").cast(pl.Int64),
                             supply=pl.col("supply").cast(pl.Int64))
    industry = lm.filter(pl.col("industry_code").is_not_null())
    by_group = roll_up(industry, groups, ["year", "part"], ["demand", "supply"]).rename({"group_code": "code"})
    by_occupation = lm.filter(pl.col("occupation_code").is_not_null()).rename({"occupation_code": "code"})
    found = [latest_and_growth(f.filter(pl.col("code").is_in(units)), "code", "part", ["demand", "supply"])
             .with_columns(level=pl.lit(level))
             for f, units, level in ((by_group, groups["group_code"].unique().implode(), GROUP),
                                     (by_occupation, occupations["occupation_code"].implode(), OCCUPATION))]
    return pl.concat(found).rename(PES_PARTS)


def _postings(postings: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    per_group = postings.join(groups.select("industry_code", "group_code"), on="industry_code", how="inner").rename(
        {"group_code": "code"})
    return latest_and_growth(per_group, "code", "month", ["openings", "postings", "duplicates"]).with_columns(
        level=pl.lit(GROUP)).rename(POSTING_PARTS)


def units(groups: pl.DataFrame, occupations: pl.DataFrame) -> pl.DataFrame:
    """level, code, name, section_name: every 大类 of the industry table and every occupation at the finest level
    of the occupation table (the units whose coverage is counted)."""
    big = (groups.filter((pl.col("industry_code") == pl.col("group_code")) & ~pl.col("group_code").str.contains("^[A-Z]$"))
           .select(level=pl.lit(GROUP), code="group_code", name="group_name", section_name="section_name"))
    depth = occupations["occupation_code"].str.count_matches("-")
    finest = occupations.filter(depth == depth.max()) if occupations.height else occupations
    jobs = finest.select(level=pl.lit(OCCUPATION), code="occupation_code", name="occupation_name",
                         section_name=pl.lit(None, pl.String))
    return pl.concat([big, jobs]).unique(["level", "code"], keep="first")


def demand_channels(labor_market: pl.DataFrame, postings: pl.DataFrame, groups: pl.DataFrame,
                    occupations: pl.DataFrame) -> pl.DataFrame:
    """One row per 行业大类 and per occupation (COLUMNS): the public employment service's demand, supply, 求人倍率
    and demand growth; the postings' de-duplicated openings, postings, duplicates dropped and openings growth; and
    whether the two growths point the same way. ``postings``: industry_code, year, month, openings, postings,
    duplicates (POSTING_OPENINGS_SQL). A unit a channel does not cover has nulls in its columns."""
    every = units(groups, occupations)
    big = every.filter(pl.col("level") == GROUP)["code"].implode()
    pes = _pes(labor_market, groups.filter(pl.col("group_code").is_in(big)), occupations.filter(
        pl.col("occupation_code").is_in(every.filter(pl.col("level") == OCCUPATION)["code"].implode())))
    posted = _postings(postings, groups.filter(pl.col("group_code").is_in(big)))
    out = every.join(pes, on=["level", "code"], how="left").join(posted, on=["level", "code"], how="left")
    product = pl.col("pes_growth") * pl.col("posting_growth")
    return out.with_columns(
        pes_ratio=pl.when(pl.col("pes_supply") > 0).then(pl.col("pes_demand") / pl.col("pes_supply")),
        direction=pl.when(product > 0).then(pl.lit(SAME)).when(product < 0).then(pl.lit(OPPOSITE))
        .when(product == 0).then(pl.lit(FLAT)),
    ).select(list(COLUMNS)).cast(COLUMNS).sort("level", "code", descending=[True, False])


def channel_coverage(channels: pl.DataFrame) -> pl.DataFrame:
    """Per level (行业大类, 职业): how many units there are, how many each channel covers (has figures for in its latest
    year) and what share, how many both cover, how many have both growths, and in how many they point opposite ways."""
    pes, posted = pl.col("pes_demand").is_not_null(), pl.col("posting_openings").is_not_null()
    return (channels.group_by("level").agg(
        units=pl.len(), pes_units=pes.sum(), posting_units=posted.sum(), both_units=(pes & posted).sum(),
        compared_units=pl.col("direction").is_not_null().sum(), opposite_units=(pl.col("direction") == OPPOSITE).sum())
        .with_columns(pes_share=pl.col("pes_units") / pl.col("units"),
                      posting_share=pl.col("posting_units") / pl.col("units"))
        .select(list(COVERAGE)).cast(COVERAGE).sort("level", descending=True))


def growth_words(growth: float | None) -> str:
    """A growth as the basis says it ('' when there is no year before to compare with)."""
    if growth is None:
        return ""
    if growth == 0:
        return POSTINGS_CHANNEL.text("flat")
    return POSTINGS_CHANNEL.text("up" if growth > 0 else "down", share=abs(growth))


def group_words(row: dict) -> str:
    """'电气机械和器材制造业：求人倍率 1.23（公共就业服务机构，2025年）；网络招聘 456 人（2025年，去重）…' for one 大类 row."""
    if row["pes_ratio"] is not None:
        pes = PES_CHANNEL.text("basis", industry=row["name"], ratio=row["pes_ratio"], year=row["pes_year"])
    else:
        pes = PES_CHANNEL.text("none" if row["pes_demand"] is None else "no_supply", industry=row["name"])
    posted = (POSTINGS_CHANNEL.text("basis", openings=row["posting_openings"], year=row["posting_year"],
                                    growth=growth_words(row["posting_growth"]))
              if row["posting_openings"] is not None else POSTINGS_CHANNEL.text("none"))
    return f"{pes}，{posted}"


def major_channels(channels: pl.DataFrame, major_industry_map: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """major_code, channels: each channel's figures for the 大类 the major is mapped to, in words (the full basis
    of the catalog prints it)."""
    rows = channels.filter(pl.col("level") == GROUP)
    words = pl.DataFrame({"code": rows["code"], "words": [group_words(r) for r in rows.iter_rows(named=True)]},
                         schema={"code": pl.String, "words": pl.String})
    mapped = (major_industry_map.select("major_code", "industry_code")
              .join(groups.select("industry_code", "group_code"), on="industry_code", how="inner")
              .select("major_code", code="group_code").unique())
    joined = settled(mapped.join(words.select("code", "words"), on="code", how="inner"))
    if joined.height == 0:
        return pl.DataFrame(schema=MAJOR_CHANNELS)
    return (joined.group_by("major_code").agg(channels=pl.col("words").sort_by("code").str.join("；"))
            .select(list(MAJOR_CHANNELS)).sort("major_code"))


def coverage_words(coverage: pl.DataFrame, channels: pl.DataFrame) -> list[str]:
    """The bulletin's note on the channels, from the coverage table and the channel table (rulebook wording)."""
    by = {r["level"]: r for r in coverage.iter_rows(named=True)}
    group, job = by.get(GROUP), by.get(OCCUPATION)
    if group is None:
        return []
    jobs = {"occupations": job["units"] if job else 0, "occupation_units": job["pes_units"] if job else 0,
            "occupation_share": job["pes_share"] if job and job["units"] else 0.0}
    rows = channels.filter(pl.col("level") == GROUP)
    if group["posting_units"] == 0:
        return [CHANNEL_COVERAGE.text("no_postings", units=group["units"], pes_units=group["pes_units"],
                                      pes_share=group["pes_share"], **jobs)]
    text = [CHANNEL_COVERAGE.text(
        "note", posting_year=int(rows["posting_year"].max()), openings=int(rows["posting_openings"].sum()),
        duplicates=int(rows["posting_duplicates"].sum()), units=group["units"], pes_units=group["pes_units"],
        pes_share=group["pes_share"], posting_units=group["posting_units"], posting_share=group["posting_share"],
        **jobs)]
    text.append(CHANNEL_COVERAGE.text("direction", compared=group["compared_units"], opposite=group["opposite_units"],
                                      caption=CHANNEL_COVERAGE.text("caption"))
                if group["compared_units"] else CHANNEL_COVERAGE.text("no_direction"))
    return text
