"""Revisions as data (issue 27 items 1 and 5), planted on a copy of the sample inbox and run once for the module:
a renumbered major with history, a split major, an industry code of a newer GB/T 4754 revision, a school that
moved district and a scoped 疏解转移 entry. Each is checked in the published rows and reasons against the
sample's own edition (sample_published), which ran the same inbox without the plants."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.shared_homes import SharedRun, copy_run, isolated_run

SPLIT = (0.6, 0.4)
SCOPE = "朝阳区"


def _csv(path: Path) -> pl.DataFrame:
    frame = pl.read_csv(path, infer_schema=False)
    return frame.rename({c: c.lstrip("\ufeff") for c in frame.columns})


def _edition(run: SharedRun) -> Path:
    current = (run.published / "CURRENT").read_text(encoding="utf-8").strip()
    return run.published / current


def _published(run: SharedRun, table: str) -> pl.DataFrame:
    return pl.read_parquet(_edition(run) / f"{table}.parquet")


def _unused(code: str, taken: set[str]) -> str:
    """A six-digit code of the same level (first digit) that no major has."""
    for n in range(99, 9, -1):
        candidate = f"{code[0]}{n:02d}{code[3:]}"
        if candidate not in taken:
            return candidate
    raise AssertionError("no unused code")


def _plant(inbox: Path, sample: SharedRun) -> dict:
    """Edit the copied inbox; return what was planted."""
    sm = _csv(inbox / "school_majors.csv").with_columns(pl.col("year").cast(pl.Int64))
    majors = _csv(inbox / "majors.csv")
    code_col = majors.columns[0]  # 专业代码
    taken = set(majors[code_col].to_list())
    latest = int(sm["year"].max())
    first = int(sm["year"].min())
    catalog = _published(sample, "guiding_catalog")
    full = (sm.group_by("major_code").agg(pl.col("year").n_unique().alias("years"),
                                         pl.col("school_code").n_unique().alias("schools"))
            .filter((pl.col("years") == latest - first + 1) & (pl.col("schools") >= 3)).sort("major_code"))
    renumbered = full["major_code"][0]
    offered_by = {code: set(group["school_code"]) for (code,), group in sm.group_by("major_code")}
    # a split of A's old code into A and B, where some schools offer both and some only A
    split_a, split_b = next((a, b) for a in full["major_code"][1:] for b in full["major_code"][1:]
                            if a != b and a[0] == b[0] and offered_by[a] & offered_by[b] and offered_by[a] - offered_by[b])
    old = _unused(renumbered, taken)
    split_old = _unused(split_a, taken | {old})
    cutoff = latest - 2  # the enrolment trend's base year and every year before it move to the old codes
    sm = sm.with_columns(major_code=pl.when((pl.col("major_code") == renumbered) & (pl.col("year") <= cutoff))
                         .then(pl.lit(old))
                         .when((pl.col("major_code") == split_a) & (pl.col("year") <= cutoff)).then(pl.lit(split_old))
                         .otherwise(pl.col("major_code")))
    sm.with_columns(pl.col("year").cast(pl.String)).write_csv(inbox / "school_majors.csv")
    majors.with_columns(pl.when(pl.col(code_col) == renumbered).then(pl.lit(old)).alias("原专业代码")) \
        .write_csv(inbox / "majors.csv")

    # an industry code of a newer revision: a major's mapped 小类 under a citywide 禁止/限制 entry becomes a new code
    industries = _csv(inbox / "industries.csv")
    mapping = _csv(inbox / "major_industry_map.csv")
    adjustments = pl.read_excel(inbox / "industry_adjustments.xlsx", infer_schema_length=0)
    banned = adjustments.filter(pl.col("类别").is_in(["禁止", "限制"]) & (pl.col("适用区域") == "全市"))["行业代码"]
    codes = set(industries["industry_code"].to_list())
    exposed = catalog.filter((pl.col("exposure_prohibited") + pl.col("exposure_restricted")) > 0)["major_code"]
    candidates = mapping.filter(pl.col("major_code").is_in(exposed.implode()) & (pl.col("industry_code").str.len_chars() == 4)
                                & pl.col("industry_code").is_in(banned.implode())).sort("major_code", "industry_code")
    industry_major, industry_old = candidates.row(0)[:2]
    listed = set(adjustments["行业代码"].to_list())
    parent = next(d for d in sorted(c for c in codes if len(c) == 2)
                  if not any(code.startswith(d) for code in listed) and f"{d}99" not in codes)
    industry_new = f"{parent}99"
    pl.concat([industries, pl.DataFrame({"industry_code": [industry_new], "industry_name": ["新版行业分类新增小类（测试）"],
                                         "parent_code": [parent]})]).write_csv(inbox / "industries.csv")
    mapping.with_columns(industry_code=pl.when((pl.col("major_code") == industry_major)
                                               & (pl.col("industry_code") == industry_old))
                         .then(pl.lit(industry_new)).otherwise(pl.col("industry_code"))) \
        .write_csv(inbox / "major_industry_map.csv")

    pl.DataFrame({"类型": ["专业", "专业", "行业"], "原代码": [split_old, split_old, industry_old],
                  "新代码": [split_a, split_b, industry_new], "变更年份": [str(cutoff + 1)] * 2 + [str(latest)],
                  "拆分比例": [str(SPLIT[0]), str(SPLIT[1]), None]}).write_csv(inbox / "code_changes.csv")

    # a school that moves after the data year: the data year's figures count it where it was then
    schools = pl.read_csv(inbox / "schools.csv", infer_schema=False, encoding="gb18030")
    school_col, district_col = schools.columns[0], schools.columns[3]
    kept = schools.filter(~pl.col(district_col).is_in(["东城区", "西城区"])).sort(school_col).row(0)
    mover, now = kept[0], kept[3]
    before = next(d for d in ("延庆区", "密云区") if d != now)
    pl.DataFrame({"学校代码": [mover, mover], "所在区": [before, now], "起始年份": ["2000", str(latest + 1)]}) \
        .write_csv(inbox / "school_districts.csv")

    # a scoped 疏解转移 entry on the first industry of a 正常 major offered in the scope
    scope_schools = schools.filter(pl.col(district_col) == SCOPE)[school_col]
    offered = sm.filter((pl.col("year") == latest) & pl.col("school_code").is_in(scope_schools.implode()))["major_code"]
    weights = mapping.with_columns(pl.col("weight").cast(pl.Float64).fill_null(1.0)).with_columns(
        share=pl.col("weight") / pl.col("weight").sum().over("major_code"))
    planted = {renumbered, split_a, split_b, industry_major}
    normal = catalog.filter((pl.col("guidance") == "正常") & pl.col("major_code").is_in(offered.implode())
                            & ~pl.col("major_code").is_in(list(planted)))["major_code"]
    top = (weights.filter(pl.col("major_code").is_in(normal.implode()) & (pl.col("share") > 0.55)
                          & ~pl.col("industry_code").is_in(list(listed)))
           .sort("major_code", "share", descending=[False, True]))
    relocated_major, relocated_code = top.row(0)[:2]
    pl.concat([adjustments, pl.DataFrame({"清单名称": ["北京市疏解非首都功能产业目录（区级，测试）"], "类别": ["疏解转移"],
                                          "行业代码": [relocated_code], "适用区域": [SCOPE], "生效日期": ["2017-04"],
                                          "说明": ["区级疏解"]})], how="diagonal") \
        .write_csv(inbox / "industry_adjustments.csv")
    (inbox / "industry_adjustments.xlsx").unlink()
    return {"renumbered": renumbered, "old": old, "split": (split_a, split_b), "split_old": split_old,
            "industry_major": industry_major, "mover": mover, "before": before, "now": now,
            "relocated_major": relocated_major, "cutoff": cutoff, "rows": sm}


@pytest.fixture(scope="module")
def planted(tmp_path_factory, sample_trained, sample_published) -> tuple[SharedRun, dict]:
    run = copy_run(sample_trained, tmp_path_factory.mktemp("revisions"))
    plants = _plant(run.inbox, sample_published)
    assert isolated_run(["run", "--inbox", str(run.inbox), "--home", str(run.home), "--quiet"]) == 0
    return run, plants


def _row(frame: pl.DataFrame, code: str) -> dict:
    return frame.filter(pl.col("major_code") == code).row(0, named=True)


def _signals(run: SharedRun) -> pl.DataFrame:
    with duckdb.connect(str(run.home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql("SELECT * FROM major_market_signals").pl()


def test_a_renumbered_major_keeps_its_history_and_says_so(planted, sample_published):
    run, p = planted
    now, before = _row(_published(run, "guiding_catalog"), p["renumbered"]), \
        _row(_published(sample_published, "guiding_catalog"), p["renumbered"])
    # the rows under the old code (the trend's base year and before) count: the verdict is the sample's own
    for column in ("guidance", "warning_level", "risk_score", "employment_rate", "new_major"):
        assert now[column] == before[column], column
    assert f"原专业代码 {p['old']}，历史数据已并入" in now["reasons"]
    assert f"原专业代码 {p['old']}" in now["basis"]
    assert p["old"] not in set(_published(run, "guiding_catalog")["major_code"])


def test_a_split_major_shares_the_old_history_by_its_share_and_says_so(planted, sample_published):
    run, p = planted
    a, b = p["split"]
    signals, sample = _signals(run), _signals(sample_published)
    base = int(_row(signals, a)["enrolment_base_year"])
    assert base <= p["cutoff"]
    offers_b = p["rows"].filter(pl.col("major_code") == b)["school_code"].unique().implode()
    rows = p["rows"].filter(pl.col("year") == base).with_columns(pl.col("enrolled").cast(pl.Float64))
    moved = rows.filter(pl.col("major_code") == p["split_old"])
    both, only_a = moved.filter(pl.col("school_code").is_in(offers_b)), moved.filter(~pl.col("school_code").is_in(offers_b))
    assert both.height > 0 and only_a.height > 0  # schools offering both new majors, and schools offering only one
    # a school offering both shares its old rows by the split's shares; one offering only A gives them all to A
    assert _row(signals, a)["enrolled_base"] == int((both["enrolled"] * SPLIT[0]).round(0).sum()
                                                    + only_a["enrolled"].sum())
    own_b = rows.filter(pl.col("major_code") == b)["enrolled"].sum()
    assert own_b == _row(sample, b)["enrolled_base"]
    assert _row(signals, b)["enrolled_base"] == own_b + int((both["enrolled"] * SPLIT[1]).round(0).sum())
    # no school gets an offering of B it never had
    scores = _published(run, "school_major_scores").filter(pl.col("major_code") == b)
    assert set(scores["school_code"]) == set(_published(sample_published, "school_major_scores")
                                             .filter(pl.col("major_code") == b)["school_code"])
    catalog = _published(run, "guiding_catalog")
    assert f"原专业代码 {p['split_old']} 按 60% 比例拆分" in _row(catalog, a)["reasons"]
    assert f"原专业代码 {p['split_old']} 按 40% 比例拆分" in _row(catalog, b)["reasons"]


def test_an_industry_code_of_a_newer_revision_keeps_the_older_codes_list_entries(planted, sample_published):
    run, p = planted
    now, before = _row(_published(run, "guiding_catalog"), p["industry_major"]), \
        _row(_published(sample_published, "guiding_catalog"), p["industry_major"])
    assert before["exposure_prohibited"] + before["exposure_restricted"] > 0
    # the list entries on the old code still count (its labour-market series stays on the old code, so the demand
    # figures may move; the lists, the guidance and the restriction do not)
    for column in ("exposure_prohibited", "exposure_restricted", "guidance", "warning_level"):
        assert now[column] == before[column], column
    restrictions = [_published(r, "restriction_list").filter(pl.col("major_code") == p["industry_major"])
                    .select("restriction", "scope").sort("scope").rows() for r in (run, sample_published)]
    assert restrictions[0] == restrictions[1]


def test_a_school_that_moved_is_counted_where_it_was_in_the_data_year(planted, sample_published):
    run, p = planted
    now = _published(run, "school_major_scores").filter(pl.col("school_code") == p["mover"])
    before = _published(sample_published, "school_major_scores").filter(pl.col("school_code") == p["mover"])
    assert now.height == before.height > 0
    assert set(before["district"]) == {p["now"]} and set(now["district"]) == {p["before"]}


def test_a_scoped_relocation_entry_makes_cooperation_in_its_scope_only(planted, sample_published):
    run, p = planted
    code = p["relocated_major"]
    major = _row(_published(run, "guiding_catalog"), code)
    assert major["guidance"] == _row(_published(sample_published, "guiding_catalog"), code)["guidance"] == "正常"
    assert f"{SCOPE}的学校适用「合作办学」" in major["reasons"]
    offerings = _published(run, "school_major_scores").filter(pl.col("major_code") == code)
    inside = offerings.filter(pl.col("district") == SCOPE)
    assert inside.height > 0 and set(inside["guidance"]) == {"合作办学"}
    assert all(f"适用{SCOPE}的指导类别「合作办学」（" in r for r in inside["reasons"])  # with its list and share
    # said once: the major's clause for the same scope is not repeated after the school's own sentence
    assert not any(f"{SCOPE}的学校适用「合作办学」" in r for r in inside["reasons"])
    assert set(offerings.filter(pl.col("district") != SCOPE)["guidance"]) <= {"正常"}
    # the action plan asks those schools (and only those) to cooperate
    actions = _published(run, "actions").filter((pl.col("major_code") == code) & pl.col("school_code").is_not_null())
    assert set(actions.filter(pl.col("action") == "合作办学")["school_code"]) == set(inside["school_code"])


def test_history_rules_on_small_frames():
    """Renumbered rows add to the current code's same year, merged codes add up, a school offering one of a split's
    new majors keeps its whole history there, a school offering none splits it by the shares, an old code named by
    two majors' former codes without a share is split equally and says so."""
    from scoring.revisions import follow_current_codes, major_revisions, revision_notes

    majors = pl.DataFrame({"major_code": ["510201", "510202", "510203", "510204"],
                           "former_codes": ["560101", None, "560105、560106", "560107"],
                           "level": ["高职专科"] * 4})
    majors = majors.with_columns(pl.when(pl.col("major_code") == "510203").then(pl.lit("560105、560106;560107"))
                                 .otherwise(pl.col("former_codes")).alias("former_codes"))
    changes = pl.DataFrame({"kind": ["major", "major"], "old_code": ["560102", "560102"],
                            "new_code": ["510201", "510202"], "year": [2024, 2024], "share": [0.6, 0.4]})
    revisions = major_revisions(majors, changes)
    rows = pl.DataFrame({"school_code": ["s1", "s1", "s1", "s2", "s2", "s3", "s3", "s4", "s4"],
                         "major_code": ["560101", "510201", "560102", "560102", "510202", "560105", "560106",
                                        "560102", "560107"],
                         "year": [2020, 2020, 2021, 2021, 2022, 2021, 2021, 2021, 2021],
                         "enrolled": [10, 5, 50, 50, 7, 3, 4, 25, 9]})
    got = {(s, m, y): e for s, m, y, e in follow_current_codes(rows, revisions).iter_rows()}
    assert got == {("s1", "510201", 2020): 15, ("s1", "510201", 2021): 50, ("s2", "510202", 2021): 50,
                   ("s2", "510202", 2022): 7, ("s3", "510203", 2021): 7, ("s4", "510201", 2021): 15,
                   ("s4", "510202", 2021): 10, ("s4", "510203", 2021): 4, ("s4", "510204", 2021): 4}
    notes = dict(revision_notes(revisions).iter_rows())
    assert notes["510203"].startswith("原专业代码 560105、560106 合并为本专业，历史数据已并入")
    assert "原专业代码 560107 拆分为多个专业，未给出本专业的拆分比例，历史数据按 50% 并入" in notes["510204"]
    assert "2024年起原专业代码 560102 按 40% 比例拆分" in notes["510202"]
    assert follow_current_codes(rows, revisions.clear()).equals(rows)  # no revisions: the rows as they are


def test_a_school_short_reason_states_its_scoped_guidance_once():
    from scoring.schools import _short

    clause = "城市副中心的学校适用「重点建设」（《目录》城市服务紧缺类占比 100%）"
    own = "本校位于通州区，适用城市副中心的指导类别「重点建设」（《目录》城市服务紧缺类占比 100%）。"
    major = f"未触及预警和禁限规则；{clause}。学校可正常招生。"
    assert _short(own, major, clause) == own + "就全市该专业而言，未触及预警和禁限规则。"
    assert _short(own, f"{clause}。另有说明。学校可正常招生。", clause) == own + "另有说明。"
    assert _short(None, major) == major  # a school outside the scope reads the major's reason whole
    assert _short(own, major) == own + f"就全市该专业而言，未触及预警和禁限规则；{clause}。"
