"""What each verdict means for a school and what it can do, in plain Chinese; the short reason of a row;
the score parts' labels and colours (the colours of the published documents, from scoring.palette)."""

from __future__ import annotations

from scoring.palette import CATEGORY_COLORS, NEUTRAL
from scoring.reasons import PART_CN

PART_LABELS: dict[str, str] = dict(PART_CN)
# a part from an industry-list category takes that category's colour; market and school signals the neutral one
PART_FILLS: dict[str, str] = {part: CATEGORY_COLORS[part.removeprefix("part_")][1]
                              if part.removeprefix("part_") in CATEGORY_COLORS else NEUTRAL for part in PART_CN}

GUIDANCE_NOTES: dict[str, tuple[str, str]] = {
    "停止新设": ("本市不再新设该专业点。已开设的学校可以培养完在校生，但应按要求逐步停招或转设。",
             "对照依据中的行业变化，考虑转设相近的优先发展或重点建设专业；对判定有异议的，在征求意见期内向市教委书面提出。"),
    "限制": ("该专业的布点和招生规模受到严格控制。",
           "不再扩大招生；结合本校就业情况压缩规模，或改造为相近的紧缺方向。"),
    "控制发展": ("不再新增布点，现有专业点控制招生规模。",
             "保持或压缩招生规模，把资源投向就业质量；关注下一版目录的变化。"),
    "改造升级": ("专业对应的行业正在调整转型，培养内容需要更新。",
             "对照调整转型行业修订人才培养方案，与企业共建课程和实训基地。"),
    "合作办学": ("鼓励与行业企业或其他院校合作举办该专业。",
             "寻找合作企业或院校，共同制定培养方案、共享实训资源。"),
    "优先发展": ("专业对应本市高精尖产业且人才需求旺盛，鼓励新设和扩大招生。",
             "可申请新设或扩大招生，并在目录浏览中查看同类专业。"),
    "重点建设": ("专业对应城市运行和服务的紧缺领域，支持重点建设。",
             "可申请建设项目支持，扩大实训条件和招生规模。"),
    "正常": ("未发现需要干预的风险，按常规办学。", "保持办学质量，关注毕业去向落实率和招生变化。"),
}
RESTRICTION_NOTES: dict[str, tuple[str, str]] = {
    "停止新设": ("列入禁限目录“停止新设”：在适用区域内不得新设该专业点。",
             "已开设的专业点不再扩大招生，按市教委要求制订停招或转设计划。"),
    "限制招生": ("列入禁限目录“限制招生”：在适用区域内须缩减该专业招生规模。",
             "在下一招生年度缩减招生计划，并提高毕业去向落实率。"),
}
FLAG_NOTES: dict[str, tuple[str, str]] = {
    "退出": ("本校该专业点连续多年无招生，按规则予以退出（撤销专业点）。",
           "如仍计划招生，请在征求意见期内向市教委说明并提交招生计划；否则办理撤销手续。"),
    "不再举办职业教育": ("学校所在区（东城区、西城区）按规则不再举办职业教育，专业点需疏解转移或停办。",
                 "与市教委和区教委沟通疏解转移安排。"),
    "毕业去向落实率低于": ("本校该专业毕业去向落实率低于规定下限；连续两年低于下限的专业将缩减招生。",
                  "加强就业指导和校企合作，提高落实率；核对上报的毕业去向数据。"),
}
_KEYWORDS = ("停止新设", "限制", "退出", "不再举办", "低于", "禁止", "控制发展", "优先发展", "重点建设", "改造升级",
             "合作办学", "预警")
SHORT_LIMIT = 90


def short_reason(reasons: str | None, basis: str | None = None) -> str | None:
    """The row's short reason: ``reasons`` itself when the edition publishes a separate full ``basis``;
    otherwise the sentences of ``reasons`` that decided the verdict (at most two, ≤ 90 characters)."""
    if not reasons:
        return None
    if basis:
        return reasons
    parts = [p.strip() for p in reasons.split("；") if p.strip() and not p.strip().startswith("风险分值")]
    deciding = [p for p in parts if any(k in p for k in _KEYWORDS)] or parts
    text = "；".join(deciding[:2])
    return text if len(text) <= SHORT_LIMIT else text[:SHORT_LIMIT - 1] + "…"


def notes_for(rows: list[dict]) -> list[dict]:
    """The notes for every verdict that occurs in ``rows`` (each once), with the offerings it concerns."""
    found: dict[tuple[str, str], dict] = {}

    def add(kind: str, key: str, table: dict, row: dict) -> None:
        meaning, todo = table[key]
        note = found.setdefault((kind, key), {"kind": kind, "name": key, "meaning": meaning, "todo": todo,
                                              "majors": []})
        note["majors"].append(f"{row['major_name']}（{row['major_code']}）")

    for row in rows:
        if row.get("guidance") in GUIDANCE_NOTES and row["guidance"] != "正常":
            add("指导类别", row["guidance"], GUIDANCE_NOTES, row)
        if row.get("restriction") in RESTRICTION_NOTES:
            add("禁限目录", row["restriction"], RESTRICTION_NOTES, row)
        for flag in (row.get("school_flags") or "").split("；"):
            key = next((k for k in FLAG_NOTES if k in flag), None)
            if key:
                add("本校提示", key, FLAG_NOTES, row)
    return list(found.values())
