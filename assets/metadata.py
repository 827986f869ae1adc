"""Metadata a person reads in the Dagster UI: the column schema with Chinese labels, and a rounded preview.

Every table asset gets ``dagster/row_count`` and ``dagster/column_schema`` (each column described by its
Chinese name, as the published files and the input contract call it), and a preview ordered the way a
reader looks at it (highest risk first where there is a risk score).
"""

from __future__ import annotations

from functools import cache

import dagster as dg
import polars as pl

from assets.charts import preview_md
from data_contracts.spec import load_contracts
from scoring.catalog import CHINESE_HEADERS

# labels of the columns that neither an input contract nor a published table names
EXTRA_LABELS = {
    "risk_score": "风险分值", "warning_level": "预警等级", "guidance": "指导类别", "reasons": "依据",
    "mapping_source": "对应来源", "ratio_trend": "求人倍率趋势", "employment_rate_prev": "上年毕业去向落实率",
    "in_field_rate": "对口就业率", "enrolled_latest": "最新招生人数", "enrolment_trend": "招生趋势",
    "schools_offering": "开设学校数", "score": "置信度", "rank": "名次", "model_version": "模型版本",
    "posting_openings": "招聘人数", "input": "输入", "file": "文件", "row": "行", "column": "列", "value": "值",
    "rule": "规则", "reason": "原因", "run_id": "运行编号", "sha256": "SHA-256", "rows_in": "读入行数",
    "rows_clean": "合格行数", "rows_rejected": "拒收行数", "severity": "严重程度", "passed": "是否通过",
    "openings": "招聘人数", "postings": "招聘条数", "proposed_openings": "模型推断行业的招聘人数",
    "year": "年份", "demand_hat": "预测需求", "supply_hat": "预测求职", "ratio_hat": "预测求人倍率",
    "level": "层次", "usable": "可用于评分", "n_series": "序列数", "relative_mase": "相对误差（相对季节性朴素法）",
    "note": "说明", "confidence": "置信度", "proposed_industry_code": "推断行业代码",
    # 求人倍率 by channel (issue 29)
    "code": "代码", "name": "名称", "month": "月份", "duplicates": "去掉的重复信息条数",
    "pes_year": "公共就业服务机构数据年份", "pes_demand": "需求人数（公共就业服务机构）",
    "pes_supply": "求职人数（公共就业服务机构）", "pes_ratio": "求人倍率（公共就业服务机构）",
    "pes_growth": "需求人数较上年同期（公共就业服务机构）", "posting_year": "网络招聘年份",
    "posting_count": "招聘条数（网络招聘，去重）", "posting_duplicates": "去掉的重复信息条数",
    "posting_growth": "招聘人数较上年同期（网络招聘）", "direction": "两个渠道的需求变化方向", "units": "总数",
    "pes_units": "公共就业服务机构覆盖数", "pes_share": "公共就业服务机构覆盖比例", "posting_units": "网络招聘覆盖数",
    "posting_share": "网络招聘覆盖比例", "both_units": "两个渠道都覆盖", "compared_units": "可比较变化方向",
    "opposite_units": "变化方向相反", "channels": "各需求渠道",
}


@cache
def column_labels() -> dict[str, str]:
    """Column name → Chinese label, from the input contracts, the published headers and EXTRA_LABELS."""
    labels = dict(EXTRA_LABELS)
    for contract in load_contracts().values():
        for col in contract.columns.values():
            chinese = [a for a in col.aliases if any("\u4e00" <= ch <= "\u9fff" for ch in a)]
            if chinese:
                labels.setdefault(col.name, chinese[0])
    for headers in CHINESE_HEADERS.values():
        for name, label in headers.items():
            labels.setdefault(name, label)
    return labels


def column_schema(frame: pl.DataFrame) -> dg.TableSchema:
    labels = column_labels()
    return dg.TableSchema(columns=[
        dg.TableColumn(name, str(dtype), description=labels.get(name)) for name, dtype in frame.schema.items()
        if not name.startswith("_")
    ])


def readable(frame: pl.DataFrame, rows: int = 10) -> pl.DataFrame:
    """The first rows a reader wants (highest risk first), rounded, with Chinese column names."""
    if "risk_score" in frame.columns:
        frame = frame.sort("risk_score", descending=True, nulls_last=True)
    head = frame.head(rows).with_columns(pl.col(pl.Float64, pl.Float32).round(3))
    labels = column_labels()
    seen: set[str] = set()
    names = {}
    for col in head.columns:
        label = labels.get(col, col)
        names[col] = label if label not in seen else col
        seen.add(names[col])
    return head.rename(names)


def frame_metadata(frame: pl.DataFrame, table: str) -> dict:
    return {
        "dagster/row_count": frame.height,
        "dagster/column_schema": column_schema(frame),
        "dagster/table_name": table,
        "preview": dg.MetadataValue.md(preview_md(readable(frame), rows=10, width=60)),
    }
