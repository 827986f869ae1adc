"""Score: what the verdicts would be under each example policy (scoring/policies/*.yaml), for the commission."""

import dagster as dg
import polars as pl

from assets.charts import preview_md
from assets.resources import PolicyFile
from assets.score.majors import SCORE
from scoring.whatif import example_policies
from scoring.whatif import policy_comparisons as compare_policies


@dg.asset(**SCORE)
def policy_comparisons(context: dg.AssetExecutionContext, policy: PolicyFile, majors: pl.DataFrame,
                       major_industry_exposure: pl.DataFrame, major_market_signals: pl.DataFrame) -> pl.DataFrame:
    """政策比较（仅供市教委，不公开）：用 scoring/policies/ 中的每份示例政策（如四川、福建）对同一批输入重新评分，列出与现行政策相比预警等级、指导类别或限制发生变动的专业及原因。"""
    examples = example_policies()
    moved = compare_policies(majors, major_industry_exposure, major_market_signals, policy.load(), examples)
    per_policy = moved.group_by("policy", "policy_title").len("moved_majors").sort("policy")
    context.add_output_metadata({
        "policies_compared": ", ".join(name for name, _ in examples) or "（无）",
        "moved_by_policy": dg.MetadataValue.md(preview_md(per_policy) if per_policy.height else "_无变动_"),
    })
    return moved
