"""The rulebook's verdict terms: warning levels, restriction kinds and guidance categories, each with the
rules (clauses) that give it. scoring.rules judges every major by these clauses and nothing else."""

from __future__ import annotations

from types import MappingProxyType as Texts

from scoring.rulebook.model import Clause, Entry

STOP, LIMIT = "停止新设", "限制招生"
APPEAL = "对依据有异议的，可在征求意见期内向市教委提出异议、申请复核"
_UNCONFIRMED = "（仅依据已确认的专业—行业对应）"


def _bottom_on(p) -> bool:
    return p.rules.employment_bottom_share > 0


EMPLOYMENT_FLOOR = Clause(
    "employment.red.floor", "毕业去向落实率{rules.employment_red_years:years}低于 {rules.employment_floor:pct}",
    fires=lambda r, f, p: f.emp_red_floor, applies=lambda p: p.rules.employment_floor > 0,
    basis="毕业去向落实率{rules.employment_red_years:years}低于 {rules.employment_floor:pct}（{shown}）")
EMPLOYMENT_BOTTOM = Clause(
    "employment.red.bottom",
    "毕业去向落实率{rules.employment_red_years:years}位于全市各专业最低的 {rules.employment_bottom_share:pct}",
    fires=lambda r, f, p: f.emp_bottom, applies=_bottom_on,
    basis=("毕业去向落实率{rules.employment_red_years:years}位于全市各专业最低的 "
           "{rules.employment_bottom_share:pct}（{shown}）"))
EMPLOYMENT_YELLOW = Clause(
    "employment.yellow", "毕业去向落实率{rules.employment_yellow_years:years}低于 {rules.employment_floor:pct}",
    fires=lambda r, f, p: f.emp_yellow, applies=lambda p: p.rules.employment_floor > 0)

RESTRICTION_STOP = Entry(
    "restriction.stop", "限制类型", STOP,
    "列入禁限目录：适用区域内不得新设该专业点；已开设的专业点不再扩大招生，在校生培养完毕后逐步停招，或转设相近专业。",
    clauses=(Clause("list.prohibited", "对应行业中禁止类占比超过 {rules.prohibited_share:pct}" + _UNCONFIRMED,
                    fires=lambda r, f, p: f.confirmed and r["exposure_prohibited"] > p.rules.prohibited_share),),
    todo="已开设的专业点不再扩大招生，制订停招或转设计划，在校生培养完毕；" + APPEAL + "。",
    texts=Texts({
        "basis": "{lists}{where}：对应行业中禁止类占 {share:pct}，超过 {rules.prohibited_share:pct}，{scope}停止新设",
        "decided": "对应行业中 {share:pct} 属{lists}所列禁止类，超过 {rules.prohibited_share:pct}",
        "action": "全市不得新设该专业，已开设的学校在校生培养完毕后逐步停招或转设",
        "action_scoped": "{scope}的学校不得新设该专业，其他区域不受此限",
        "lift": ("{scope}对应行业中禁止类占比降至 {rules.prohibited_share:pct1} 及以下（需调整专业—行业对应，"
                 "须经市教委确认）可解除{scope}停止新设")}))

RESTRICTION_LIMIT = Entry(
    "restriction.limit", "限制类型", LIMIT,
    "列入禁限目录：适用区域内须逐年缩减该专业招生规模，不再新增专业点。",
    clauses=(Clause("list.banned", "对应行业中禁止类与限制类合计占比超过 {rules.restricted_share:pct}" + _UNCONFIRMED,
                    fires=lambda r, f, p: f.confirmed and (r["exposure_prohibited"] + r["exposure_restricted"]
                                                           > p.rules.restricted_share)),
             EMPLOYMENT_FLOOR, EMPLOYMENT_BOTTOM),
    todo="在下一招生年度缩减招生计划，并提高毕业去向落实率；" + APPEAL + "。",
    texts=Texts({
        "basis": "{lists}{where}：对应行业中禁止、限制类合计占 {share:pct}，超过 {rules.restricted_share:pct}，{scope}限制招生",
        "decided": "对应行业中禁止、限制类合计占 {share:pct}（{lists}）",
        "decided_scoped": "在{scope}，对应行业中 {share:pct} 属{lists}所列禁止、限制类",
        "action": "开设该专业的学校应缩减招生",
        "action_scoped": "{scope}的学校应缩减该专业招生，其他区域不受此限",
        "employment": "{basis}，全市限制招生",
        "lift": ("{scope}对应行业中禁止、限制类合计占比降至 {rules.restricted_share:pct1} 及以下（需调整专业—行业对应，"
                 "须经市教委确认）可解除{scope}限制招生")}))

