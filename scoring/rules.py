"""Policy rules per major: restrictions (禁限), guidance (指导类别), warning level (预警等级), reasons.

Rules decide, scores inform: a restriction comes only from a list rule on a confirmed (`map`)
major—industry correspondence or from the 60% employment rule; model-proposed correspondences raise
the score but never alone put a major on the restriction list.
"""

from __future__ import annotations

from typing import Any

from scoring import reasons as rs
from scoring.evidence import employment_consecutive_below
from scoring.exposure import CITYWIDE
from scoring.policy import Policy

STOP, LIMIT = "停止新设", "限制招生"
STRENGTH = {STOP: 2, LIMIT: 1}
LEVEL_RANK = {"绿": 0, "黄": 1, "红": 2}
CAUSES = ("产业清单", "人才需求", "毕业去向", "招生萎缩", "布点过多", "所在区", "人工复核")
LISTS, DEMAND, EMPLOYMENT, ENROLMENT, SATURATION, DISTRICT, REVIEW = CAUSES
_PART_CAUSE = {"part_prohibited": LISTS, "part_restricted": LISTS, "part_transforming": LISTS,
               "part_relocated": LISTS, "part_demand": DEMAND, "part_employment": EMPLOYMENT,
               "part_enrolment": ENROLMENT, "part_saturation": SATURATION}


def evaluate(r: dict[str, Any], p: Policy, basis: bool = True) -> dict[str, Any]:
    """Restrictions, guidance, warning level, primary cause and the full basis for one scored major
    (``basis=False``: no basis text, for the interval's corners, which only need the verdict)."""
    rules = p.rules
    floor = rules.employment_floor
    below = employment_consecutive_below(r, floor)
    bottom = rules.employment_bottom_share > 0 and (r.get("employment_bottom_years") or 0) >= rules.employment_red_years
    emp_red = below >= rules.employment_red_years or bottom
    emp_yellow = below >= rules.employment_yellow_years and not emp_red
    confirmed = r["mapping_source"] == "map"
    notes: list[str] = []
    restrictions = _restrictions(r, p, confirmed, emp_red)
    city = next((x for x in restrictions if x["scope"] == CITYWIDE), None)
    if r["mapping_source"] == "proposed":
        banned = r["exposure_prohibited"] + r["exposure_restricted"]
        if banned > rules.restricted_share:
            notes.append(f"模型推断的对应行业中禁止、限制类合计 {rs.pct(banned)}，未据此列入禁限目录")
    guidance, why = _guidance(r, p, city)
    level = ("红" if emp_red or (city and city["restriction"] == STOP) or r["risk_score"] >= rules.red_score
             else "黄" if emp_yellow or restrictions or guidance in ("限制", "控制发展")
             or r["risk_score"] >= rules.yellow_score else "绿")
    primary = city or (max(restrictions, key=lambda x: STRENGTH[x["restriction"]]) if restrictions else None)
    cause = _cause(r, level, primary, emp_red or emp_yellow, guidance, why)
    verdict = {"major_code": r["major_code"], "warning_level": level, "guidance": guidance,
               "restriction": primary["restriction"] if primary else None,
               "restriction_scope": primary["scope"] if primary else None,
               "restrictions": restrictions, "cause": cause, "basis": None}
    if not basis:
        return verdict
    text = [rs.mapping_note(r["mapping_source"], r.get("mapping_confidence"))]
    text += rs.list_hit_notes(r["list_hits"]) + rs.scoped_notes(r["scoped_restrictions"])
    text += rs.upcoming_notes(r.get("upcoming"))
    text += [rs.demand_note(r), rs.employment_note(r, floor, emp_red, emp_yellow, below), rs.enrolment_note(r)]
    if r["schools_offering"]:
        text.append(f"{r['latest_year']}年全市 {r['schools_offering']} 所学校招生")
    text += [x["basis"] for x in restrictions] + notes + ([why] if why else []) + [rs.score_note(r)]
    return verdict | {"basis": rs.SEP.join(t for t in text if t)}


def _cause(r: dict[str, Any], level: str, primary: dict[str, str] | None, employment: bool, guidance: str,
           why: str | None) -> str | None:
    """The one primary cause of a 红/黄 or a restriction (None for a green, unrestricted major)."""
    if level == "绿" and primary is None:
        return None
    if employment and level == "红" and (primary is None or primary["restriction"] != STOP):
        return EMPLOYMENT  # the employment rule made it red; a list restriction alone gives 黄
    if primary is not None:
        return primary["cause"]
    if employment:
        return EMPLOYMENT
    if guidance == "控制发展" and why and "全市开设学校" in why:
        return SATURATION
    part = max(_PART_CAUSE, key=lambda k: r.get(k) or 0.0)
    cause = _PART_CAUSE[part]
    return REVIEW if cause == LISTS and r["mapping_source"] == "proposed" else cause


