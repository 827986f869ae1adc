"""Ingest: every inbox input read, kept raw, staged and held to its contract, with the verdict attached.

One step reads the inbox in reference order (an input is checked after the inputs it refers to), so the
contract check results travel with each input's materialization: no second step re-reads a results table.
"""

from dataclasses import replace
from datetime import timedelta
from graphlib import TopologicalSorter

import dagster as dg

from assets.ingest.sources import input_folder, source_key
from assets.metadata import frame_metadata
from assets.resources import Inbox, Warehouse
from data_contracts.engine import reference_values
from data_contracts.ge_runner import GE_MAX_ROWS, left_to_duckdb, not_run_after_failure
from data_contracts.second_opinions import SecondOpinions
from data_contracts.spec import Contract, load_contracts
from data_contracts.verdict import Verdict, contract_verdict
from inbox.ingest import ingest_input
from warehouse.db import WRITER_POOL, ident, query_frame, read_frame
from warehouse.pause_points import pause_point

OWNERS = ["team:data"]
RECORD_TABLES = {
    "rejected_rows": "不合格行：每次运行每个输入被拒收的行，含文件、行、列、值与中文原因。",
    "input_files": "输入文件登记：每个输入的文件名、SHA-256、字节数、编码与格式。",
    "contract_results": "数据契约结果：每个输入读入、合格、拒收的行数与严重程度。",
}
# how often each input is expected to be refreshed (labour market quarterly, lists and catalogs yearly)
QUARTERLY = {"labor_market", "job_postings"}


def check_name(contract: Contract) -> str:
    return f"{contract.name}_contract"


def ingest_order(contracts: dict[str, Contract]) -> list[str]:
    """Inputs in an order where every referenced input comes first."""
    graph = {name: sorted(c.references - {name}) for name, c in contracts.items()}
    return list(TopologicalSorter(graph).static_order())


def _freshness(name: str) -> dg.FreshnessPolicy:
    days = 100 if name in QUARTERLY else 400
    return dg.FreshnessPolicy.time_window(fail_window=timedelta(days=days), warn_window=timedelta(days=days - 10))


def _specs(contracts: dict[str, Contract]) -> list[dg.AssetSpec]:
    specs = [
        dg.AssetSpec(
            name, group_name="ingest", kinds={"duckdb", "polars"}, owners=OWNERS, skippable=True,
            deps=[source_key(name), *sorted(c.references - {name})], freshness_policy=_freshness(name),
            description=f"{c.title}：从收件箱读取，保存原始字节，按数据契约入库。"
            + ("" if c.required else "（可选输入：未提供时为空表）"),
            metadata={"contract": name, "stems": ", ".join(c.stems)},
        )
        for name, c in contracts.items()
    ]
    specs += [dg.AssetSpec(name, group_name="ingest", kinds={"duckdb"}, owners=OWNERS, description=text,
                           skippable=True, deps=list(contracts))
              for name, text in RECORD_TABLES.items()]
    return specs


def _check_specs(contracts: dict[str, Contract]) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(check_name(c), asset=name, blocking=True,
                              description=f"{c.title}的数据契约（DuckDB 引擎 + great-expectations）：不合格行超过上限则阻断后续步骤。")
            for name, c in contracts.items()]


def check_result(contract: Contract, verdict: Verdict) -> dg.AssetCheckResult:
    """The verdict as a blocking check result: ERROR stops everything downstream."""
    return dg.AssetCheckResult(
        check_name=check_name(contract), asset_key=contract.name,
        passed=not verdict.blocking,
        severity=dg.AssetCheckSeverity.ERROR if verdict.blocking else dg.AssetCheckSeverity.WARN,
        description=verdict.message,
        metadata={
            "input": verdict.file, "notes": "；".join(verdict.notes) or "无", "rows_in": verdict.rows_in, "rows_clean": verdict.rows_clean,
            "rows_rejected": verdict.rows_rejected, "max_rejected_share": verdict.max_rejected_share,
            "rejected_share": round(verdict.rows_rejected / verdict.rows_in, 6) if verdict.rows_in else 0.0,
            "violations_by_rule": dg.MetadataValue.json(verdict.by_rule),
            "first_rejections": dg.MetadataValue.md(verdict.first_rejections_md()),
            "great_expectations": dg.MetadataValue.md(verdict.ge.markdown() if verdict.ge else "_空表_"),
            "great_expectations_ran": bool(verdict.ge and verdict.ge.ran),
            **({"great_expectations_success": bool(verdict.ge.success)} if verdict.ge and verdict.ge.ran else {}),
        },
    )


