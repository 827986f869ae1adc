"""Ingest: one asset per inbox input. Raw bytes kept, rows staged as text, the contract applied."""


import dagster as dg

from assets.charts import preview_md
from data_contracts.engine import run_contract
from data_contracts.spec import Contract, load_contracts
from pipelines.resources import Inbox
from warehouse.db import WRITER_POOL, Warehouse, replace_table
from warehouse.errors import InputError
from warehouse.ingest import empty_stage, load_input


def build_ingest_asset(contract: Contract) -> dg.AssetsDefinition:
    deps = sorted(contract.references - {contract.name})
    optional = "（可选输入：未提供时为空表）" if not contract.required else ""

    @dg.asset(
        name=contract.name,
        group_name="ingest",
        kinds={"duckdb", "polars"},
        pool=WRITER_POOL,
        deps=deps,
        description=f"{contract.title}：从收件箱读取 {contract.name}，保存原始字节，按数据契约入库。{optional}",
        metadata={"contract": contract.name, "stems": ", ".join(contract.stems)},
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: Warehouse, inbox: Inbox) -> dg.MaterializeResult:
        home = warehouse.paths.ensure()
        folder = inbox.folder(home)
        with warehouse.writer() as con:
            loaded = load_input(folder, contract, home.raw)
            if loaded is None:
                if contract.required:
                    raise InputError(str(folder), f"缺少必需的输入文件「{contract.title}」（文件名为 "
                                     f"{' 或 '.join(contract.stems)}，扩展名 .csv/.xlsx/.parquet）")
                stage, file_name, file_meta = empty_stage(contract), "", {"provided": False}
            else:
                stage, file_name, file_meta = loaded.frame, loaded.file, loaded.metadata()
            replace_table(con, f"stg_{contract.name}", stage)
            outcome = run_contract(con, contract, f"stg_{contract.name}", file_name, context.run.run_id)
            con.execute(
                "INSERT OR REPLACE INTO input_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
                [contract.name, file_name, file_meta.get("sha256"), file_meta.get("bytes"),
                 file_meta.get("encoding"), file_meta.get("format"), stage.height, file_meta.get("raw_path"),
                 file_meta.get("source"), context.run.run_id],
            )
        context.log.info(f"{contract.name}: {outcome.rows_in} rows read, {outcome.rows_rejected} rejected")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": outcome.rows_clean,
                "rows_read": outcome.rows_in,
                "rows_rejected": outcome.rows_rejected,
                "file": file_name or "（未提供）",
                **{k: v for k, v in file_meta.items() if k in ("sha256", "encoding", "format", "bytes")
                   and v is not None},
                "preview": dg.MetadataValue.md(preview_md(stage)),
            }
        )

    return _ingest


def ingest_assets() -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(c) for c in load_contracts().values()]
