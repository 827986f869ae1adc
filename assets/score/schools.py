"""Score: every school offering with the major's verdict and the school's own figures.

school_majors arrives as a lazy warehouse table (millions of offering-years nationally): its data years are
read a few columns at a time, then the offerings are scored a group of schools at a time (every figure but
the data years is the school's own), so the step never holds the whole table nor a Python row per offering."""

import dagster as dg
import polars as pl

from assets.charts import PALETTE, bar_chart_md, preview_md, value_counts
from assets.resources import PolicyFile
from assets.score.majors import SCORE
from assets.score.offerings import by_school_groups
from scoring.catalog import school_major_scores as build_school_scores
from scoring.edition import EditionFacts
from scoring.overrides import apply_offering_overrides
from scoring.palette import WARNING_ORDER
from scoring.revisions import follow_current_codes, major_revisions, schools_in_year
from warehouse.table import WarehouseTable


@dg.asset(**SCORE)
def school_major_scores(context: dg.AssetExecutionContext, policy: PolicyFile, schools: pl.DataFrame,
                        majors: pl.DataFrame, school_majors: WarehouseTable,
                        major_risk_scores: pl.DataFrame, overrides: pl.DataFrame,
                        edition_facts: pl.DataFrame, code_changes: pl.DataFrame,
                        school_districts: pl.DataFrame) -> pl.DataFrame:
    """各学校每个专业点的风险分值、预警等级、指导类别，以及本校与全市的招生、就业对比（含市教委对专业点的复核调整；所在区为数据年份的所在区）。"""
    rules = policy.load()
    revisions = major_revisions(majors, code_changes)
    scores, _ = by_school_groups(school_majors, lambda rows, years: build_school_scores(
        schools_in_year(schools, school_districts, years[0]), majors, follow_current_codes(rows, revisions),
        major_risk_scores, rules, years))
    scores = apply_offering_overrides(scores, overrides if overrides.height else None, EditionFacts.from_frame(edition_facts).as_of)
    flagged = scores.filter(pl.col("school_flags") != "") if scores.height else scores
    context.add_output_metadata({
        "schools": scores["school_code"].n_unique() if scores.height else 0,
        "flagged_offerings": flagged.height,
        "warning_level": dg.MetadataValue.md(
            bar_chart_md("专业点预警等级", value_counts(scores, "warning_level", WARNING_ORDER), PALETTE)),
        "flagged_preview": dg.MetadataValue.md(preview_md(
            flagged.select("school_name", "district", "major_name", "school_flags") if flagged.height else flagged)),
    })
    return scores
