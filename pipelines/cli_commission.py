"""Commission commands: `majorwatch whatif` and `majorwatch precheck` (hooked into pipelines/cli.py by
`register(subparsers)`). Both only read: the warehouse (read-only) and the published edition; the
logic is in scoring/whatif.py and scoring/precheck.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

_SCORING_INPUTS = ("majors", "major_industry_exposure", "major_market_signals")


def _home(value: str | None):
    from warehouse.home import Home

    return Home.from_env(value)


def _cmd_whatif(args: argparse.Namespace) -> int:
    from scoring.policy import PolicyError, load_policy
    from scoring.whatif import WHATIF_HEADERS, transitions, whatif
    from warehouse.db import connect, read_frame, table_exists

    home = _home(args.home)
    try:
        current = load_policy(Path(args.current) if args.current else None)
        other = load_policy(Path(args.policy))
    except (PolicyError, OSError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    if not home.warehouse.is_file():
        print(f"错误：数据仓库不存在：{home.warehouse}（请先运行 majorwatch run）", file=sys.stderr)
        return 2
    con = connect(home.warehouse, read_only=True)
    try:
        missing = [t for t in _SCORING_INPUTS if not table_exists(con, t)]
        if missing:
            print(f"错误：数据仓库缺少表 {'、'.join(missing)}（请先运行 majorwatch run）", file=sys.stderr)
            return 2
        f = {t: read_frame(con, t) for t in _SCORING_INPUTS}
    finally:
        con.close()
    moved = whatif(f["majors"], f["major_industry_exposure"], f["major_market_signals"], current, other)
    if args.out:
        out = Path(args.out).resolve()
        if home.published.resolve() in out.parents:
            print(f"错误：whatif 不向发布目录写入：{out}", file=sys.stderr)
            return 2
        moved.rename(WHATIF_HEADERS).write_csv(out, include_bom=True)
    print(f"政策比较：现行 {current.version} → {other.version}（{other.title or args.policy}）")
    print(f"结论变动的专业：{moved.height} 个（未写入发布目录）")
    for r in transitions(moved).iter_rows(named=True):
        print(f"  预警等级 {r['warning_level_now']} → {r['warning_level_new']}：{r['majors']} 个")
    for r in moved.head(args.limit).iter_rows(named=True):
        restriction = f"，限制 {r['restriction_now'] or '无'} → {r['restriction_new'] or '无'}" \
            if r["restriction_now"] != r["restriction_new"] else ""
        print(f"- {r['major_code']} {r['major_name'] or ''}：{r['warning_level_now']} → {r['warning_level_new']}"
              f"，指导类别 {r['guidance_now']} → {r['guidance_new']}{restriction}。{r['why']}")
    if moved.height > args.limit:
        print(f"……其余 {moved.height - args.limit} 个见 --out 写出的 CSV")
    return 0


def _cmd_precheck(args: argparse.Namespace) -> int:
    import polars as pl

    from scoring.policy import policy_from_dict
    from scoring.precheck import format_precheck, precheck_from_tables
    from warehouse.publish import current_edition

    home = _home(args.home)
    edition = args.edition or current_edition(home.published)
    folder = home.published / edition if edition else None
    if folder is None or not (folder / "guiding_catalog.parquet").is_file():
        print(f"错误：找不到已发布的版次（{home.published}）；请先运行 majorwatch run", file=sys.stderr)
        return 2
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    policy = policy_from_dict(package["policy"]["content"])
    answer = precheck_from_tables(pl.read_parquet(folder / "guiding_catalog.parquet"),
                                  pl.read_parquet(folder / "restriction_list.parquet"),
                                  pl.read_parquet(folder / "school_major_scores.parquet"), policy,
                                  args.school.strip(), args.major.strip())
    answer["edition"] = edition
    print(json.dumps(answer, ensure_ascii=False, indent=2) if args.json else
          f"版次 {edition}\n" + format_precheck(answer))
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `whatif` and `precheck` to the majorwatch CLI."""
    w = subparsers.add_parser("whatif", help="在另一份评分政策下重新评分，列出结论变动的专业（不写入发布目录）")
    w.add_argument("--policy", required=True, help="另一份政策文件，例如 scoring/policies/sichuan.yaml")
    w.add_argument("--current", default=None, help="现行政策文件（默认 scoring/policy.yaml）")
    w.add_argument("--home", default=None)
    w.add_argument("--out", default=None, help="把变动清单写成 CSV（不得位于发布目录内）")
    w.add_argument("--limit", type=int, default=30, help="屏幕上最多列出的专业数")
    w.set_defaults(func=_cmd_whatif)
    c = subparsers.add_parser("precheck", help="新设专业预审：某校能否在所在区新设某专业，及依据")
    c.add_argument("--school", required=True, help="学校代码")
    c.add_argument("--major", required=True, help="专业代码")
    c.add_argument("--home", default=None)
    c.add_argument("--edition", default=None, help="版次（默认 CURRENT）")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_cmd_precheck)
