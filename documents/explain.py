"""The 说明 sheet: every guidance category, warning level, restriction and scope defined in plain Chinese,
with the thresholds in force read from the policy file (so the sheet can never drift from the rules)."""

from __future__ import annotations

import polars as pl

from scoring.palette import CATEGORY_COLORS
from scoring.policy import Policy

PENDING = "待市教委确认"
NOTE_HEADERS = {"kind": "类别", "term": "名称", "definition": "含义", "threshold": "现行阈值", "source": "出处"}


def pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def pending_items(policy: Policy) -> list[str]:
    """The policy values whose source still says 待市教委确认 (while any is left, the edition is a draft)."""
    return sorted(k for k, v in policy.sources.items() if PENDING in v)


def definitions(policy: Policy) -> pl.DataFrame:
    """kind, term, definition, threshold, source: one row per category, level, restriction and scope."""
    r, src = policy.rules, policy.sources
    rows = [
        ("指导类别", "停止新设", "全市不得新设该专业点。",
         f"对应行业中禁止类占比超过 {pct(r.prohibited_share)}（仅依据已确认的专业—行业对应）",
         src["rules.prohibited_share"]),
        ("指导类别", "限制", "全市限制招生，逐年缩减招生规模。",
         f"禁止类与限制类合计占比超过 {pct(r.restricted_share)}；或毕业去向落实率连续两年低于 "
         f"{pct(r.employment_floor)}", src["rules.restricted_share"]),
        ("指导类别", "控制发展", "不再新增专业点，现有专业点稳定规模。",
         f"风险分值不低于 {r.control_score:g}；或开设学校超过 {r.saturation_max_schools:.0f} 所且求人倍率"
         f"较上年变化不高于 {pct(r.falling_demand_trend)}", src["rules.control_score"]),
        ("指导类别", "改造升级", "对接产业调整转型，更新专业方向、课程和实训条件。",
         f"对应行业中调整转型类占比超过 {pct(r.transforming_share)}", src["rules.transforming_share"]),
        ("指导类别", "合作办学", "对应产业疏解转移，宜与津冀等地合作办学。",
         f"对应行业中疏解转移类占比超过 {pct(r.relocated_share)}", src["rules.relocated_share"]),
        ("指导类别", "优先发展", "服务高精尖产业且人才紧缺，支持新设和扩大招生。",
         f"高精尖类占比不低于 {pct(r.priority_high_end_min)}，且求人倍率不低于 {r.priority_ratio_min:g}",
         src["rules.priority_high_end_min"]),
        ("指导类别", "重点建设", "服务城市运行和民生保障紧缺领域，重点支持办学条件建设。",
         f"城市服务紧缺类占比不低于 {pct(r.key_urban_service_min)}，且求人倍率不低于 {r.key_ratio_min:g}",
         src["rules.key_urban_service_min"]),
        ("指导类别", "正常", "未触发以上任何规则，按常规管理。", "—", "—"),
        ("指导类别", "同时满足多条时", "取排在前面的类别：" + " > ".join(policy.guidance_precedence) + "。", "—",
         src["guidance_precedence"]),
        ("预警等级", "红", "需立即采取措施：停止新设、连续两年落实率偏低或风险分值很高。",
         f"风险分值不低于 {r.red_score:g}；或全市停止新设；或毕业去向落实率连续两年低于 {pct(r.employment_floor)}",
         src["rules.red_score"]),
        ("预警等级", "黄", "需关注并制定改进计划。",
         f"风险分值不低于 {r.yellow_score:g}；或有任何禁限；或指导类别为限制、控制发展；或最新一年落实率低于 "
         f"{pct(r.employment_floor)}", src["rules.yellow_score"]),
        ("预警等级", "绿", "未见明显风险。", f"风险分值低于 {r.yellow_score:g} 且未触发红、黄条件", "—"),
        ("限制类型", "停止新设", "列入禁限目录：适用区域内不得新设该专业点。",
         f"适用区域内禁止类占比超过 {pct(r.prohibited_share)}", src["rules.prohibited_share"]),
        ("限制类型", "限制招生", "列入禁限目录：适用区域内缩减招生。",
         f"适用区域内禁止、限制类合计超过 {pct(r.restricted_share)}；或落实率连续两年低于 "
         f"{pct(r.employment_floor)}（全市）", src["rules.employment_floor"]),
        ("退出", "专业点退出", "学校的专业点连续多年无招生，应予撤销。",
         f"连续 {r.exit_zero_enrolment_years:.0f} 年（含最新年份）无招生", src["rules.exit_zero_enrolment_years"]),
        ("适用区域", "全市", "在北京市所有区的学校适用。", "—", "—"),
    ]
    for zone, districts in policy.zones.items():
        rows.append(("适用区域", zone, f"功能区，仅对位于 {'、'.join(districts)} 的学校适用。", "—", src["zones"]))
    rows.append(("适用区域", "区名（如 朝阳区）", "仅对位于该区的学校适用。", "—", "—"))
    rows.append(("区", "不再举办职业教育的区", "这些区学校的每个专业点都标注“所在区不再举办职业教育”。",
                 "、".join(policy.no_vocational_districts), src["districts.no_vocational"]))
    for key, (label, _) in CATEGORY_COLORS.items():
        weight = policy.weights.model_dump().get(key, policy.relief.model_dump().get(key))
        sign = "减" if key in policy.relief.model_dump() else "加"
        rows.append(("行业清单类别", f"{label}类", f"对应行业在{label}类清单中的比例，按比例{sign}风险分值。",
                     f"满分 {weight:g} 分", src.get(f"weights.{key}") or src.get(f"relief.{key}", "—")))
    rows.append(("分值", "风险分值", "0–100，越高风险越大；由行业清单、人才供需、毕业去向、招生趋势和布点数量各部分相加。",
                 "各部分满分：" + "、".join(f"{_label(k)} {v:g}" for k, v in policy.weights.model_dump().items()), "—"))
    rows.append(("指标", "求人倍率", "岗位需求人数 ÷ 求职人数；大于 1 表示岗位多于求职者。",
                 f"不低于 {policy.curves.demand_ratio_no_risk:g} 时需求部分不计分", src["curves.demand_ratio_no_risk"]))
    rows.append(("指标", "毕业去向落实率", "已落实去向的毕业生 ÷ 毕业生人数，全市同专业合计。",
                 f"低于 {pct(r.employment_floor)} 触发预警", src["rules.employment_floor"]))
    rows.append(("政策", "政策版本", f"评分政策 {policy.version}（文件 SHA-256 {policy.sha256[:16]}…）。",
                 f"{len(pending_items(policy))} 项取值待市教委确认", "scoring/policy.yaml"))
    return pl.DataFrame(rows, schema=list(NOTE_HEADERS), orient="row")


def _label(key: str) -> str:
    return CATEGORY_COLORS[key][0] if key in CATEGORY_COLORS else _PART.get(key, key)


_PART = {"demand": "人才需求", "employment": "毕业去向", "enrolment": "招生趋势", "saturation": "布点数量"}
