"""Several years of the sample inbox, each a plausible next year of the last (`majorwatch sample --years N`).

The sample world is one: the inbox of data year Y holds its school and labour-market rows up to Y (so each
year's history is one year longer than the last's) and its postings dated in Y and the two years before. The
catalog moves as real ones do: every year after the first brings the revisions of ``REVISIONS`` for that year,
and an inbox keeps every revision since its first year:

- a major renumbered (moved to another 专业类): the catalog lists it under its new code with the old one in
  ``原专业代码`` (``majors.former_codes``), ``code_changes.csv`` records old → new, the mappings carry the new
  code, and its school_majors rows are as the schools reported them: the years before the change under the old
  code, the change year and after under the new one (the pipeline follows the old rows to the new code);
- a supplement major (增补专业, ``majors.added_in`` = that year), first enrolled that year by a few of the
  schools offering its sibling major, with no graduates yet;
- where given, a school that moved district (``school_districts.csv``) and a list's next version (the old
  version gets its 失效日期, the new one its 生效日期).

The first year's inbox has none of them: it is the catalog as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from sample_data.generator import DEFAULT_SEED, inbox_frames, posting_count, write_frames, write_postings
from sample_data.postings import UNKNOWN_INDUSTRY
from sample_data.profiles import YEARS
from sample_data.vocab_adjustments import LIST_URBAN
from sample_data.vocab_majors import CLASS_NAMES
from sample_data.writers import write_csv

LAST_YEAR = YEARS[-1]
"""The data year of the default sample inbox: the last of the years written."""


@dataclass(frozen=True)
class Revision:
    """What the catalog and the city change in one data year."""

    renumber: tuple[str, str]
    """(old code, new 专业类 code): the major moves to the next free code of that class."""
    supplement: tuple[str, str]
    """(sibling major code, name): a new major of the sibling's class, domain and industries."""
    school_move: tuple[str, str] | None = None
    """(district the school leaves, district it moves to): the first school of the first district moves."""
    list_version: tuple[str, str, str] | None = None
    """(list name, effective date of its next version, that version's name suffix)."""


REVISIONS: dict[int, Revision] = {
    2023: Revision(("520903", "5206"), ("460703", "智能网联汽车检测与运维")),
    2024: Revision(("510210", "5101"), ("510209", "生成式人工智能应用技术")),
    2025: Revision(("590304", "5902"), ("590301", "银发经济服务与管理"), school_move=("东城区", "通州区"),
                   list_version=(LIST_URBAN, "2025-07-01", "（2025年版）")),
}
"""The revisions each data year brings (none in an inbox's first year)."""
MAX_YEARS = len(REVISIONS) + 1
SUPPLEMENT_SCHOOLS = 3
"""How many of the schools offering the sibling major open a supplement major."""


def data_years(years: int) -> list[int]:
    """The `years` data years ending at the default sample's, oldest first."""
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(f"years must be between 1 and {MAX_YEARS}")
    return list(range(LAST_YEAR - years + 1, LAST_YEAR + 1))


def write_sample_years(out: Path, years: int, scale: int = 1, seed: int = DEFAULT_SEED,
                       postings_per_scale: int = 20000, postings: int | None = None) -> dict[int, dict[str, int]]:
    """Write the inbox of each of `data_years(years)` into ``out/<data year>/``; return {year: {input: rows}}."""
    postings = posting_count(scale, postings_per_scale, postings)
    chosen = data_years(years)
    world = inbox_frames(scale, seed)
    written = {}
    for year in chosen:
        frames, extra = year_frames(world, chosen[0], year)
        folder = Path(out) / str(year)
        counts = write_frames(frames, folder)
        for name, frame in extra.items():
            write_csv(frame, folder / f"{name}.csv", "utf-8-sig")
            counts[name] = frame.height
        counts["job_postings"] = write_postings(folder, postings, seed + year - LAST_YEAR, _clean(_shifted(year - LAST_YEAR)))
        written[year] = counts
    return written


