"""Ingest: one asset per inbox input. Raw bytes kept, rows staged as text, the contract applied."""


import dagster as dg

from assets.charts import preview_md
from data_contracts.spec import Contract, load_contracts
from pipelines.resources import Inbox
from warehouse.db import WRITER_POOL, Warehouse
from warehouse.ingest import ingest_input


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
        with warehouse.writer() as con:
            done = ingest_input(con, inbox.folder(home), contract, home.raw, context.run.run_id)
        outcome, file_meta = done.outcome, done.file_meta
        context.log.info(f"{contract.name}: {outcome.rows_in} rows read, {outcome.rows_rejected} rejected")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": outcome.rows_clean,
                "rows_read": outcome.rows_in,
                "rows_rejected": outcome.rows_rejected,
                "file": done.file or "（未提供）",
                **{k: v for k, v in file_meta.items() if k in ("sha256", "encoding", "format", "bytes")
                   and v is not None},
                "preview": dg.MetadataValue.md(preview_md(done.stage)),
            }
        )

    return _ingest


def ingest_assets() -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(c) for c in load_contracts().values()]
