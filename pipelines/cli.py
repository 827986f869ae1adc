"""`majorwatch`: run the job, write a sample inbox, evaluate the models, serve the portal, issue tokens."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_run(args: argparse.Namespace) -> int:
    from data_contracts.second_opinions import first_opinions, warm_up_early
    from pipelines.instance import prepare_home

    home = prepare_home(getattr(args, "home", None), args.inbox)
    # before Dagster loads: on a first run, great-expectations is imported by the fork server beside it
    # (not when the run is about to be refused for a missing inbox folder)
    starts = args.inbox is None or Path(args.inbox).is_dir()
    warm_up_early(starts and first_opinions(home.second_opinions))
    return _run(args, home)


def _run(args: argparse.Namespace, home) -> int:
    from pipelines.run import run_job

    inbox = Path(args.inbox).resolve() if args.inbox else home.inbox
    if args.inbox is None and not any(inbox.glob("*.*")):
        from sample_data.generator import write_sample_inbox

        print(f"收件箱 {inbox} 为空：生成示例数据（scale={args.sample_scale}）…", flush=True)
        counts = write_sample_inbox(inbox, scale=args.sample_scale)
        print("  " + "，".join(f"{k} {v} 行" for k, v in counts.items()), flush=True)
    if not inbox.is_dir():
        print(f"错误：收件箱文件夹不存在：{inbox}", file=sys.stderr)
        return 2
    try:
        return run_job(home, inbox, edition=args.edition, quiet=args.quiet, final=args.final)
    except Exception as exc:  # the run boundary: a full disk or a damaged warehouse outside any step
        from warehouse.errors import system_error_text

        text = system_error_text(f"{type(exc).__name__}: {exc}")
        if text is None:
            raise
        print(f"错误：{text}", file=sys.stderr)
        return 1


def _cmd_sample(args: argparse.Namespace) -> int:
    from sample_data.generator import write_sample_inbox

    out = Path(args.out)
    if args.years is not None:
        return _sample_years(out, args)
    counts = write_sample_inbox(out, scale=args.scale, seed=args.seed, postings=args.postings)
    print(f"示例收件箱已写入 {out.resolve()}：")
    for name, rows in counts.items():
        print(f"  {name}: {rows} 行")
    return 0


def _sample_years(out: Path, args: argparse.Namespace) -> int:
    from sample_data.years import MAX_YEARS, write_sample_years
    from scoring.edition import edition_facts

    if not 1 <= args.years <= MAX_YEARS:
        print(f"错误：--years 应为 1 到 {MAX_YEARS} 之间的整数，收到 {args.years}", file=sys.stderr)
        return 2
    written = write_sample_years(out, args.years, scale=args.scale, seed=args.seed, postings=args.postings)
    print(f"{len(written)} 个数据年份的示例收件箱已写入 {out.resolve()}（每年一个子文件夹，按年份依次运行）：")
    for year, counts in written.items():
        print(f"  {year}/（数据年份 {year}，默认生成 {edition_facts(year).edition} 年版）：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from pipelines.evaluate import evaluate_inbox

    home = getattr(args, "home", None)
    return evaluate_inbox(Path(args.inbox), as_json=args.json, seed=args.seed, home=Path(home) if home else None)


def _cmd_portal(args: argparse.Namespace) -> int:
    from pipelines.instance import prepare_home
    from portal.server import serve

    home = prepare_home(getattr(args, "home", None))
    serve(home.root, host=args.host, port=args.port)
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from pipelines.definitions import defs
    from pipelines.tables_doc import write, write_rules

    print(f"已写入 {write(defs)}")
    print(f"已写入 {write_rules()}")
    return 0


def _publish_final(home: Path, draft: str) -> str:
    from pipelines.instance import prepare_home
    from pipelines.run import publish_final

    return publish_final(prepare_home(home), draft)


def build_parser() -> argparse.ArgumentParser:
    # one --home for every command, accepted before or after a verb (`token issue … --home H`)
    home_option = argparse.ArgumentParser(add_help=False)
    home_option.add_argument("--home", default=argparse.SUPPRESS, help="主目录（默认 MAJORWATCH_HOME 或 var/）")
    parser = argparse.ArgumentParser(prog="majorwatch", description="北京职业教育专业预警和退出机制")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="运行完整流程：读取收件箱、数据契约、评分、发布", parents=[home_option])
    run.add_argument("--inbox", help="收件箱文件夹（默认：主目录下 inbox/，为空时生成示例数据）")
    run.add_argument("--edition", help="发布的版本号，如 2026 或 2026-r2（默认按数据年份自动确定）")
    run.add_argument("--sample-scale", type=int, default=1, help="生成示例数据时的规模倍数")
    run.add_argument("--quiet", action="store_true", help="只打印结果摘要")
    run.add_argument("--final", action="store_true",
                     help="跳过征求意见，直接发布正式版（默认发布征求意见稿 <版本号>-draft）")
    run.set_defaults(func=_cmd_run)

    sample = sub.add_parser("sample", help="写出确定性的示例收件箱")
    sample.add_argument("--out", required=True)
    sample.add_argument("--scale", type=int, default=1)
    sample.add_argument("--seed", type=int, default=20261128)
    sample.add_argument("--postings", type=int, default=None,
                        help="招聘信息条数（默认 20000 × 规模；分批生成写入，千万条也不会占满内存）")
    sample.add_argument("--years", type=int, default=None,
                        help="连续几个数据年份（截至默认数据年份），写入 OUT/<年份>/；后续年份含专业代码调整和增补专业")
    sample.set_defaults(func=_cmd_sample)

    evaluate = sub.add_parser("evaluate", help="交叉验证各模型并打印指标（给出 --home 时，过往预警回测取该主目录已发布正式版的预警结论）")
    evaluate.add_argument("--inbox", required=True)
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--home", default=None, help="主目录：过往预警回测取其中已发布正式版的实际预警结论")
    evaluate.set_defaults(func=_cmd_evaluate)

    portal = sub.add_parser("portal", help="启动网上门户（学校与市教委）", parents=[home_option])
    portal.add_argument("--host", default="127.0.0.1")
    portal.add_argument("--port", type=int, default=8080)
    portal.set_defaults(func=_cmd_portal)

    from pipelines.cli_commission import register as register_commission
    from review.cli import register as register_review

    register_commission(sub)
    register_review(sub, publish_final=_publish_final)

    docs = sub.add_parser("docs", help="重新生成 docs/tables.md（仓库表说明，由资产图）和 docs/rules.md（规则手册）")
    docs.set_defaults(func=_cmd_docs)

    from pipelines.next_steps import register as register_next_steps
    from portal.cli_tokens import register as register_tokens

    register_tokens(sub, home_option)
    from pipelines.cli_home import register as register_home

    register_home(sub, home_option)
    register_next_steps(sub, home_option)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


def entry() -> None:
    """The ``majorwatch`` command: ``main``, then the process ends without collecting what it built. At
    interpreter exit Python runs one last garbage collection over every object still alive (Dagster's,
    great-expectations', pandas' modules and the run's own): about two seconds after each run, measured at
    scale 1. Frozen objects are skipped by it; the operating system takes the memory back anyway. Tests call
    ``main`` itself, so their process keeps collecting as usual."""
    import gc

    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
