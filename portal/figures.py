"""The portal's charts, built from the views' rows (each chart from the figures of its own rows only)."""

from __future__ import annotations

from markupsafe import Markup

from documents.edition import edition_label
from portal.charts import Segment, bar_chart, category_fill, legend, level_fill, line_chart
from portal.verdicts import PART_FILLS, PART_LABELS
from scoring.palette import CATEGORY_COLORS, NEUTRAL, WARNING_COLORS

SCHOOL_PART = Segment("本校情况（专业点分值 − 专业分值）", 0, NEUTRAL, outline=True)


def _part_segment(part: dict) -> Segment:
    if part["key"] == "school":
        return Segment(part["label"], part["value"], NEUTRAL, outline=True)
    return Segment(part["label"], part["value"], PART_FILLS.get(part["key"], NEUTRAL))


def parts_chart(rows: list[dict], link: str | None) -> Markup | None:
    """Each offering's score parts as one stacked bar (labelled with its own score); None without parts."""
    bars = [(f"{r['major_name']}", [_part_segment(p) for p in r["parts"]],
             f"{link}/{r['major_code']}" if link else None, r.get("school_risk_score"))
            for r in rows if r.get("parts") is not None]
    if not bars:
        return None
    return bar_chart("parts-chart", "各专业点风险分值构成", bars, "分", label_width=130, width=520,
                     high=100.0, row_ids=[r["major_code"] for r in rows if r.get("parts") is not None])


def part_bars(major: dict) -> Markup | None:
    """One offering's score parts, one labelled bar each (relief parts left of 0)."""
    if not major.get("parts"):
        return None
    bars = [(p["label"], [_part_segment(p)], None, None) for p in major["parts"]]
    return bar_chart("part-bars", f"{major['major_name']} 风险分值构成", bars, "分", label_width=96, width=420)


def parts_legend() -> Markup:
    order = ["part_prohibited", "part_restricted", "part_transforming", "part_relocated", "part_high_end",
             "part_urban_service", "part_demand"]
    segs = [Segment(PART_LABELS[p], 0, PART_FILLS[p]) for p in order]
    segs[-1] = Segment("人才需求、毕业去向、招生趋势、布点数量", 0, NEUTRAL)
    return legend([*segs, SCHOOL_PART])


def trend_chart(chart_id: str, title: str, trend: list[dict] | list[tuple], editions: tuple[str, ...],
                lines: tuple[tuple[float, str, str], ...], small: bool = False) -> Markup:
    """A score over every edition (x: each edition up to the current; a dot where the edition has a value),
    with the warning lines of the policy in force (``scoring.rulebook.score_lines``)."""
    values = dict((p["edition"], p["risk_score"]) if isinstance(p, dict) else p for p in trend)
    return line_chart(chart_id, title, [(e, values.get(e)) for e in editions],
                      labels={e: edition_label({"id": e}) for e in editions},
                      width=400 if small else 480, height=180 if small else 220,
                      thresholds=lines)


def count_chart(chart_id: str, title: str, items: list[dict], fills: dict | None = None,
                link: str | None = None) -> Markup:
    """Counts as bars (``[{value, count}]``), coloured by ``fills`` where given."""
    bars = [(c["value"], [Segment(c["value"], c["count"], (fills or {}).get(c["value"], NEUTRAL))],
             f"{link}{c['value']}" if link else None, None) for c in items]
    return bar_chart(chart_id, title, bars, "个", label_width=72, width=420)


def level_chart(chart_id: str, title: str, items: list[dict]) -> Markup:
    return count_chart(chart_id, title, items, {lvl: level_fill(lvl) for lvl in WARNING_COLORS})


def district_chart(districts: list[dict]) -> Markup:
    """Offerings per district, stacked by warning level, each district linked to its page."""
    bars = [(d["district"], [Segment("红", d["red"], level_fill("红")), Segment("黄", d["yellow"], level_fill("黄")),
                             Segment("绿", d["green"], level_fill("绿"))],
             f"/commission/districts/{d['district']}", None) for d in districts]
    return bar_chart("district-chart", "各区专业点预警情况", bars, "专业点数", label_width=64, width=420)


def exposure_chart(major: dict) -> Markup | None:
    """A major's shares of industries in each list category (0–100 %)."""
    bars = [(label, [Segment(label, round(100 * (major.get(f"exposure_{key}") or 0), 1), category_fill(key))], None,
             None) for key, (label, _) in CATEGORY_COLORS.items() if f"exposure_{key}" in major]
    if not any(seg.value for _, segs, _, _ in bars for seg in segs):
        return None
    return bar_chart("exposure-chart", "对应行业在各类清单中的占比", bars, "%", label_width=96, width=420,
                     high=100.0) if bars else None


def level_legend() -> Markup:
    return legend([Segment(level, 0, fill) for level, (fill, _) in WARNING_COLORS.items()])
