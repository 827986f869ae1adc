"""What failed in a run, in Chinese, from the run's own events: failed steps and blocking contract checks."""

from __future__ import annotations

import dagster as dg

from warehouse.errors import system_error_text

INTERRUPTED = "DagsterExecutionInterruptedError"  # what Dagster raises in a step on SIGINT


def failure_messages(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """The failed blocking checks' messages (with their first rejected rows) first, then the failed steps."""
    checks: list[str] = []
    steps: list[str] = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                first = evaluation.metadata.get("first_rejections")
                detail = f"\n{first.value}" if first is not None else ""
                if evaluation.check_name.endswith("_contract"):
                    checks.append(f"数据契约未通过（检查 {evaluation.check_name}）：{evaluation.description}{detail}")
                else:  # an output check (assets/checks/outputs.py): nothing was published
                    problems = evaluation.metadata.get("problems")
                    checks.append(f"发布前的输出检查未通过（检查 {evaluation.check_name}）："
                                  f"{problems.value if problems is not None else evaluation.description}")
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            text = error.message.strip() if error else "未知错误"
            if error and error.cause:
                text = error.cause.message.strip()
            if error and error.cls_name == INTERRUPTED:
                text = "运行被中断（Ctrl-C），本步骤未完成"
            text = system_error_text(text) or text  # a full disk, a damaged warehouse: said in Chinese
            steps.append(f"步骤 {event.step_key} 失败：{text}")
    return checks + steps
