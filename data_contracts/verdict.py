"""One input's contract verdict, from both validators: what blocks, what only warns, and what to say.

Two independent validators look at every input up to ``GE_MAX_ROWS`` rows: the DuckDB engine (which
keeps the rejected rows) and great-expectations. A problem only one of them sees blocks the run: one of
them is wrong, and the data cannot be trusted. Rejected rows within the contract's limit do not block;
the verdict says how many, against which limit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import polars as pl

from data_contracts import ge_runner
from data_contracts.engine import ContractOutcome
from data_contracts.ge_runner import GE_MAX_ROWS, GeReport, left_to_duckdb, not_run_after_failure, validate
from data_contracts.spec import Contract
from warehouse.files import atomic_write
from warehouse.hashing import rows_hash

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


def second_opinion(stage: pl.DataFrame, contract: Contract, references: dict[str, list[str]],
                   cache: Path | None = None, blocked: list[str] | None = None) -> GeReport | None:
    """great-expectations on inputs small enough for pandas; larger ones were counted by DuckDB alone.

    With ``cache`` (a folder), the report of the same staged rows under the same contract, references and
    great-expectations code is reused: the answer is a function of those alone. Dagster already skips an input
    whose file did not change (pipelines/stale.py); this report is keyed on the staged rows, not the bytes, so
    it also spares the import (≈ 6 s) and the validation when the bytes changed but the rows did not (a file
    saved again, another encoding) and when an unchanged input is staged again (a rebuilt warehouse, a
    "materialize all" in the UI, a test's fresh run). With ``blocked`` (inputs the DuckDB
    engine already refused) nothing is validated: the run stops, and the person hears of it in seconds.
    """
    rows = stage.height
    if blocked and rows:
        return not_run_after_failure(blocked)
    if not 0 < rows <= GE_MAX_ROWS:
        return left_to_duckdb(rows) if rows else None
    if cache is None:
        return validate(stage.to_pandas(), contract, references)
    path = cache_path(cache, stage, contract, references)
    return cached_report(path) or remember_report(path, validate(stage.to_pandas(), contract, references))


def cache_path(cache: Path, stage: pl.DataFrame, contract: Contract, references: dict[str, list[str]]) -> Path:
    """Where the report of these staged rows under this contract, these references and this
    great-expectations code is kept: the answer is a function of those alone."""
    refs = json.dumps({k: sorted(map(str, v)) for k, v in references.items()}, sort_keys=True)
    payload = "\n".join([rows_hash(stage), repr(contract), refs, inspect.getsource(ge_runner),
                         version("great-expectations")])
    return Path(cache) / f"{contract.name}-{hashlib.sha256(payload.encode()).hexdigest()[:32]}.json"


def cached_report(path: Path) -> GeReport | None:
    try:
        return GeReport(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None  # not validated before (or an unreadable record): validate now


def remember_report(path: Path, report: GeReport) -> GeReport:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as handle:
        handle.write(json.dumps(dataclasses.asdict(report), ensure_ascii=False, default=str).encode("utf-8"))
    return report


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