def year_frames(world: dict[str, pl.DataFrame], first: int, year: int
                ) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """The inbox frames of data `year` in a run of years starting at `first`: the inputs of every sample inbox,
    and the optional ones (code_changes, school_districts) the revisions since `first` call for."""
    frames = dict(world)
    frames["school_majors"] = world["school_majors"].filter(pl.col("year") <= year)
    frames["labor_market"] = world["labor_market"].filter(pl.col("period").str.slice(0, 4).cast(pl.Int64) <= year)
    changes, moves = [], []
    revisions = [(y, REVISIONS[y]) for y in range(first + 1, year + 1)]
    if revisions:
        frames["majors"] = frames["majors"].with_columns(原专业代码=pl.lit(None, pl.String),
                                                         增补年份=pl.lit(None, pl.Int64))
    for when, revision in revisions:
        old, new = _renumber(frames, revision.renumber, when)
        changes.append({"类型": "专业", "原代码": old, "新代码": new, "变更年份": when})
        _supplement(frames, revision.supplement, when, year)
        if revision.school_move:
            moves += _move_school(frames, revision.school_move, first, when)
        if revision.list_version:
            _next_list_version(frames, revision.list_version)
    extra = {}
    if changes:
        extra["code_changes"] = pl.DataFrame(changes)
    if moves:
        extra["school_districts"] = pl.DataFrame(moves, schema={"学校代码": pl.String, "所在区": pl.String,
                                                                "起始年份": pl.Int64}, orient="row")
    return frames, extra


def _next_free(majors: pl.DataFrame, class_code: str) -> str:
    """The class's next sequence number after its last one, former codes counted (a code a revision gave up
    is never reused)."""
    codes = pl.concat([majors["专业代码"], majors["原专业代码"].drop_nulls()]).to_list()
    taken = [int(c[4:6]) for c in codes if c[:4] == class_code]
    return f"{class_code}{max(taken, default=0) + 1:02d}"


def _in_catalog_order(majors: pl.DataFrame) -> pl.DataFrame:
    """The catalog's order: its levels as they first appear, by code within a level."""
    levels = {lv: i for i, lv in enumerate(majors["层次"].unique(maintain_order=True).to_list())}
    return majors.sort(pl.col("层次").replace_strict(levels), "专业代码")


def _renumber(frames: dict[str, pl.DataFrame], renumber: tuple[str, str], when: int) -> tuple[str, str]:
    old, class_code = renumber
    majors = frames["majors"]
    new = _next_free(majors, class_code)
    code = pl.col("专业代码")
    frames["majors"] = _in_catalog_order(majors.with_columns(
        pl.when(code == old).then(pl.lit(CLASS_NAMES[class_code])).otherwise(pl.col("专业类")).alias("专业类"),
        pl.when(code == old).then(pl.lit(old)).otherwise(pl.col("原专业代码")).alias("原专业代码"),
        pl.when(code == old).then(pl.lit(new)).otherwise(code).alias("专业代码")))
    for name in ("major_industry_map", "major_occupation_map"):
        frames[name] = frames[name].with_columns(pl.col("major_code").replace(old, new))
    reported = pl.when((pl.col("major_code") == old) & (pl.col("year") >= when)).then(pl.lit(new))
    frames["school_majors"] = frames["school_majors"].with_columns(reported.otherwise(pl.col("major_code"))
                                                                   .alias("major_code"))
    return old, new


