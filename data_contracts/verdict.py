"""One input's contract verdict, from both validators: what blocks, what only warns, and what to say.

Two independent validators look at every input up to ``GE_MAX_ROWS`` rows: the DuckDB engine (which
keeps the rejected rows) and great-expectations. A problem only one of them sees blocks the run: one of
them is wrong, and the data cannot be trusted. Rejected rows within the contract's limit do not block;
the verdict says how many, against which limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from data_contracts.engine import ContractOutcome
from data_contracts.ge_runner import GE_MAX_ROWS, GeReport, left_to_duckdb, validate
from data_contracts.spec import Contract

FIRST_REJECTIONS = 10
NOT_PROVIDED = "（未提供）"


@dataclass
class Verdict:
    """What the contract check of one input says: blocking or not, a Chinese message, the figures."""

    input: str
    file: str
    blocking: bool
    warning: bool
    message: str
    rows_in: int
    rows_clean: int
    rows_rejected: int
    max_rejected_share: float
    by_rule: dict = field(default_factory=dict)
    first: list[dict] = field(default_factory=list)
    ge: GeReport | None = None
    notes: list[str] = field(default_factory=list)  # sheet read, normalisations, absent or empty input

    def first_rejections_md(self) -> str:
        if not self.first:
            return "_无_"
        lines = ["| 行 | 列 | 值 | 原因 |", "|---|---|---|---|"]
        for v in self.first[:FIRST_REJECTIONS]:
            value = "" if v["value"] is None else str(v["value"]).replace("|", "\\|")[:40]
            lines.append(f"| {v['row']} | {v['column']} | {value} | {v['reason']} |")
        return "\n".join(lines)


def second_opinion(stage: pl.DataFrame, contract: Contract, references: dict[str, list[str]]) -> GeReport | None:
    """great-expectations on inputs small enough for pandas; larger ones were counted by DuckDB alone."""
    rows = stage.height
    if 0 < rows <= GE_MAX_ROWS:
        return validate(stage.to_pandas(), contract, references)
    return left_to_duckdb(rows) if rows else None


def contract_verdict(contract: Contract, outcome: ContractOutcome, file_name: str,
                     ge: GeReport | None) -> Verdict:
    """Combine the engine's outcome and great-expectations' report into the verdict a person reads."""
    file_name = file_name or NOT_PROVIDED
    share, limit = outcome.rejected_share, contract.max_rejected_share
    if file_name == NOT_PROVIDED:
        message = f"{contract.title}：未提供（可选输入），按空表处理"
    elif outcome.rows_rejected and outcome.passed:
        message = (f"{file_name}（{contract.title}）：{outcome.rows_in} 行，{outcome.rows_rejected} 行不合格"
                   f"（{share:.1%}，低于 {limit:.0%} 的上限，未阻断；不合格行已保存到 rejected_rows）")
    elif outcome.rows_rejected:
        message = (f"{file_name}（{contract.title}）：{outcome.rows_in} 行，{outcome.rows_rejected} 行不合格"
                   f"（{share:.1%}，超过 {limit:.0%} 的上限，已阻断）")
    else:
        message = f"{file_name}（{contract.title}）：{outcome.rows_in} 行全部合格"
    if outcome.first:
        v = outcome.first[0]
        message += f"；首个问题：第 {v['row']} 行，列 {v['column']}：{v['reason']}"
    if outcome.warnings:
        message += "；" + "；".join(outcome.warnings)
    ge_only = bool(ge and ge.ran and not ge.success and not outcome.rows_rejected)
    if ge_only:
        message += "；great-expectations 发现了 DuckDB 引擎未拒收的问题，已阻断，请核对"
    blocking = not outcome.passed or ge_only
    return Verdict(
        input=contract.name, file=file_name, blocking=blocking,
        warning=not blocking and bool(outcome.rows_rejected or outcome.warnings), message=message,
        rows_in=outcome.rows_in, rows_clean=outcome.rows_clean, rows_rejected=outcome.rows_rejected,
        max_rejected_share=limit, by_rule=dict(outcome.by_rule), first=list(outcome.first), ge=ge,
        notes=([f"读取工作表「{outcome.meta['sheet']}」"] if outcome.meta.get("sheet") else []) + list(outcome.warnings),
    )
