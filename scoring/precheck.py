"""新设专业预审: may this school open this major in its district this year, and why.

Pure and fed from the published edition only (the catalog row of the major, its restriction rows,
the school's offerings from `school_major_scores`, and the policy in force from `datapackage.json`),
so the CLI, the API and the portal page give the same answers. Each check says 通过 / 不通过 / 提示,
why, and the policy rule (key and source) behind it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from scoring import rulebook as rb
from scoring.policy import Policy

PASS, FAIL, NOTE = "通过", "不通过", "提示"
YES, NO, CAUTION = "可以", "不可以", "可以，但请注意提示"
_LEVELS = {"中职": ("中职",), "高职": ("高职专科", "职业本科")}


@dataclass(frozen=True)
class Check:
    """One answer of the pre-check."""

    check: str
    result: str
    why: str
    rule: str


def _rule(p: Policy, entry_id: str) -> str:
    """The rulebook's rule behind a check, as officials cite it: its term, its condition in force, its source."""
    return rb.cite(rb.entry(entry_id), p)


def school_type(offered_levels: list[str]) -> str:
    """中职 when every offering is a 中职 major, else 高职 (a school with no offerings: unknown)."""
    levels = {x for x in offered_levels if x}
    if not levels:
        return "未知"
    return "中职" if levels <= {"中职"} else "高职"


def precheck(school: dict[str, Any], major: dict[str, Any] | None, restrictions: list[dict[str, Any]],
             offered_levels: list[str], offered_majors: list[str], p: Policy) -> dict[str, Any]:
    """The verdict (可以 / 不可以 / 可以，但请注意提示) and every check behind it."""
    district = school.get("district") or ""
    checks: list[Check] = []
    if major is None:
        checks.append(Check("专业目录", FAIL, "该专业代码不在本版专业指导性目录中",
                            "《职业教育专业目录（2021年）》：只能在目录内设置专业"))
        return _answer(school, None, checks)
    kind = school_type(offered_levels)
    fits = kind == "未知" or major["level"] in _LEVELS[kind]
    checks.append(Check("专业目录与办学层次", PASS if fits else FAIL,
                        f"该专业为{major['level']}专业，本校为{kind}学校" + ("" if fits else "，层次不符"),
                        "《职业教育专业目录（2021年）》分中职、高职专科、职业本科三个层次设置"))
    if major["major_code"] in offered_majors:
        checks.append(Check("是否已开设", NOTE, "本校已开设该专业，无需新设", "—"))
    banned_district = district in p.no_vocational_districts
    checks.append(Check("所在区", FAIL if banned_district else PASS,
                        f"学校位于{district}，" + ("该区不再举办职业教育，不得新设专业" if banned_district
                                                 else "该区未停办职业教育"),
                        _rule(p, "district.no_vocational")))
    applicable = [x for x in restrictions if x["scope"] == "全市" or district in p.districts_in(x["scope"])]
    if applicable:
        x = max(applicable, key=lambda x: x["restriction"] == "停止新设")
        key = "restriction.stop" if x["restriction"] == "停止新设" else "restriction.limit"
        checks.append(Check("禁限目录及适用区域", FAIL,
                            f"该专业在{x['scope']}列入禁限目录（{x['restriction']}）：{x.get('reasons') or ''}".rstrip("："),
                            _rule(p, key)))
    else:
        scoped = sorted({x["scope"] for x in restrictions})
        elsewhere = f"；仅在{'、'.join(scoped)}受限，不适用于{district}" if scoped else ""
        checks.append(Check("禁限目录及适用区域", PASS, f"该专业在{district}不在禁限目录中{elsewhere}",
                            _rule(p, "restriction.limit")))
    n, cap = major.get("schools_offering"), p.rules.saturation_max_schools
    if major.get("guidance") == "控制发展":
        checks.append(Check("布点数量", FAIL, f"该专业为控制发展类（全市 {n} 所学校开设，上限 {cap} 所），不再新增布点",
                            _rule(p, "guidance.control")))
    else:
        checks.append(Check("布点数量", PASS if n is None or n <= cap else NOTE,
                            f"全市 {n} 所学校开设，上限 {cap} 所", _rule(p, "guidance.control")))
    checks.append(_demand_check(major, p))
    if major.get("p_red_at_graduation") is not None:  # editions published before scoring.outlook have none
        checks.append(_outlook_check(major))
    if major.get("warning_level") in ("红", "黄"):
        checks.append(Check("预警等级", NOTE, f"该专业本版为{major['warning_level']}色预警：{major.get('reasons') or ''}",
                            _rule(p, rb.level(major["warning_level"]).id)))
    return _answer(school, major, checks)


