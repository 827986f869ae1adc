"""技术附录: the edition's provenance for the data team, kept out of the official documents.

Inputs with their files and SHA-256, the contract checks, the forecast model's back-test figures, the policy file
with its hash and every value still 待市教委确认. The official documents say where their data came from in words
(the bulletin's 数据来源 section); this file is where the identifiers, hashes and model figures are.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import polars as pl

from documents.edition import EditionInfo
from documents.explain import PENDING, definitions
from scoring.policy import Policy
from warehouse.spreadsheet import Heading, Sheet, write_workbook

APPENDIX = "技术附录.xlsx"
INPUT_HEADERS = {"title": "数据", "input": "输入名", "file": "文件", "format": "格式", "encoding": "编码",
                 "rows": "行数", "bytes": "字节数", "loaded_on": "入库日期", "source": "来源地址", "sha256": "SHA-256"}
CONTRACT_HEADERS = {"title": "数据", "input": "输入名", "passed": "通过", "severity": "严重程度", "rows_in": "读入行数",
                    "rows_clean": "合格行数", "rows_rejected": "剔除行数", "violations": "按规则的不合格数"}
MODEL_HEADERS = {"level": "预测层级", "usable": "是否采用", "n_series": "序列数", "relative_mase": "相对误差（MASE 之比）"}
POLICY_HEADERS = {"key": "项目", "value": "取值", "source": "出处"}
WIDTHS = {"sha256": 66, "violations": 40, "value": 50, "source": 60, "file": 30, "title": 16}


@cache
def input_titles() -> dict[str, str]:
    """Each input's Chinese name (专业目录, 人才供需 …) from the data contracts."""
    from data_contracts.spec import load_contracts

    return {name: c.title for name, c in load_contracts().items()}


def _frame(rows: list[dict], headers: dict[str, str]) -> pl.DataFrame:
    schema = {c: pl.String for c in headers}
    return pl.DataFrame([{c: None if r.get(c) is None else str(r.get(c)) for c in headers} for r in rows],
                        schema=schema, orient="row")


def _value(policy: Policy, key: str) -> str:
    """The value of a dotted policy key (rules.red_score → 70.0) as text."""
    node: object = policy.model_dump()
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return "—" if node is None else str(node)


def write_technical_appendix(folder: Path, package: dict, policy: Policy, forecast_quality: pl.DataFrame | None,
                             info: EditionInfo) -> Path:
    """技术附录.xlsx in the edition folder (listed in datapackage.json and SHA256SUMS like every file)."""
    titles = input_titles()
    inputs = [{**i, "title": titles.get(i.get("input"), "")} for i in package.get("inputs", [])]
    contracts = [{**c, "title": titles.get(c.get("input"), ""), "passed": "是" if c.get("passed") else "否",
                  "violations": json.dumps(c.get("violations_by_rule") or {}, ensure_ascii=False)}
                 for c in package.get("contracts", [])]
    record = package.get("policy") or {}
    policy_rows = [{"key": "评分政策版本", "value": policy.version, "source": "—"},
                   {"key": "政策文件", "value": record.get("file") or Path(str(getattr(policy, "path", "policy.yaml"))).name,
                    "source": "—"},
                   {"key": "政策文件 SHA-256", "value": policy.sha256, "source": "—"}]
    policy_rows += [{"key": key, "value": _value(policy, key), "source": text}
                    for key, text in sorted(policy.sources.items()) if PENDING in text]
    notes = definitions(policy).filter(pl.col("kind") == "政策")
    policy_rows += [{"key": r["term"], "value": f"{r['definition']}（{r['threshold']}）", "source": r["source"]}
                    for r in notes.iter_rows(named=True)]
    quality = forecast_quality if forecast_quality is not None and forecast_quality.width else pl.DataFrame(
        schema={c: pl.String for c in MODEL_HEADERS})
    sheets = [
        Sheet("输入文件", _frame(inputs, INPUT_HEADERS), INPUT_HEADERS, widths=WIDTHS, caption="输入文件及其 SHA-256"),
        Sheet("数据契约", _frame(contracts, CONTRACT_HEADERS), CONTRACT_HEADERS, widths=WIDTHS, caption="数据契约检查"),
        Sheet("预测模型", quality.select([c for c in MODEL_HEADERS if c in quality.columns]), MODEL_HEADERS,
              caption="人才供需预测模型的回测（相对误差小于 1 表示优于季节性朴素法）"),
        Sheet("评分政策", _frame(policy_rows, POLICY_HEADERS), POLICY_HEADERS, widths=WIDTHS,
              caption=f"评分政策及待市教委确认的取值（{sum(PENDING in t for t in policy.sources.values())} 项）"),
    ]
    path = folder / APPENDIX
    write_workbook(path, sheets, info.timestamp,
                   Heading(f"技术附录：{info.title('专业预警数据')}", f"供数据组核对；版本标识 {info.edition}"))
    return path
