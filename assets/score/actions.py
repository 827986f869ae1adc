"""Score: the edition's action plan (专业调整行动清单) and backbone candidates (thin wrappers over scoring/)."""

import dagster as dg
import polars as pl

from assets.charts import bar_chart_md, preview_md, value_counts
from assets.partitions import EDITIONS
from assets.resources import PolicyFile, Warehouse
from assets.score.majors import SCORE
from scoring.actions import ActionInputs
from scoring.actions import action_plan as build_plan
from scoring.actions_text import ACTIONS
from scoring.backbone import backbone_candidates as rank_backbone
from scoring.edition import EditionFacts
from scoring.revisions import follow_current_codes, major_revisions
from warehouse.db import WRITER_POOL
from warehouse.posting_terms import DISTRICTS_EMPTY, POSTING_DISTRICTS_SQL, POSTING_TERMS_SQL, TERMS_EMPTY
from warehouse.table import WarehouseTable

HISTORY = ("school_code", "major_code", "year", "enrolled", "graduates", "employed", "employed_in_field",
           "starting_salary")
POSTINGS = {"group_name": "score", "kinds": {"duckdb"}, "pool": WRITER_POOL, "owners": ["team:data"],
            "partitions_def": EDITIONS,
            "deps": ["job_postings", "posting_industry_proposals"]}


@dg.asset(**POSTINGS)
def posting_terms(context: dg.AssetExecutionContext, warehouse: Warehouse) -> pl.DataFrame:
    """招聘用语：各年各行业招聘描述中出现的技能用语及其招聘条数（改造升级方向的依据）。"""
    frame = warehouse.query(context, POSTING_TERMS_SQL)
    return frame if frame.height else pl.DataFrame(schema=TERMS_EMPTY)


@dg.asset(**POSTINGS)
def posting_districts(context: dg.AssetExecutionContext, warehouse: Warehouse) -> pl.DataFrame:
    """招聘的区域分布：最近一年各区各行业的招聘人数（适宜开设学校的依据）。"""
    frame = warehouse.query(context, POSTING_DISTRICTS_SQL)
    return frame if frame.height else pl.DataFrame(schema=DISTRICTS_EMPTY)


def _history(school_majors: WarehouseTable, majors: pl.DataFrame, code_changes: pl.DataFrame) -> pl.DataFrame:
    """Every offering-year, an earlier code's rows counted for the current major (scoring.revisions)."""
    present = set(school_majors.columns)
    frame = school_majors.read([c for c in HISTORY if c in present])
    frame = follow_current_codes(frame, major_revisions(majors, code_changes))
    return frame.with_columns([pl.lit(None, pl.Float64).alias(c) for c in HISTORY if c not in present])


@dg.asset(**SCORE)
def action_plan(context: dg.AssetExecutionContext, policy: PolicyFile, majors: pl.DataFrame,
                     schools: pl.DataFrame, major_risk_scores: pl.DataFrame, school_major_scores: pl.DataFrame,
                     school_majors: WarehouseTable, major_industry_map: pl.DataFrame,
                     major_occupation_map: pl.DataFrame, occupations: pl.DataFrame, labor_market: pl.DataFrame,
                     industry_adjustments: pl.DataFrame, industries: pl.DataFrame, posting_terms: pl.DataFrame,
                     posting_districts: pl.DataFrame, edition_facts: pl.DataFrame,
                     code_changes: pl.DataFrame) -> pl.DataFrame:
    """专业调整行动清单：每个需调整的专业点（撤并、限制招生、撤销、改造升级、合作办学）一行，每个全市性措施一行，含在校生、末届毕业年份、可承接专业、改造方向、合作地区、适宜开设学校、缺口类型与依据。"""
    history = _history(school_majors, majors, code_changes)
    inputs = ActionInputs(majors, schools, major_risk_scores, school_major_scores, history, major_industry_map,
                          major_occupation_map, labor_market, industry_adjustments, industries, posting_terms,
                          posting_districts, occupations if occupations.height else None)
    plan = build_plan(inputs, policy.load(), EditionFacts.from_frame(edition_facts).as_of)
    context.add_output_metadata({
        "action": dg.MetadataValue.md(bar_chart_md("调整措施", value_counts(plan, "action", list(ACTIONS)))),
        "shortage_kind": dg.MetadataValue.md(bar_chart_md("缺口类型", value_counts(plan, "shortage_kind"))),
        "preview": dg.MetadataValue.md(preview_md(plan.select("school_name", "major_name", "action", "evidence"))),
    })
    return plan


@dg.asset(**SCORE)
def backbone_candidates(context: dg.AssetExecutionContext, policy: PolicyFile, major_risk_scores: pl.DataFrame,
                        school_major_scores: pl.DataFrame, school_majors: WarehouseTable, majors: pl.DataFrame,
                        code_changes: pl.DataFrame) -> pl.DataFrame:
    """骨干专业推荐名单：按产业契合、毕业去向、对口就业、需求、招生稳定与起薪排序的约 100 个专业点，各部分得分单列。"""
    ranked = rank_backbone(school_major_scores, major_risk_scores, _history(school_majors, majors, code_changes),
                            policy.load())
    context.add_output_metadata({"listed": ranked.height, "preview": dg.MetadataValue.md(
        preview_md(ranked.select("rank", "school_name", "major_name", "total")))})
    return ranked
