"""`majorwatch home check [--repair]`: what is wrong with a home, in Chinese, and (with --repair) put right.

Looked at: the run lock (a live run: nothing is repaired under it), runs a dead process left in progress,
half-written editions (``.tmp-``), the warehouse (opens, every row of every table reads back), the caches keyed
on it (ingest memo), great-expectations' cached reports, and ``CURRENT`` naming a complete edition. Repairs never
delete what a person may need: a damaged warehouse is renamed and kept, ``CURRENT`` is pointed at the newest
complete edition only when the one it names is gone.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass

from warehouse.current import current_edition, list_editions, make_current
from warehouse.home import Home
from warehouse.recovery import recover_warehouse, warehouse_state


@dataclass
class Finding:
    what: str
    ok: bool
    message: str
    repaired: str = ""

    def line(self) -> str:
        mark = "✓" if self.ok else ("✔ 已修复" if self.repaired else "✗")
        text = f"  {mark} {self.what}：{self.message}"
        return text + (f"；{self.repaired}" if self.repaired else "")


def _dead_runs(home: Home, repair: bool) -> Finding:
    import dagster as dg

    from pipelines.home_lock import IN_PROGRESS, recover_dead_runs

    with dg.DagsterInstance.get() as instance:
        left = instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS))
        if not left:
            return Finding("运行记录", True, "没有未结束的运行")
        if not repair:
            return Finding("运行记录", False, f"{len(left)} 次运行仍记为进行中（若其进程已不存在，用 --repair 清理）")
        cleared = recover_dead_runs(instance, home)
        return Finding("运行记录", len(cleared) == len(left), f"{len(left)} 次运行记为进行中",
                       f"已把 {len(cleared)} 次进程已不存在的运行记为失败并释放其写入名额" if cleared else "")


def _tmp_editions(home: Home, repair: bool) -> Finding:
    tmp = sorted(home.published.glob(".tmp-*")) if home.published.is_dir() else []
    if not tmp:
        return Finding("半成品版本", True, "没有中断的发布留下的临时文件夹")
    if repair:
        for folder in tmp:
            shutil.rmtree(folder, ignore_errors=True)
    return Finding("半成品版本", False, f"{len(tmp)} 个中断的发布留下的临时文件夹（.tmp-…）",
                   "已删除" if repair else "")


def _warehouse(home: Home, repair: bool) -> list[Finding]:
    state = warehouse_state(home, full=True)
    if state.status == "ok":
        found = [Finding("仓库", True, f"{home.warehouse.name} 可以读取（每个表的每一行都已读过）")]
    elif state.status == "missing":
        found = [Finding("仓库", True, "仓库文件不存在：下一次运行从收件箱建立")]
    elif state.status == "busy":
        return [Finding("仓库", False, f"{home.warehouse.name} 正被另一个进程使用（{state.detail}），无法检查；请等它结束后再检查")]
    else:
        notes = recover_warehouse(home, full=True) if repair else []
        return [Finding("仓库", False, f"{home.warehouse.name} 已损坏（{state.detail}）；仓库只是收件箱与原始存储的缓存，"
                        "用 --repair 把它改名保留，下一次运行会重建", "；".join(notes))]
    return found


def _ge_cache(home: Home, repair: bool) -> Finding:
    bad = []
    for path in sorted(home.second_opinions.glob("*.json")) if home.second_opinions.is_dir() else []:
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            bad.append(path)
    if not bad:
        return Finding("数据契约复核缓存", True, "可以读取")
    if repair:
        for path in bad:
            path.unlink(missing_ok=True)
    return Finding("数据契约复核缓存", False, f"{len(bad)} 个文件无法读取", "已删除（下一次运行重新复核）" if repair else "")


def _current(home: Home, repair: bool) -> Finding:
    named, editions = current_edition(home.published), list_editions(home.published)
    if named is None:
        return Finding("现行版本", True, "尚未发布任何版本" if not editions else "CURRENT 不存在（尚未有版本生效）")
    if named in editions:
        return Finding("现行版本", True, f"CURRENT 指向完整的版本 {named}")
    message = f"CURRENT 指向的版本 {named} 不存在或不完整"
    if not editions:
        return Finding("现行版本", False, message + "，也没有其他完整版本：请重新运行 majorwatch run 发布")
    if repair:
        make_current(home.published, editions[-1])
        return Finding("现行版本", False, message, f"已改为最新的完整版本 {editions[-1]}")
    return Finding("现行版本", False, message + f"（最新的完整版本是 {editions[-1]}，--repair 会改为它）")


def check_home(home: Home, repair: bool = False) -> list[Finding]:
    """Every finding about ``home``; with ``repair``, each repairable one put right (under the run lock)."""
    from pipelines.home_lock import exclusive_run, lock_holder

    holder = lock_holder(home)
    if holder is not None:
        return [Finding("运行锁", False, f"一次运行正在使用该主目录（进程 {holder.get('pid', '?')}，开始于 "
                        f"{holder.get('started', '?')}）；请等它结束后再检查")]
    found = [Finding("运行锁", True, "没有运行正在使用该主目录")]
    checks = [_dead_runs, _tmp_editions, _ge_cache, _current]
    if not repair:
        return found + [check(home, False) for check in checks[:2]] + _warehouse(home, False) + \
            [check(home, False) for check in checks[2:]]
    # the repairs run under the run lock (without its own warehouse recovery: the findings say what was done)
    with exclusive_run(home, "home check --repair", None, recover=False):
        return found + [check(home, True) for check in checks[:2]] + _warehouse(home, True) + \
            [check(home, True) for check in checks[2:]]


def main(home: Home, repair: bool) -> int:
    findings = check_home(home, repair)
    print(f"主目录 {home.root}：")
    for finding in findings:
        print(finding.line())
    left = [f for f in findings if not f.ok and not f.repaired]
    print("全部正常" if not left and all(f.ok for f in findings) else
          ("已全部修复" if not left else f"{len(left)} 项需要处理" + ("" if repair else "（加 --repair 修复）")))
    return 1 if left else 0
