"""Score: every school offering with the major's verdict and the school's own figures."""


import dagster as dg

from assets.charts import PALETTE, bar_chart_md, preview_md, value_counts
from assets.score.majors import WARNING_ORDER, major_risk_scores
from pipelines.resources import PolicyFile
from scoring.catalog import school_major_scores as build_school_scores
from warehouse.db import WRITER_POOL, Warehouse, replace_table


@dg.asset(
    group_name="score", kinds={"duckdb", "polars"}, pool=WRITER_POOL,
    deps=["schools", "majors", "school_majors", major_risk_scores],
)
def school_major_scores(warehouse: Warehouse, policy: PolicyFile) -> dg.MaterializeResult:
    """各学校每个专业点的风险分值、预警等级、指导类别，以及本校与全市的招生、就业对比。"""
    f = warehouse.read("schools", "majors", "school_majors", "major_risk_scores")
    scores = build_school_scores(f["schools"], f["majors"], f["school_majors"], f["major_risk_scores"],
                                 policy.load())
    with warehouse.writer() as con:
        replace_table(con, "school_major_scores", scores)
    flagged = scores.filter(scores["school_flags"] != "") if scores.height else scores
    return dg.MaterializeResult(metadata={
        "dagster/row_count": scores.height,
        "schools": scores["school_code"].n_unique() if scores.height else 0,
        "flagged_offerings": flagged.height,
        "warning_level": dg.MetadataValue.md(
            bar_chart_md("专业点预警等级", value_counts(scores, "warning_level", WARNING_ORDER), PALETTE)),
        "flagged_preview": dg.MetadataValue.md(preview_md(
            flagged.select("school_name", "district", "major_name", "school_flags") if flagged.height else flagged)),
    })
