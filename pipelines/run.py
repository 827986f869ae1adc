"""Launch the main Dagster job (the same one the UI shows) and report its outcome in Chinese."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from assets.partitions import PARTITION_TAG, edition_partition, inbox_data_year
from assets.publish.catalogs import PUBLISHED
from warehouse.current import current_edition
from warehouse.home import Home

INBOX_TAG = "majorwatch/inbox"


def main_job():
    """The full run's job, at module scope so that ``execute_job`` can point at it (dg.reconstructable)."""
    from pipelines.definitions import defs

    return defs.resolve_job_def("majorwatch_job")


def finalize_job():
    from pipelines.definitions import defs

    return defs.resolve_job_def("finalize_edition")


def execute(job_fn, instance, run_config: dict, tags: dict, asset_selection=None):
    """Run a job on its own executor (in-process for these two) without keeping what its steps return.

    ``JobDefinition.execute_in_process`` holds every step's output object in memory until the run ends (for
    ``output_for_node``): at scale 500 the 1 GB frame of school scores stayed resident through publication,
    and the classified postings before it. The outputs are in the warehouse; nothing here reads them back."""
    import dagster as dg

    return dg.execute_job(dg.reconstructable(job_fn), instance, run_config=run_config, tags=tags,
                          raise_on_error=False, asset_selection=asset_selection)


