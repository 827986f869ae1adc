"""`majorwatch sample --years N`: N data years of one sample world, each a plausible next year of the last, the
later ones with a renumbered major (former_codes, code_changes) and a supplement major (added_in)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.cli import main
from sample_data.years import LAST_YEAR, MAX_YEARS, REVISIONS

POSTINGS = 400


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, pl.DataFrame]]:
    out = tmp_path_factory.mktemp("years")
    assert main(["sample", "--out", str(out), "--years", "3", "--postings", str(POSTINGS)]) == 0
    found = {}
    for folder in sorted(out.iterdir()):
        tables = {p.stem: pl.read_csv(p, infer_schema=False, encoding="utf8-lossy") for p in folder.glob("*.csv")
                  if p.stem != "schools"}
        tables["schools"] = pl.read_csv((folder / "schools.csv").read_bytes().decode("gb18030").encode(),
                                        infer_schema=False)
        tables["industry_adjustments"] = pl.read_excel(folder / "industry_adjustments.xlsx", infer_schema_length=0)
        tables["job_postings"] = pl.read_parquet(folder / "job_postings.parquet")
        found[int(folder.name)] = tables
    return found


def _history(t: dict[str, pl.DataFrame]) -> pl.DataFrame:
    return t["school_majors"].with_columns(pl.col("year").cast(pl.Int64))


def test_three_data_years_end_at_the_default_one_each_history_one_year_longer(years) -> None:
    assert list(years) == [LAST_YEAR - 2, LAST_YEAR - 1, LAST_YEAR]
    spans = {y: (_history(t)["year"].min(), _history(t)["year"].max()) for y, t in years.items()}
    first = spans[LAST_YEAR - 2][0]
    assert spans == {y: (first, y) for y in years}
    for y, t in years.items():
        periods = t["labor_market"]["period"].str.slice(0, 4).cast(pl.Int64)
        assert periods.max() == y
        posted = t["job_postings"]["posted_on"].str.slice(0, 4).cast(pl.Int64)
        postings = t["job_postings"]
        assert posted.max() == y and posted.min() >= y - 2 and POSTINGS - 3 <= postings.height < POSTINGS
        # the one-year sample's planted bad rows are left out: a run on the years' inboxes rejects no row
        number = lambda c, p=postings: p[c].cast(pl.Float64, strict=False)  # noqa: E731
        assert not (number("openings") < 1).any() and not (number("salary_min") > number("salary_max")).any()
        assert "9999" not in postings["industry_code"].to_list()
        assert t["job_postings"]["posting_id"].str.slice(2, 2).cast(pl.Int64).max() == y % 100
    # one world: the rows a year shares with the next are the same numbers, under the code each row's year had (the
    # years before a renumbering are reported under the old code in every later inbox too)
    earlier = _history(years[LAST_YEAR - 2])
    later = _history(years[LAST_YEAR]).filter(pl.col("year") <= LAST_YEAR - 2)
    key = ["school_code", "major_code", "year"]
    assert earlier.sort(key).equals(later.sort(key))


def test_later_years_renumber_one_major_and_add_a_supplement(years) -> None:
    first = years[LAST_YEAR - 2]
    assert "code_changes" not in first and "原专业代码" not in first["majors"].columns  # the catalog as it was
    for y in (LAST_YEAR - 1, LAST_YEAR):
        t = years[y]
        changes = t["code_changes"].with_columns(pl.col("变更年份").cast(pl.Int64))
        assert changes["类型"].to_list() == ["专业"] * changes.height
        assert changes["变更年份"].to_list() == list(range(LAST_YEAR - 1, y + 1))  # one revision a year, kept
        majors = t["majors"]
        for old, new in changes.select("原代码", "新代码").iter_rows():
            assert old in set(first["majors"]["专业代码"]) and new not in set(first["majors"]["专业代码"])
            row = majors.filter(pl.col("专业代码") == new).row(0, named=True)
            assert row["原专业代码"] == old
            assert row["专业名称"] == first["majors"].filter(pl.col("专业代码") == old)["专业名称"][0]
            for name in ("majors", "major_industry_map", "major_occupation_map"):
                column = "专业代码" if name == "majors" else "major_code"
                assert old not in set(t[name][column]), (y, name, old)
            # school_majors as the schools reported it: before the change year under the old code, then the new
            since = changes.filter(pl.col("原代码") == old)["变更年份"][0]
            history = _history(t)
            assert history.filter(pl.col("major_code") == old)["year"].unique().sort().to_list() == list(
                range(history["year"].min(), since))
            assert history.filter(pl.col("major_code") == new)["year"].unique().sort().to_list() == list(
                range(since, y + 1))
        added = majors.filter(pl.col("增补年份").is_not_null()).with_columns(pl.col("增补年份").cast(pl.Int64))
        assert sorted(added["增补年份"].to_list()) == list(range(LAST_YEAR - 1, y + 1))
        for code, since in added.select("专业代码", "增补年份").iter_rows():
            rows = _history(t).filter(pl.col("major_code") == code)
            assert rows["year"].min() == since and rows["school_code"].n_unique() == 3
            assert rows["graduates"].null_count() == rows.height  # no graduates yet
            assert rows["enrolled"].cast(pl.Int64).min() > 0
            assert code in set(t["major_industry_map"]["major_code"])
        assert majors["专业代码"].is_unique().all()


def test_the_last_year_moves_a_school_and_issues_a_list_s_next_version(years) -> None:
    revision = REVISIONS[LAST_YEAR]
    t = years[LAST_YEAR]
    moves = t["school_districts"].with_columns(pl.col("起始年份").cast(pl.Int64))
    school = moves["学校代码"].unique().to_list()
    assert len(school) == 1 and moves["所在区"].to_list() == list(revision.school_move)
    assert moves["起始年份"].to_list() == [_history(t)["year"].min(), LAST_YEAR]
    district = dict(zip(t["schools"]["学校代码"], t["schools"]["所在区"], strict=True))
    assert district[school[0]] == revision.school_move[1]
    assert dict(zip(years[LAST_YEAR - 1]["schools"]["学校代码"], years[LAST_YEAR - 1]["schools"]["所在区"],
                    strict=True))[school[0]] == revision.school_move[0]
    name, starts, suffix = revision.list_version
    lists = t["industry_adjustments"]
    old, new = lists.filter(pl.col("清单名称") == name), lists.filter(pl.col("清单名称") == name + suffix)
    assert old.height == new.height > 0
    assert set(old["失效日期"]) == {"2025-06-30"} and set(new["生效日期"]) == {starts}
    assert new["失效日期"].null_count() == new.height
    assert "失效日期" not in years[LAST_YEAR - 1]["industry_adjustments"].columns


def test_years_out_of_range_are_refused_in_chinese(tmp_path: Path, capsys) -> None:
    assert main(["sample", "--out", str(tmp_path), "--years", str(MAX_YEARS + 1)]) == 2
    assert f"1 到 {MAX_YEARS}" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
