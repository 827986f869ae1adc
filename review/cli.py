"""`majorwatch edition ...` and `majorwatch override ...` (messages in Chinese).

    majorwatch edition open-review EDITION --until YYYY-MM-DD [--home DIR]
    majorwatch edition close-review EDITION [--home DIR]
    majorwatch edition finalize EDITION [--home DIR]
    majorwatch edition status EDITION [--home DIR]
    majorwatch override list [--all] [--home DIR]
    majorwatch override add --major CODE [--school CODE] --field 指导类别|预警等级|限制 --value V --reason 文字
                            [--expires YYYY-MM-DD] [--home DIR]
    majorwatch override retire ID [--reason 文字] [--home DIR]

``register(subparsers, publish_final)`` adds both commands to the main parser; ``publish_final(home,
draft_edition) -> final_edition`` is the pipeline's function that builds the final edition with the
overrides applied and switches CURRENT (this package never imports the pipeline). Every change of the
overrides rewrites ``<home>/review/overrides.csv``, the file the pipeline reads as its overrides input.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from review.audit import Actor, ReviewError
from review.db import open_store
from review.overrides import add_override, export_overrides, export_path, list_overrides, retire_override
from review.windows import close_review, finalize, get_window, open_review, state_of
from scoring.overrides import FIELD_CN

PublishFinal = Callable[[Path, str], str]
FIELD_ALIASES = {**{v: k for k, v in FIELD_CN.items()}, **{k: k for k in FIELD_CN}}


def _home(args: argparse.Namespace) -> Path:
    from warehouse.home import Home

    return Home.from_env(getattr(args, "home", None)).root


def _actor() -> Actor:
    return Actor(f"命令行（{getpass.getuser()}）", "cli")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是日期，应为 YYYY-MM-DD") from None


def _export(home: Path) -> None:
    path = export_overrides(open_store(home), export_path(home).parent)
    print(f"复核调整已导出到 {path}（下次运行流程时读入）。")


def _open_review(args: argparse.Namespace) -> int:
    home = _home(args)
    if not (home / "published" / args.edition / "datapackage.json").is_file():
        print(f"错误：找不到已发布的版次 {args.edition}（{home / 'published'}）。", file=sys.stderr)
        return 1
    window = open_review(open_store(home), _actor(), args.edition, args.until)
    print(f"版次 {args.edition}（{window.state}）已开放征求意见，截止 {window.open_until.isoformat()}。")
    return 0


def _close_review(args: argparse.Namespace) -> int:
    close_review(open_store(_home(args)), _actor(), args.edition)
    print(f"版次 {args.edition} 的征求意见已结束，不再接受新的异议。")
    return 0


def _finalize(args: argparse.Namespace, publish_final: PublishFinal | None) -> int:
    if publish_final is None:
        print("错误：本命令需要流程的正式发布函数（由 majorwatch 主程序注册）。", file=sys.stderr)
        return 2
    home = _home(args)
    store = open_store(home)
    _export(home)
    final = finalize(store, _actor(), args.edition, lambda draft: publish_final(home, draft))
    print(f"版次 {args.edition} 已正式发布为 {final}（正式），CURRENT 已切换。")
    return 0


def _status(args: argparse.Namespace) -> int:
    store = open_store(_home(args))
    window = get_window(store, args.edition)
    until = f"，征求意见截止 {window.open_until.isoformat()}" if window and window.open_until else "，未开放征求意见"
    until += "（已提前结束）" if window and window.closed_at else ""
    final = f"，已正式发布为 {window.final_edition}" if window and window.final_edition else ""
    state = state_of(store, args.edition) or "未登记征求意见（状态以 datapackage.json 为准）"
    print(f"版次 {args.edition}：{state}{until}{final}")
    return 0


def _override_list(args: argparse.Namespace) -> int:
    rows = list_overrides(open_store(_home(args)), include_retired=args.all)
    if not rows:
        print("没有复核调整。")
        return 0
    print("编号  专业代码  学校代码     调整项    调整为      有效期至     状态    决定人 / 理由")
    for o in rows:
        state = "已停用" if o.retired else "有效"
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
                       school_code=args.school, expires=args.expires)
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


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ReviewError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
    return run


def register(subparsers, publish_final: PublishFinal | None = None) -> None:
    """Add `edition` and `override` to the main parser's subparsers (each sets ``func``)."""
    edition = subparsers.add_parser("edition", help="版次的征求意见与正式发布")
    esub = edition.add_subparsers(dest="edition_command", required=True)
    opened = esub.add_parser("open-review", help="开放征求意见稿接受异议")
    opened.add_argument("edition", metavar="EDITION")
    opened.add_argument("--until", type=_date, required=True, help="征求意见截止日期 YYYY-MM-DD（含当天）")
    opened.set_defaults(func=_guarded(_open_review))
    closed = esub.add_parser("close-review", help="提前结束征求意见")
    closed.add_argument("edition", metavar="EDITION")
    closed.set_defaults(func=_guarded(_close_review))
    final = esub.add_parser("finalize", help="征求意见结束、异议处理完毕后正式发布")
    final.add_argument("edition", metavar="EDITION")
    final.set_defaults(func=_guarded(lambda a: _finalize(a, publish_final)))
    status = esub.add_parser("status", help="查看版次状态")
    status.add_argument("edition", metavar="EDITION")
    status.set_defaults(func=_guarded(_status))

    override = subparsers.add_parser("override", help="复核调整：list / add / retire")
    osub = override.add_subparsers(dest="override_command", required=True)
    listing = osub.add_parser("list", help="列出复核调整")
    listing.add_argument("--all", action="store_true", help="包括已停用的")
    listing.set_defaults(func=_guarded(_override_list))
    add = osub.add_parser("add", help="添加复核调整（市教委决定）")
    add.add_argument("--major", required=True, metavar="CODE", help="专业代码")
    add.add_argument("--school", metavar="CODE", help="学校代码（只调整该校的专业点；不填为整个专业）")
    add.add_argument("--field", required=True, help="调整项：指导类别、预警等级或限制")
    add.add_argument("--value", required=True, help="调整为（如 正常、黄、停止新设、无）")
    add.add_argument("--reason", required=True, help="理由")
    add.add_argument("--expires", type=_date, help="有效期至 YYYY-MM-DD（不填为长期）")
    add.set_defaults(func=_guarded(_override_add))
    retire = osub.add_parser("retire", help="停用复核调整")
    retire.add_argument("override_id", metavar="ID", type=int)
    retire.add_argument("--reason", default="", help="停用理由")
    retire.set_defaults(func=_guarded(_override_retire))
    for parser in (opened, closed, final, status, listing, add, retire):
        parser.add_argument("--home", help="主目录（默认 MAJORWATCH_HOME 或 var/）")
