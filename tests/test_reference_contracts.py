"""The real public reference files go through the same readers AND the same contracts as an inbox."""

from __future__ import annotations

import polars as pl
import pytest

from data_contracts.engine import run_contract
from data_contracts.spec import load_contracts
from inbox.readers import read_input
from tests.conftest import require_reference
from warehouse.db import connect, query_frame, replace_table

pytestmark = pytest.mark.integration
CONTRACTS = load_contracts()


def stage(con, name: str, *paths) -> tuple:
    frames = [read_input(p, CONTRACTS[name]).frame for p in paths]
    frame = frames[0]
    for extra in frames[1:]:  # a second file continues the row numbering of the first
        frame = pl.concat([frame, extra.with_columns(pl.col("_row") + frame["_row"].max())], how="diagonal")
    replace_table(con, f"stg_{name}", frame)
    return run_contract(con, CONTRACTS[name], f"stg_{name}", paths[0].name, "ref")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("ref") / "w.duckdb")
    yield c
    c.close()


def test_catalog_and_industry_tree_pass_their_contracts(con):
    catalog = require_reference("vocational-major-catalog")
    outcome = stage(con, "majors", catalog / "vocational_majors.csv", catalog / "vocational_majors_k_supplement.csv")
    assert outcome.passed and outcome.rows_clean == 1490, outcome.message()
    levels = dict(query_frame(con, "SELECT level, count(*) AS n FROM majors GROUP BY level").iter_rows())
    assert set(levels) == {"中职", "高职专科", "职业本科"}          # 职教本科 normalised
    assert query_frame(con, "SELECT count(*) AS n FROM majors WHERE major_code LIKE '%K'")["n"][0] == 47
    tree = stage(con, "industries", require_reference("gbt4754", "gbt4754_2017.csv"))
    assert tree.passed and tree.rows_clean == 1971, tree.message()
    levels = dict(query_frame(con, "SELECT industry_level, count(*) FROM industries GROUP BY 1").iter_rows())
    assert levels == {"门类": 20, "大类": 97, "中类": 473, "小类": 1381}
    assert query_frame(con, "SELECT section FROM industries WHERE industry_code = '0111'")["section"][0] == "A"


def test_correspondence_references_resolve_against_the_real_catalog(con):
    stage(con, "occupations", require_reference("occupation-classification-2022", "occupations_2022_classes1-6.csv"))
    outcome = stage(con, "major_occupation_map",
                    require_reference("major-occupation-mapping", "major_occupation_gaozhi_zhuanke.csv"))
    # the SOURCE.md says 9 occupation codes are missing from the OCR'd classification: those rows are
    # rejected by reference with a reason, every other row passes
    unknown = query_frame(con, "SELECT DISTINCT \"value\" FROM rejected_rows WHERE input = 'major_occupation_map' "
                               "AND rule = 'occupation_code.reference'")
    assert 0 < unknown.height <= 9
    assert outcome.rows_clean + outcome.rows_rejected == outcome.rows_in == 3251
    assert set(outcome.by_rule) == {"occupation_code.reference"}


def test_51job_postings_mapped_or_rejected_row_by_row(con):
    outcome = stage(con, "job_postings", require_reference("job-postings-51job-2019-sample", "51job_raw_gb18030.csv"))
    assert outcome.rows_in == 4950
    rejected = query_frame(con, "SELECT \"row\", rule, reason FROM rejected_rows WHERE input = 'job_postings'")
    assert rejected["row"].n_unique() == outcome.rows_rejected > 0
    assert set(rejected["rule"]) <= {"source_problem", "title.required", "salary_min_le_max"}
    assert all(r for r in rejected["reason"])
    clean = query_frame(con, "SELECT count(*) AS n, count(salary_min) AS s, count(posted_on) AS d FROM job_postings")
    assert clean["n"][0] == 4950 - outcome.rows_rejected and clean["s"][0] > 4000 and clean["d"][0] > 4000
