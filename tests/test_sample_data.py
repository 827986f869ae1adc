"""The sample inbox generator: formats, contract invariants, determinism, scale and planted signals."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import openpyxl
import polars as pl
import pytest

from sample_data.__main__ import main
from sample_data.generator import FILES, SIGNAL_MAJORS, write_sample_inbox

DISTRICTS = {"东城区", "西城区", "朝阳区", "丰台区", "石景山区", "海淀区", "门头沟区", "房山区", "通州区",
             "顺义区", "昌平区", "大兴区", "怀柔区", "平谷区", "密云区", "延庆区"}
ZONES = {"首都功能核心区", "中心城区", "城市副中心", "平原新城", "生态涵养区"}
CATEGORIES = {"禁止", "限制", "调整转型", "高精尖", "城市服务紧缺", "疏解转移"}
TEXT = pl.String


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("inbox")
    return out, write_sample_inbox(out)


def _csv(path: Path, encoding: str = "utf8") -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False, encoding=encoding)


@pytest.fixture(scope="module")
def tables(inbox: tuple[Path, dict[str, int]]) -> dict[str, pl.DataFrame]:
    out, _ = inbox
    majors = _csv(out / "majors.csv").rename({"专业代码": "major_code", "层次": "level"})
    schools = pl.read_csv((out / "schools.csv").read_bytes().decode("gb18030").encode(), infer_schema=False)
    adjustments = pl.read_excel(out / "industry_adjustments.xlsx", infer_schema_length=0)
    ints = ["year", "enrolled", "graduates", "employed", "employed_in_field"]
    beijing = _csv(out / "labor_market.csv").with_columns(pl.col("demand", "supply").cast(pl.Int64))
    postings = pl.read_parquet(out / "job_postings.parquet")
    return {
        "majors": majors,
        "industries": _csv(out / "industries.csv"),
        "occupations": _csv(out / "occupations.csv"),
        "major_industry_map": _csv(out / "major_industry_map.csv"),
        "major_occupation_map": _csv(out / "major_occupation_map.csv"),
        "schools": schools.rename({"学校代码": "school_code", "办学层次": "level", "所在区": "district"}),
        "adjustments": adjustments.rename({"类别": "category", "行业代码": "industry_code",
                                           "适用区域": "scope", "生效日期": "effective_from"}),
        "school_majors": _csv(out / "school_majors.csv").with_columns(pl.col(ints).cast(pl.Int64)),
        # Beijing's series (the 津冀 rows of issue 28 are checked in test_partner_region_rows)
        "labor_market": beijing.filter(pl.col("region") == "北京市"),
        "partner_regions": beijing.filter(pl.col("region") != "北京市"),
        # the 2025 postings (the earlier years' of issue 28 are checked in test_earlier_postings_shift_wording)
        "job_postings": postings.filter(pl.col("posting_id").str.starts_with("BJ25")),
        "earlier_postings": postings.filter(~pl.col("posting_id").str.starts_with("BJ25")),
    }


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_every_input_written_and_counted(inbox, tables) -> None:
    out, counts = inbox
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES.values())
    assert counts["majors"] == tables["majors"].height >= 300
    assert counts["school_majors"] == tables["school_majors"].height
    assert counts["labor_market"] == tables["labor_market"].height + tables["partner_regions"].height
    assert counts["job_postings"] == tables["job_postings"].height + tables["earlier_postings"].height == 20000
    assert 90 <= counts["schools"] <= 110


def test_same_seed_gives_identical_bytes_and_other_seed_differs(inbox, tmp_path: Path) -> None:
    out, _ = inbox
    write_sample_inbox(tmp_path / "again")
    assert _digests(tmp_path / "again") == _digests(out)
    write_sample_inbox(tmp_path / "other", seed=7)
    other = _digests(tmp_path / "other")
    assert other["school_majors.csv"] != _digests(out)["school_majors.csv"]
    assert other["industries.csv"] == _digests(out)["industries.csv"]


def test_file_encodings_and_headers(inbox) -> None:
    out, _ = inbox
    raw = (out / "majors.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").split("\n", 1)[0] == "专业代码,专业名称,层次,专业大类,专业类,职业面向"
    school_bytes = (out / "schools.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        school_bytes.decode("utf-8")
    assert school_bytes.decode("gb18030").startswith("学校代码,学校名称,办学层次,所在区")
    assert (out / "labor_market.csv").read_text("utf-8").startswith("period,industry_code,occupation_code")
    sheet = openpyxl.load_workbook(out / "industry_adjustments.xlsx").worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("清单名称", "类别", "行业代码", "适用区域", "生效日期", "说明")
    assert all(isinstance(v, str) for row in rows for v in row if v is not None)
    assert "06" in {row[2] for row in rows}  # leading zero kept
    postings = pl.read_parquet_schema(out / "job_postings.parquet")
    assert set(postings.values()) == {TEXT}


def test_majors_catalog(tables) -> None:
    majors = tables["majors"]
    assert majors["major_code"].is_unique().all()
    assert majors["major_code"].str.contains(r"^\d{6}K?$").all()
    first = majors["major_code"].str.slice(0, 1)
    expected = majors["level"].replace_strict({"职业本科": "23", "高职专科": "45", "中职": "67"})
    assert all(f in e for f, e in zip(first, expected, strict=True))
    assert majors["level"].value_counts().height == 3
    assert majors.filter(pl.col("major_code").str.ends_with("K")).height >= 3
    assert 0.8 < majors["职业面向"].is_not_null().mean() < 1.0
    assert majors["专业大类"].n_unique() >= 19


def test_industries_are_complete_and_linked(tables) -> None:
    ind = tables["industries"]
    assert ind["industry_code"].is_unique().all()
    by_len = ind.group_by(pl.col("industry_code").str.len_chars().alias("n")).len()
    counts = dict(zip(by_len["n"], by_len["len"], strict=True))
    assert counts[1] == 20 and counts[2] == 97 and counts[3] >= 40 and counts[4] >= 60
    codes = set(ind["industry_code"])
    divisions = ind.filter(pl.col("industry_code").str.len_chars() == 2)
    assert set(divisions["parent_code"]) == set("ABCDEFGHIJKLMNOPQRST")
    deeper = ind.filter(pl.col("industry_code").str.len_chars() > 2)
    assert all(c[:-1] in codes or c[:2] in codes for c in deeper["industry_code"])
    assert {"3110", "3973", "8514", "51", "59", "65"} <= codes


def test_maps_resolve(tables) -> None:
    majors = set(tables["majors"]["major_code"])
    mim = tables["major_industry_map"]
    assert set(mim["major_code"]) <= majors
    assert set(mim["industry_code"]) <= set(tables["industries"]["industry_code"])
    weights = mim["weight"].drop_nulls().cast(pl.Float64)
    assert (weights > 0).all() and mim["weight"].null_count() > 0
    per_major = mim.group_by("major_code").len()["len"]
    assert per_major.min() >= 1 and per_major.max() <= 4
    assert set(mim["industry_code"].str.len_chars()) >= {2, 3, 4}
    assert 0.07 <= 1 - mim["major_code"].n_unique() / len(majors) <= 0.13
    mom = tables["major_occupation_map"]
    assert set(mom["occupation_code"]) <= set(tables["occupations"]["occupation_code"])
    assert mom["occupation_code"].str.contains(r"^\d-\d{2}-\d{2}-\d{2}$").all()
    assert mom["major_code"].n_unique() > 0.8 * len(majors)


def test_adjustment_lists(tables) -> None:
    adj = tables["adjustments"]
    assert set(adj["category"]) == CATEGORIES
    assert set(adj["industry_code"]) <= set(tables["industries"]["industry_code"])
    assert set(adj["scope"]) - {"全市"} & DISTRICTS and set(adj["scope"]) - {"全市"} & ZONES
    assert set(adj["scope"]) <= DISTRICTS | ZONES | {"全市"}
    forms = {re.sub(r"\d", "9", v) for v in adj["effective_from"]}
    assert forms == {"9999-99-99", "9999-99", "9999"}
    pairs = set(zip(adj["industry_code"], adj["category"], strict=True))
    assert ("39", "调整转型") in pairs and ("3973", "高精尖") in pairs
    assert set(adj["industry_code"].str.len_chars()) == {2, 3, 4}


def test_schools_and_offerings(tables) -> None:
    schools, sm = tables["schools"], tables["school_majors"]
    assert schools["school_code"].is_unique().all() and schools["school_code"].str.contains(r"^\d{10}$").all()
    assert set(schools["district"]) == DISTRICTS and set(schools["level"]) == {"中职", "高职"}
    assert sm.select("school_code", "major_code", "year").is_unique().all()
    assert set(sm["year"]) == set(range(2018, 2026))  # eight years: enough history for the back-test
    assert set(sm["school_code"]) <= set(schools["school_code"])
    assert set(sm["major_code"]) <= set(tables["majors"]["major_code"])
    assert sm.filter((pl.col("employed_in_field") < 0) | (pl.col("employed_in_field") > pl.col("employed"))
                     | (pl.col("employed") > pl.col("graduates")) | (pl.col("enrolled") < 0)).height == 0
    levels = sm.join(schools, on="school_code").join(tables["majors"], on="major_code", suffix="_major")
    assert levels.filter((pl.col("level") == "中职") != (pl.col("level_major") == "中职")).height == 0
    per_school = sm.filter(pl.col("year") == 2025).group_by("school_code").len()["len"]
    assert per_school.min() >= 8 and per_school.max() <= 25


def test_labor_market_series(tables) -> None:
    lm = tables["labor_market"]
    assert (lm["industry_code"].is_null() ^ lm["occupation_code"].is_null()).all()
    assert set(lm["industry_code"].drop_nulls()) <= set(tables["industries"]["industry_code"])
    assert set(lm["occupation_code"].drop_nulls()) <= set(tables["occupations"]["occupation_code"])
    assert set(lm["industry_code"].drop_nulls().str.len_chars()) == {2, 3}
    assert lm["period"].str.contains(r"^20\d{2}-Q[1-4]$").all() and lm["period"].n_unique() == 20
    assert (lm["demand"] >= 0).all() and (lm["supply"] >= 0).all() and set(lm["region"]) == {"北京市"}
    quarter = lm.group_by(pl.col("period").str.slice(5)).agg(pl.col("demand").sum()).sort("period")["demand"]
    assert quarter[0] < quarter[1] < quarter[2] and quarter[3] < quarter[2]


def test_partner_region_rows(tables) -> None:
    """津冀 rows (issue 28): logistics (59) in 天津市 and 河北省廊坊市, wholesale (51) in 河北省保定市, steel (31)
    nowhere; the same periods as Beijing's, demand above supply."""
    away = tables["partner_regions"]
    by_region = {r: set(g["industry_code"]) for (r,), g in away.group_by("region")}
    assert by_region == {"天津市": {"592", "591"}, "河北省廊坊市": {"592", "543"}, "河北省保定市": {"511", "512"}}
    assert set(away["period"]) == set(tables["labor_market"]["period"])
    assert (away["demand"] > away["supply"]).all() and away["occupation_code"].is_null().all()
    assert not away["industry_code"].str.starts_with("31").any()


