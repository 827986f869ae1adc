"""The action plan and the backbone candidates as print-ready workbooks (issue 28).

专业调整行动清单.xlsx: the plan's rows by action (one sheet per action that has rows, the school rows first),
and a 说明 sheet defining each action and shortage kind. 骨干专业推荐名单.xlsx: the ranked list, each part of the
ranking in its own column, and a 说明 sheet with the weights in force.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from documents.bulletin import table
from documents.edition import EditionInfo
from scoring import actions_text as t
from scoring.actions import HEADERS as ACTION_HEADERS
from scoring.backbone import HEADERS as BACKBONE_HEADERS
from scoring.backbone import PART_NAMES
from scoring.policy import Policy
from warehouse.spreadsheet import Heading, Sheet, write_workbook

ACTIONS_FILE, BACKBONE_FILE = "专业调整行动清单.xlsx", "骨干专业推荐名单.xlsx"
NOTE_HEADERS = {"term": "名词", "definition": "含义"}
WIDTHS = {"school_name": 16, "major_name": 14, "receiving_majors": 40, "upgrade_toward": 44, "partner_regions": 40,
          "candidate_schools": 44, "evidence": 60, "term": 12, "definition": 80, "district": 8}
# per action: the columns that carry its content (the others are empty for it)
ACTION_COLUMNS = {
    t.MERGE: ("students_in_school", "last_cohort_graduates", "receiving_majors"),
    t.LIMIT: ("students_in_school", "last_cohort_graduates", "receiving_majors"),
    t.CLOSE: ("students_in_school", "last_cohort_graduates", "receiving_majors"),
    t.UPGRADE: ("upgrade_toward",), t.PARTNER: ("partner_regions",),
    t.PRIORITY: ("candidate_schools",), t.KEY: ("candidate_schools",),
}
BASE = ("school_name", "district", "major_code", "major_name", "action")
TAIL = ("shortage_kind", "evidence")


def _notes(policy: Policy, extra: list[tuple[str, str]]) -> Sheet:
    a = policy.actions
    high, floor = f"求人倍率不低于{a.high_demand_ratio:g}", f"全市各专业起薪中位数的{1 - a.pay_lag_share:.0%}"
    rows = [(x, t.DEFINITIONS[x]) for x in t.ACTIONS] + [
        (t.TRAINING_GAP, f"{high}、起薪不低于{floor}：多培养毕业生可补上缺口。"),
        (t.RETENTION_GAP, f"{high}但起薪低于{floor}：岗位难留人，多培养毕业生也难以补上。"),
        (t.NO_GAP, f"求人倍率低于{a.high_demand_ratio:g}，未达到需求旺盛的标准。"),
        (t.NO_DATA, "求人倍率或起薪数据不足，无法判断。"),
        ("可承接专业", f"与该专业相似度不低于{a.receiving_min_similarity:g}（名称与职业面向的文字相似度占一半，共同职业、共同行业各占"
                  f"四分之一）、预警为绿色且未受限制的专业点，本校优先，其次本区，最多{a.receiving_max}个。"),
        ("改造升级方向", f"对应行业中需求人数或招聘用语占比比上一年增长不低于{a.rising_min_growth:.0%}的职业、技能用语"
                    f"（最新一年至少{a.rising_min_postings}条招聘）和行业。"), *extra]
    return Sheet("说明", pl.DataFrame(rows, orient="row", schema=["term", "definition"]), NOTE_HEADERS,
                 widths=WIDTHS)


def write_action_workbooks(folder: Path, tables: dict[str, pl.DataFrame], policy: Policy,
                           info: EditionInfo) -> list[Path]:
    """Both workbooks, for whichever of the two tables the edition has."""
    written = []
    plan = tables.get("actions")
    if plan is not None and policy.actions is not None:
        sheets = []
        for action in t.ACTIONS:
            rows = plan.filter(pl.col("action") == action)
            if rows.height:
                columns = [*BASE, *ACTION_COLUMNS[action], *TAIL]
                frame = rows.select(columns).with_columns(
                    pl.col("school_name").fill_null("全市"), pl.col("district").fill_null("—"))
                sheets.append(Sheet(action, frame, {c: ACTION_HEADERS[c] for c in columns},
                                    missing={"last_cohort_graduates": "无在校生"}, widths=WIDTHS))
        if not sheets:
            sheets.append(Sheet("调整措施", pl.DataFrame({"note": ["本版没有需要调整的专业点。"]}), {"note": "说明"}))
        sheets.append(_notes(policy, [("在校生（估算）", "修业年限内各届招生人数之和（中职、高职专科3年，职业本科4年）。"),
                              ("末届毕业年份", "最后一届有招生的年份加修业年限。")]))
        path = folder / ACTIONS_FILE
        write_workbook(path, sheets, info.timestamp, Heading(info.title("专业调整行动清单"), info.subtitle()))
        written.append(path)
    ranked = tables.get("backbone_candidates")
    if ranked is not None and policy.backbone is not None:
        weights = [(f"{name}得分", f"满分{getattr(policy.backbone, part):g}分。")
                   for part, name in PART_NAMES.items()]
        notes = Sheet("说明", pl.DataFrame(
            [("总分", "各部分得分之和（满分100）；产业契合按高精尖与城市服务紧缺行业占比计分，其余各项按全市参评专业点中的"
                    "百分位计分，缺数据的项计0分。同分者并列同一名次，按学校代码、专业代码排列。"),
             ("参评范围", f"预警为绿色、未列入禁限、未退出且最新一年毕业生不少于{policy.backbone.min_graduates}人的专业点。"),
             *weights], orient="row", schema=["term", "definition"]), NOTE_HEADERS, widths=WIDTHS)
        path = folder / BACKBONE_FILE
        write_workbook(path, [Sheet("骨干专业推荐名单", ranked.drop("school_code"),
                                    {k: v for k, v in BACKBONE_HEADERS.items() if k != "school_code"},
                                    decimals={c: 2 for c in ranked.columns if c.startswith("part_") or c == "total"},
                                    widths=WIDTHS), notes],
                       info.timestamp, Heading(info.title("骨干专业推荐名单"), info.subtitle()))
        written.append(path)
    return written


def actions_section(tables: dict[str, pl.DataFrame], title: str = "七、专业调整行动") -> dict | None:
    """The bulletin's short section on the action plan (None when the edition has no plan)."""
    plan = tables.get("actions")
    if plan is None:
        return None
    school = plan.filter(pl.col("school_code").is_not_null())
    down = school.filter(pl.col("action").is_in(t.WINDING_DOWN))
    received = down.filter(~pl.col("receiving_majors").fill_null(t.NONE_RECEIVING).str.starts_with("无")).height
    partners = plan.filter((pl.col("action") == t.PARTNER) & pl.col("school_code").is_null())
    partner_found = partners.filter(~pl.col("partner_regions").fill_null(t.NO_DATA).str.starts_with(t.NO_DATA)).height
    kinds = dict(plan.filter(pl.col("school_code").is_null() | pl.col("action").is_in(t.WINDING_DOWN))
                 .unique("major_code").group_by("shortage_kind").len().iter_rows())
    rows = []
    for action in t.ACTIONS:
        part = plan.filter(pl.col("action") == action)
        if part.height:
            own = part.filter(pl.col("school_code").is_not_null())
            last = own["last_cohort_graduates"].drop_nulls()
            rows.append([action, own.height, part.height - own.height,
                         f"{int(own['students_in_school'].fill_null(0).sum()):,}" if action in t.WINDING_DOWN else "—",
                         f"{last.max()}年" if last.len() else "—"])
    text = [f"本版行动清单共 {plan.height} 行：涉及学校专业点 {school.height} 个，全市性措施 {plan.height - school.height} 项。"]
    if down.height:
        text.append(f"撤并、限制招生或撤销的专业点 {down.height} 个，在校生约 {int(down['students_in_school'].fill_null(0).sum()):,} 人；"
                    f"其中 {received} 个在本校或本区找到了相近且预警为绿色的可承接专业。")
    if partners.height:
        rest = "，其余注明数据不足" if partner_found < partners.height else ""
        text.append(f"合作办学专业 {partners.height} 个，其中 {partner_found} 个有津冀地区对应行业的需求数据{rest}。")
    if kinds:
        text.append("缺口类型：" + "，".join(f"{k} {kinds[k]} 个专业" for k in (t.TRAINING_GAP, t.RETENTION_GAP, t.NO_GAP, t.NO_DATA)
                                        if kinds.get(k)) + "（留任缺口指需求旺盛但起薪明显偏低，多培养毕业生也难以补上）。")
    ranked = tables.get("backbone_candidates")
    if ranked is not None:
        text.append(f"骨干专业推荐名单列出 {ranked.height} 个专业点，各部分得分见《骨干专业推荐名单》。")
    return {"title": title, "charts": [], "paragraphs": text,
            "tables": [table("各类调整措施", ["调整措施", "学校专业点", "全市性措施", "在校生（估算）", "最晚末届毕业"], rows,
                             "个（专业点、措施）、人（在校生）", "本版专业调整行动清单")]}
