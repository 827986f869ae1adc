"""Policy rules per major: restrictions (禁限), guidance (指导类别), warning level (预警等级), cause, basis.

Every condition is a clause of the rulebook (scoring.rulebook): this module computes the facts a major is
judged on, asks the rulebook's clauses in order and records the clause that decided (``rule_id``).
Rules decide, scores inform: a restriction comes only from a list rule on a confirmed (`map`)
major—industry correspondence or from the employment rule; model-proposed correspondences raise the score
but never alone put a major on the restriction list.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scoring import reasons as rs
from scoring import rulebook as rb
from scoring.evidence import employment_consecutive_below
from scoring.exposure import CITYWIDE
from scoring.policy import Policy
from scoring.rulebook.verdicts import EMPLOYMENT_BOTTOM, EMPLOYMENT_FLOOR

STOP, LIMIT = rb.STOP, rb.LIMIT
STRENGTH = {STOP: 2, LIMIT: 1}
LEVEL_RANK = {"绿": 0, "黄": 1, "红": 2}
CAUSES = rb.CAUSE_NAMES
LISTS, DEMAND, EMPLOYMENT, ENROLMENT, SATURATION, DISTRICT, REVIEW = CAUSES
_PART_CAUSE = {"part_prohibited": LISTS, "part_restricted": LISTS, "part_transforming": LISTS,
               "part_relocated": LISTS, "part_demand": DEMAND, "part_employment": EMPLOYMENT,
               "part_enrolment": ENROLMENT, "part_saturation": SATURATION}
_SATURATION_RULES = ("control.saturation", "control.saturation_any")


def facts(r: dict[str, Any], p: Policy) -> rb.Facts:
    """The employment, mapping and demand facts of one major (restrictions and guidance come after)."""
    rules = p.rules
    below = employment_consecutive_below(r, rules.employment_floor)
    red_floor = below >= rules.employment_red_years
    bottom = rules.employment_bottom_share > 0 and (r.get("employment_bottom_years") or 0) >= rules.employment_red_years
    trend = r.get("ratio_trend")
    return rb.Facts(below=below, emp_red_floor=red_floor, emp_bottom=bottom,
                    emp_yellow=below >= rules.employment_yellow_years and not (red_floor or bottom),
                    confirmed=r["mapping_source"] == "map",
                    falling=trend is not None and trend <= rules.falling_demand_trend)


def evaluate(r: dict[str, Any], p: Policy, basis: bool = True) -> dict[str, Any]:
    """Restrictions, guidance, warning level, the deciding rule, primary cause and the full basis for one scored
    major (``basis=False``: no basis text, for the interval's corners, which only need the verdict)."""
    f = facts(r, p)
    restrictions = _restrictions(r, p, f)
    city = next((x for x in restrictions if x["scope"] == CITYWIDE), None)
    f = replace(f, city=city["restriction"] if city else None, restricted=bool(restrictions))
    guidance, why, guidance_rule = _guidance(r, p, f)
    f = replace(f, guidance=guidance)
    scoped_guidance = _scoped_guidance(r, p, f, guidance)
    red, yellow = rb.level("红").fired(r, f, p), rb.level("黄").fired(r, f, p)
    level = "红" if red else "黄" if yellow else "绿"
    primary = city or (max(restrictions, key=lambda x: STRENGTH[x["restriction"]]) if restrictions else None)
    employment = f.emp_red_floor or f.emp_bottom or f.emp_yellow
    cause = _cause(r, level, primary, employment, guidance_rule)
    decided = red or yellow
    rule_id = decided.id if decided else (primary["rule_id"] if primary else None)
    verdict = {"major_code": r["major_code"], "warning_level": level, "guidance": guidance,
               "restriction": primary["restriction"] if primary else None,
               "restriction_scope": primary["scope"] if primary else None,
               "restrictions": restrictions, "cause": cause, "rule_id": rule_id,
               "guidance_rule": guidance_rule, "basis": None, "scoped_guidance": scoped_guidance}
    if not basis:
        return verdict
    notes = []
    banned = r["exposure_prohibited"] + r["exposure_restricted"]
    if r["mapping_source"] == "proposed" and banned > p.rules.restricted_share:
        notes.append(rb.cause(REVIEW).text("not_listed", p, share=banned))
    text = [rs.mapping_note(r["mapping_source"], r.get("mapping_confidence"))]
    text += rs.list_hit_notes(r["list_hits"]) + rs.scoped_notes(r["scoped_restrictions"])
    text += rs.upcoming_notes(r.get("upcoming"))
    text += [rs.demand_note(r), rs.employment_note(r, p, f), rs.enrolment_note(r), *rs.gap_notes(r)]
    if r["schools_offering"]:
        text.append(f"{r['latest_year']}年全市 {r['schools_offering']} 所学校招生")
    text += [x["basis"] for x in restrictions] + notes + ([why] if why else [])
    text += [x["basis"] for x in scoped_guidance] + [r.get("code_history")] + [rs.score_note(r)]
    return verdict | {"basis": rs.SEP.join(t for t in text if t)}


def _cause(r: dict[str, Any], level: str, primary: dict[str, str] | None, employment: bool,
           guidance_rule: str | None) -> str | None:
    """The one primary cause of a 红/黄 or a restriction (None for a green, unrestricted major)."""
    if level == "绿" and primary is None:
        return None
    if employment and level == "红" and (primary is None or primary["restriction"] != STOP):
        return EMPLOYMENT  # the employment rule made it red; a list restriction alone gives 黄
    if primary is not None:
        return primary["cause"]
    if employment:
        return EMPLOYMENT
    if guidance_rule in _SATURATION_RULES:
        return SATURATION
    part = max(_PART_CAUSE, key=lambda k: r.get(k) or 0.0)
    cause = _PART_CAUSE[part]
    return REVIEW if cause == LISTS and r["mapping_source"] == "proposed" else cause


def _restriction(kind: str, scope: str, lists: list[str], share: float, p: Policy, rule_id: str,
                 cause: str = LISTS) -> dict[str, str]:
    where = "" if scope == CITYWIDE else f"（适用区域：{scope}）"
    text = rb.restriction(kind).text("basis", p, lists=rs.titles(lists), where=where, share=share, scope=scope)
    return {"restriction": kind, "scope": scope, "basis": text, "cause": cause, "rule_id": rule_id}


def _restrictions(r: dict[str, Any], p: Policy, f: rb.Facts) -> list[dict[str, str]]:
    """Citywide restriction first, then scoped ones that are stronger than the citywide one."""
    names: dict[str, list[str]] = {}
    for h in r["list_hits"]:
        names.setdefault(h["category"], []).append(h["list_name"])
    pro, res = r["exposure_prohibited"], r["exposure_restricted"]
    stop_rule, limit_rule = rb.restriction(STOP).fired(r, f, p), rb.restriction(LIMIT).fired(r, f, p)
    city = None
    if stop_rule:
        city = _restriction(STOP, CITYWIDE, names.get("prohibited", []), pro, p, stop_rule.id)
    elif limit_rule and limit_rule.id == "list.banned":
        city = _restriction(LIMIT, CITYWIDE, names.get("prohibited", []) + names.get("restricted", []),
                            min(1.0, pro + res), p, limit_rule.id)
    emp = next((c for c in (EMPLOYMENT_FLOOR, EMPLOYMENT_BOTTOM) if c.applies(p) and c.fires(r, f, p)), None)
    if emp:
        text = rs.employment_red_text(r, p) + "，缩减招生"
        if city is None:
            city = {"restriction": LIMIT, "scope": CITYWIDE, "cause": EMPLOYMENT, "rule_id": emp.id,
                    "basis": rb.restriction(LIMIT).text("employment", p, basis=text)}
        else:
            city["basis"] += "；" + text
    out = [city] if city else []
    if not f.confirmed:
        return out
    scopes: dict[str, dict[str, Any]] = {}
    for s in r["scoped_restrictions"]:
        entry = scopes.setdefault(s["scope"], {"prohibited": 0.0, "restricted": 0.0, "lists": []})
        entry[s["category"]] = s["share"]
        entry["lists"] += [n for n in s["list_names"] if n not in entry["lists"]]
    local = rb.Facts(confirmed=True)
    for scope in sorted(scopes):
        e = scopes[scope]
        shares = {"exposure_prohibited": e["prohibited"], "exposure_restricted": e["restricted"]}
        stop, limit = rb.restriction(STOP).fired(shares, local, p), rb.restriction(LIMIT).fired(shares, local, p)
        kind, rule = (STOP, stop) if stop else (LIMIT, limit) if limit else (None, None)
        if kind and STRENGTH[kind] > STRENGTH.get(city["restriction"] if city else "", 0):
            share = e["prohibited"] if kind == STOP else min(1.0, e["prohibited"] + e["restricted"])
            out.append(_restriction(kind, scope, e["lists"], share, p, rule.id))
    return out


def _scoped_guidance(r: dict[str, Any], p: Policy, f: rb.Facts, guidance: str) -> list[dict[str, str]]:
    """Per district or zone with its own entries of a guiding category (``scoped_lists``: 调整转型, 疏解转移,
    高精尖, 城市服务紧缺), the guidance there when it differs from the citywide one: the guidance rules asked
    again with that place's shares (its own entries and the citywide ones). A scoped 疏解转移 entry thus makes
    合作办学 in its scope; a restriction or a rule ranked higher in the precedence still comes first."""
    by_scope: dict[str, list[dict[str, Any]]] = {}
    for s in r.get("scoped_lists") or []:
        by_scope.setdefault(s["scope"], []).append(s)
    out = []
    for scope in sorted(by_scope):
        row = dict(r)
        for s in by_scope[scope]:
            row[f"exposure_{s['category']}"] = max(row[f"exposure_{s['category']}"], s["share"])
        there, why, rule_id = _guidance(row, p, f)
        if there == guidance or why is None:
            continue
        shown = [s for s in by_scope[scope] if rs.CATEGORY_CN.get(s["category"]) and there == _GUIDANCE_OF.get(s["category"])]
        lists = rs.titles([n for s in shown for n in s["list_names"]])
        share = max((s["share"] for s in shown), default=0.0)
        category = rs.CATEGORY_CN.get(shown[0]["category"], "") if shown else ""
        text = rb.entry("scope.district").text("guidance", p, scope=scope, guidance=there, lists=lists,
                                               category=category, share=share)
        out.append({"scope": scope, "guidance": there, "rule_id": rule_id, "basis": f"适用于{scope}的学校的{why}",
                    "text": text})
    return out


_GUIDANCE_OF = {"transforming": "改造升级", "relocated": "合作办学", "high_end": "优先发展", "urban_service": "重点建设"}


def _guidance(r: dict[str, Any], p: Policy, f: rb.Facts) -> tuple[str, str | None, str | None]:
    """Every rule that fires proposes a guidance; the first in the policy's precedence wins. Returns the
    guidance, its basis sentence and the id of the rule that gave it."""
    for g in p.guidance_precedence:
        clause = rb.guidance(g).fired(r, f, p)
        if clause is not None:
            shares = {"改造升级": "exposure_transforming", "合作办学": "exposure_relocated",
                      "优先发展": "exposure_high_end", "重点建设": "exposure_urban_service"}
            text = rb.fill(clause.basis or "", p, share=r.get(shares.get(g, ""), 0.0), n=r["schools_offering"],
                           ratio=r.get("demand_supply_ratio"))
            return g, f"指导类别「{g}」：{text}", clause.id
    return "正常", None, None