def test_earlier_postings_shift_wording(tables) -> None:
    """2023/2024 postings (issue 28) of the transforming domains use each domain's last two keywords less often
    than the 2025 postings do."""
    from sample_data.postings import earlier_count
    from sample_data.vocab_domains import DOMAINS

    early = tables["earlier_postings"]
    assert early.height == earlier_count(20000) == 2000 and set(early["posted_on"].str.slice(0, 4)) == {"2023", "2024"}
    machining = DOMAINS["machining"]
    new = "|".join(machining.keywords[-2:])
    codes = [c for c, _ in machining.industries]

    def share(frame: pl.DataFrame) -> float:
        rows = frame.filter(pl.col("industry_code").is_in(codes) & pl.col("description").is_not_null())
        return rows["description"].str.contains(new).mean()

    by_year = [share(early.filter(pl.col("posted_on").str.starts_with(y))) for y in ("2023", "2024")]
    assert by_year[0] < by_year[1] < share(tables["job_postings"])


def test_trend_model_beats_seasonal_naive(tables) -> None:
    lm = tables["labor_market"].filter(pl.col("industry_code").is_not_null()).sort("industry_code", "period")
    wins = total = 0
    for _, series in lm.group_by("industry_code"):
        y = np.log(series["demand"].to_numpy().astype(float))
        t = np.arange(len(y))
        x = np.column_stack([t, *(t % 4 == q for q in range(4))]).astype(float)
        coef, *_ = np.linalg.lstsq(x[:16], y[:16], rcond=None)
        trend_err = np.abs(np.exp(x[16:] @ coef) - np.exp(y[16:])).mean()
        naive_err = np.abs(np.exp(y[12:16]) - np.exp(y[16:])).mean()
        total += 1
        wins += trend_err < naive_err
    assert wins / total > 0.6


