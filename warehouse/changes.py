"""What moved between two editions: the rows of an edition's ``changes.csv``.

A major is listed when it newly appears in the catalog or the restriction list (新增), is in neither
any more (移除), or is still listed but its guidance, warning level or restriction changed (变化). A major
renumbered since the previous edition (the new edition's ``code_history``: the code it had there) is one row
(代码变更, the rulebook's ``major.renumbered``) comparing its old code's verdict with its new one's, never 移除 of
the old code and 新增 of the new. ``CHANGE_HEADERS`` gives the
Chinese header of each column as a person reads the file. Majors whose verdict the commission set by
an override are marked 是 in 复核调整, and listed (变化类型 复核调整) even when nothing else moved.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import polars as pl

from scoring import rulebook as rb

CHANGE_HEADERS = {
    "major_code": "专业代码", "major_name": "专业名称", "change": "变化类型",
    "guidance_old": "原指导类别", "guidance_new": "新指导类别",
    "warning_level_old": "原预警等级", "warning_level_new": "新预警等级",
    "restriction_old": "原限制", "restriction_new": "新限制", "overridden": "复核调整", "reasons": "依据",
}
OVERRIDDEN = "复核调整"
REMOVED_REASON = "专业不再出现在目录中"
FIRST_EDITION = "首版"
FIRST_EDITION_REASON = "本版为首版，没有上一版可比较；自下一版起，本文件列出指导类别、预警等级或限制发生变化的专业"


def first_edition_changes() -> pl.DataFrame:
    """What changes.csv holds for a first edition: one row saying so, rather than a bare header."""
    row = {c: "" for c in CHANGE_HEADERS} | {"change": FIRST_EDITION, "reasons": FIRST_EDITION_REASON}
    return pl.DataFrame([row], schema={c: pl.String for c in CHANGE_HEADERS})


def overridden_notes(majors: pl.DataFrame, school_scores: pl.DataFrame) -> dict[str, str]:
    """Major code → a note for changes.csv: empty for a major whose verdict an override set; for a major whose
    verdict stands but some schools' offerings of it were adjusted after review, how many (schools unnamed)."""
    def marked(df: pl.DataFrame) -> pl.DataFrame:
        return df.filter(pl.col("overridden")) if "overridden" in df.columns else df.clear()

    notes = dict.fromkeys(marked(majors)["major_code"].to_list(), "")
    offerings = marked(school_scores).filter(~pl.col("major_code").is_in(list(notes)))
    for code, n in offerings.group_by("major_code").len().iter_rows():
        notes[code] = f"其中 {n} 个专业点经市教委复核调整"
    return notes


def compute_changes(old: dict[str, pl.DataFrame] | None, new: dict[str, pl.DataFrame],
                    overridden: Collection[str] | Mapping[str, str] = ()) -> pl.DataFrame:
    """One row per major added (新增), removed (移除), renumbered (代码变更: ``new["code_history"]`` names its
    old code) or whose guidance, warning level or restriction changed (变化) since the previous edition, or
    whose verdict an override set (`overridden`, major
    codes, or codes → a note appended to the row's reasons: ``overridden_notes``); empty (header only)
    when there is none."""
    notes = dict(overridden) if isinstance(overridden, Mapping) else dict.fromkeys(overridden, "")
    overridden = set(notes)
    rows: list[dict[str, str]] = []
    if old is not None:
        before, after = _major_view(old), _major_view(new)
        former = renumbered(new.get("code_history"), before.keys(), after.keys())
        for code, was_code in former.items():
            before[code] = before.pop(was_code)
        entry = rb.entry("major.renumbered")
        for code in sorted(before.keys() | after.keys()):
            was, now = before.get(code), after.get(code)
            same = was and now and all(was[k] == now[k] for k in ("guidance", "warning_level", "restriction"))
            if same and code not in overridden and code not in former:
                continue
            change = ("新增" if was is None else "移除" if now is None else entry.text("change") if code in former
                      else OVERRIDDEN if same else "变化")
            was, now = was or {}, now or {}
            reasons = now.get("reasons", REMOVED_REASON)
            said = entry.text("renumbered", old=former.get(code, ""))
            if code in former and said not in reasons:
                reasons = "；".join(p for p in (said, reasons) if p)
            if notes.get(code) and now:
                reasons = "；".join(p for p in (reasons, notes[code]) if p)
            row = {"major_code": code, "major_name": now.get("major_name") or was.get("major_name", ""),
                   "change": change, "reasons": reasons,
                   "overridden": "是" if code in overridden and now else ""}
            for key in ("guidance", "warning_level", "restriction"):
                row[f"{key}_old"], row[f"{key}_new"] = was.get(key, ""), now.get(key, "")
            rows.append(row)
    return pl.DataFrame(rows, schema={c: pl.String for c in CHANGE_HEADERS}).select(list(CHANGE_HEADERS))


def renumbered(code_history: pl.DataFrame | None, before: Collection[str], after: Collection[str]) -> dict[str, str]:
    """New code → the one code it had in the previous edition: a pair of ``code_history`` (old_code, new_code)
    whose old code was listed before and is not now, whose new code is listed now and was not before, each code
    in one such pair only (a split or a merge stays 移除 and 新增: no one row could tell it)."""
    if code_history is None or code_history.height == 0:
        return {}
    pairs = [(o, n) for o, n in code_history.select("old_code", "new_code").iter_rows()
             if o in before and o not in after and n in after and n not in before]
    olds = [o for o, _ in pairs]
    news = [n for _, n in pairs]
    return {n: o for o, n in pairs if olds.count(o) == 1 and news.count(n) == 1}


def _major_view(frames: dict[str, pl.DataFrame]) -> dict[str, dict[str, str]]:
    """Per major: name, guidance, warning level, reasons and restrictions as 「类型（区域）」 joined by ；."""
    def text(value: Any) -> str:
        return "" if value is None else str(value)

    view: dict[str, dict[str, Any]] = {}
    for row in frames["guiding_catalog"].iter_rows(named=True):
        view[row["major_code"]] = {"major_name": text(row.get("major_name")), "guidance": text(row.get("guidance")),
                                   "warning_level": text(row.get("warning_level")),
                                   "reasons": text(row.get("reasons")), "limits": []}
    for row in frames["restriction_list"].iter_rows(named=True):
        entry = view.setdefault(row["major_code"], {"major_name": text(row.get("major_name")), "guidance": "",
                                                    "warning_level": "", "reasons": text(row.get("reasons")),
                                                    "limits": []})
        scope = text(row.get("scope"))
        entry["limits"].append(text(row.get("restriction")) + (f"（{scope}）" if scope else ""))
    for entry in view.values():
        entry["restriction"] = "；".join(sorted(entry.pop("limits")))
    return view
