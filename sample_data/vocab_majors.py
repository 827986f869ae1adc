"""Hand-written vocational major catalog in the style of the 2021 national catalog.

The 2021 catalog numbers its three levels in parallel: 高职专科 大类 41–59, 中职 61–79 (高职 + 20)
and 职业本科 21–39 (高职 − 20), with the same 专业类 under each. Each line of
``vocab_major_concepts.CONCEPTS`` is one major concept (its format is described there).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sample_data.vocab_major_concepts import CONCEPTS

CATEGORY_NAMES: dict[int, str] = {
    41: "农林牧渔大类", 42: "资源环境与安全大类", 43: "能源动力与材料大类", 44: "土木建筑大类", 45: "水利大类",
    46: "装备制造大类", 47: "生物与化工大类", 48: "轻工纺织大类", 49: "食品药品与粮食大类", 50: "交通运输大类",
    51: "电子与信息大类", 52: "医药卫生大类", 53: "财经商贸大类", 54: "旅游大类", 55: "文化艺术大类",
    56: "新闻传播大类", 57: "教育与体育大类", 58: "公安与司法大类", 59: "公共管理与服务大类",
}

CLASS_NAMES: dict[str, str] = {
    "4101": "农业类", "4102": "林业类", "4103": "畜牧业类", "4104": "渔业类", "4203": "测绘地理信息类",
    "4205": "煤炭类", "4208": "环境保护类", "4209": "安全类", "4301": "电力技术类", "4303": "新能源发电工程类",
    "4304": "黑色金属材料类", "4306": "非金属材料类", "4307": "建筑材料类", "4401": "建筑设计类",
    "4402": "城乡规划与管理类", "4403": "土建施工类", "4404": "建筑设备类", "4405": "建设工程管理类",
    "4406": "市政工程类", "4407": "房地产类", "4502": "水利工程与管理类", "4504": "水土保持与水环境类",
    "4601": "机械设计制造类", "4602": "机电设备类", "4603": "自动化类", "4604": "轨道装备类", "4607": "汽车制造类",
    "4701": "生物技术类", "4702": "化工技术类", "4802": "包装类", "4803": "印刷类", "4804": "纺织服装类",
    "4901": "食品类", "4902": "药品与医疗器械类", "4903": "粮食类", "5001": "铁道运输类", "5002": "道路运输类",
    "5004": "航空运输类", "5006": "城市轨道交通类", "5007": "邮政类", "5101": "电子信息类", "5102": "计算机类",
    "5103": "通信类", "5104": "集成电路类", "5201": "临床医学类", "5202": "护理类", "5203": "药学类",
    "5204": "中医药类", "5205": "医学技术类", "5206": "康复治疗类", "5207": "公共卫生与卫生管理类",
    "5209": "健康管理与促进类", "5301": "财政税务类", "5302": "金融类", "5303": "财务会计类", "5304": "统计类",
    "5305": "经济贸易类", "5306": "工商管理类", "5307": "电子商务类", "5308": "物流类", "5401": "旅游类",
    "5402": "餐饮类", "5501": "艺术设计类", "5502": "表演艺术类", "5504": "文化服务类", "5601": "新闻出版类",
    "5602": "广播影视类", "5701": "教育类", "5702": "语言类", "5703": "体育类", "5804": "法律实务类",
    "5801": "公安管理类", "5802": "公安技术类", "5803": "侦查类", "5805": "法律执行类", "5806": "司法技术类",
    "5901": "公共事业类", "5902": "公共管理类", "5903": "公共服务类",
    "5904": "文秘类",
}


LEVELS = ("高职专科", "中职", "职业本科")
LEVEL_OFFSET = {"高职专科": 0, "中职": 20, "职业本科": -20}


@dataclass(frozen=True)
class Major:
    """One major of the sample catalog and the domain that drives its numbers."""

    code: str
    name: str
    level: str
    category_name: str
    class_name: str
    domain: str


@cache
def hand_catalog() -> tuple[Major, ...]:
    """Every hand-written major, 高职专科 first, then 中职, then 职业本科, by code (see `majors.major_catalog`)."""
    majors: list[Major] = []
    for line in CONCEPTS.strip().splitlines():
        class_code, seq, domain, names = line.split(" ", 3)
        for level, name in zip(LEVELS, names.split("|"), strict=True):
            if name == "-":
                continue
            offset = LEVEL_OFFSET[level]
            category = int(class_code[:2])
            code = f"{category + offset}{class_code[2:]}{seq[:2]}"
            if level == "高职专科" and seq.endswith("K"):
                code += "K"
            majors.append(Major(code, name, level, CATEGORY_NAMES[category], CLASS_NAMES[class_code], domain))
    order = {level: i for i, level in enumerate(LEVELS)}
    return tuple(sorted(majors, key=lambda m: (order[m.level], m.code)))