def test_job_postings(tables) -> None:
    jp = tables["job_postings"]
    assert jp["posting_id"].is_unique().all() and jp["title"].str.len_chars().min() > 0
    assert jp["posted_on"].str.starts_with("2025-").all()
    assert 0.66 < jp["industry_code"].is_not_null().mean() < 0.74
    known = set(tables["industries"]["industry_code"])
    unknown = jp.filter(pl.col("industry_code").is_not_null() & ~pl.col("industry_code").is_in(known))
    money = jp.with_columns(pl.col("salary_min", "salary_max", "openings").cast(pl.Int64))
    swapped = money.filter(pl.col("salary_min") > pl.col("salary_max"))
    zero = money.filter(pl.col("openings") < 1)
    assert unknown.height >= 1 and swapped.height >= 1 and zero.height >= 1
    assert unknown.height + swapped.height + zero.height <= 0.002 * jp.height
    ic = jp.filter(pl.col("industry_code") == "3973")
    ic_words = ic["description"].drop_nulls().str.contains("芯片|晶圆|集成电路|封装|光刻")
    assert ic.height > 20 and ic_words.mean() > 0.8


def _category_of(adjustments: pl.DataFrame) -> dict[str, set[str]]:
    city = adjustments.filter(pl.col("scope") == "全市")
    found: dict[str, set[str]] = {}
    for code, category in zip(city["industry_code"], city["category"], strict=True):
        found.setdefault(code, set()).add(category)
    return found


