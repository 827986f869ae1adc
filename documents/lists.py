"""The three lists provinces publish, cut from the same verdicts as the catalog."""

from __future__ import annotations

import polars as pl

# file stem → (Chinese title, download name part, which guidance values or restrictions it holds)
PROVINCE_LISTS = {
    "encouraged_list": ("急需紧缺（鼓励发展）专业目录", "急需紧缺专业目录", ("优先发展", "重点建设")),
    "upgrade_list": ("改造升级专业目录", "改造升级专业目录", ("改造升级",)),
    "restricted_list": ("限制/撤销专业目录", "限制撤销专业目录", ("停止新设", "限制招生")),
}
LIST_HEADERS = {"major_code": "专业代码", "major_name": "专业名称", "level": "层次", "category_name": "专业大类",
                "guidance": "指导类别", "measure": "措施", "scope": "适用区域", "reasons": "依据"}
MEASURES = {"优先发展": "优先发展，支持新设和扩大招生", "重点建设": "重点建设，支持提升办学条件",
            "改造升级": "对接产业转型，更新课程与实训内容", "停止新设": "不再新设专业点", "限制招生": "缩减招生规模"}


def province_lists(catalog: pl.DataFrame, restrictions: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """encouraged_list, upgrade_list, restricted_list: the same columns, sorted by code (and scope)."""
    out = {}
    for stem, (_, _, values) in PROVINCE_LISTS.items():
        if stem == "restricted_list":
            df = restrictions.filter(pl.col("restriction").is_in(values)).join(
                catalog.select("major_code", "category_name", "guidance"), on="major_code", how="left").with_columns(
                measure=pl.col("restriction"))
        else:
            df = catalog.filter(pl.col("guidance").is_in(values)).with_columns(
                measure=pl.col("guidance"), scope=pl.lit("全市"))
        df = df.with_columns(measure=pl.col("measure").replace_strict(MEASURES, default=pl.col("measure")))
        out[stem] = df.select(list(LIST_HEADERS)).sort("major_code", "scope")
    return out
