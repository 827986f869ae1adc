"""The contracts as blocking Dagster asset checks: ERROR stops the run before anything downstream."""


import json

import dagster as dg

from data_contracts.ge_runner import GE_MAX_ROWS, left_to_duckdb, validate
from data_contracts.spec import Contract, load_contracts
from warehouse.db import Warehouse, ident, query_frame, table_exists

FIRST_REJECTIONS = 10


def _rejections_md(first: list[dict]) -> str:
    if not first:
        return "_无_"
    lines = ["| 行 | 列 | 值 | 原因 |", "|---|---|---|---|"]
    for v in first[:FIRST_REJECTIONS]:
        value = "" if v["value"] is None else str(v["value"]).replace("|", "\\|")[:40]
        lines.append(f"| {v['row']} | {v['column']} | {value} | {v['reason']} |")
    return "\n".join(lines)


def _reference_values(con, contract: Contract) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for col in contract.columns.values():
        if col.references and table_exists(con, col.references[0]):
            ref_input, ref_col = col.references
            frame = query_frame(con, f"SELECT DISTINCT {ident(ref_col)} AS v FROM {ident(ref_input)}")  # noqa: S608
            out[col.name] = [v for v in frame["v"].to_list() if v is not None]
    return out


def build_contract_check(contract: Contract) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=contract.name,
        name=f"{contract.name}_contract",
        blocking=True,
        description=f"{contract.title}的数据契约（great-expectations + DuckDB）：不合格行超过上限则阻断后续步骤。",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.writer() as con:
            row = con.execute(
                "SELECT passed, severity, rows_in, rows_clean, rows_rejected, summary, run_id "
                "FROM contract_results WHERE input = ?",
                [contract.name],
            ).fetchone()
            if row is None or row[6] != context.run.run_id:
                return dg.AssetCheckResult(
                    passed=False, severity=dg.AssetCheckSeverity.ERROR,
                    description=f"{contract.title}：本次运行没有契约结果（入库步骤未完成）",
                )
            passed, _, rows_in, rows_clean, rows_rejected, summary_json, _ = row
            file_row = con.execute("SELECT file FROM input_files WHERE input = ?", [contract.name]).fetchone()
            # great-expectations sees small inputs; large ones were counted in DuckDB by the engine
            small = 0 < rows_in <= GE_MAX_ROWS
            stage = query_frame(con, f"SELECT * FROM {ident('stg_' + contract.name)}") if small else None  # noqa: S608
            references = _reference_values(con, contract) if small else {}
        summary = json.loads(summary_json)
        if small:
            report = validate(stage.to_pandas(), contract, references)
        elif rows_in:
            report = left_to_duckdb(rows_in)
        else:
            report = None
        file_name = (file_row[0] if file_row else None) or "（未提供）"
        if file_name == "（未提供）":
            message = f"{contract.title}：未提供（可选输入），按空表处理"
        elif rows_rejected:
            message = f"{file_name}（{contract.title}）：{rows_in} 行，{rows_rejected} 行不合格（已保存到 rejected_rows）"
        else:
            message = f"{file_name}（{contract.title}）：{rows_in} 行全部合格"
        first = summary.get("first", [])
        if first:
            v = first[0]
            message += f"；首个问题：第 {v['row']} 行，列 {v['column']}：{v['reason']}"
        warnings = list(summary.get("warnings", []))
        # Two independent validators: a problem great-expectations finds that the DuckDB engine did not
        # reject is a contract failure too (one of them is wrong, and the data cannot be trusted).
        ge_only = bool(report and report.ran and not report.success and not rows_rejected)
        if ge_only:
            message += "；great-expectations 发现了 DuckDB 引擎未拒收的问题，已阻断，请核对"
        ok = bool(passed) and not ge_only
        # ERROR blocks the run; a failed WARN is shown to a person but lets the run go on.
        clean = ok and not rows_rejected and not warnings
        return dg.AssetCheckResult(
            passed=clean,
            severity=dg.AssetCheckSeverity.WARN if ok else dg.AssetCheckSeverity.ERROR,
            description=message,
            metadata={
                "input": file_name,
                "rows_in": rows_in,
                "rows_clean": rows_clean,
                "rows_rejected": rows_rejected,
                "max_rejected_share": contract.max_rejected_share,
                "violations_by_rule": dg.MetadataValue.json(summary.get("by_rule", {})),
                "first_rejections": dg.MetadataValue.md(_rejections_md(first)),
                "warnings": "；".join(warnings) or "无",
                "great_expectations": dg.MetadataValue.md(report.markdown() if report else "_空表_"),
                "great_expectations_success": bool(report.success) if report else True,
            },
        )

    return _check


def contract_checks() -> list[dg.AssetChecksDefinition]:
    return [build_contract_check(c) for c in load_contracts().values()]