def _effective(code: str, listed: dict[str, set[str]]) -> set[str]:
    """Categories of the most specific listed code covering `code` (most specific wins)."""
    for prefix in (code, code[:3], code[:2]):
        if prefix in listed:
            return listed[prefix]
    return set()


@pytest.fixture(scope="module")
def signals(tables) -> pl.DataFrame:
    """Per mapped major: categories of its industries, city employment rates, demand/supply ratios."""
    listed = _category_of(tables["adjustments"])
    lm = tables["labor_market"].filter(pl.col("industry_code").is_not_null())
    yearly = lm.group_by("industry_code", year=pl.col("period").str.slice(0, 4)).agg(
        pl.col("demand").sum(), pl.col("supply").sum())
    mim = tables["major_industry_map"].with_columns(
        series=pl.when(pl.col("industry_code").str.len_chars() == 4)
        .then(pl.col("industry_code").str.slice(0, 3)).otherwise(pl.col("industry_code")))
    mim = mim.with_columns(cats=pl.col("industry_code").map_elements(
        lambda c: sorted(_effective(c, listed)), return_dtype=pl.List(pl.String)))
    ratio = mim.join(yearly, left_on="series", right_on="industry_code").group_by("major_code").agg(
        r2021=pl.col("demand").filter(pl.col("year") == "2021").sum()
        / pl.col("supply").filter(pl.col("year") == "2021").sum(),
        r2025=pl.col("demand").filter(pl.col("year") == "2025").sum()
        / pl.col("supply").filter(pl.col("year") == "2025").sum())
    sm = tables["school_majors"]
    rates = sm.group_by("major_code").agg(
        **{f"e{y}": pl.col("employed").filter(pl.col("year") == y).sum()
           / pl.col("graduates").filter(pl.col("year") == y).sum() for y in (2024, 2025)},
        schools=pl.col("school_code").n_unique())
    cats = mim.group_by("major_code").agg(
        only_prohibited=pl.col("cats").list.contains("禁止").all(),
        all_high_end=pl.col("cats").list.contains("高精尖").all(),
        urban=pl.col("cats").list.contains("城市服务紧缺").any())
    return cats.join(ratio, on="major_code").join(rates, on="major_code", how="left")


def test_prohibited_majors_fail_the_60_percent_rule(signals) -> None:
    hits = signals.filter("only_prohibited", pl.col("e2024") < 0.6, pl.col("e2025") < 0.6)
    assert hits.height >= 5
    assert set(SIGNAL_MAJORS["prohibited_low_employment"]) <= set(hits["major_code"])
    assert (hits["r2025"] < 1).all()


def test_high_end_and_urban_service_majors_are_in_demand(signals) -> None:
    high = signals.filter("all_high_end", pl.col("r2025") > 2, pl.col("r2025") > pl.col("r2021"))
    assert set(SIGNAL_MAJORS["high_end_ratio_above_2"]) <= set(high["major_code"])
    urban = signals.filter(pl.col("major_code").is_in(SIGNAL_MAJORS["urban_service_shortage"]))
    assert urban.height == 4 and urban["urban"].all() and (urban["r2025"] > 2).all()


def test_other_planted_signals(tables, signals) -> None:
    late = signals.filter(pl.col("major_code").is_in(SIGNAL_MAJORS["employment_low_latest_year_only"]))
    assert late.height == 2 and (late["e2024"] >= 0.6).all() and (late["e2025"] < 0.6).all()
    crowded = signals.filter(pl.col("major_code").is_in(SIGNAL_MAJORS["many_schools_falling_demand"]))
    assert (crowded["r2025"] < crowded["r2021"]).all()
    assert crowded.height == 5 and crowded["schools"].min() >= 2.5 * signals["schools"].drop_nulls().median()
    sm = tables["school_majors"].filter(pl.col("year") >= 2023)
    offerings = sm.group_by("school_code", "major_code").agg(zero=(pl.col("enrolled") == 0).all())
    stopped = offerings.filter("zero")
    assert 10 <= stopped.height <= 0.06 * sm.select("school_code", "major_code").n_unique()


