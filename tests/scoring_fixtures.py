"""A tiny, consistent set of warehouse frames (columns as in docs/tables.md) for the scoring tests.

Each major is built to exercise one rule:
  470201 化工技术        → 大类 26, listed 禁止 citywide                 → 停止新设, 全市
  540101 烹饪工艺与营养  → 大类 62, listed 限制 only in 东城区           → 限制招生, 东城区
  510201 计算机应用技术  → 大类 65, 高精尖, 求人倍率 2.0               → 优先发展
  590301 家政服务与管理  → 大类 80, 城市服务紧缺, 求人倍率 1.6          → 重点建设
  460103 电子产品制造    → 小类 3912 (under 大类 39, 调整转型)          → 改造升级
  460104 集成电路技术    → 小类 3911, 高精尖 entry under the 调整转型 大类 → 高精尖 wins
  530701 商品批发经营    → 大类 51, 疏解转移                            → 合作办学
  490101 粮食加工技术    → 大类 13, 禁止 only on 小类 1311 (1 of 3)     → share 1/3
  530101 连锁经营管理    → 大类 52; 落实率 55% then 50%                 → 红, 缩减招生
  530102 电子商务        → 大类 52; 落实率 70% then 55%                 → 黄
  470202 精细化工技术    → no map row; `proposed` says 26 (禁止)         → no restriction
  610101 种子生产技术    → no map row, nothing proposed                 → mapping_source 'none'
Schools: 1111000001 朝阳区, 1111000002 东城区, 1111000003 海淀区 (3 has 540101 with no enrolment
for three years → 退出).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl

LIST_BAN = "北京市新增产业的禁止和限制目录（2018年版）"
LIST_HIGH = "北京市高精尖产业活动类别"
LIST_CITY = "北京市城市服务紧缺领域目录"
LIST_MOVE = "北京市疏解非首都功能产业清单"
LIST_TRANS = "北京市调整转型产业清单"
YEARS = (2023, 2024, 2025)
AS_OF = date(YEARS[-1], 12, 31)  # the edition's reference date: end of the latest data year

MAJORS = [
    ("470201", "化工技术", "高职专科", "生物与化工大类"),
    ("540101", "烹饪工艺与营养", "高职专科", "旅游大类"),
    ("510201", "计算机应用技术", "高职专科", "电子与信息大类"),
    ("590301", "家政服务与管理", "高职专科", "公共管理与服务大类"),
    ("460103", "电子产品制造技术", "高职专科", "装备制造大类"),
    ("460104", "集成电路技术", "高职专科", "装备制造大类"),
    ("530701", "商品批发经营", "高职专科", "财经商贸大类"),
    ("490101", "粮食加工技术", "高职专科", "食品药品与粮食大类"),
    ("530101", "连锁经营管理", "高职专科", "财经商贸大类"),
    ("530102", "电子商务", "高职专科", "财经商贸大类"),
    ("470202", "精细化工技术", "高职专科", "生物与化工大类"),
    ("610101", "种子生产技术", "中职", "农林牧渔大类"),
]
TREE = {  # 门类 → 大类 → 中类 → 小类
    "C": {"13": {"131": ["1311", "1312"], "132": ["1320"]}, "26": {"261": ["2611", "2612"]},
          "39": {"391": ["3911", "3912"]}},
    "F": {"51": {"511": ["5111", "5112"]}, "52": {"521": ["5211"]}},
    "H": {"62": {"621": ["6210"]}},
    "I": {"65": {"651": ["6510"], "652": ["6520"]}},
    "O": {"80": {"801": ["8010"], "802": ["8020"]}},
}
MAP = [("470201", "26"), ("540101", "62"), ("510201", "65"), ("590301", "80"), ("460103", "3912"),
       ("460104", "3911"), ("530701", "51"), ("490101", "13"), ("530101", "52"), ("530102", "52")]
ADJUST = [
    (LIST_BAN, "prohibited", "26", "全市"), (LIST_BAN, "restricted", "62", "东城区"),
    (LIST_BAN, "prohibited", "1311", "全市"), (LIST_TRANS, "transforming", "39", "全市"),
    (LIST_HIGH, "high_end", "3911", "全市"), (LIST_HIGH, "high_end", "65", "全市"),
    (LIST_CITY, "urban_service", "80", "全市"), (LIST_MOVE, "relocated", "51", "全市"),
]
# code → (demand, supply) for 2024 and 2025
LABOR = {"26": ((800, 1000), (600, 1000)), "62": ((1200, 1000), (1100, 1000)), "65": ((1900, 1000), (2000, 1000)),
         "80": ((1500, 1000), (1600, 1000)), "39": ((1000, 1000), (1000, 1000)), "51": ((900, 1000), (900, 1000)),
         "13": ((1000, 1000), (1000, 1000)), "52": ((1000, 1000), (1000, 1000))}
SCHOOLS = [("1111000001", "北京市朝阳职业学校", "中职", "朝阳区"),
           ("1111000002", "北京市东城职业学校", "中职", "东城区"),
           ("1111000003", "北京市海淀职业学院", "高职", "海淀区")]
# (school, major) → per year (enrolled, graduates, employed, employed_in_field)
OUTCOMES = {
    "530101": [(40, 40, 36, 30), (40, 40, 22, 15), (40, 40, 20, 12)],   # 90%, 55%, 50%
    "530102": [(40, 40, 36, 30), (40, 40, 28, 20), (40, 40, 22, 15)],   # 90%, 70%, 55%
}


@dataclass(frozen=True)
class Frames:
    """The clean warehouse tables the scoring functions read."""

    majors: pl.DataFrame
    industries: pl.DataFrame
    major_industry_map: pl.DataFrame
    major_occupation_map: pl.DataFrame
    industry_adjustments: pl.DataFrame
    labor_market: pl.DataFrame
    schools: pl.DataFrame
    school_majors: pl.DataFrame
    proposed: pl.DataFrame

    def with_(self, **changes: pl.DataFrame) -> Frames:
        return replace(self, **changes)


def industries_frame() -> pl.DataFrame:
    rows = []
    for sec, dalei in TREE.items():
        rows.append((sec, f"门类{sec}", None, "门类", sec))
        for d, zhong in dalei.items():
            rows.append((d, f"大类{d}", sec, "大类", sec))
            for z, xiao in zhong.items():
                rows.append((z, f"中类{z}", d, "中类", sec))
                rows += [(x, f"小类{x}", z, "小类", sec) for x in xiao]
    return pl.DataFrame(rows, orient="row", schema=["industry_code", "industry_name", "parent_code",
                                                    "industry_level", "section"])


def adjustments_frame(rows: list[tuple[str, str, str, str]] | None = None) -> pl.DataFrame:
    rows = ADJUST if rows is None else rows
    return pl.DataFrame(
        [(n, c, code, s, None, None) for n, c, code, s in rows], orient="row",
        schema={"list_name": pl.String, "category": pl.String, "industry_code": pl.String, "scope": pl.String,
                "effective_from": pl.Date, "note": pl.String})


def school_majors_frame() -> pl.DataFrame:
    rows = []
    for code, *_ in MAJORS:
        for i, year in enumerate(YEARS):
            e, g, emp, inf = OUTCOMES.get(code, [(30, 30, 28, 20)] * 3)[i]
            rows.append(("1111000001", code, year, e, g, emp, inf, 5000.0))
            if code in ("510201", "530101"):
                rows.append(("1111000002", code, year, 20, 20, 10, 8, 4500.0))
    rows += [("1111000003", "540101", y, 0, 0, None, None, None) for y in YEARS]
    rows += [("1111000003", "510201", y, 50, 50, 49, 45, 7000.0) for y in YEARS]
    return pl.DataFrame(rows, orient="row", schema={
        "school_code": pl.String, "major_code": pl.String, "year": pl.Int32, "enrolled": pl.Int32,
        "graduates": pl.Int32, "employed": pl.Int32, "employed_in_field": pl.Int32,
        "starting_salary": pl.Float64})


def labor_frame(labor: dict[str, tuple[tuple[int, int], tuple[int, int]]] | None = None) -> pl.DataFrame:
    rows = []
    for code, pairs in (LABOR if labor is None else labor).items():
        for year, (d, s) in zip((2024, 2025), pairs, strict=True):
            rows.append((str(year), year, None, code, None, d, s, "北京市"))
    return pl.DataFrame(rows, orient="row", schema={
        "period": pl.String, "year": pl.Int32, "quarter": pl.Int32, "industry_code": pl.String,
        "occupation_code": pl.String, "demand": pl.Int64, "supply": pl.Int64, "region": pl.String})


def build() -> Frames:
    """The whole consistent fixture set."""
    return Frames(
        majors=pl.DataFrame(MAJORS, orient="row", schema=["major_code", "major_name", "level", "category_name"])
        .with_columns(class_name=pl.lit(None, pl.String), description=pl.lit(None, pl.String)),
        industries=industries_frame(),
        major_industry_map=pl.DataFrame([(m, c, None) for m, c in MAP], orient="row", schema={
            "major_code": pl.String, "industry_code": pl.String, "weight": pl.Float64}),
        major_occupation_map=pl.DataFrame(schema={"major_code": pl.String, "occupation_code": pl.String,
                                                  "weight": pl.Float64}),
        industry_adjustments=adjustments_frame(),
        labor_market=labor_frame(),
        schools=pl.DataFrame(SCHOOLS, orient="row", schema=["school_code", "school_name", "level", "district"]),
        school_majors=school_majors_frame(),
        proposed=pl.DataFrame({"major_code": ["470202"], "industry_code": ["26"], "score": [0.82]}),
    )


def run(frames: Frames, policy=None):
    """exposure, signals and scored frames for a fixture set (default policy unless given)."""
    from scoring.exposure import industry_exposure
    from scoring.policy import load_policy
    from scoring.risk import score_majors
    from scoring.signals import market_signals

    policy = policy or load_policy()
    exposure = industry_exposure(frames.majors, frames.industries, frames.major_industry_map,
                                 frames.industry_adjustments, frames.proposed, as_of=AS_OF)
    signals = market_signals(frames.majors, frames.major_industry_map, frames.major_occupation_map,
                             frames.labor_market, frames.school_majors, frames.proposed, frames.industries)
    return exposure, signals, score_majors(frames.majors, exposure, signals, policy)


def policy_with(tmp_path, changes: dict[str, object]):
    """The default policy with some values replaced, e.g. {"rules.saturation_max_schools": 3}."""
    import yaml

    from scoring.policy import DEFAULT_PATH, load_policy

    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = raw
        *path, last = dotted.split(".")
        for part in path:
            node = node[part]
        node[last]["value"] = value
    out = tmp_path / "policy.yaml"
    out.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_policy(out)


def confirmed_policy(tmp_path, edit=lambda text: text):
    """The default policy with every value confirmed by the commission (no 待市教委确认 left), after ``edit`` of its
    text: the policy a final edition is issued under."""
    from scoring.policy import DEFAULT_PATH, load_policy

    text = edit(DEFAULT_PATH.read_text(encoding="utf-8")).replace("待市教委确认", "已确认")
    out = tmp_path / "policy.yaml"
    out.write_text(text, encoding="utf-8")
    return load_policy(out)


def history_frames(majors: pl.DataFrame, school_majors: pl.DataFrame) -> dict[str, pl.DataFrame | None]:
    """The back-test's inputs for a planted school_majors history: no industry map, no lists, no labour rows."""
    return {"majors": majors, "industries": industries_frame(),
            "major_industry_map": pl.DataFrame(schema={"major_code": pl.String, "industry_code": pl.String,
                                                       "weight": pl.Float64}),
            "major_occupation_map": None, "industry_adjustments": adjustments_frame([]),
            "labor_market": pl.DataFrame(schema={"period": pl.String, "year": pl.Int32, "quarter": pl.Int32,
                                                 "industry_code": pl.String, "occupation_code": pl.String,
                                                 "demand": pl.Int64, "supply": pl.Int64, "region": pl.String}),
            "school_majors": school_majors}