def _supplement(frames: dict[str, pl.DataFrame], supplement: tuple[str, str], added: int, year: int) -> None:
    sibling, name = supplement
    majors = frames["majors"]
    new = _next_free(majors, sibling[:4])
    row = majors.filter(pl.col("专业代码") == sibling)
    sibling_name = row["专业名称"][0]
    frames["majors"] = _in_catalog_order(pl.concat([majors, row.with_columns(
        专业代码=pl.lit(new), 专业名称=pl.lit(name), 原专业代码=pl.lit(None, pl.String), 增补年份=pl.lit(added, pl.Int64),
        职业面向=pl.col("职业面向").str.replace(sibling_name, name, literal=True))]))
    for mapping in ("major_industry_map", "major_occupation_map"):
        frame = frames[mapping]
        frames[mapping] = pl.concat([frame, frame.filter(pl.col("major_code") == sibling).with_columns(
            major_code=pl.lit(new))])
    sm = frames["school_majors"]
    at = sm.filter((pl.col("major_code") == sibling) & (pl.col("year") == added) & (pl.col("enrolled") > 0))
    schools = sorted(at["school_code"].to_list())[:SUPPLEMENT_SCHOOLS]
    opened = (sm.filter((pl.col("major_code") == sibling) & pl.col("school_code").is_in(schools)
                        & pl.col("year").is_between(added, year))
              .with_columns(major_code=pl.lit(new), enrolled=(pl.col("enrolled") * 0.6).round().cast(pl.Int64),
                            **{c: pl.lit(None, sm.schema[c]) for c in ("graduates", "employed", "employed_in_field",
                                                                        "starting_salary")}))
    frames["school_majors"] = pl.concat([sm, opened])


def _move_school(frames: dict[str, pl.DataFrame], move: tuple[str, str], first: int, when: int) -> list[tuple]:
    leaves, goes = move
    schools = frames["schools"]
    code = schools.filter(pl.col("所在区") == leaves)["学校代码"][0]
    frames["schools"] = schools.with_columns(
        pl.when(pl.col("学校代码") == code).then(pl.lit(goes)).otherwise(pl.col("所在区")).alias("所在区"))
    first_history = int(frames["school_majors"]["year"].min() or first)
    return [(code, leaves, first_history), (code, goes, when)]


def _next_list_version(frames: dict[str, pl.DataFrame], version: tuple[str, str, str]) -> None:
    name, starts, suffix = version
    lists = frames["industry_adjustments"]
    if "失效日期" not in lists.columns:
        lists = lists.with_columns(失效日期=pl.lit(None, pl.String))
    ends = (date.fromisoformat(starts) - timedelta(days=1)).isoformat()
    old = pl.col("清单名称") == name
    following = lists.filter(old).with_columns(清单名称=pl.lit(name + suffix), 生效日期=pl.lit(starts),
                                                失效日期=pl.lit(None, pl.String), 适用区域=pl.lit("全市"))
    lists = lists.with_columns(pl.when(old).then(pl.lit(ends)).otherwise(pl.col("失效日期")).alias("失效日期"))
    frames["industry_adjustments"] = pl.concat([lists, following])


def _clean(shift):
    """`shift` followed by dropping the rows the one-year sample plants to show a rejection (openings 0, a minimum
    salary above the maximum, an industry code GB/T 4754 lacks): a run on the years' inboxes rejects no row."""
    def clean(batch: pl.DataFrame) -> pl.DataFrame:
        batch = shift(batch) if shift else batch
        number = lambda c: pl.col(c).cast(pl.Float64, strict=False)  # noqa: E731
        return batch.filter((number("openings").is_null() | (number("openings") >= 1))
                            & (number("salary_min").is_null() | number("salary_max").is_null()
                               | (number("salary_min") <= number("salary_max")))
                            & (pl.col("industry_code").is_null() | (pl.col("industry_code") != UNKNOWN_INDUSTRY)))
    return clean


def _shifted(years: int):
    """Postings moved `years` years (their dates and the year in their ids), or None for no move."""
    if not years:
        return None

    def shift(batch: pl.DataFrame) -> pl.DataFrame:
        moved = (pl.col("posted_on").str.slice(0, 4).cast(pl.Int64) + years).cast(pl.String)
        serial = (pl.col("posting_id").str.slice(2, 2).cast(pl.Int64) + years).cast(pl.String).str.zfill(2)
        return batch.with_columns(posted_on=moved + pl.col("posted_on").str.slice(4),
                                  posting_id=pl.lit("BJ") + serial + pl.col("posting_id").str.slice(4))
    return shift
