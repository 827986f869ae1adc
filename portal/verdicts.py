"""What each verdict means for a school and what it can do (from the rulebook); the short reason of a row;
the score parts' labels and colours (the colours of the published documents, from scoring.palette)."""

from __future__ import annotations

from scoring.palette import CATEGORY_COLORS, NEUTRAL
from scoring.policy import Policy
from scoring.reasons import PART_CN
from scoring.rulebook import school_notes

PART_LABELS: dict[str, str] = dict(PART_CN)
# a part from an industry-list category takes that category's colour; market and school signals the neutral one
PART_FILLS: dict[str, str] = {part: CATEGORY_COLORS[part.removeprefix("part_")][1]
                              if part.removeprefix("part_") in CATEGORY_COLORS else NEUTRAL for part in PART_CN}

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


def notes_for(rows: list[dict], policy: Policy) -> list[dict]:
    """The rulebook's notes (meaning, what a school may do) for every verdict that occurs in ``rows`` (each
    once), with the offerings it concerns, under the edition's policy."""
    tables = school_notes(policy)
    found: dict[tuple[str, str], dict] = {}

    def add(kind: str, key: str, row: dict) -> None:
        meaning, todo = tables[kind][key]
        note = found.setdefault((kind, key), {"kind": kind, "name": key, "meaning": meaning, "todo": todo,
                                              "majors": []})
        note["majors"].append(f"{row['major_name']}（{row['major_code']}）")

    for row in rows:
        if row.get("guidance") in tables["指导类别"] and row["guidance"] != "正常":
            add("指导类别", row["guidance"], row)
        if row.get("restriction") in tables["禁限目录"]:
            add("禁限目录", row["restriction"], row)
        for flag in (row.get("school_flags") or "").split("；"):
            key = next((k for k in tables["本校提示"] if k in flag), None)
            if key:
                add("本校提示", key, row)
    return list(found.values())
