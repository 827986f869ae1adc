"""`majorwatch edition ...` and `majorwatch override ...` (messages in Chinese).

    majorwatch edition open-review EDITION --until YYYY-MM-DD [--home DIR]
    majorwatch edition close-review EDITION [--home DIR]
    majorwatch edition finalize EDITION [--home DIR]
    majorwatch edition status EDITION [--home DIR]
    majorwatch edition audit [--edition EDITION] [--limit N] [--home DIR]
    majorwatch override list [--all] [--home DIR]
    majorwatch override add --major CODE [--school CODE] --field 指导类别|预警等级|限制 --value V --reason 文字
                            [--expires YYYY-MM-DD] [--home DIR]
    majorwatch override retire ID [--reason 文字] [--home DIR]
    majorwatch policy confirm --doc-number 京教职成〔YYYY〕N号 [--by 姓名] [--home DIR]

``register(subparsers, publish_final)`` adds both commands to the main parser; ``publish_final(home,
draft_edition) -> final_edition`` is the pipeline's function that builds the final edition with the
overrides applied and switches CURRENT (this package never imports the pipeline). Every change of the
overrides rewrites ``<home>/review/overrides.csv``, the file the pipeline reads as its overrides input.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date

from review.hooks import PublishFinal


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是日期，应为 YYYY-MM-DD") from None


def _lazy(name: str, *extra) -> Callable[[argparse.Namespace], int]:
    """The handler review.commands.<name>, imported when the command runs (not when the parser is built)."""
    def run(args: argparse.Namespace) -> int:
        from review import commands

        handler = getattr(commands, name)
        return commands.guarded(lambda a: handler(a, *extra))(args)
    return run


def register(subparsers, publish_final: PublishFinal | None = None) -> None:
    """Add `edition` and `override` to the main parser's subparsers (each sets ``func``)."""
    edition = subparsers.add_parser("edition", help="版次的征求意见与正式发布")
    esub = edition.add_subparsers(dest="edition_command", required=True)
    opened = esub.add_parser("open-review", help="开放征求意见稿接受异议")
    opened.add_argument("edition", metavar="EDITION")
    opened.add_argument("--until", type=_date, required=True, help="征求意见截止日期 YYYY-MM-DD（含当天）")
    opened.set_defaults(func=_lazy("_open_review"))
    closed = esub.add_parser("close-review", help="提前结束征求意见")
    closed.add_argument("edition", metavar="EDITION")
    closed.set_defaults(func=_lazy("_close_review"))
    final = esub.add_parser("finalize", help="征求意见结束、异议处理完毕后正式发布")
    final.add_argument("edition", metavar="EDITION")
    final.set_defaults(func=_lazy("_finalize", publish_final))
    status = esub.add_parser("status", help="查看版次状态")
    status.add_argument("edition", metavar="EDITION")
    status.set_defaults(func=_lazy("_status"))
    audit = esub.add_parser("audit", help="查看审计日志（谁在何时做了什么）")
    audit.add_argument("--edition", default="", help="只看与该版次有关的记录")
    audit.add_argument("--limit", type=int, default=200, help="最多显示最近多少条（0 为全部）")
    audit.set_defaults(func=_lazy("_audit"))

    policy = subparsers.add_parser("policy", help="评分政策：confirm（市教委确认现行政策）")
    psub = policy.add_subparsers(dest="policy_command", required=True)
    confirm = psub.add_parser("confirm", help="记录市教委确认现行评分政策的文号、确认人和时间")
    confirm.add_argument("--doc-number", required=True, help="确认文号，例如 京教职成〔2026〕5号")
    confirm.add_argument("--by", default="", help="确认人姓名（默认当前系统用户）")
    confirm.set_defaults(func=_lazy("_policy_confirm"))

    override = subparsers.add_parser("override", help="复核调整：list / add / retire")
    osub = override.add_subparsers(dest="override_command", required=True)
    listing = osub.add_parser("list", help="列出复核调整")
    listing.add_argument("--all", action="store_true", help="包括已停用的")
    listing.set_defaults(func=_lazy("_override_list"))
    add = osub.add_parser("add", help="添加复核调整（市教委决定）")
    add.add_argument("--major", required=True, metavar="CODE", help="专业代码")
    add.add_argument("--school", metavar="CODE", help="学校代码（只调整该校的专业点；不填为整个专业）")
    add.add_argument("--field", required=True, help="调整项：指导类别、预警等级或限制")
    add.add_argument("--value", required=True, help="调整为（如 正常、黄、停止新设、无）")
    add.add_argument("--reason", required=True, help="理由")
    add.add_argument("--expires", type=_date, help="有效期至 YYYY-MM-DD（不填为长期）")
    add.set_defaults(func=_lazy("_override_add"))
    retire = osub.add_parser("retire", help="停用复核调整")
    retire.add_argument("override_id", metavar="ID", type=int)
    retire.add_argument("--reason", default="", help="停用理由")
    retire.set_defaults(func=_lazy("_override_retire"))
    for parser in (opened, closed, final, status, audit, listing, add, retire, confirm):
        parser.add_argument("--home", help="主目录（默认 MAJORWATCH_HOME 或 var/）")
