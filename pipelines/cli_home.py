"""`majorwatch home prepare`, `majorwatch home backup --out DIR` and `majorwatch home restore DIR --home NEW`
(pipelines/home_backup.py).

`register` returns the `home` command's own subparsers, so another verb (`home check`) can join them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_backup(args: argparse.Namespace) -> int:
    from pipelines.home_backup import BackupError, backup
    from pipelines.home_lock import HomeBusyError
    from warehouse.home import Home

    home = Home.from_env(getattr(args, "home", None))
    if not home.root.is_dir():
        print(f"错误：主目录 {home.root} 不存在", file=sys.stderr)
        return 2
    try:
        names = backup(home, Path(args.out).resolve())
    except (BackupError, HomeBusyError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    print(f"已备份主目录 {home.root} 到 {Path(args.out).resolve()}：{len(names)} 个文件，校验清单 SHA256SUMS")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from pipelines.home_backup import BackupError, restore

    if not getattr(args, "home", None):
        print("错误：请用 --home 指定恢复到的新主目录", file=sys.stderr)
        return 2
    try:
        home = restore(Path(args.folder).resolve(), Path(args.home).resolve())
    except BackupError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1
    print(f"已校验并恢复到 {home.root}；可运行 majorwatch run --home {home.root} 或 majorwatch portal --home {home.root}")
    return 0


def _cmd_prepare(args: argparse.Namespace) -> int:
    from pipelines.instance import prepare_home
    from review.db import open_store, store_url

    try:
        home = prepare_home(getattr(args, "home", None))
    except ValueError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    open_store(home.root)
    (home.root / "inbox").mkdir(exist_ok=True)
    backend = "PostgreSQL" if store_url(home.root).startswith("postgresql") else "SQLite"
    print(f"主目录 {home.root} 已就绪（Dagster 配置 {home.dagster_home / 'dagster.yaml'}，复核库 {backend}）")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from pipelines.home_check import main as check_main
    from pipelines.instance import prepare_home

    return check_main(prepare_home(getattr(args, "home", None)), args.repair)


def register(sub, home_option: argparse.ArgumentParser):
    """Add `home prepare`, `backup`, `restore` and `check` to the main parser; returns the `home` subparsers."""
    home = sub.add_parser("home", help="主目录的准备、检查、备份与恢复")
    verbs = home.add_subparsers(dest="home_command", required=True)
    prepare = verbs.add_parser("prepare", help="建立主目录、写出 Dagster 配置并升级复核库（服务启动前运行）",
                               parents=[home_option])
    prepare.set_defaults(func=_cmd_prepare)
    backup = verbs.add_parser("backup", help="备份主目录（仓库、原始文件、各版目录、复核库、Dagster 存储）并写出校验清单",
                              parents=[home_option])
    backup.add_argument("--out", required=True, help="备份写入的新目录")
    backup.set_defaults(func=_cmd_backup)
    restore = verbs.add_parser("restore", help="校验备份后恢复到一个新的主目录", parents=[home_option])
    restore.add_argument("folder", help="备份目录（含 SHA256SUMS）")
    restore.set_defaults(func=_cmd_restore)
    check = verbs.add_parser("check", help="检查主目录；--repair 修复能修复的问题", parents=[home_option])
    check.add_argument("--repair", action="store_true", help="修复：清理中断的运行与临时文件，损坏的仓库改名保留后重建")
    check.set_defaults(func=_cmd_check)
    return verbs