def _restrictions(r: dict[str, Any], p: Policy, confirmed: bool, emp_red: bool) -> list[dict[str, str]]:
    """Citywide restriction first, then scoped ones that are stronger than the citywide one."""
    rules, out = p.rules, []
    names = {h["category"]: [] for h in r["list_hits"]}
    for h in r["list_hits"]:
        names[h["category"]].append(h["list_name"])
    pro, res = r["exposure_prohibited"], r["exposure_restricted"]
    city = None
    if confirmed and pro > rules.prohibited_share:
        city = STOP
        basis = (f"{rs.titles(names.get('prohibited', []))}：对应行业中禁止类占 {rs.pct(pro)}，"
                 f"超过 {rs.pct(rules.prohibited_share)}，全市停止新设")
    elif confirmed and pro + res > rules.restricted_share:
        city = LIMIT
        lists = rs.titles(names.get("prohibited", []) + names.get("restricted", []))
        basis = (f"{lists}：对应行业中禁止、限制类合计占 {rs.pct(min(1.0, pro + res))}，"
                 f"超过 {rs.pct(rules.restricted_share)}，全市限制招生")
    cause = LISTS
    if emp_red:
        emp = rs.employment_red_text(r, rules)
        if city is None:
            city, basis, cause = LIMIT, emp + "，全市限制招生", EMPLOYMENT
        else:
            basis += "；" + emp
    if city:
        out.append({"restriction": city, "scope": CITYWIDE, "basis": basis, "cause": cause})
    if not confirmed:
        return out
    scopes: dict[str, dict[str, Any]] = {}
    for s in r["scoped_restrictions"]:
        entry = scopes.setdefault(s["scope"], {"prohibited": 0.0, "restricted": 0.0, "lists": []})
        entry[s["category"]] = s["share"]
        entry["lists"] += [n for n in s["list_names"] if n not in entry["lists"]]
    for scope in sorted(scopes):
        e = scopes[scope]
        kind = (STOP if e["prohibited"] > rules.prohibited_share
                else LIMIT if e["prohibited"] + e["restricted"] > rules.restricted_share else None)
        if kind and STRENGTH[kind] > STRENGTH.get(city or "", 0):
            share = e["prohibited"] if kind == STOP else min(1.0, e["prohibited"] + e["restricted"])
            what = "禁止类" if kind == STOP else "禁止、限制类合计"
            out.append({"restriction": kind, "scope": scope,
                        "basis": f"{rs.titles(e['lists'])}（适用区域：{scope}）：对应行业中{what}占 "
                                 f"{rs.pct(share)}，超过 {rs.pct(rules.prohibited_share if kind == STOP else rules.restricted_share)}，"
                                 f"{scope}{kind}", "cause": LISTS})
    return out


def _guidance(r: dict[str, Any], p: Policy, city: dict[str, str] | None) -> tuple[str, str | None]:
    """Every rule that fires proposes a guidance; the first in the policy's precedence wins."""
    rules = p.rules
    ratio, trend = r.get("demand_supply_ratio"), r.get("ratio_trend")
    found: dict[str, str] = {}
    if city and city["restriction"] == STOP:
        found["停止新设"] = "依据上述禁限规则"
    if city and city["restriction"] == LIMIT:
        found["限制"] = "依据上述禁限规则，限制招生"
    falling = trend is not None and trend <= rules.falling_demand_trend
    if r["schools_offering"] > rules.saturation_max_schools and (falling or not rules.saturation_needs_falling_demand):
        found["控制发展"] = (f"全市开设学校 {r['schools_offering']} 所，超过 {rules.saturation_max_schools} 所"
                         f"{'且求人倍率下降' if rules.saturation_needs_falling_demand else ''}，控制发展（不再新增布点）")
    elif r["risk_score"] >= rules.control_score:
        found["控制发展"] = f"风险分值不低于 {rules.control_score:.0f}，控制发展"
    if r["exposure_transforming"] > rules.transforming_share:
        found["改造升级"] = f"调整转型类占比 {rs.pct(r['exposure_transforming'])}，改造升级"
    if r["exposure_relocated"] > rules.relocated_share:
        found["合作办学"] = f"疏解转移类占比 {rs.pct(r['exposure_relocated'])}，合作办学"
    if ratio is not None and r["exposure_high_end"] >= rules.priority_high_end_min \
            and ratio >= rules.priority_ratio_min:
        found["优先发展"] = (f"高精尖类占比 {rs.pct(r['exposure_high_end'])}、求人倍率 {ratio:.2f}"
                         f" ≥ {rules.priority_ratio_min:g}，优先发展")
    if ratio is not None and r["exposure_urban_service"] >= rules.key_urban_service_min \
            and ratio >= rules.key_ratio_min:
        found["重点建设"] = (f"城市服务紧缺类占比 {rs.pct(r['exposure_urban_service'])}、求人倍率 {ratio:.2f}"
                         f" ≥ {rules.key_ratio_min:g}，重点建设")
    for g in p.guidance_precedence:
        if g in found:
            return g, f"指导类别「{g}」：{found[g]}"
    return "正常", None
