"""`python -m sample_data --out DIR [--scale N] [--seed S]`: write the sample inbox.

The lead wires `main` into `majorwatch sample`; messages are in Chinese for the people who run it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sample_data.generator import DEFAULT_SEED, FILES, write_sample_inbox

TITLES: dict[str, str] = {
    "majors": "专业目录", "industries": "行业分类", "occupations": "职业分类",
    "major_occupation_map": "专业职业对应", "major_industry_map": "专业行业对应",
    "industry_adjustments": "产业调整清单", "schools": "学校", "school_majors": "专业点招生就业",
    "labor_market": "人才供需", "job_postings": "招聘信息",
}


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("必须是不小于 1 的整数")
    return value


def main(argv: list[str] | None = None) -> int:
    """Parse `argv`, write the inbox, print what was written; return the exit code."""
    parser = argparse.ArgumentParser(prog="majorwatch sample", description="生成确定性的北京样例收件箱")
    parser.add_argument("--out", required=True, type=Path, help="输出目录（不存在则创建）")
    parser.add_argument("--scale", type=_positive, default=1, help="规模倍数：学校、专业点和招聘信息随之放大；100 及以上时专业目录为全国规模（1,490 个专业）")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子（相同种子生成相同文件）")
    parser.add_argument("--postings", type=_positive, default=None,
                        help="招聘信息条数（默认 20000 × 规模；分批生成写入，千万条也不会占满内存）")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write_sample_inbox(args.out, scale=args.scale, seed=args.seed, postings=args.postings)
    elapsed = time.perf_counter() - started
    print(f"已生成样例收件箱：{args.out}（规模 {args.scale}，随机种子 {args.seed}，用时 {elapsed:.1f} 秒）")
    for name, rows in counts.items():
        print(f"  {FILES[name]:<28}{TITLES[name]}：{rows:,} 行")
    return 0


if __name__ == "__main__":
    sys.exit(main())
