"""Every Chinese text of the action plan, in one place (the rulebook will take these over).

Each action of the plan (the verbs of the reform plan's section 7) has its definition, and each row's
evidence is built from the templates below; code fills in figures only.
"""

from __future__ import annotations

MERGE, LIMIT, CLOSE = "撤并", "限制招生", "撤销"
UPGRADE, PARTNER, PRIORITY, KEY = "改造升级", "合作办学", "优先发展", "重点建设"
ACTIONS = (MERGE, LIMIT, CLOSE, UPGRADE, PARTNER, PRIORITY, KEY)
WINDING_DOWN = (MERGE, LIMIT, CLOSE)

DEFINITIONS = {
    MERGE: "对应行业列入禁止类等、停止新设的专业点：停止招生，在校生培养至毕业，师资和学生并入相近的健康专业。",
    LIMIT: "限制招生的专业点：压缩招生规模，现有各届学生照常培养至毕业。",
    CLOSE: "连续多年无招生的专业点：办理撤销，有在校生的培养至毕业。",
    UPGRADE: "对应行业调整转型的专业：按行业中需求上升的职业和技能更新培养内容。",
    PARTNER: "对应行业疏解转移的专业：与承接产业的津冀地区院校合作办学。",
    PRIORITY: "对接高精尖产业、需求旺盛的专业：优先在具备条件的学校开设或扩大。",
    KEY: "对接城市服务紧缺领域的专业：重点建设，在具备条件的学校开设或扩大。",
}

TRAINING_GAP, RETENTION_GAP, NO_GAP, NO_DATA = "训练缺口", "留任缺口", "无缺口", "数据不足"
SHORTAGE = {
    TRAINING_GAP: "求人倍率{ratio}，需求旺盛，起薪{pay}，不低于全市专业起薪中位数{median}的{floor}：多培养毕业生可补上缺口。",
    RETENTION_GAP: "求人倍率{ratio}，需求旺盛，但起薪{pay}低于全市专业起薪中位数{median}的{floor}：岗位难留人，"
                   "多培养毕业生也难以补上，宜同时改善待遇和职业发展。",
    NO_GAP: "求人倍率{ratio}，低于{high}，未见人才缺口。",
    NO_DATA: "求人倍率或起薪数据不足，无法判断缺口类型。",
}

IN_SCHOOL = "在校生约{students}人（最近{years}届招生合计）"
NO_STUDENTS = "最近{years}年无招生，无在校生"
LAST_COHORT = {MERGE: "停止招生后，末届学生{year}年毕业", LIMIT: "现有各届学生照常培养，最近一届{year}年毕业",
               CLOSE: "末届学生{year}年毕业"}
RECEIVING = "可由{names}承接学生和师资"
NONE_RECEIVING = "无（本校和本区没有相近且预警为绿色的专业）"
NO_RECEIVING = "本校和本区均无相近且预警为绿色的专业，学生宜在原专业培养至毕业，师资由市教委统筹"
UPGRADE_TOWARD = "改造升级方向：{toward}"
NO_UPGRADE_DATA = "数据不足：对应行业和职业没有需求上升的数据"
CANDIDATES = "适宜开设或扩大的学校：{names}"
NO_CANDIDATES = "暂无具备条件的学校（无同类专业或所在区不再举办职业教育）"
CANDIDATE = "{school}（{district}，{status}；同类专业{related}个{demand}）"
OPEN, EXPAND = "可新设", "已开设，可扩大"
DISTRICT_DEMAND = "，区内相关招聘{openings}人"


def candidate_label(row: dict) -> str:
    """One candidate school: name, district, open or expand, related majors, the district's openings."""
    demand = DISTRICT_DEMAND.format(openings=row["openings"]) if row["openings"] else ""
    return CANDIDATE.format(school=row["school_name"], district=row["district"],
                            status=EXPAND if row["offers"] else OPEN, related=row["related"], demand=demand)


def shortage_text(kind: str, **figures: object) -> str:
    return SHORTAGE[kind].format(**figures)