RED = Entry(
    "level.red", "预警等级", "红", "需立即采取措施：停止新设或缩减招生，学校制定整改方案，市教委重点跟踪。",
    clauses=(Clause("red.stop", "全市列入禁限目录“停止新设”", fires=lambda r, f, p: f.city == STOP),
             EMPLOYMENT_FLOOR, EMPLOYMENT_BOTTOM,
             Clause("red.score", "风险分值不低于 {rules.red_score:g}",
                    fires=lambda r, f, p: r["risk_score"] >= p.rules.red_score)),
    action="学校应缩减招生并制定整改方案，市教委重点跟踪")

YELLOW = Entry(
    "level.yellow", "预警等级", "黄", "需关注：学校分析原因、制定改进方案，市教委持续跟踪。",
    clauses=(EMPLOYMENT_YELLOW,
             Clause("yellow.restricted", "在任一适用区域列入禁限目录", fires=lambda r, f, p: f.restricted),
             Clause("yellow.guidance", "指导类别为限制或控制发展",
                    fires=lambda r, f, p: f.guidance in ("限制", "控制发展")),
             Clause("yellow.score", "风险分值不低于 {rules.yellow_score:g}",
                    fires=lambda r, f, p: r["risk_score"] >= p.rules.yellow_score)),
    action="学校应分析原因、制定改进方案，市教委持续跟踪")

GREEN = Entry("level.green", "预警等级", "绿", "未见明显风险，按常规办学。",
              threshold="风险分值低于 {rules.yellow_score:g}，且未触发红、黄预警的条件")


def _saturated(r, f, p) -> bool:
    return r["schools_offering"] > p.rules.saturation_max_schools and (
        f.falling or not p.rules.saturation_needs_falling_demand)


def _ratio_at_least(r, share_col: str, share_min: float, ratio_min: float) -> bool:
    ratio = r.get("demand_supply_ratio")
    return ratio is not None and r[share_col] >= share_min and ratio >= ratio_min


