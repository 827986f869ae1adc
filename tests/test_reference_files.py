"""The real public reference files load through the readers and sources.yaml, read in place.

Figures asserted here were counted in the files themselves (see each folder's SOURCE.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from data_contracts.spec import load_contracts
from inbox.readers import read_input

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"
pytestmark = pytest.mark.integration

if not REFERENCE.is_dir():
    pytest.skip(
        f"REFERENCE DATA MISSING: {REFERENCE} does not exist, the real-file tests did not run",
        allow_module_level=True,
    )

CONTRACTS = load_contracts()
CATALOG = REFERENCE / "vocational-major-catalog"
JOBS = REFERENCE / "job-postings-51job-2019-sample"
MAJOR_CODE = re.compile(r"^[2-7][0-9]{5}K?$")


def test_major_catalog_and_k_supplement_give_1490_text_codes():
    main = read_input(CATALOG / "vocational_majors.csv", CONTRACTS["majors"])
    supplement = read_input(CATALOG / "vocational_majors_k_supplement.csv", CONTRACTS["majors"])
    assert (main.frame.height, supplement.frame.height) == (1443, 47)
    assert main.encoding == "utf-8" and main.source is None
    assert main.unmapped == ["专业大类代码", "专业类代码", "备注"]
    majors = pl.concat([main.frame, supplement.frame])
    codes = majors.get_column("major_code")
    assert codes.n_unique() == 1490
    assert "520101K" in codes.to_list() and all(MAJOR_CODE.match(c) for c in codes)
    assert set(majors.get_column("level")) == {"中职", "高职专科", "职教本科"}
    assert majors.get_column("category_name").null_count() == 0


def test_major_catalog_xlsx_gives_the_same_codes_as_text():
    xlsx = read_input(CATALOG / "职业教育专业目录.xlsx", CONTRACTS["majors"])
    csv = read_input(CATALOG / "vocational_majors.csv", CONTRACTS["majors"])
    assert xlsx.format == "xlsx" and xlsx.frame.height == 1443
    assert xlsx.frame.get_column("major_code").to_list() == csv.frame.get_column("major_code").to_list()
    assert_frame_equal(xlsx.frame, csv.frame)


def test_gbt4754_2017_industries_keep_leading_zeros():
    result = read_input(REFERENCE / "gbt4754" / "gbt4754_2017.csv", CONTRACTS["industries"])
    assert result.source == "gbt4754-2017"
    assert result.header_map == {"code": "industry_code", "name": "industry_name", "parent": "parent_code"}
    codes = result.frame.get_column("industry_code")
    assert result.frame.height == 1971 and codes.n_unique() == 1971
    assert {"A", "01", "011", "0111"} <= set(codes.to_list())
    by_length = codes.str.len_chars().value_counts().sort("industry_code")
    assert by_length.get_column("count").to_list() == [20, 97, 473, 1381]
    parents = dict(zip(codes, result.frame.get_column("parent_code"), strict=True))
    assert (parents["01"], parents["011"], parents["0111"]) == ("A", "01", "011")


def test_occupations_2022():
    result = read_input(
        REFERENCE / "occupation-classification-2022" / "occupations_2022_classes1-6.csv",
        CONTRACTS["occupations"],
    )
    assert result.source == "occupations-2022" and result.frame.height == 2108
    assert result.frame.get_column("occupation_code").n_unique() == 2108
    assert result.frame.filter(pl.col("occupation_code") == "1-01").get_column("occupation_name").item() == (
        "中国共产党机关负责人"
    )


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("major_occupation_zhongzhi.csv", 1167),
        ("major_occupation_gaozhi_zhuanke.csv", 3251),
        ("major_occupation_zhijiao_benke.csv", 1132),
        ("major_occupation_putong_benke.csv", 914),
    ],
)
def test_major_occupation_maps(name, rows):
    result = read_input(REFERENCE / "major-occupation-mapping" / name, CONTRACTS["major_occupation_map"])
    assert result.frame.height == rows
    assert result.header_map == {"专业代码": "major_code", "职业编码": "occupation_code"}
    occupation = result.frame.get_column("occupation_code")
    assert occupation.str.contains(r"^\d-\d{2}-\d{2}-\d{2}$").all()


def test_51job_gb18030_sample_is_detected_realigned_and_equals_its_utf8_twin():
    raw = read_input(JOBS / "51job_raw_gb18030.csv", CONTRACTS["job_postings"])
    twin = read_input(JOBS / "51job_utf8.csv", CONTRACTS["job_postings"])
    assert (raw.encoding, twin.encoding) == ("gb18030", "utf-8")
    assert raw.source == twin.source == "51job"
    assert_frame_equal(raw.frame, twin.frame)
    f = raw.frame
    assert f.height == 4950
    assert raw.realigned == 699
    problems = f.get_column("_problem")
    assert problems.null_count() == 4950 - 28
    assert set(problems.drop_nulls()) == {"该行所有单元格均为空"}
    # after realignment no education value sits under 工作经验 and no experience under 学历
    assert not f.get_column("工作经验").is_in(["本科", "大专", "硕士", "高中", "中专", "博士"]).any()
    assert not f.get_column("学历").str.contains("经验").any()
    assert f.get_column("posting_id").n_unique() == 4950
    first = f.row(0, named=True)
    assert (first["title"], first["salary_min"], first["salary_max"]) == (
        "IT培训咨询顾问    人工智能大数据区块链",
        "10000",
        "15000",
    )
    assert (first["openings"], first["posted_on"], first["district"]) == ("2", "2019-09-13", "上海-浦东新区")
    assert first["company_industry"] == "教育/培训/院校 计算机软件"
    # the file already has full dates (not 「09-12发布」): 2019-07-15 … 2019-09-14, measured
    posted = f.get_column("posted_on").drop_nulls()
    assert posted.len() == 4922 and (posted.min(), posted.max()) == ("2019-07-15", "2019-09-14")
    assert f.get_column("description").null_count() == 4950 - 969
    parsed = f.filter(
        pl.col("薪资").is_not_null() & pl.col("salary_min").is_null() & pl.col("salary_max").is_null()
    )
    assert parsed.height == 0  # every salary text in the sample has a shape the parser knows