def test_scale_two_doubles_schools_and_postings(inbox, tmp_path: Path) -> None:
    out, counts = inbox
    doubled = write_sample_inbox(tmp_path / "x2", scale=2, postings_per_scale=5000)
    assert doubled["schools"] == 2 * counts["schools"] and doubled["job_postings"] == 10000
    assert 1.7 < doubled["school_majors"] / counts["school_majors"] < 2.3
    assert doubled["labor_market"] == 2 * counts["labor_market"]
    assert (tmp_path / "x2" / "majors.csv").read_bytes() == (out / "majors.csv").read_bytes()
    periods = _csv(tmp_path / "x2" / "labor_market.csv")["period"]
    assert periods.min() == "2016-Q1" and periods.max() == "2025-Q4"


def test_cli_prints_chinese_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path / "cli"), "--seed", "3"]) == 0
    printed = capsys.readouterr().out
    assert "已生成样例收件箱" in printed and "招聘信息：20,000 行" in printed
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "bad"), "--scale", "0"])


def test_planted_tiny_cohort_is_insufficient_evidence(tables) -> None:
    from sample_data.outcomes import TINY_COHORT, tiny_cohort_major
    from scoring.policy import load_policy
    from scoring.risk import score_majors
    from scoring.signals import market_signals

    sm = tables["school_majors"]
    code = tiny_cohort_major(sm)
    rows = sm.filter(pl.col("major_code") == code)
    assert rows["school_code"].n_unique() == 1 and set(rows["graduates"]) == {TINY_COHORT["graduates"]}
    majors = pl.DataFrame({"major_code": [code]})
    empty_map = pl.DataFrame(schema={"major_code": pl.String, "industry_code": pl.String, "weight": pl.Float64})
    labor = pl.DataFrame(schema={"period": pl.String, "year": pl.Int32, "quarter": pl.Int32, "industry_code": pl.String,
                                 "occupation_code": pl.String, "demand": pl.Int64, "supply": pl.Int64})
    signals = market_signals(majors, empty_map, None, labor, rows.with_columns(pl.col("year").cast(pl.Int32)))
    r = score_majors(majors, pl.DataFrame({"major_code": [code]}), signals, load_policy()).to_dicts()[0]
    assert r["employment_evidence"] == "insufficient" and r["warning_level"] != "红" and r["restriction"] is None
    assert "毕业生共 8 人（2025年 4 人）" in r["reasons"]


def test_postings_written_in_batches_are_deterministic_and_whole(tmp_path: Path) -> None:
    """Postings are generated and written batch by batch (one row group each): the batch number is part
    of the seed, so the same count, seed and batch size give identical bytes, ids run on across batches
    and every batch carries its own planted bad rows."""
    import pyarrow.parquet as pq

    from sample_data.postings import UNKNOWN_INDUSTRY, job_postings_batches
    from sample_data.writers import write_text_parquet_batches

    paths = [tmp_path / f"p{i}.parquet" for i in range(2)]
    for path in paths:
        assert write_text_parquet_batches(job_postings_batches(2500, 5, batch=1000), path) == 2500
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert pq.ParquetFile(paths[0]).metadata.num_row_groups == 3
    frame = pl.read_parquet(paths[0])
    expected = [f"BJ25{i:08d}" for i in range(1, 2501)]
    assert frame["posting_id"].to_list() == expected
    batches = frame.with_columns(batch=pl.int_range(0, 2500) // 1000)
    bad = batches.filter(
        (pl.col("salary_min").cast(pl.Int64) > pl.col("salary_max").cast(pl.Int64))
        | (pl.col("industry_code") == UNKNOWN_INDUSTRY) | (pl.col("openings") == "0"))
    assert sorted(bad["batch"].unique().to_list()) == [0, 1, 2]
    # a file of one batch is what the single-batch generator always wrote (small inboxes are unchanged)
    single = pl.concat(list(job_postings_batches(2500, 5, batch=2500)))
    assert single.height == 2500 and not single.equals(frame.drop("batch", strict=False))


def test_postings_option_sets_the_count(tmp_path: Path) -> None:
    counts = write_sample_inbox(tmp_path / "p", postings=1234)
    assert counts["job_postings"] == pl.scan_parquet(tmp_path / "p" / "job_postings.parquet").select(
        pl.len()).collect().item() == 1234
    with pytest.raises(ValueError):
        write_sample_inbox(tmp_path / "q", postings=0)
