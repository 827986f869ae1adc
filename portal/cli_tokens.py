"""`majorwatch token ...`: issue, revoke and list portal access tokens (messages in Chinese).

    majorwatch token issue --school CODE [--label 文字] [--days N] [--home DIR]
    majorwatch token issue --commission [--label 文字] [--days N] [--home DIR]
    majorwatch token revoke ID [--home DIR]
    majorwatch token list [--home DIR]
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from portal import token_rules
from warehouse.home import Home


def register(subparsers, home_option: argparse.ArgumentParser) -> None:
    """Add `token issue | revoke | list` to the one majorwatch parser (``home_option`` gives --home anywhere)."""
    token = subparsers.add_parser("token", help="门户访问令牌：issue / revoke / list", parents=[home_option])
    sub = token.add_subparsers(dest="token_command", required=True)
    issue = sub.add_parser("issue", help="签发新令牌（只显示一次）", parents=[home_option])
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--school", metavar="CODE", help="学校代码：该令牌只能查看本校专业")
    who.add_argument("--commission", action="store_true", help="教委工作人员：可查看全部学校")
    issue.add_argument("--label", default="", help="备注（如联系人姓名）")
    issue.add_argument("--days", type=int, default=None,
                       help=f"有效天数（默认 {token_rules.VALID_DAYS_ENV} 或 {token_rules.DEFAULT_VALID_DAYS} 天）")
    revoke = sub.add_parser("revoke", help="吊销令牌", parents=[home_option])
    revoke.add_argument("token_id", metavar="ID", help="令牌编号（token list 中显示）")
    sub.add_parser("list", help="列出全部令牌", parents=[home_option])
    token.set_defaults(func=run)


def _issue(home: Path, args: argparse.Namespace) -> int:
    from portal import tokens  # the token store (SQLAlchemy) only when a token command runs

    try:
        token = tokens.issue(home, school=args.school, commission=args.commission, label=args.label,
                             days=args.days, actor=f"命令行（{getpass.getuser()}）")
    except tokens.TokenError as exc:
        print(f"未签发：{exc}", file=sys.stderr)
        return 1
    who = "教委工作人员" if args.commission else f"学校 {args.school} "
    record = next(r for r in tokens.list_tokens(home) if r.token_id == tokens.hash_token(token)[: tokens.ID_LENGTH])
    print(f"已为{who}签发令牌（只显示这一次，请妥善保存）：")
    print(token)
    print(f"令牌编号：{record.token_id}；有效期至 {record.expires}")
    return 0


def _list(home: Path) -> int:
    from portal import tokens  # the token store (SQLAlchemy) only when a token command runs

    records = tokens.list_tokens(home)
    if not records:
        print("尚未签发任何令牌。")
        return 0
    print("编号          角色          学校代码    签发时间                   有效期至                   状态    备注")
    for r in records:
        role = "教委" if r.role == "commission" else "学校"
        state = "已吊销" if r.revoked else "已过期" if r.expired else "有效"
        print(f"{r.token_id:<13} {role:<12} {r.school_code or '-':<10} {r.created:<26} {r.expires or '-':<26} "
              f"{state:<6} {r.label}")
    return 0


def run(args: argparse.Namespace) -> int:
    """`majorwatch token …` after parsing; the home folder as --home, MAJORWATCH_HOME or var/."""
    from portal import tokens

    home = Home.from_env(getattr(args, "home", None)).root
    if args.token_command == "issue":
        return _issue(home, args)
    if args.token_command == "revoke":
        if tokens.revoke(home, args.token_id, actor=f"命令行（{getpass.getuser()}）"):
            print(f"已吊销令牌 {args.token_id}。")
            return 0
        print(f"找不到唯一匹配的令牌编号 {args.token_id}（至少输入 6 位）。", file=sys.stderr)
        return 1
    return _list(home)