def build_ingest() -> dg.AssetsDefinition:
    contracts = load_contracts()

    @dg.multi_asset(name="ingest_inbox", specs=_specs(contracts), check_specs=_check_specs(contracts),
                    can_subset=True, pool=WRITER_POOL)
    def ingest_inbox(context: dg.AssetExecutionContext, warehouse: Warehouse, inbox: Inbox):
        """Every selected input: raw bytes kept, rows staged as text, contract applied, verdict returned.

        The DuckDB engine checks each input; great-expectations' second opinion (seconds to import and
        run) is given in a worker process on the other core meanwhile (data_contracts/second_opinions.py).
        When the engine refused any input, the worker is stopped and the refusal reported at once."""
        selected = {key.path[-1] for key in context.selected_asset_keys}
        home = warehouse.paths.ensure()
        staged = {}
        with SecondOpinions(home.second_opinions) as opinions:
            for name in ingest_order(contracts):
                if name not in selected:
                    continue
                contract = contracts[name]
                with warehouse.writer() as con:
                    done = ingest_input(con, input_folder(name, home, inbox.folder()), contract, home.raw,
                                        context.run.run_id)
                    pause_point("ingest")
                    references = reference_values(con, contract) if 0 < done.rows <= GE_MAX_ROWS else {}
                    head = query_frame(con, f"SELECT * FROM {ident(name)} LIMIT 10")  # noqa: S608
                # an input too large for pandas is counted by DuckDB alone: its rows need not stay in memory
                large = left_to_duckdb(done.rows) if done.rows > GE_MAX_ROWS else None
                if not large and done.outcome.passed:  # validated on the other core meanwhile
                    opinions.submit(name, done.stage, contract, references)
                staged[name] = (replace(done, stage=done.stage.clear()) if large else done, large, head)
            refused = [name for name, (done, *_) in staged.items() if not done.outcome.passed]
            reports = opinions.reports(refused)  # at once when one was refused: the worker is stopped
        blocked: list[Verdict] = []
        for name, (done, large, head) in staged.items():
            contract = contracts[name]
            if large or name in reports:
                ge = large or reports[name]
            else:  # refused by the engine itself
                ge = not_run_after_failure(refused) if done.stage.height else None
            verdict = contract_verdict(contract, done.outcome, done.file, ge)
            context.log.info(f"{name}: {verdict.message}")
            if verdict.blocking:
                blocked.append(verdict)
            meta = frame_metadata(head, name) | {"dagster/row_count": done.outcome.rows_clean}
            yield dg.MaterializeResult(asset_key=name, check_results=[check_result(contract, verdict)], metadata={
                **meta, "rows_read": done.outcome.rows_in, "rows_rejected": done.outcome.rows_rejected,
                "file": done.file or "（未提供）",
                **{k: v for k, v in done.file_meta.items()
                   if k in ("sha256", "encoding", "format", "bytes", "sheet") and v is not None},
                "status": done.outcome.status,
                "notes": "；".join(done.outcome.warnings) or "无",
            })
        with warehouse.writer() as con:
            for table in RECORD_TABLES:
                if table in selected:
                    frame = read_frame(con, table)
                    yield dg.MaterializeResult(asset_key=table, metadata=frame_metadata(frame, table))
        if blocked:
            # Fail fast: nothing downstream (models included) can lead to a publication any more.
            # The run page shows this instead of a stack trace: each refusal's Chinese reason and first rows.
            raise dg.Failure(
                description="数据契约未通过，运行已停止，未发布任何目录（现行版本保持不变）：" + "；".join(
                    f"{v.file}（{v.input}）：{v.message}" for v in blocked) + "。请按下列拒收行修改文件后重新运行。",
                metadata={"failed_checks": ", ".join(f"{v.input}_contract" for v in blocked),
                          **{f"{v.input} 拒收原因": v.message for v in blocked},
                          **{f"{v.input} 前几条拒收行": dg.MetadataValue.md(v.first_rejections_md()) for v in blocked}})

    return ingest_inbox