GUIDANCE = (
    Entry("guidance.stop", "指导类别", "停止新设",
          "全市不得新设该专业点；已开设的专业点不再扩大招生，在校生培养完毕后逐步停招，或转设相近专业。",
          clauses=(Clause("guidance.stop", "", fires=lambda r, f, p: f.city == STOP, basis="依据上述禁限规则"),),
          follows=(RESTRICTION_STOP, "全市列入禁限目录“停止新设”："),
          todo=RESTRICTION_STOP.todo),
    Entry("guidance.limit", "指导类别", "限制", "全市限制招生：不再新增专业点，开设学校逐年缩减招生规模。",
          clauses=(Clause("guidance.limit", "", fires=lambda r, f, p: f.city == LIMIT, basis="依据上述禁限规则，限制招生"),),
          follows=(RESTRICTION_LIMIT, "全市列入禁限目录“限制招生”："),
          todo=RESTRICTION_LIMIT.todo),
    Entry("guidance.control", "指导类别", "控制发展", "不再新增专业点，现有专业点稳定或压缩招生规模。",
          clauses=(Clause("control.saturation",
                          "全市开设学校超过 {rules.saturation_max_schools:g} 所，且求人倍率较上年变化不高于 "
                          "{rules.falling_demand_trend:pct}",
                          fires=_saturated, applies=lambda p: p.rules.saturation_needs_falling_demand,
                          basis="全市开设学校 {n} 所，超过 {rules.saturation_max_schools:g} 所且求人倍率下降，"
                                "控制发展（不再新增布点）"),
                   Clause("control.saturation_any", "全市开设学校超过 {rules.saturation_max_schools:g} 所",
                          fires=_saturated, applies=lambda p: not p.rules.saturation_needs_falling_demand,
                          basis="全市开设学校 {n} 所，超过 {rules.saturation_max_schools:g} 所，控制发展（不再新增布点）"),
                   Clause("control.score", "风险分值不低于 {rules.control_score:g}",
                          fires=lambda r, f, p: r["risk_score"] >= p.rules.control_score,
                          basis="风险分值不低于 {rules.control_score:g}，控制发展")),
          todo="保持或压缩招生规模，把资源投向就业质量；关注下一版目录的变化。",
          action="不再新增布点，学校宜稳定或压缩招生规模"),
    Entry("guidance.upgrade", "指导类别", "改造升级",
          "专业对应的行业正在调整转型：更新专业方向、课程和实训条件，对接转型后的岗位。",
          clauses=(Clause("guidance.upgrade", "对应行业中调整转型类占比超过 {rules.transforming_share:pct}",
                          fires=lambda r, f, p: r["exposure_transforming"] > p.rules.transforming_share,
                          basis="调整转型类占比 {share:pct}，改造升级"),),
          todo="对照调整转型的行业修订人才培养方案，与企业共建课程和实训基地。", action="学校宜推动专业改造升级",
          texts=Texts({"decided": "对应行业中 {share:pct} 属{lists}所列调整转型类"})),
    Entry("guidance.cooperate", "指导类别", "合作办学",
          "专业对应的产业正从本市疏解转移：宜与天津、河北等承接地区的院校和企业合作办学，共享实训资源，对接承接地就业。",
          clauses=(Clause("guidance.cooperate", "对应行业中疏解转移类占比超过 {rules.relocated_share:pct}",
                          fires=lambda r, f, p: r["exposure_relocated"] > p.rules.relocated_share,
                          basis="疏解转移类占比 {share:pct}，合作办学"),),
          todo="与天津、河北等承接地区的院校和企业商定合作办学方案，共同制定培养方案、共享实训资源。",
          action="学校宜与天津、河北等承接地区合作办学",
          texts=Texts({"decided": "对应行业中 {share:pct} 属{lists}所列疏解转移类"})),
    Entry("guidance.priority", "指导类别", "优先发展", "服务本市高精尖产业且人才需求旺盛：支持新设和扩大招生。",
          clauses=(Clause("guidance.priority",
                          "对应行业中高精尖类占比不低于 {rules.priority_high_end_min:pct}，且求人倍率不低于 "
                          "{rules.priority_ratio_min:g}",
                          fires=lambda r, f, p: _ratio_at_least(r, "exposure_high_end", p.rules.priority_high_end_min,
                                                                p.rules.priority_ratio_min),
                          basis="高精尖类占比 {share:pct}、求人倍率 {ratio:f2} ≥ {rules.priority_ratio_min:g}，优先发展"),),
          todo="可申请新设或扩大招生。", action="鼓励学校开设或扩大招生",
          texts=Texts({"decided": "对应行业多属{lists}所列高精尖产业，人才需求旺盛（求人倍率 {ratio:f2}）"})),
    Entry("guidance.key", "指导类别", "重点建设", "服务城市运行和社会建设的紧缺领域：重点支持办学条件建设。",
          clauses=(Clause("guidance.key",
                          "对应行业中城市服务紧缺类占比不低于 {rules.key_urban_service_min:pct}，且求人倍率不低于 "
                          "{rules.key_ratio_min:g}",
                          fires=lambda r, f, p: _ratio_at_least(r, "exposure_urban_service",
                                                                p.rules.key_urban_service_min, p.rules.key_ratio_min),
                          basis="城市服务紧缺类占比 {share:pct}、求人倍率 {ratio:f2} ≥ {rules.key_ratio_min:g}，重点建设"),),
          todo="可申请建设项目支持，改善实训条件、扩大招生规模。", action="鼓励学校重点建设",
          texts=Texts({"decided": "对应行业属{lists}所列城市服务紧缺领域，人才需求旺盛（求人倍率 {ratio:f2}）"})),
    Entry("guidance.normal", "指导类别", "正常", "未触发以上任何规则，按常规管理。",
          todo="保持办学质量，关注毕业去向落实率和招生变化。", action="学校可正常招生",
          texts=Texts({"decided": "未触及预警和禁限规则"})),
)

PRECEDENCE = Entry("guidance.precedence", "指导类别", "同时满足多条时", "取排在前面的类别：{precedence}。",
                   policy_keys=("guidance_precedence",),
                   texts=Texts({"overlap": "另列入{lists}（{category}，占对应行业 {share:pct}）",
                                "overlap_yields": "另列入{lists}（{category}），因「{decided}」优先于「{other}」，"
                                                  "按{decided}处理"}))
LEVELS = (RED, YELLOW, GREEN)
RESTRICTIONS = (RESTRICTION_STOP, RESTRICTION_LIMIT)
