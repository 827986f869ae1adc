"""The handlers of `majorwatch edition ...` and `majorwatch override ...` (messages in Chinese).

Imported only when one of these commands runs (review.cli registers them lazily), so `majorwatch run`
never pays for SQLAlchemy's ORM and Alembic.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from review.audit import Actor, ReviewError
from review.db import open_store
from review.hooks import PublishFinal
from review.models import DRAFT
from review.overrides import (
    add_override,
    catalog_in_force,
    export_overrides,
    export_path,
    list_overrides,
    retire_override,
)
from review.policy import confirm_policy, refusal, unconfirmed
from review.windows import close_review, finalize, get_window, open_review, state_of
from scoring.overrides import FIELD_CN

FIELD_ALIASES = {**{v: k for k, v in FIELD_CN.items()}, **{k: k for k in FIELD_CN}}


def _home(args: argparse.Namespace) -> Path:
    from warehouse.home import Home

    return Home.from_env(getattr(args, "home", None)).root


def _actor() -> Actor:
    return Actor(f"命令行（{getpass.getuser()}）", "cli")


def _export(home: Path) -> None:
    path = export_overrides(open_store(home), export_path(home).parent)
    print(f"复核调整已导出到 {path}（下次运行流程时读入）。")


def _open_review(args: argparse.Namespace) -> int:
    from warehouse.current import FINAL_STATE, edition_state

    home = _home(args)
    state = edition_state(home / "published", args.edition)
    if state is None:
        print(f"错误：找不到已发布的版次 {args.edition}（{home / 'published'}）。", file=sys.stderr)
        return 1
    if state == FINAL_STATE:
        print(f"错误：版次 {args.edition} 是正式版，不能征求意见；征求意见只对征求意见稿开放。"
              f"请先运行 majorwatch run 发布新的征求意见稿，再对它运行 majorwatch edition open-review "
              f"<征求意见稿版次> --until YYYY-MM-DD。", file=sys.stderr)
        return 1
    window = open_review(open_store(home), _actor(), args.edition, args.until)
    print(f"版次 {args.edition}（{window.state}）已开放征求意见，截止 {window.open_until.isoformat()}。")
    return 0


def _close_review(args: argparse.Namespace) -> int:
    close_review(open_store(_home(args)), _actor(), args.edition)
    print(f"版次 {args.edition} 的征求意见已结束，不再接受新的异议。")
    return 0


def _finalize(args: argparse.Namespace, publish_final: PublishFinal | None) -> int:
    from scoring.policy import load_policy
    from warehouse.current import make_current

    if publish_final is None:
        print("错误：本命令需要流程的正式发布函数（由 majorwatch 主程序注册）。", file=sys.stderr)
        return 2
    home = _home(args)
    policy = load_policy()
    pending = unconfirmed(home / "review", policy)
    if pending:
        raise ReviewError(refusal(policy, pending))
    store = open_store(home)
    _export(home)
    published = home / "published"

    def publish(draft: str) -> str:
        left = _left_by_a_crash(published, draft)
        if left:
            return left
        try:
            return publish_final(home, draft)
        except (RuntimeError, OSError) as exc:  # the pipeline refused or failed: its reason is already Chinese
            raise ReviewError(f"正式版未发布（CURRENT 与征求意见状态保持不变）：{exc}") from None

    final = finalize(store, _actor(), args.edition, publish, put_in_force=lambda e: make_current(published, e))
    print(f"版次 {args.edition} 已正式发布为 {final}（正式），CURRENT 已切换。")
    return 0


def _left_by_a_crash(published: Path, draft: str) -> str | None:
    """The final edition of `draft` when an earlier finalize wrote it and stopped before recording it."""
    import json

    from warehouse.editions import final_edition_id

    try:
        final = final_edition_id(draft)
        manifest = json.loads((published / final / "datapackage.json").read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    return final if manifest.get("draft_edition") == draft and manifest.get("state") == "正式" else None


def _policy_confirm(args: argparse.Namespace) -> int:
    from scoring.policy import load_policy

    home = _home(args)
    policy = load_policy()
    actor = Actor(args.by.strip(), "cli") if args.by and args.by.strip() else _actor()
    done = confirm_policy(open_store(home), actor, home / "review", policy, args.doc_number)
    print(f"已确认现行评分政策（版本 {done.version}），文号 {done.doc_number}，确认人 {done.confirmed_by}。"
          f"下一次发布的版次记载此确认；正式版的文件标注该文号。")
    return 0


def _status(args: argparse.Namespace) -> int:
    store = open_store(_home(args))
    window = get_window(store, args.edition)
    until = f"，征求意见截止 {window.open_until.isoformat()}" if window and window.open_until else "，未开放征求意见"
    until += "（已提前结束）" if window and window.closed_at else ""
    final = f"，已正式发布为 {window.final_edition}" if window and window.final_edition else ""
    state = state_of(store, args.edition) or "未登记征求意见（状态以 datapackage.json 为准）"
    left = _left_by_a_crash(_home(args) / "published", args.edition) if state == DRAFT else None
    if left:
        final += (f"；正式版 {left} 已写出但上次正式发布没有完成，请重新运行 majorwatch edition finalize "
                  f"{args.edition} 补完")
    print(f"版次 {args.edition}：{state}{until}{final}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    from review.audit import AUDIT_HEADERS, describe, entries

    rows = [describe(e) for e in entries(open_store(_home(args)))]
    if args.edition:
        rows = [r for r in rows if r["对象"] == args.edition or f"版次：{args.edition}" in r["详情"].split("；")]
    rows = rows[-args.limit:] if args.limit else rows
    if not rows:
        print("审计日志中没有记录。")
        return 0
    print("\t".join(AUDIT_HEADERS))
    for row in rows:
        print("\t".join(row[h] for h in AUDIT_HEADERS))
    return 0


def _override_list(args: argparse.Namespace) -> int:
    rows = list_overrides(open_store(_home(args)), include_retired=args.all)
    if not rows:
        print("没有复核调整。")
        return 0
    print("编号  专业代码  学校代码     调整项    调整为      有效期至     状态    决定人 / 理由")
    for o in rows:
        state = o.state
        print(f"{o.id:<5} {o.major_code:<9} {o.school_code or '（整个专业）':<12} {FIELD_CN[o.field]:<8} "
              f"{o.value:<10} {o.expires.isoformat() if o.expires else '长期':<12} {state:<6} {o.decided_by}：{o.reason}")
    return 0


def _override_add(args: argparse.Namespace) -> int:
    home = _home(args)
    field = FIELD_ALIASES.get(args.field)
    if field is None:
        print(f"错误：调整项应为 {'、'.join(FIELD_CN.values())} 之一（收到「{args.field}」）。", file=sys.stderr)
        return 1
    row = add_override(open_store(home), _actor(), args.major, field, args.value, args.reason,
                       school_code=args.school, expires=args.expires, catalog=catalog_in_force(home))
    who = f"学校 {row.school_code} 的专业点 {row.major_code}" if row.school_code else f"专业 {row.major_code}"
    print(f"已添加复核调整 {row.id}：{who} 的{FIELD_CN[field]}调整为「{row.value}」。")
    _export(home)
    return 0


def _override_retire(args: argparse.Namespace) -> int:
    home = _home(args)
    retire_override(open_store(home), _actor(), args.override_id, args.reason)
    print(f"已停用复核调整 {args.override_id}（下一版次起不再适用）。")
    _export(home)
    return 0


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    from sqlalchemy.exc import OperationalError

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ReviewError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        except OperationalError as exc:  # a locked or unreachable review store: nothing was half recorded
            print(f"错误：审核数据库正忙或无法写入（{type(exc.orig).__name__ if exc.orig else '连接失败'}），审核记录与"
                  f" CURRENT 都没有改变；请稍后重新运行本命令。", file=sys.stderr)
            return 1
    return run


