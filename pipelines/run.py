"""Launch the main Dagster job (the same one the UI shows) and report its outcome in Chinese."""

from __future__ import annotations

import sys
from pathlib import Path

from warehouse.home import Home


def _run_config(job, edition: str | None, quiet: bool) -> dict:
    config: dict = {"loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}}
    if edition and "publish_catalogs" in {node.name for node in job.graph.nodes}:
        config["ops"] = {"publish_catalogs": {"config": {"edition": edition}}}
    return config


def failure_messages(result) -> list[str]:
    """The failed blocking checks' and failed steps' messages, first the contracts."""
    messages: list[str] = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity.value == "ERROR":
            desc = evaluation.description or evaluation.check_name
            first = evaluation.metadata.get("first_rejections")
            detail = f"\n{first.value}" if first is not None else ""
            messages.append(f"数据契约未通过：{desc}{detail}")
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            text = error.message.strip() if error else "未知错误"
            if error and error.cause:
                text = error.cause.message.strip()
            messages.append(f"步骤 {event.step_key} 失败：{text}")
    return messages


def run_job(home: Home, inbox: Path, edition: str | None = None, quiet: bool = False) -> int:
    import dagster as dg

    from pipelines.definitions import defs
    from warehouse.db import connect

    job = defs.resolve_job_def("majorwatch_job")
    print(f"运行 majorwatch_job：收件箱 {inbox}，主目录 {home.root}", flush=True)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            run_config=_run_config(job, edition, quiet), instance=instance, raise_on_error=False
        )
    con = connect(home.warehouse, read_only=True) if home.warehouse.exists() else None
    if con is not None:
        rows = con.execute(
            "SELECT c.input, coalesce(f.file, ''), c.rows_in, c.rows_clean, c.rows_rejected, c.severity "
            "FROM contract_results c LEFT JOIN input_files f USING (input) WHERE c.run_id = ? ORDER BY c.input",
            [result.run_id],
        ).fetchall()
        con.close()
        if rows:
            print("\n输入文件（读入 / 合格 / 拒收）：")
            for name, file, rows_in, clean, rejected, severity in rows:
                flag = {"ERROR": "✗", "WARN": "!"}.get(severity, "✓")
                print(f"  {flag} {name:<22} {file or '（未提供）':<28} {rows_in:>9} / {clean:>9} / {rejected:>6}")
    if not result.success:
        print("\n运行失败，未发布任何目录（当前版本保持不变）：", file=sys.stderr)
        for message in failure_messages(result) or ["未知原因，请在 Dagster 界面查看运行日志"]:
            print("  " + message.replace("\n", "\n  "), file=sys.stderr)
        return 1
    published = _published_folder(result)
    if published:
        print(f"\n已发布版本：{published}")
    print(f"运行成功（run id {result.run_id}）")
    return 0


def _published_folder(result) -> str | None:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key.path == ["guiding_catalog"]:
            folder = mat.metadata.get("edition_folder")
            return str(folder.value) if folder is not None else None
    return None