def warehouse_tables(home: Home) -> set[str] | None:
    """The warehouse's tables (empty when there is no warehouse yet; None when another process holds it)."""
    import duckdb

    from warehouse.db import connect

    if not home.warehouse.exists():
        return set()
    try:
        con = connect(home.warehouse, read_only=True)
    except duckdb.Error:
        return None
    try:
        return {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


def edition_asked(instance, partition: str, year: int | None, edition: str, final: bool) -> dict[str, str]:
    """``edition_facts`` forced stale when the run asks for another edition id or state than the partition holds."""
    import dagster as dg

    from scoring.edition import DRAFT, FINAL, edition_facts

    record = instance.get_latest_data_version_record(dg.AssetKey("edition_facts"), is_source=False,
                                                     partition_key=partition)
    if record is None or record.asset_materialization is None:
        return {}
    meta = record.asset_materialization.metadata
    held = tuple(meta[k].value if k in meta else None for k in ("edition", "state"))
    try:
        facts = edition_facts(year, edition, FINAL if final else DRAFT)
    except ValueError:
        return {"edition_facts": "所要的版次无效（运行将说明原因）"}
    asked = (facts.edition, facts.state)
    return {} if asked == held else {"edition_facts": f"所要的版次 {'/'.join(asked)} 不是上次的 {'/'.join(map(str, held))}"}


def observe(instance) -> bool:
    """Observe the inbox's files (the observe_inbox job): each input's data version is its file's SHA-256 now."""
    from pipelines.definitions import defs
    from pipelines.home_lock import run_tags

    return defs.resolve_job_def("observe_inbox").execute_in_process(
        instance=instance, run_config=_run_config(True), tags=run_tags(), raise_on_error=False).success


def stale_selection(instance, home: Home, partition: str, forced: dict[str, str]) -> tuple[list, dict, int]:
    """Observe the inbox's files (the observe_inbox job), then the assets to materialize: the stale ones (and the
    outputs their steps cannot leave out), each stale asset's reason, and how many assets the job has."""
    import dagster as dg

    from pipelines.definitions import defs
    from pipelines.stale import run_selection, stale_assets

    if not observe(instance):  # e.g. an unreadable folder: every input is taken as changed, ingest says why
        forced = {**forced, **{key.path[-1]: "收件箱无法查看" for key in
                               defs.resolve_asset_graph().get_all_asset_keys() if key.path[0] != "inbox"}}
    graph = defs.resolve_asset_graph()
    stale = stale_assets(graph, instance, partition, tables=warehouse_tables(home), forced=forced)
    return run_selection(graph, stale), stale, len(dg.AssetSelection.all().resolve(graph))


def print_selection(selection: list, stale: dict, total: int) -> None:
    """Which assets this run materializes and why, when it is not all of them (a first run says nothing)."""
    if len(selection) == total:
        return
    print(f"只重新生成过期的 {len(selection)} 个资产（其余 {total - len(selection)} 个的输入与代码均未变化，沿用上次的结果）：",
          flush=True)
    for key in selection:
        print(f"  {key.to_user_string():<28} {stale.get(key, '与过期资产同一步骤生成')}", flush=True)


def _run_config(quiet: bool) -> dict:
    return {"loggers": {"console": {"config": {"log_level": "WARNING" if quiet else "INFO"}}}}


def contract_summary(result) -> list[str]:
    """One line per input from the run's own contract check results (✓ passed, ! rows rejected, ✗ blocked)."""
    lines = []
    contracts = [e for e in result.get_asset_check_evaluations() if e.check_name.endswith("_contract")]
    for evaluation in sorted(contracts, key=lambda e: e.asset_key.to_user_string()):
        meta = {k: v.value for k, v in evaluation.metadata.items()}
        if not evaluation.passed:
            flag = "✗"
        elif meta.get("rows_rejected"):
            flag = "!"
        else:
            flag = "✓"
        name = evaluation.asset_key.to_user_string()
        lines.append(f"  {flag} {name:<22} {str(meta.get('input', '')):<28} {meta.get('rows_in', 0):>9} / "
                     f"{meta.get('rows_clean', 0):>9} / {meta.get('rows_rejected', 0):>6}")
        if meta.get("notes") not in (None, "无"):
            lines.append(f"      {meta['notes']}")
    return lines


def model_summary(result) -> list[str]:
    """One line per model asset: reused (模型未变，沿用已训练的模型 <version>) or why it was trained."""
    lines = []
    for event in result.get_asset_materialization_events():
        meta = event.event_specific_data.materialization.metadata
        if "model_note" in meta:
            name = event.event_specific_data.materialization.asset_key.to_user_string()
            flag = "=" if meta["model_reused"].value else "+"
            lines.append(f"  {flag} {name:<28} {meta['model_note'].value}")
    return sorted(lines, key=lambda line: line[4:])


def gap_summary(result) -> list[str]:
    """The 数据缺年 line: the missing years the run's data_gaps check named (nothing when there are none)."""
    from assets.ingest.gaps import GAPS_CHECK

    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name == GAPS_CHECK and not evaluation.passed:
            return [f"  ! {evaluation.metadata['gaps'].value}"]
    return []


def run_job(home: Home, inbox: Path, edition: str | None = None, quiet: bool = False, final: bool = False) -> int:
    import dagster as dg

    from pipelines.failures import failure_messages
    from pipelines.home_lock import HomeBusyError, exclusive_run, recover_dead_runs, run_tags
    from pipelines.sensors import inbox_fingerprint

    tags = {INBOX_TAG: inbox_fingerprint(inbox) or "empty", **run_tags()}
    year = inbox_data_year(inbox)  # the edition partition; None: the contract check will say what is wrong
    try:
        with exclusive_run(home, str(inbox), edition), dg.DagsterInstance.get() as instance:
            for run_id in recover_dead_runs(instance, home):
                print(f"已清理被中断的运行 {run_id}（其进程已不存在）", flush=True)
            config = _run_config(quiet)
            facts = {"edition": edition or "", **({"state": "正式"} if final else {})}  # final: without the review
            config["ops"] = {"edition_facts": {"config": facts}}
            tags[PARTITION_TAG] = edition_partition(instance, year if year is not None else date.today().year - 1)
            forced = edition_asked(instance, tags[PARTITION_TAG], int(tags[PARTITION_TAG]), edition or "", final)
            selection, stale, total = stale_selection(instance, home, tags[PARTITION_TAG], forced)
            if not selection:
                current = current_edition(home.published)
                print("输入文件与代码均未变化，没有过期的资产，未启动运行" +
                      (f"；现行版本 {current} 保持不变" if current else ""), flush=True)
                return 0
            print(f"运行 majorwatch_job：收件箱 {inbox}，主目录 {home.root}", flush=True)
            if not quiet:
                print_selection(selection, stale, total)
            result = execute(main_job, instance, config, tags, selection)
            messages = [] if result.success else failure_messages(instance, result.run_id)
    except HomeBusyError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 3
    summary = contract_summary(result)
    if summary:
        print("\n输入文件（读入 / 合格 / 拒收）：")
        print("\n".join(summary))
    if not result.success:
        print("\n运行失败，未发布任何目录（当前版本保持不变）：", file=sys.stderr)
        for message in messages or ["未知原因，请在 Dagster 界面查看运行日志"]:
            print("  " + message.replace("\n", "\n  "), file=sys.stderr)
        return 1
    gaps = gap_summary(result)
    if gaps:
        print("\n数据缺年：")
        print("\n".join(gaps))
    models = model_summary(result)
    if models:
        print("\n模型：")
        print("\n".join(models))
    outcome, folder = _published(result)
    if outcome:
        print(f"\n{outcome}：{folder}")
    print(f"运行成功（run id {result.run_id}）")
    return 0


def _published(result) -> tuple[str | None, str | None]:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if mat.asset_key.path == [PUBLISHED]:
            outcome, folder = mat.metadata.get("outcome"), mat.metadata.get("edition_folder")
            return (outcome.value if outcome else "已发布版本"), (str(folder.value) if folder else None)
    return None, None


def publish_final(home: Home, draft: str) -> str:
    """The final edition of `draft`: its own inputs re-scored with the commission's overrides (CURRENT last).

    Refuses when the warehouse no longer holds the inputs the draft was built from (a newer run came since).
    """
    import json

    import dagster as dg

    from pipelines.failures import failure_messages
    from pipelines.home_lock import exclusive_run, recover_dead_runs, run_tags
    from warehouse.db import connect, query_frame
    from warehouse.editions import final_edition_id

    final = final_edition_id(draft)
    manifest = json.loads((home.published / draft / "datapackage.json").read_text(encoding="utf-8"))
    con = connect(home.warehouse, read_only=True)
    try:
        held = dict(query_frame(con, "SELECT input, sha256 FROM input_files").iter_rows())
    finally:
        con.close()
    moved = [i["input"] for i in manifest.get("inputs", [])
             if i["input"] != "overrides" and i.get("sha256") and held.get(i["input"]) != i["sha256"]]
    if moved:
        raise RuntimeError(f"仓库中的输入（{'、'.join(moved)}）已不是征求意见稿 {draft} 所用的输入：请重新运行生成新的征求意见稿")
    # put in force by `edition finalize` itself, in one transaction with the review store's records
    config = {"ops": {"edition_facts": {"config": {"edition": final, "state": "正式", "draft_edition": draft}},
                      "publish_catalogs": {"config": {"put_in_force": False}}}}
    with exclusive_run(home, str(home.review_exports), final), dg.DagsterInstance.get() as instance:
        recover_dead_runs(instance, home)
        observe(instance)  # the overrides' export as this run reads it: what the next run compares with
        partition = edition_partition(instance, int(manifest["as_of"][:4]))  # the draft's data year
        result = execute(finalize_job, instance, {**_run_config(True), **config}, {PARTITION_TAG: partition, **run_tags()})
        if not result.success:
            raise RuntimeError("；".join(failure_messages(instance, result.run_id)) or "正式发布失败")
    return final