def _demand_check(major: dict[str, Any], p: Policy) -> Check:
    note, ratio = major.get("demand_note") or "", major.get("demand_supply_ratio")
    if ratio is None:
        return Check("人才需求", NOTE, f"求人倍率：{note or '无人才供需数据'}，无法判断需求", _rule(p, "certainty.thin"))
    if ratio < 1:
        return Check("人才需求", NOTE, f"求人倍率 {ratio:.2f}，低于 1，岗位少于求职者，需求偏弱",
                     _rule(p, "figure.ratio"))
    return Check("人才需求", PASS, f"求人倍率 {ratio:.2f}，岗位不少于求职者", _rule(p, "figure.ratio"))


def _outlook_check(major: dict[str, Any]) -> Check:
    """「N年后红色预警的可能性」: P(红) when this year's entrants graduate (scoring.outlook), a 提示 when more likely
    than not."""
    from scoring.outlook import program_years

    years, chance = program_years(major.get("level")), major["p_red_at_graduation"]
    low, high = major.get("p_red_at_graduation_low"), major.get("p_red_at_graduation_high")
    interval = f"（可能范围 {low:.0%}–{high:.0%}）" if low is not None and high is not None else ""
    restricted = major.get("p_restriction_at_graduation")
    also = f"，列入禁限目录的可能性约 {restricted:.0%}" if restricted is not None else ""
    return Check(f"{years}年后红色预警的可能性", NOTE if chance >= 0.5 else PASS,
                 f"今年入学的学生{years}年后毕业，届时按现行规则为红色预警的可能性约 {chance:.0%}{interval}{also}",
                 "按现行预警规则对毕业当年的人才需求、毕业去向和招生逐年模拟判定（模型推断，供参考）")


def _answer(school: dict[str, Any], major: dict[str, Any] | None, checks: list[Check]) -> dict[str, Any]:
    results = {c.result for c in checks}
    verdict = NO if FAIL in results else CAUTION if NOTE in results else YES
    return {"school_code": school.get("school_code"), "school_name": school.get("school_name"),
            "district": school.get("district"), "major_code": major["major_code"] if major else None,
            "major_name": major.get("major_name") if major else None, "verdict": verdict,
            "checks": [asdict(c) for c in checks]}


def format_precheck(answer: dict[str, Any]) -> str:
    """Plain Chinese text of a pre-check (CLI)."""
    lines = [f"新设专业预审：{answer['school_name'] or answer['school_code']}（{answer['district'] or '所在区未知'}）"
             f" 拟新设 {answer['major_name'] or ''}（{answer['major_code'] or '—'}）",
             f"结论：{answer['verdict']}", ""]
    for c in answer["checks"]:
        lines.append(f"【{c['check']}】{c['result']}：{c['why']}")
        lines.append(f"    依据规则：{c['rule']}")
    return "\n".join(lines)


def precheck_from_tables(catalog, restrictions, school_scores, p: Policy, school_code: str,
                         major_code: str) -> dict[str, Any]:
    """The pre-check from the published tables (polars frames of guiding_catalog, restriction_list and
    school_major_scores), as the CLI, the API and the portal all read them."""
    import polars as pl

    mine = school_scores.filter(pl.col("school_code") == school_code)
    school = (mine.select("school_code", "school_name", "district").row(0, named=True) if mine.height
              else {"school_code": school_code, "school_name": None, "district": None})
    found = catalog.filter(pl.col("major_code") == major_code)
    major = found.row(0, named=True) if found.height else None
    rows = restrictions.filter(pl.col("major_code") == major_code).to_dicts()
    return precheck(school, major, rows, mine["level"].to_list() if mine.height else [],
                    mine["major_code"].to_list() if mine.height else [], p)
