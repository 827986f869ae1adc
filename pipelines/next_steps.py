"""`majorwatch next-steps`: what to do after a run (printed at the end of `make run`), with real values from
the home: the portal, a token for a school the published edition really has, the review of the newest draft."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta

import polars as pl

from warehouse.current import FINAL_STATE, current_edition, edition_state, list_editions
from warehouse.home import Home


def next_steps(home: Home, today: date | None = None) -> list[str]:
    """The commands to run next, one per line (empty before anything was published)."""
    published = home.published
    current = current_edition(published)
    if current is None:
        return []
    editions = list_editions(published)
    finalized = {_draft_of(published, e) for e in editions}
    drafts = [e for e in editions if edition_state(published, e) != FINAL_STATE and e not in finalized]
    at = "" if home.root == Home.from_env().root else f" --home {home.root}"  # the default home needs no --home
    cli = ".venv/bin/majorwatch"
    schools = pl.read_parquet(published / current / "school_major_scores.parquet", columns=["school_code"])
    school = schools["school_code"].drop_nulls().sort().first() if schools.height else None
    until = ((today or date.today()) + timedelta(days=30)).isoformat()
    year = current[:4] if current[:4].isdigit() else str((today or date.today()).year)
    lines = [f"现行版本：{current}（{edition_state(published, current)}）", "下一步：",
             "  打开门户（学校与市教委）：make portal  → http://127.0.0.1:8080"]
    if school:
        lines.append(f"  为示例学校 {school} 签发令牌：{cli} token issue --school {school}{at}")
    lines.append(f"  为市教委签发令牌：{cli} token issue --commission{at}")
    if drafts:
        lines.append(f"  开放征求意见：{cli} edition open-review {drafts[-1]} --until {until}{at}")
    lines.append(f"  正式发布前确认现行评分政策：{cli} policy confirm --doc-number 京教职成〔{year}〕N号{at}")
    lines.append("  查看运行、资产和数据契约：make ui  → http://127.0.0.1:3000")
    return lines


def _draft_of(published, edition: str) -> str | None:
    """The draft a final edition was issued from (datapackage.json ``draft_edition``)."""
    try:
        return json.loads((published / edition / "datapackage.json").read_text(encoding="utf-8")).get("draft_edition")
    except (OSError, ValueError):
        return None


def _cmd(args: argparse.Namespace) -> int:
    lines = next_steps(Home.from_env(getattr(args, "home", None)))
    print("\n".join(lines) if lines else "还没有发布任何版次：请先运行 make run 或 majorwatch run")
    return 0


def register(subparsers, home_option: argparse.ArgumentParser) -> None:
    steps = subparsers.add_parser("next-steps", help="列出运行之后的下一步命令（门户、令牌、征求意见）",
                                  parents=[home_option])
    steps.set_defaults(func=_cmd)

